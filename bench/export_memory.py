"""Run by bench/export.py in a fresh process: export every label, print peak memory as JSON.

``ru_maxrss`` is read once Django is set up and connected ("before") and
again after the last byte ("peak"): the difference is what the export itself
cost, the peak is what the process needed in all.
"""

from __future__ import annotations

import json
import resource
import time

import django

from bench import database


def main() -> None:
    database.configure()
    django.setup()
    from annotations.models import Label
    from bench.export import consume_export

    rows = Label.objects.count()  # Also opens the connection before "before".
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    began = time.perf_counter()
    size, _ = consume_export()
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {"before_kb": before, "peak_kb": peak, "rows": rows, "bytes": size, "seconds": seconds}
        )
    )


if __name__ == "__main__":
    main()

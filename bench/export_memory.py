"""Run by bench/export.py in a fresh process: export every label, print peak memory as JSON.

``python -m bench.export_memory`` exports CSV; ``… jsonld``, one Web Annotation collection.

The peak resident size is read once Django is set up and connected
("before") and again after the last byte ("peak"): the difference is what
the export itself cost, the peak is what the process needed in all. It is
read as VmHWM from /proc/self/status, not ``getrusage().ru_maxrss``: Linux
carries a parent's peak into ``ru_maxrss`` of a child it forks, so the
harness's own size (hundreds of MB after generating data) would show up
as the child's.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import django

from bench import database


def peak_kb() -> int:
    """This process's peak resident set size in kB (VmHWM); ru_maxrss where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> None:
    database.configure()
    django.setup()
    from annotations.models import Label
    from bench.export import consume_export
    from bench.webannotation import consume_all
    from newsroom import collector

    collector.tune()  # as in an app process (wsgi.py): its memory is what is measured

    jsonld = sys.argv[1:] == ["jsonld"]  # else the CSV
    rows = Label.objects.count()  # Also opens the connection before "before".
    before = peak_kb()
    began = time.perf_counter()
    size = consume_all() if jsonld else consume_export()[0]
    seconds = time.perf_counter() - began
    peak = peak_kb()
    print(
        json.dumps(
            {"before_kb": before, "peak_kb": peak, "rows": rows, "bytes": size, "seconds": seconds}
        )
    )


if __name__ == "__main__":
    main()

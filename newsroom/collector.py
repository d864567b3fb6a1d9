"""How an app process runs Python's cyclic garbage collector: ``wsgi.py`` calls ``tune``
once the app is loaded (gunicorn's workers, runserver), and the benchmark calls it before
it measures, so it times what the server runs.

A page's answer allocates tens of thousands of short-lived containers (rows, segments,
tuples), almost all freed by reference counting: a request makes few reference cycles.
With CPython 3.11's default threshold (700 allocations) the report of the 5,000-span
article still ran the collector about 40 times, and the occasional full collection walked
every object Django had loaded at start (issue 17's note: 9 % of that request's
instructions, and its slowest runs). So the youngest generation is collected every
50,000 allocations, and what the process holds before its first request is frozen:
never collected, never walked again (the use ``gc.freeze`` is documented for).
"""

from __future__ import annotations

import gc

YOUNGEST = 50_000  # allocations between collections of the youngest generation


def tune() -> None:
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNGEST, middle, oldest)

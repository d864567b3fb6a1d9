"""``python -m bench.loadtest``: the runner (run.py)."""

from __future__ import annotations

from bench.loadtest.run import main

raise SystemExit(main())

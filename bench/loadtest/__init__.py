"""The load test: ``make loadtest`` (see run.py; the scenario is locustfile.py)."""

from __future__ import annotations

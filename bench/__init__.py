"""The benchmark suite: ``make bench`` (see bench/run.py and bench/RESULTS.md)."""

from __future__ import annotations

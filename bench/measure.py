"""Timing and query counting: each figure is the median of several runs, with min and max."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.db import connection
from django.test.utils import CaptureQueriesContext


@dataclass
class Figure:
    """One measured quantity and its target. ``higher_is_better`` for rates."""

    id: str
    title: str
    unit: str
    runs: list[float]
    target: float | None = None
    higher_is_better: bool = False
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def passed(self) -> bool | None:
        if self.target is None or not self.runs:
            return None
        if self.higher_is_better:
            return self.median >= self.target
        return self.median <= self.target

    def as_dict(self) -> dict:
        data = asdict(self)
        data.update(
            min=min(self.runs) if self.runs else None,
            median=self.median if self.runs else None,
            max=max(self.runs) if self.runs else None,
            passed=self.passed,
        )
        return data


@dataclass
class QueryCount:
    """Queries one request runs at full size and at a small size: they must be equal,
    and no more than ``target`` when one is set."""

    view: str
    url: str
    queries: int
    small_url: str
    small_queries: int
    target: int | None = None

    @property
    def constant(self) -> bool:
        return self.queries == self.small_queries

    def as_dict(self) -> dict:
        return {**asdict(self), "constant": self.constant}


def time_runs(action: Callable[[int], object], runs: int, *, warmup: int = 1) -> list[float]:
    """Milliseconds per call of ``action(n)``, after ``warmup`` calls that are not counted."""
    for n in range(warmup):
        action(-1 - n)
    timings = []
    for n in range(runs):
        began = time.perf_counter()
        action(n)
        timings.append((time.perf_counter() - began) * 1000)
    return timings


def count_queries(action: Callable[[], object]) -> tuple[int, list[str]]:
    """How many SQL statements ``action`` runs, and their text."""
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured), [query["sql"] for query in captured.captured_queries]

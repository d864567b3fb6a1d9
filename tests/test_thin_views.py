"""Views stay thin: each parses the request, calls the module that shapes the data, renders.

Shaping belongs in a module of its own (``highlights``, ``span_panel``,
``report``): a view function that grows past ``MAX_LINES`` is doing its work.
"""

from __future__ import annotations

import ast
from pathlib import Path

VIEWS = Path(__file__).resolve().parent.parent / "annotations" / "views"
MAX_LINES = 30  # decorators, signature and docstring included


def long_functions(source: str, limit: int = MAX_LINES) -> list[tuple[str, int]]:
    found = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            length = (node.end_lineno or node.lineno) - first + 1
            if length > limit:
                found.append((node.name, length))
    return found


def test_no_view_function_is_longer_than_thirty_lines():
    for path in sorted(VIEWS.glob("*.py")):
        assert long_functions(path.read_text(encoding="utf-8")) == [], path.name


def test_the_check_can_fail():
    body = "\n".join(f"    x{n} = {n}" for n in range(MAX_LINES))
    assert long_functions(f"@require_GET\ndef view(request):\n{body}\n") == [("view", 32)]

"""The pure core imports nothing from Django, and nothing that does.

Its modules are named once, in pyproject.toml (the mypy override that turns
on mypy's optional checks for them); a new pure module is added there and is
then checked here and by mypy.
"""

from __future__ import annotations

import ast
import tomllib
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pure_core_patterns() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    overrides = config["tool"]["mypy"]["overrides"]
    (core,) = [o for o in overrides if "annotations.text" in o["module"]]
    return list(core["module"])


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def pure_modules() -> dict[str, Path]:
    patterns = pure_core_patterns()
    found = {}
    for path in sorted((ROOT / "annotations").rglob("*.py")):
        name = _module_name(path)
        if any(
            fnmatch(name, pattern) or name == pattern.removesuffix(".*") for pattern in patterns
        ):
            found[name] = path
    return found


def impure_imports(source: str, pure: set[str]) -> list[str]:
    """What ``source`` imports that is Django, or one of our modules outside the pure core."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top == "django" or (top == "annotations" and name not in pure):
                found.append(name)
    return found


def test_the_pure_core_imports_no_django():
    modules = pure_modules()
    named = {pattern for pattern in pure_core_patterns() if not pattern.endswith(".*")}
    assert named <= set(modules), "pyproject.toml names a pure module that does not exist"
    for name, path in modules.items():
        assert impure_imports(path.read_text(encoding="utf-8"), set(modules)) == [], name


def test_the_check_can_fail():
    pure = {"annotations.kinds"}
    source = (
        "from django.db import models\nimport annotations.models\nfrom annotations import kinds\n"
    )
    assert impure_imports(source, pure) == ["django.db", "annotations.models", "annotations"]
    assert impure_imports("from annotations.kinds import NAMES\nimport re\n", pure) == []

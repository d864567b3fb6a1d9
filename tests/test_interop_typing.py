"""The pure interop modules are typed strictly (mypy --strict), so callers can rely on them."""

from __future__ import annotations

from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parent.parent


def test_the_interop_package_passes_mypy_strict():
    # Modules it imports (annotations.text, balance, csvexport) are checked for
    # how they are used, not for their own annotations: silent, not skipped.
    out, err, status = api.run(
        [
            "--strict",
            "--follow-imports=silent",
            "--cache-dir=/dev/null",
            str(ROOT / "annotations" / "interop"),
        ]
    )
    assert status == 0, out + err

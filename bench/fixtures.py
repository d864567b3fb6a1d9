"""What the benchmark and the tests share: how Chromium is launched, and hostile text.

Both import this module (``bench/browser.py`` and ``tests/browser/conftest.py``;
``bench/dataset.py`` and the export tests), so the benchmark's browser runs
as the browser tests' does, and the notes the benchmark exports are among
those the tests prove come out of the CSV whole and harmless.
"""

from __future__ import annotations

from pathlib import Path

# Debian's Chromium; nothing is downloaded (no `playwright install`).
CHROMIUM = Path("/usr/bin/chromium")
# Headless in a container, and quiet: no sandbox (no user namespaces here), no
# GPU, and none of the background traffic a fresh profile would start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# One per OWASP CSV-injection class: each must come out with a leading apostrophe.
FORMULA_PAYLOADS = [
    "=1+2",
    "+cmd",
    "-2+3",
    "@SUM(A1)",
    "\tTAB",
    '=HYPERLINK("http://x","y")',
    "\rCR",
    "\nLF",
]

# Notes as reviewers write them, each hard on the CSV somewhere: quotes and
# commas, a line break, a leading formula trigger (= and -), an emoji.
NOTES = (
    "Checked against the ministry's statement, para. 3.",
    'Spokesperson said "no comment", twice.',
    "Two sources, both anonymous;\nneither on the record.",
    "=SUM(A1:A9) is what the wire copy says, verbatim",
    "Figures differ from the agency's 📈 chart.",
    "-2% per the central bank, not -3%",
)

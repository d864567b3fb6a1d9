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

# One per OWASP CSV-injection class, then the forms a spreadsheet reads as the same
# (annotations/csvexport.py): each must come out with a leading apostrophe.
FORMULA_PAYLOADS = [
    "=1+2",
    "+cmd",
    "-2+3",
    "@SUM(A1)",
    "\tTAB",
    '=HYPERLINK("http://x","y")',
    "\rCR",
    "\nLF",
    "\uff1d1+2",  # FULLWIDTH EQUALS SIGN
    "\uff0bcmd",  # FULLWIDTH PLUS SIGN
    "\uff0d2+3",  # FULLWIDTH HYPHEN-MINUS
    "\uff20SUM(A1)",  # FULLWIDTH COMMERCIAL AT
    "\ufe66HYPERLINK(1)",  # SMALL EQUALS SIGN
    " =1+2",  # a space first
    "\u00a0=1+2",  # NO-BREAK SPACE
    "\u200b=1+2",  # ZERO WIDTH SPACE
    "\ufeff=1+2",  # a byte-order mark
    "\u200e\u2060+cmd",  # LEFT-TO-RIGHT MARK, WORD JOINER
    "\u3000\uff1dcmd",  # IDEOGRAPHIC SPACE, then a full-width equals sign
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

"""The three labels, and the name of each. Pure: no Django imports.

The one table of label kinds. A reviewer labels a span with one of
``KINDS``; a span's consensus (``annotations.balance.consensus``) is one of
them or ``DISPUTED``, and ``CATEGORIES`` are every consensus a labelled
character can have. ``KINDS`` is also the order in which the labels are
offered (the toolbar's keys 1, 2, 3), listed and counted.

Each category has one name, ``NAMES``, written as it starts a heading, a
button, a badge or a CSV cell ("Verified fact"); running text uses it in
lower case (``IN_SENTENCE``: "38% is verified fact"). ``models.LabelKind``
is built from this table, and the SQL that names kinds
(``annotations.csvsql``) is generated from it.
"""

from __future__ import annotations

VERIFIED_FACT = "verified_fact"
OFFICIAL_CLAIM = "official_claim"
UNSOURCED_SPECULATION = "unsourced_speculation"
DISPUTED = "disputed"

KINDS = (VERIFIED_FACT, OFFICIAL_CLAIM, UNSOURCED_SPECULATION)
CATEGORIES = (*KINDS, DISPUTED)

NAMES = {
    VERIFIED_FACT: "Verified fact",
    OFFICIAL_CLAIM: "Official claim",
    UNSOURCED_SPECULATION: "Unsourced speculation",
    DISPUTED: "Disputed",
}

# The same names inside a sentence: "official claim".
IN_SENTENCE = {category: name.lower() for category, name in NAMES.items()}

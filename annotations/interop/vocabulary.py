"""The names Sourcemark gives things outside itself. Pure: no Django imports.

- **IRIs.** Every IRI in an export starts at the site's base URL (scheme and
  host, as readers reach the app). The paths mirror ``annotations/urls.py``:

  =====================  ================================================
  the article            ``{base}/articles/{article}/``
  its annotations        ``{base}/articles/{article}/annotations.jsonld``
  one label              ``{base}/articles/{article}/annotations.jsonld#label-{label}``
  the label scheme       ``{base}/vocab/labels``
  one label kind         ``{base}/vocab/labels#{kind}`` (``#verified_fact`` …)
  =====================  ================================================

  A label's IRI is a fragment of its article's export, so it is stable (the
  label's id never changes) and dereferencing it fetches a document that
  describes it, without a URL of its own.
- **Label kinds** are a SKOS concept scheme (``concept_scheme``), the
  document the app serves at the scheme's IRI.
- **Other tools' label names** map to kinds through a ``KindTable``: names
  are compared case-insensitively, with ``-``, ``_``, a leading ``#`` and runs
  of white space ignored; a concept IRI of any Sourcemark site maps to its kind.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from annotations.kinds import KINDS, NAMES

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
SKOS = "http://www.w3.org/2004/02/skos/core#"

ARTICLE_PATH = "/articles/{article}/"
EXPORT_PATH = "/articles/{article}/annotations.jsonld"
SCHEME_PATH = "/vocab/labels"

# What each label means, for people reading the scheme (skos:definition).
DEFINITIONS = {
    "verified_fact": (
        "A statement the desk has checked against evidence it names, and found to be true."
    ),
    "official_claim": (
        "A statement attributed to an official source (a government, police, court, "
        "company or institution) that the desk has not verified independently."
    ),
    "unsourced_speculation": (
        "A statement with no named or checkable source: conjecture, rumour or prediction."
    ),
}


@dataclass(frozen=True)
class Site:
    """Where this Sourcemark answers; every IRI of an export is built here."""

    base_url: str

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"The base URL must be http(s)://host, not {self.base_url!r}.")
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))

    def article(self, article_id: int) -> str:
        return self.base_url + ARTICLE_PATH.format(article=article_id)

    def export(self, article_id: int) -> str:
        return self.base_url + EXPORT_PATH.format(article=article_id)

    def annotation(self, article_id: int, label_id: int) -> str:
        return f"{self.export(article_id)}#label-{label_id}"

    @property
    def scheme(self) -> str:
        return self.base_url + SCHEME_PATH

    def concept(self, kind: str) -> str:
        if kind not in KINDS:
            raise ValueError(f"Unknown label kind {kind!r}.")
        return f"{self.scheme}#{kind}"


def concept_scheme(site: Site) -> dict[str, Any]:
    """The SKOS concept scheme of the three labels, as JSON-LD (served at ``site.scheme``)."""
    return {
        "@context": {
            "skos": SKOS,
            "id": "@id",
            "type": "@type",
            "prefLabel": {"@id": "skos:prefLabel", "@language": "en"},
            "definition": {"@id": "skos:definition", "@language": "en"},
            "notation": "skos:notation",
            "inScheme": {"@id": "skos:inScheme", "@type": "@id"},
            "topConceptOf": {"@id": "skos:topConceptOf", "@type": "@id"},
            "hasTopConcept": {"@id": "skos:hasTopConcept", "@type": "@id"},
        },
        "id": site.scheme,
        "type": "skos:ConceptScheme",
        "prefLabel": "Sourcemark labels: how well a statement is sourced",
        "hasTopConcept": [
            {
                "id": site.concept(kind),
                "type": "skos:Concept",
                "prefLabel": NAMES[kind],
                "definition": DEFINITIONS[kind],
                "notation": kind,
                "inScheme": site.scheme,
                "topConceptOf": site.scheme,
            }
            for kind in KINDS
        ],
    }


# Names other tools (and people) use for the three labels. Hypothesis tags,
# Label Studio <Label value="…"> names, Web Annotation classifying/tagging
# bodies all go through this table. Extend it with KindTable.extended().
DEFAULT_NAMES: Mapping[str, str] = {
    "verified fact": "verified_fact",
    "verified": "verified_fact",
    "fact": "verified_fact",
    "confirmed": "verified_fact",
    "official claim": "official_claim",
    "official": "official_claim",
    "official source": "official_claim",
    "unsourced speculation": "unsourced_speculation",
    "speculation": "unsourced_speculation",
    "unsourced": "unsourced_speculation",
    "rumour": "unsourced_speculation",
    "rumor": "unsourced_speculation",
}

_SEPARATORS = re.compile(r"[\s_\-]+")
_CONCEPT = re.compile(r"^https?://[^#?]+" + re.escape(SCHEME_PATH) + r"#(?P<kind>[a-z_]+)$")
# Longer names are no label of ours; not worth normalising (bounded cost).
_MAX_NAME = 200


def normalise_name(name: str) -> str:
    """``"#Verified_Fact "`` -> ``"verified fact"``: the form the table compares."""
    return _SEPARATORS.sub(" ", name.strip().lstrip("#").casefold()).strip()


class KindTable:
    """Maps label names from other tools to Sourcemark's kinds.

    Every kind's code (``verified_fact``) and name ("Verified fact") is always
    in the table, and so is each Sourcemark concept IRI; ``DEFAULT_NAMES``
    adds common tags. A name maps to one kind or to none.
    """

    def __init__(self, names: Mapping[str, str] = DEFAULT_NAMES) -> None:
        table: dict[str, str] = {}
        for kind in KINDS:
            table[normalise_name(kind)] = kind
            table[normalise_name(NAMES[kind])] = kind
        for name, kind in names.items():
            if kind not in KINDS:
                raise ValueError(
                    f"{name!r} maps to {kind!r}, which is not one of {', '.join(KINDS)}."
                )
            key = normalise_name(name)
            if not key:
                raise ValueError("A label name cannot be empty.")
            table[key] = kind
        self._table = table

    def extended(self, names: Mapping[str, str]) -> KindTable:
        """This table plus ``names`` (which win where both name the same label)."""
        return KindTable({**self.names(), **names})

    def names(self) -> dict[str, str]:
        """Every name in the table (normalised) and its kind."""
        return dict(self._table)

    def kind_of(self, name: str) -> str | None:
        """The kind ``name`` stands for, or None when it names none of them."""
        if len(name) > _MAX_NAME:
            return None
        concept = _CONCEPT.match(name)
        if concept:
            return concept["kind"] if concept["kind"] in KINDS else None
        return self._table.get(normalise_name(name))

    def kinds_of(self, names: Iterable[str]) -> set[str]:
        """The kinds any of ``names`` stand for (names that stand for none are ignored)."""
        return {kind for kind in map(self.kind_of, names) if kind is not None}


DEFAULT_KINDS = KindTable()

"""A saved or fetched news page reduced to its story and metadata. Pure: no Django imports.

trafilatura finds the main text and reads the metadata (headline, site name,
canonical URL, date via htmldate, authors); it never fetches anything here,
since it is handed a parsed tree. Around it, a few rules that hold for any
news page:

Before extraction (on the lxml tree, after the limits in ``guard``):

* scripts (except JSON-LD), styles, SVG, ``<noscript>``, frames, media and form
  controls are removed: they are never story text;
* elements whose class or id names a caption or a comment thread (in the
  languages newsrooms name them in) are removed, except ``html``, ``body``,
  ``main`` and ``article``, whose classes describe the whole page;
* a layout table (one whose cells hold paragraphs, headings or other tables)
  becomes plain blocks, so the page's columns are not read as one data table;
* text loose inside a ``<blockquote>`` (an embedded post's attribution) gets
  its own paragraph, so it is kept with the quote.

From trafilatura's result:

* each paragraph, heading and quote paragraph is a paragraph; a list is one
  paragraph with an item per line; a table is one paragraph with a row per
  line and cells joined by `` | ``; two line breaks in a row (``<br><br>``)
  start a new paragraph;
* dropped: the headline repeated as text, bylines (a short paragraph starting
  "By", "Posted by", "Von", "Par", "Por"...), ad labels ("Advertisement",
  "Story continues below advertisement", "Anzeige"...), copyright lines,
  paragraphs that are wholly a link ("READ MORE: ..."), and paragraphs with no
  letter or digit (``___``, ``* * *``);
* when the page carries its story only in JSON-LD ``articleBody`` (a
  JavaScript app), or the HTML text is much shorter than that field, the
  field's lines are the paragraphs.

Every paragraph is reduced with the canonical text rules (``annotations.text``).
The title loses a " | Site" style suffix or prefix; the outlet falls back from
the site name to that suffix, then to the JSON-LD publisher. ``removed`` lists
the page's other text blocks, for the preview to show what was left out.
"""

from __future__ import annotations

import datetime
import json
import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate
from typing import Any, Literal

import lxml.html
import trafilatura
from htmldate import find_date
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.settings import Document

from annotations.text import PARAGRAPH_BREAK, canonicalize
from annotations.webpages.decoding import decode_page
from annotations.webpages.guard import (
    DEFAULT_LIMITS,
    PageLimits,
    PageRefused,
    check_markup,
    check_tree,
)

__all__ = ["ExtractedPage", "PageRefused", "extract_page"]

TextSource = Literal["page", "json-ld"]
MAX_REMOVED_BLOCKS = 300
# Less text than this is a login wall, an error page or a bare index, not a story
# (counted in characters: Chinese and Japanese do not put spaces between words).
MIN_CHARS = 40


@dataclass(frozen=True)
class ExtractedPage:
    """What a page holds: the story's paragraphs, its metadata and what was left out."""

    title: str
    outlet: str
    url: str
    published: datetime.date | None
    authors: tuple[str, ...]
    language: str
    paragraphs: tuple[str, ...]
    removed: tuple[str, ...]
    text_source: TextSource
    encoding: str

    @property
    def body(self) -> str:
        """The canonical body: the paragraphs separated by blank lines."""
        return PARAGRAPH_BREAK.join(self.paragraphs)

    @property
    def byline(self) -> str:
        return ", ".join(self.authors)

    @property
    def words(self) -> int:
        return len(self.body.split())


def extract_page(
    page: bytes | str,
    *,
    content_type: str = "",
    url: str = "",
    limits: PageLimits = DEFAULT_LIMITS,
) -> ExtractedPage:
    """Extract the story and metadata of ``page`` (raw bytes, or text already decoded).

    ``content_type`` is the HTTP header the page came with, if fetched (its
    charset wins over the page's own); ``url`` is the address it came from,
    used when the page names no canonical URL. Raises :class:`PageRefused`
    with a sentence for the editor when the page is over a limit or holds no
    story text.
    """
    if isinstance(page, bytes):
        decoded = decode_page(page, content_type)
        html, encoding = decoded.text, decoded.encoding
    else:
        html, encoding = page, "utf-8"
    html = _XML_DECLARATION.sub("", html, count=1)
    check_markup(html, limits)
    tree = _parse(html)
    json_ld = _json_ld_objects(tree)
    _strip_non_content(tree)
    check_tree(tree, limits)
    page_blocks = list(_text_blocks(tree))
    _normalise_structure(tree)

    document = _run_trafilatura(tree, url)
    title = _clean_title(document.title or "", tree, document.sitename or "")
    authors = _authors(document, tree)
    paragraphs = _filter(_paragraphs(document), title, authors)
    paragraphs = _place(tree, paragraphs, title, authors)
    text_source: TextSource = "page"
    article_body = _article_body(json_ld)
    if article_body and _prefer_json_ld(paragraphs, article_body):
        paragraphs = article_body
        text_source = "json-ld"
    if sum(len(p) for p in paragraphs) < MIN_CHARS:
        raise PageRefused(
            "No article text was found on this page. If the story is there, copy its "
            "text and paste it instead."
        )
    return ExtractedPage(
        title=title,
        outlet=_outlet(document, tree, title, json_ld),
        url=(document.url or url or "").strip(),
        published=_published(document, tree),
        authors=authors,
        language=_language(tree, document),
        paragraphs=tuple(paragraphs),
        removed=_removed_blocks(page_blocks, paragraphs),
        text_source=text_source,
        encoding=encoding,
    )


# --- parsing and the rules before extraction --------------------------------

_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]{0,200}\?>")
_PARSER = lxml.html.HTMLParser(  # lxml-stubs lag behind lxml: default_doctype exists
    collect_ids=False,
    default_doctype=False,  # type: ignore[call-arg]
    remove_comments=True,
    remove_pis=True,
)
_NON_CONTENT = (
    "style", "svg", "noscript", "template", "iframe", "object", "embed", "canvas",
    "math", "audio", "video", "picture", "button", "select", "textarea", "input", "option",
)  # fmt: skip
_PAGE_WIDE = frozenset({"html", "body", "main", "article"})
# Class or id words of captions and comment threads, in the languages of the
# pages newsrooms label ("comment" only as a whole word part, not "commentary").
_NOISE = re.compile(
    r"caption|legende|leyenda|didascalia|bildunterschrift"
    r"|(?:^|[\s_-])(?:comments?|kommentare?|commentaires?|comentarios?|commenti|reacties|disqus)"
    r"(?:$|[\s_-])",
    re.IGNORECASE,
)
_QUOTE_BLOCKS = frozenset(
    {"p", "div", "ul", "ol", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6"}
)
_BLOCKS_IN_CELLS = "p", "div", "table", "h1", "h2", "h3", "h4", "ul", "ol", "article", "section"


def _parse(html: str) -> HtmlElement:
    try:
        tree = lxml.html.document_fromstring(html, parser=_PARSER)
    except (etree.ParserError, ValueError) as error:
        raise PageRefused("The file does not contain a web page.") from error
    return tree


def _json_ld_objects(tree: HtmlElement) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    for script in tree.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                objects.append(item)
                stack.extend(item.get("@graph", []) if isinstance(item.get("@graph"), list) else [])
    return objects


def _strip_non_content(tree: HtmlElement) -> None:
    for script in list(tree.iter("script")):
        if "ld+json" not in (script.get("type") or "").lower():
            script.drop_tree()
    etree.strip_elements(tree, *_NON_CONTENT, with_tail=False)


def _normalise_structure(tree: HtmlElement) -> None:
    for element in tree.xpath("//figcaption | //*[@class or @id]"):
        if element.tag in _PAGE_WIDE or element.getparent() is None:
            continue
        marker = f"{element.get('class', '')} {element.get('id', '')}"
        if element.tag == "figcaption" or _NOISE.search(marker):
            element.drop_tree()
    for table in tree.xpath("//table[.//td//" + " or .//td//".join(_BLOCKS_IN_CELLS) + "]"):
        _unwrap_layout_table(table)
    for quote in tree.iter("blockquote"):
        _wrap_loose_text(quote)


def _unwrap_layout_table(table: HtmlElement) -> None:
    """Turn a layout table's own rows and cells (not tables nested in them) into divs."""
    sections = [table, *(c for c in table if c.tag in ("tbody", "thead", "tfoot"))]
    rows = [r for section in sections for r in section if r.tag == "tr"]
    cells = [c for row in rows for c in row if c.tag in ("td", "th")]
    captions = [c for c in table if c.tag == "caption"]
    for element in (*sections, *rows, *cells, *captions):
        element.tag = "div"
        element.attrib.pop("width", None)


def _wrap_loose_text(quote: HtmlElement) -> None:
    """Put text that sits directly in a blockquote, beside its paragraphs, into a <p>."""
    if not any(child.tag in _QUOTE_BLOCKS for child in quote):
        return
    children: list[HtmlElement] = []
    run_text, run = quote.text or "", list[HtmlElement]()
    quote.text = None

    def flush() -> None:
        nonlocal run_text, run
        if run_text.strip() or any(e.text_content().strip() for e in run):
            paragraph = lxml.html.Element("p")
            paragraph.text = run_text
            paragraph.extend(run)
            children.append(paragraph)
        run_text, run = "", []

    for child in list(quote):
        quote.remove(child)
        if child.tag in _QUOTE_BLOCKS:
            flush()
            run_text, child.tail = child.tail or "", None
            children.append(child)
        else:
            run.append(child)
    flush()
    quote.extend(children)


def _run_trafilatura(tree: HtmlElement, url: str) -> Document:
    try:
        document = trafilatura.bare_extraction(
            tree,
            url=url or None,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=True,
            include_formatting=False,
            deduplicate=False,
            # No readability/jusText comparison: as good on the saved pages, twice as fast.
            fast=True,
            date_extraction_params={
                "extensive_search": False,
                "original_date": True,
                "max_date": _latest_plausible_date(),
            },
        )
    except ValueError:
        document = None
    if not isinstance(document, Document):
        return Document()
    return document


def _latest_plausible_date() -> str:
    # A page saved today may carry tomorrow's date in another time zone.
    return (datetime.date.today() + datetime.timedelta(days=1)).isoformat()


# --- trafilatura's body to paragraphs ---------------------------------------


@dataclass
class _Block:
    text: str
    link_chars: int


def _paragraphs(document: Document) -> list[_Block]:
    blocks: list[_Block] = []
    for element in document.body:  # an empty <body> when nothing was found
        blocks.extend(_element_blocks(element))
    return blocks


def _element_blocks(element: etree._Element) -> Iterator[_Block]:
    tag = element.tag
    if tag == "list":
        lines = [_inline(item) for item in element.iter("item")]
        yield _Block("\n".join(t for t, _ in lines), sum(n for _, n in lines))
    elif tag == "table":
        rows = []
        links = 0
        for row in element.iter("row"):
            cells = [_inline(cell) for cell in row if cell.tag == "cell"]
            links += sum(n for _, n in cells)
            rows.append(" | ".join(t.strip() for t, _ in cells))
        yield _Block("\n".join(rows), links)
    elif tag == "quote" and len(element):
        text = (element.text or "").strip()
        if text:
            yield _Block(text, 0)
        for child in element:
            yield from _element_blocks(child)
            tail = (child.tail or "").strip()
            if tail:
                yield _Block(tail, 0)
    else:
        text, links = _inline(element)
        for part in re.split(r"\n[^\S\n]*\n", text):
            yield _Block(part, links if part.strip() == text.strip() else 0)


def _inline(element: etree._Element) -> tuple[str, int]:
    """The text of an element, line breaks kept, and how much of it is link text."""
    parts: list[str] = [element.text or ""]
    links = len(element.text or "") if element.tag == "ref" else 0
    for child in element:
        if child.tag == "lb":
            parts.append("\n")
        elif child.tag in ("list", "table", "quote"):
            parts.append("\n" + "\n".join(b.text for b in _element_blocks(child)) + "\n")
        else:
            text, child_links = _inline(child)
            parts.append(text)
            links += len(text) if child.tag == "ref" else child_links
        parts.append(child.tail or "")
    return "".join(parts), links


# --- filtering --------------------------------------------------------------

_BYLINE_START = re.compile(
    r"^(?:by|posted by|written by|words by|von|par|por|door|di|av|af)\s", re.IGNORECASE
)
_AD_LABELS = frozenset(
    {
        "advertisement", "ad", "ads", "sponsored", "sponsored content", "paid content",
        "story continues below advertisement", "article continues below advertisement",
        "article continues below", "story continues below", "continue reading below",
        "anzeige", "werbung", "publicidad", "publicité", "pubblicità", "reclame",
        "advertentie", "reklame", "pr", "広告",
    }
)  # fmt: skip
_COPYRIGHT = re.compile(r"^(?:copyright|©|\(c\))\s*(?:©\s*)?(?:\d{4}|[^\W\d_])", re.IGNORECASE)
_HAS_WORD = re.compile(r"\w")


def _filter(blocks: list[_Block], title: str, authors: tuple[str, ...]) -> list[str]:
    kept: list[str] = []
    folded_title = _fold(title)
    for block in blocks:
        text = canonicalize(block.text)
        if not text or not _HAS_WORD.search(text.replace("_", "")):
            continue
        folded = _fold(text)
        if folded == folded_title or folded.strip(" .!:") in _AD_LABELS:
            continue
        if _COPYRIGHT.match(text):
            continue
        if _is_byline(text, authors):
            continue
        if block.link_chars >= 0.8 * len(block.text.strip()) and len(text) < 300:
            continue
        kept.extend(p for p in text.split(PARAGRAPH_BREAK) if p)
    return kept


def _is_byline(text: str, authors: tuple[str, ...]) -> bool:
    if len(text) > 200 or not _BYLINE_START.match(text):
        return False
    folded = _fold(text)
    return len(text) <= 80 or any(_fold(a) in folded for a in authors)


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


# --- where the paragraphs sit on the page ------------------------------------

_LOCATABLE = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "td", "th", "dd", "pre")
_STANDFIRST_WORDS = frozenset(
    {
        "standfirst", "summary", "dek", "deck", "subtitle", "subtitulo", "sottotitolo",
        "subheadline", "excerpt", "lede", "lead", "teaser", "vorspann", "chapo", "chapeau",
        "intro", "strapline", "abstract", "entradilla", "bajada", "description",
    }
)  # fmt: skip
_WORD_PARTS = re.compile(r"[\s_-]+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
STRAY_CHARS = 120
LABEL_CHARS = 60
CONTAINER_SHARE = 0.9


def _place(
    tree: HtmlElement, paragraphs: list[str], title: str, authors: tuple[str, ...]
) -> list[str]:
    """Drop short stray paragraphs and contact lines; add a standfirst trafilatura left out.

    The story starts at the first paragraph that has a sibling paragraph; what
    comes between the headline and there is the header (a standfirst, kept).
    The story's container is the deepest element holding 90 % of the text of
    the other paragraphs; one outside it and shorter than 120 characters is a
    stray from a side column, a breadcrumb or a footer.

    A standfirst is an element between
    the headline and the first story paragraph whose class, id or itemprop
    names one (standfirst, summary, dek, subtitle, excerpt, vorspann...).

    A short paragraph whose neighbours in its block are links that were
    dropped is their label ("Related stories"). Trailing short paragraphs with
    an e-mail address are contact lines.
    """
    if not paragraphs:
        return paragraphs
    order = {element: i for i, element in enumerate(tree.iter())}
    sources = _sources(tree, paragraphs)
    headline = _headline(tree, title)
    header = _header_region(sources, order, headline)
    container = _container([None if i in header else s for i, s in enumerate(sources)], paragraphs)
    placed = [
        (paragraph, source)
        for i, (paragraph, source) in enumerate(zip(paragraphs, sources, strict=True))
        if i in header
        or source is None
        or container is None
        or _inside(source, container)
        or len(paragraph) >= STRAY_CHARS
    ]
    story = [paragraph for paragraph, _ in placed]
    kept = [
        paragraph
        for paragraph, source in placed
        if not _labels_dropped_links(paragraph, source, story)
    ]
    while kept and len(kept[-1]) < 200 and _EMAIL.search(kept[-1]):
        kept.pop()
    first = next((s for s in sources if s is not None), None)
    if headline is not None and first is not None:
        standfirst = _standfirst(tree, order, headline, first, kept, title, authors)
        if standfirst:
            kept.insert(0, standfirst)
    return kept


def _labels_dropped_links(paragraph: str, source: HtmlElement | None, kept: list[str]) -> bool:
    if source is None or len(paragraph) > LABEL_CHARS:
        return False
    block = source.getparent()
    if block is None:
        return False
    rest = " ".join(
        " ".join(child.text_content().split()) for child in block if child is not source
    )
    if not rest or _fold(rest) in _fold(" ".join(kept)):
        return False
    links = sum(len(" ".join(a.text_content().split())) for a in block.iter("a"))
    return links >= 0.5 * len(rest)


def _header_region(
    sources: list[HtmlElement | None],
    order: dict[HtmlElement, int],
    headline: HtmlElement | None,
) -> set[int]:
    """Paragraphs between the headline and the story's first run of sibling paragraphs."""
    if headline is None:
        return set()
    parents = [s.getparent() if s is not None else None for s in sources]
    counts = Counter(p for p in parents if p is not None)
    shared = {p for p, n in counts.items() if n > 1}
    start = next((i for i, p in enumerate(parents) if p in shared), None)
    if start is None:
        return set()
    return {
        i
        for i, source in enumerate(sources[:start])
        if source is not None and order[headline] < order[source]
    }


def _sources(tree: HtmlElement, paragraphs: list[str]) -> list[HtmlElement | None]:
    """The element each paragraph came from, found by its text."""
    index: dict[str, HtmlElement] = {}
    for element in tree.iter(*_LOCATABLE):
        index.setdefault(_fold(element.text_content()), element)
    sources: list[HtmlElement | None] = []
    nodes: list[HtmlElement] = []
    joined = ""
    starts: list[int] = []
    cursor = 0
    for paragraph in paragraphs:
        found = index.get(_fold(paragraph))
        if found is None:
            # A paragraph cut from a longer element (<br><br>, a list's lines):
            # the text node holding its first words. Paragraphs come in page
            # order, so each search starts where the last one matched.
            if not starts:
                texts = tree.xpath("//body//text()[string-length(normalize-space()) > 3]")
                nodes = [text.getparent() for text in texts]
                folded_texts = [_fold(text) for text in texts]
                starts = list(accumulate((len(t) + 1 for t in folded_texts), initial=0))
                joined = "\x00".join(folded_texts)
            probe = _fold(paragraph.split("\n")[0])[:60]
            position = joined.find(probe, cursor)
            if position == -1:
                position = joined.find(probe)
            if position != -1:
                cursor = position
                found = nodes[bisect_right(starts, position) - 1]
        sources.append(found)
    return sources


def _container(sources: list[HtmlElement | None], paragraphs: list[str]) -> HtmlElement | None:
    chars: dict[HtmlElement, int] = {}
    depth: dict[HtmlElement, int] = {}
    total = 0
    for source, paragraph in zip(sources, paragraphs, strict=True):
        if source is None:
            continue
        total += len(paragraph)
        ancestors = [source, *source.iterancestors()]
        for level, ancestor in enumerate(reversed(ancestors)):
            chars[ancestor] = chars.get(ancestor, 0) + len(paragraph)
            depth[ancestor] = level
    holding = [e for e, n in chars.items() if n >= CONTAINER_SHARE * total]
    return max(holding, key=depth.__getitem__, default=None)


def _inside(element: HtmlElement, container: HtmlElement) -> bool:
    return element is container or any(a is container for a in element.iterancestors())


def _headline(tree: HtmlElement, title: str) -> HtmlElement | None:
    headings = list(tree.iter("h1"))
    folded = _fold(title)
    for heading in headings:
        if _fold(heading.text_content()) == folded:
            return heading
    return headings[0] if len(headings) == 1 else None


def _standfirst(
    tree: HtmlElement,
    order: dict[HtmlElement, int],
    headline: HtmlElement,
    first: HtmlElement,
    kept: list[str],
    title: str,
    authors: tuple[str, ...],
) -> str:
    kept_text = _fold(" ".join(kept))
    for element in tree.iter("p", "h2", "h3", "ul", "ol", "div"):
        if not order[headline] < order[element] < order[first] or _inside(first, element):
            continue
        marker = " ".join(element.get(name, "") for name in ("class", "id", "itemprop")).lower()
        if not _STANDFIRST_WORDS.intersection(_WORD_PARTS.split(marker)):
            continue
        if element.tag in ("ul", "ol"):
            text = "\n".join(" ".join(li.text_content().split()) for li in element.iter("li"))
        else:
            text = " ".join(element.text_content().split())
        text = canonicalize(text)
        if not 20 <= len(text) <= 600 or _fold(text) in kept_text:
            continue
        filtered = _filter([_Block(text, 0)], title, authors)
        return filtered[0] if filtered else ""
    return ""


# --- JSON-LD articleBody ----------------------------------------------------

_ARTICLE_TYPES = re.compile(r"Article|BlogPosting|Report|NewsArticle|LiveBlogPosting")


def _article_body(json_ld: list[dict[str, Any]]) -> list[str]:
    for item in json_ld:
        kind = item.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if not any(isinstance(k, str) and _ARTICLE_TYPES.search(k) for k in kinds):
            continue
        body = item.get("articleBody")
        if isinstance(body, str) and body.strip():
            # articleBody is plain text: a line break in it separates paragraphs.
            lines = canonicalize(body.replace("\n", PARAGRAPH_BREAK))
            return [p for p in lines.split(PARAGRAPH_BREAK) if p]
    return []


def _prefer_json_ld(paragraphs: list[str], article_body: list[str]) -> bool:
    page_chars = sum(len(p) for p in paragraphs)
    json_chars = sum(len(p) for p in article_body)
    if page_chars < 0.5 * json_chars:
        return True
    # trafilatura reads articleBody itself for app shells, but as one paragraph.
    return len(paragraphs) < len(article_body) and _fold(" ".join(paragraphs)) == _fold(
        " ".join(article_body)
    )


# --- metadata ---------------------------------------------------------------

_TITLE_SEPARATOR = re.compile(r"\s+(?:[|–—·•:~»«/-]|::|-{2})\s+|\s*[：｜]\s*")


def _title_parts(tree: HtmlElement) -> list[str]:
    title = tree.find(".//head/title")
    if title is None:
        return []
    text = canonicalize(title.text_content()).replace("\n", " ")
    return [part for part in _TITLE_SEPARATOR.split(text) if part]


def _clean_title(title: str, tree: HtmlElement, sitename: str) -> str:
    title = canonicalize(title).replace("\n", " ")
    parts = _TITLE_SEPARATOR.split(title)
    if len(parts) > 1 and sitename:
        site = _fold(sitename)
        while len(parts) > 1 and _fold(parts[-1]) == site:
            parts.pop()
        while len(parts) > 1 and _fold(parts[0]) == site:
            parts.pop(0)
        title = _rejoin(title, parts)
    return title


def _rejoin(title: str, parts: list[str]) -> str:
    start = title.find(parts[0])
    end = title.rfind(parts[-1]) + len(parts[-1])
    return title[start:end] if start != -1 and end > start else title


def _outlet(
    document: Document, tree: HtmlElement, title: str, json_ld: list[dict[str, Any]]
) -> str:
    sitename = canonicalize(document.sitename or "").replace("\n", " ")
    if sitename and not _looks_like_host(sitename):
        return sitename
    parts = _title_parts(tree)
    folded_title = _fold(title)
    others = [
        p for p in parts if _fold(p) != folded_title and not folded_title.startswith(_fold(p))
    ]
    if len(parts) > 1 and others and len(others) < len(parts):
        return others[-1] if _fold(parts[0]) == folded_title else others[0]
    for item in json_ld:
        publisher = item.get("publisher")
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            return canonicalize(publisher["name"])
    return sitename


def _looks_like_host(name: str) -> bool:
    return " " not in name and "." in name


def _authors(document: Document, tree: HtmlElement) -> tuple[str, ...]:
    raw = document.author or _byline_author(tree)
    names: list[str] = []
    # Not on "y", "et" or "und": "Ortega y Gasset" is one person.
    for name in re.split(r"\s*(?:;|,|\band\b|&)\s*", raw or ""):
        name = canonicalize(name).strip(" ()（）")
        if name.isupper():
            name = name.title()
        if name and name not in names:
            names.append(name)
    return tuple(names)


_BYLINE_NAME = re.compile(
    r"^(?:by|posted by|written by|von|par|por)\s+(.{3,80}?)(?:\s*[·|•–—,]|\s+on\s|$)",
    re.IGNORECASE,
)


def _byline_author(tree: HtmlElement) -> str:
    """A name from a visible byline, when the page's metadata names no author."""
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        marker = f"{element.get('class', '')} {element.get('id', '')}".lower()
        if not any(word in marker for word in ("byline", "author", "posted", "signature")):
            continue
        text = canonicalize(element.text_content()).replace("\n", " ")
        match = _BYLINE_NAME.match(text)
        if match:
            return match.group(1)
    return ""


def _published(document: Document, tree: HtmlElement) -> datetime.date | None:
    found = document.date
    if not found:
        # No date in the metadata: let htmldate read the visible text too.
        found = find_date(
            tree,
            extensive_search=True,
            original_date=True,
            max_date=_latest_plausible_date(),
        )
    try:
        return datetime.date.fromisoformat(found) if found else None
    except ValueError:
        return None


def _language(tree: HtmlElement, document: Document) -> str:
    return (tree.get("lang") or document.language or "").strip()


# --- what was left out ------------------------------------------------------

_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption",
        "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
        "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul", "br", "form",
    }
)  # fmt: skip


def _text_blocks(tree: HtmlElement) -> Iterator[str]:
    body = tree.find("body")
    if body is None:
        return
    parts: list[str] = []
    for event, element in etree.iterwalk(body, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if tag in _BLOCK_TAGS:
                yield from _flush(parts)
            if tag != "script":
                parts.append(element.text or "")
        else:
            if tag in _BLOCK_TAGS:
                yield from _flush(parts)
            if element is not body:
                parts.append(element.tail or "")
    yield from _flush(parts)


def _flush(parts: list[str]) -> Iterator[str]:
    # Plain white-space folding: only the few blocks shown are made canonical.
    text = " ".join("".join(parts).split())
    parts.clear()
    if text:
        yield text


def _removed_blocks(blocks: list[str], paragraphs: list[str]) -> tuple[str, ...]:
    kept = _fold(" ".join(paragraphs))
    removed: list[str] = []
    seen: set[str] = set()
    for block in blocks:
        folded = _fold(block)
        if folded in seen or folded in kept:
            continue
        seen.add(folded)
        removed.append(canonicalize(block))
        if len(removed) == MAX_REMOVED_BLOCKS:
            break
    return tuple(removed)

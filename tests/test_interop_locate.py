"""Finding an imported quote in an article: by position, else by quote and context, else
not at all. Never on text that merely looks like it."""

from __future__ import annotations

import time

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from annotations.interop.locate import Found, Locator, NotFound
from annotations.text import anchor, canonicalize, context
from tests.conftest import SAMPLE_BODY

REPEATED = (
    "The minister said the figure was final.\n\n"
    "Critics said the figure was inflated.\n\n"
    "A spokesman said the figure was final, again."
)


def found(result: Found | NotFound) -> tuple[int, int, str, str]:
    assert isinstance(result, Found), result
    return result.start, result.end, result.quote, result.by


def reason(result: Found | NotFound) -> str:
    assert isinstance(result, NotFound), result
    return result.reason


def test_by_position_when_the_quote_is_there():
    start = SAMPLE_BODY.index("300,000 women")
    locator = Locator(SAMPLE_BODY)
    assert found(locator.locate("300,000 women", start=start, end=start + 13)) == (
        start,
        start + 13,
        "300,000 women",
        "position",
    )


def test_a_position_with_other_text_there_falls_back_to_the_quote_and_context():
    body = REPEATED
    second = body.index("the figure was final, again")
    prefix, suffix = context(body, second, second + 20)
    result = Locator(body).locate("the figure was final", prefix, suffix, start=3, end=23)
    assert found(result) == (second, second + 20, "the figure was final", "quote")


def test_white_space_and_no_break_spaces_in_the_quote_do_not_matter():
    body = SAMPLE_BODY
    copied = "Officials\u00a0say\n300,000  reservists"
    start, end, quote, by = found(Locator(body).locate(copied))
    assert quote == "Officials say 300,000 reservists" and by == "quote"
    assert body[start:end] == quote
    # At the right position, a copy with other white space is accepted as it is.
    assert found(Locator(body).locate(copied, start=0, end=32))[3] == "position"


def test_typography_counts_as_re_anchoring_counts_it():
    """Straight quotes and hyphens for curly quotes and dashes: the same text, as
    annotations.corrections.recognition folds it; the span is the body's own text."""
    body = "He called it “a bold plan” – twice.\n\nThe plan’s cost rose."
    locator = Locator(body)
    quote = '"a bold plan" - twice'
    start = body.index("“a bold")
    assert found(locator.locate(quote)) == (start, start + 21, body[start : start + 21], "quote")
    assert found(locator.locate("plan's cost", start=body.index("plan’s"), end=0))[2] == (
        "plan’s cost"
    )


def test_a_quote_across_a_paragraph_break_is_found_with_its_blank_line():
    body = SAMPLE_BODY
    start, end, quote, _ = found(Locator(body).locate("called up.\nOne version"))
    assert quote == "called up.\n\nOne version" and body[start:end] == quote


def test_the_context_decides_between_occurrences():
    body = REPEATED
    critics = body.index("the figure was inflated")
    first, last = body.index("the figure was final"), body.rindex("the figure was final")
    assert found(Locator(body).locate("the figure was final", "The minister said ", " final."))[
        0
    ] == (first)
    assert found(Locator(body).locate("the figure was final", "A spokesman said ", ", again."))[
        0
    ] == (last)
    assert found(Locator(body).locate("the figure was", "Critics said "))[0] == critics


def test_when_the_context_cannot_decide_it_is_not_found():
    body = REPEATED
    assert "occurs 2 times" in reason(Locator(body).locate("said the figure was final"))
    assert "context does not tell which" in reason(
        Locator(body).locate("the figure was final", "someone said ", "")
    )


def test_a_unique_quote_whose_context_disagrees_is_not_taken():
    # The same phrase in an unrelated article is not the passage that was quoted.
    body = "The council said the figure was inflated by a clerical error."
    assert "not with the text around it" in reason(
        Locator(body).locate(
            "the figure was inflated", "Critics of the ministry said ", " last week"
        )
    )
    # One side agreeing is enough: an edit next to the span keeps the other side.
    assert found(Locator(body).locate("the figure was inflated", "xx council said ", " last week"))


def test_absent_empty_and_over_frequent_quotes():
    assert (
        reason(Locator(SAMPLE_BODY).locate("two billion"))
        == "Its quote is not in the article's text."
    )
    assert reason(Locator(SAMPLE_BODY).locate(" \n ")) == "Its quote is empty."
    body = "ab " * 20_000
    assert "more than 10,000 times" in reason(Locator(body).locate("ab", "ab ", " ab"))


def test_absurd_positions_fall_back_to_the_search():
    locator = Locator(SAMPLE_BODY)
    assert found(locator.locate("300,000 women", start=10**12, end=10**12 + 13))[3] == "quote"
    assert found(locator.locate("300,000 women", start=50, end=10))[3] == "quote"


def test_white_space_at_the_quotes_edges_is_left_out_of_the_span():
    start, end, quote, _ = found(Locator(SAMPLE_BODY).locate(" Officials say ", start=0, end=14))
    assert (start, end, quote) == (0, 13, "Officials say")


def test_the_search_budget_bounds_a_hostile_file():
    body = ("lorem ipsum " * 200_000).strip()  # 2.4 MB
    locator = Locator(body, search_budget=len(body) * 50)
    began = time.perf_counter()
    reasons = [reason(locator.locate(f"absent quote {n}")) for n in range(1000)]
    assert time.perf_counter() - began < 5
    assert reasons.count("Its quote is not in the article's text.") == 50
    assert reasons[-1].startswith("The file asks for too many searches")


bodies = st.lists(
    st.sampled_from(
        ["Officials", "say", "300,000", "reservists", "were", "called", "up.", "café", "🇺🇦",
         "👩🏽\u200d⚕️", "q\u0303", "–", "the", "figure", "\n", "\n\n"]
    ),
    min_size=3,
    max_size=60,
).map(lambda words: canonicalize(" ".join(words)))  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(body=bodies, data=st.data())
def test_a_found_span_is_always_the_quoted_text_or_nothing(body, data):
    """Whatever is asked, a span found is a valid anchor whose text is the quote."""
    assume(body.strip())
    start = data.draw(st.integers(0, len(body) - 1))
    end = data.draw(st.integers(start + 1, len(body)))
    quote = body[start:end]
    assume(quote.strip())
    prefix, suffix = context(body, start, end)
    result = Locator(body).locate(quote, prefix, suffix, data.draw(st.none() | st.just(start)), end)
    if isinstance(result, Found):
        anchored = anchor(body, result.start, result.end, result.quote)
        assert anchored.quote == result.quote
        # The quoted occurrence itself, never another one that looks like it.
        assert result.start == start + len(quote) - len(quote.lstrip())
        assert result.end == end - (len(quote) - len(quote.rstrip()))
    else:
        # Only a repeated quote whose context cannot tell may be refused.
        assert "times" in result.reason or "context" in result.reason


@settings(max_examples=200, deadline=None)
@given(body=bodies, data=st.data())
def test_a_span_at_its_own_position_is_always_found_there(body, data):
    words = [(m, m + len(w)) for m, w in _words(body)]
    assume(words)
    first = data.draw(st.integers(0, len(words) - 1))
    last = data.draw(st.integers(first, len(words) - 1))
    start, end = words[first][0], words[last][1]
    result = Locator(body).locate(body[start:end], start=start, end=end)
    assert found(result) == (start, end, body[start:end], "position")


def _words(body: str) -> list[tuple[int, str]]:
    out, at = [], 0
    for word in body.split():
        at = body.index(word, at)
        out.append((at, word))
        at += len(word)
    return out

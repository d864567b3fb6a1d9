"""The revision list's diff: words added and removed, in context, as plain pieces."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from annotations.corrections.revision_diff import Change, revision_diff

BODY = (
    "Crews had reconnected 42,000 homes by 9am, but the grid operator said some "
    "villages could wait until Thursday.\n\n"
    "The River Aue rose 3.5 metres above its usual level in Kirchdorf, where "
    "firefighters evacuated 230 residents from a care home and a primary school.\n\n"
    "Schools in Kirchdorf and Oberau will stay closed on Wednesday."
)


def shown(diff) -> list[str]:
    """Each excerpt as an editor reads it: [-removed-] {+added+}, … where text was cut."""
    marks = {Change.SAME: "{}", Change.REMOVED: "[-{}-]", Change.ADDED: "{{+{}+}}"}
    return [
        ("… " if e.cut_before else "")
        + "".join(marks[p.change].format(p.text) for p in e.pieces)
        + (" …" if e.cut_after else "")
        for e in diff.excerpts
    ]


def test_no_change_no_excerpt():
    diff = revision_diff(BODY, BODY)
    assert not diff.changed and diff.excerpts == () and diff.words_added == diff.words_removed == 0


def test_a_corrected_figure_shows_the_whole_number_removed_and_added():
    diff = revision_diff(BODY, BODY.replace("42,000", "45,000"))
    assert shown(
        diff,
    ) == ["Crews had reconnected [-42,000-]{+45,000+} homes by 9am, but the grid operator said …"]
    assert (diff.words_added, diff.words_removed) == (1, 1)


def test_a_typo_fixed_shows_whole_words():
    diff = revision_diff(BODY.replace("evacuated", "evacauted"), BODY, context_words=3)
    assert shown(diff) == [
        "… Kirchdorf, where firefighters [-evacauted-]{+evacuated+} 230 residents from …"
    ]


def test_changes_far_apart_are_separate_excerpts_and_close_ones_share_one():
    new = (
        BODY.replace("Crews had", "Crews have")
        .replace("usual level", "normal level")
        .replace("in Kirchdorf, where", "at Kirchdorf, where")
    )
    excerpts = shown(revision_diff(BODY, new, context_words=4))
    assert len(excerpts) == 2
    assert "[-usual-]{+normal+} level [-in-]{+at+} Kirchdorf" in excerpts[1]


def test_an_inserted_paragraph_keeps_its_paragraph_break():
    new = BODY.replace("\n\nSchools", "\n\nUpdate: the river has peaked.\n\nSchools")
    [excerpt] = revision_diff(BODY, new, context_words=3).excerpts
    added = [p.text for p in excerpt.pieces if p.change is Change.ADDED]
    assert added == ["Update: the river has peaked.\n\n"]


def test_a_deleted_paragraph_is_shown_from_its_first_word():
    paragraphs = BODY.split("\n\n")
    new = "\n\n".join([paragraphs[0], paragraphs[2]])
    [excerpt] = revision_diff(BODY, new, context_words=3).excerpts
    removed = [p.text for p in excerpt.pieces if p.change is Change.REMOVED]
    assert removed == [paragraphs[1] + "\n\n"]


def test_pieces_are_text_not_html():
    new = BODY + ' <script>alert("x")</script> & 🇺🇦'
    [excerpt] = revision_diff(BODY, new).excerpts
    assert excerpt.pieces[-1] == excerpt.pieces[-1].__class__(
        Change.ADDED, ' <script>alert("x")</script> & 🇺🇦'
    )
    assert revision_diff(BODY, new).words_added == 3


words = st.lists(
    st.sampled_from(["the", "mayor", "said", "300,000", "🇺🇦", "–", "\n\n"]), max_size=30
)


@given(words, words)
def test_with_context_enough_one_excerpt_holds_both_texts(old_words, new_words):
    old, new = " ".join(old_words), " ".join(new_words)
    diff = revision_diff(old, new, context_words=10_000)
    if old == new:
        assert diff.excerpts == ()
        return
    [excerpt] = diff.excerpts
    assert "".join(p.text for p in excerpt.pieces if p.change is not Change.ADDED) == old
    assert "".join(p.text for p in excerpt.pieces if p.change is not Change.REMOVED) == new
    assert not excerpt.cut_before and not excerpt.cut_after


@given(words, words)
def test_counts_are_the_words_in_added_and_removed_pieces(old_words, new_words):
    diff = revision_diff(" ".join(old_words), " ".join(new_words))
    added = sum(
        len(p.text.split()) for e in diff.excerpts for p in e.pieces if p.change is Change.ADDED
    )
    removed = sum(
        len(p.text.split()) for e in diff.excerpts for p in e.pieces if p.change is Change.REMOVED
    )
    assert (diff.words_added, diff.words_removed) == (added, removed)

"""The article report (/articles/<id>/report/) and the overview (/reports/)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.test import override_settings

from annotations.labelling import label_span
from annotations.models import Article, Label, Span
from annotations.seeding import load_seeds
from tests.factories import label_quote

SENTENCE = "Officials say 300,000 reservists were called up."


def _articles(n: int, *, outlet: str = "Wire", labelled: bool = True) -> list[Article]:
    """``n`` articles of 100 characters, each with two spans labelled by two reviewers."""
    made = Article.objects.bulk_create(
        Article(
            title=f"Story {i}",
            outlet=outlet,
            body="x" * 100,
            published=datetime.date(2024, 1, 1) + datetime.timedelta(days=i),
            fingerprint=f"{outlet}-{i}-".ljust(64, "0"),
        )
        for i in range(n)
    )
    if labelled:
        reviewers = [User.objects.get_or_create(username=name)[0] for name in ("rev1", "rev2")]
        spans = Span.objects.bulk_create(
            Span(article=a, start=start, end=start + 10, quote="x" * 10)
            for a in made
            for start in (0, 50)
        )
        Label.objects.bulk_create(
            Label(span=s, reviewer=r, kind="verified_fact" if s.start == 0 else kind)
            for s in spans
            for r, kind in zip(reviewers, ("official_claim", "unsourced_speculation"), strict=True)
        )
    return made


# --- Access ---------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/reports/", "/articles/1/report/"])
def test_it_sends_anonymous_users_to_log_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"


def test_readers_may_view_reports(carol_client, article, alice):
    label_quote(article, alice, "Officials say", "official_claim")
    assert carol_client.get(f"/articles/{article.id}/report/").status_code == 200
    assert carol_client.get("/reports/").status_code == 200


def test_missing_article_has_no_report(carol_client, db):
    assert carol_client.get("/articles/999/report/").status_code == 404


def test_report_is_linked_from_the_article_page_the_list_and_the_nav(carol_client, article):
    link = f'href="/articles/{article.id}/report/"'
    assert link in carol_client.get(f"/articles/{article.id}/").content.decode()
    listing = carol_client.get("/").content.decode()
    assert link in listing
    assert 'href="/reports/">Reports</a>' in listing


# --- The article report ------------------------------------------------------------


def test_report_shows_balance_verdict_and_rules(carol_client, article, alice, bob):
    body = article.body
    # "Officials say 300,000 reservists were called up." is 48 characters: alice and
    # bob call it a claim. "One version ... two million" is speculation (alice only).
    label_quote(
        article, alice, "Officials say 300,000 reservists were called up.", "official_claim"
    )
    label_quote(article, bob, "Officials say 300,000 reservists were called up.", "official_claim")
    speculation = "One version is that he could draft up to two million"
    label_quote(article, alice, speculation, "unsourced_speculation")
    html = carol_client.get(f"/articles/{article.id}/report/").content.decode()
    # 48 + 52 = 100 labelled characters of 186: 52% speculation, 48% claim, of the labelled text.
    assert len(speculation) == 52 and len(body) == 186
    assert (
        '<strong class="judgement">Mostly unsourced</strong>: 52 % of the labelled text rests '
        "on no named source; 0 of 2 spans disputed; 0 of 2 reviewers finished." in html
    )
    # Coverage is the one figure of the whole article: 100 / 186 = 53.8%.
    assert "labels cover <strong>54 %</strong> of the article (100 of 186 characters)" in html
    # The table's shares are of the labelled text, as the verdict's; the basis is named.
    assert "Share of the labelled text" in html
    claim = html[html.index('<tr class="row-official_claim">') :]
    assert '<td class="num">48 %</td>' in claim[: claim.index("</tr>")]
    assert "Mostly unsourced: 40 % or more of the labelled text is unsourced speculation." in html
    assert "the top choices tie, the span is <em>disputed</em>" in html
    assert "the innermost span" in html
    # The bar is of the labelled text too: claim first, 48% wide.
    assert re.search(
        r'<rect class="seg seg-official_claim" x="0\.000%" y="0" width="48\.000%"', html
    )
    assert 'style="' not in html  # the CSP forbids inline styles


def test_report_lists_spans_by_label_with_notes_and_escaped_sources(carol_client, article, alice):
    label_quote(
        article,
        alice,
        "Officials say",
        "official_claim",
        note="Ministry says turnout <3% & falling",
        source_url="https://example.org/a?x=1&y=2",
    )
    html = carol_client.get(f"/articles/{article.id}/report/").content.decode()
    spans_section = html[html.index('id="spans-heading"') :]
    claims = spans_section[spans_section.index('id="spans-official_claim"') :]
    assert "Officials say" in claims
    assert 'alice</span>: <span class="kind kind-official_claim">Official claim' in claims
    assert 'rel="noopener noreferrer nofollow"' in claims
    assert "Ministry says turnout &lt;3% &amp; falling" in claims
    assert 'href="https://example.org/a?x=1&amp;y=2"' in claims


def test_disagreements_say_who_chose_what(carol_client, article, alice, bob):
    label_quote(article, alice, "Officials say", "official_claim")
    label_quote(article, bob, "Officials say", "verified_fact")
    html = carol_client.get(f"/articles/{article.id}/report/").content.decode()
    disagreements = html[
        html.index('id="disagreements-heading"') : html.index("agreement-heading")
        if False
        else None
    ]
    section = disagreements[: disagreements.index("</section>")]
    assert "<strong>Disputed</strong>" in section
    assert "alice chose" in section and "official claim" in section
    assert "bob chose" in section and "verified fact" in section


def test_too_little_overlap_is_said_in_words(carol_client, article, alice, bob):
    label_quote(article, alice, "Officials say", "official_claim")
    label_quote(article, bob, "Officials say", "official_claim")
    html = carol_client.get(f"/articles/{article.id}/report/").content.decode()
    assert "Not enough overlap: 1 span is labelled by two or more reviewers" in html
    assert "Cohen’s kappa" not in html


def test_an_unlabelled_article_reports_nothing_labelled(carol_client, article):
    html = carol_client.get(f"/articles/{article.id}/report/").content.decode()
    assert (
        '<strong class="judgement">Too little labelled to judge</strong>: only 0 % of the '
        "article is labelled; 0 of 0 spans disputed; 0 of 0 reviewers finished." in html
    )
    assert "Not enough overlap: no spans are labelled" in html


def test_report_queries_do_not_grow_with_spans(carol_client, alice, bob, django_assert_num_queries):
    article = Article.objects.create(title="Long", body="word " * 400, fingerprint="L" * 64)
    spans = Span.objects.bulk_create(
        Span(article=article, start=i * 5, end=i * 5 + 4, quote="word") for i in range(300)
    )

    def count(n: int) -> None:
        Label.objects.all().delete()
        Label.objects.bulk_create(
            Label(span=s, reviewer=r, kind=k)
            for s in spans[:n]
            for r, k in ((alice, "verified_fact"), (bob, "official_claim"))
        )
        # the session with its user and whether carol is an editor (one statement),
        # article with who finished it and whether any span is orphaned (none:
        # orphans are not read; article_state), every label with its span and
        # reviewer, then quotes, notes and sources of the spans the page lists
        # (100 per list)
        with django_assert_num_queries(4):
            assert carol_client.get(f"/articles/{article.id}/report/").status_code == 200

    count(3)
    count(300)


# --- The seed article: shares computed by hand ---------------------------------------

# The demo labels of seeds/demo_annotations.json, with the consensus of each
# (alice and bob; one reviewer's label is the consensus; a 1-1 split is disputed).
SEED_SPANS = [
    (
        "Thousands of Russian and Ukrainian soldiers have been killed in Putin’s war",
        "verified_fact",
    ),
    (
        "Putin said that he shared their pain and told them not to believe the ‘fake news’ about his invasion",
        "disputed",
    ),
    (
        "including some of the more than 300,000 reservists who were called up as part of a mobilisation announced by Putin in September",
        "verified_fact",
    ),
    (
        "The war in Ukraine has killed or wounded tens of thousands of soldiers on both sides, according to the United States",
        "official_claim",
    ),
    (
        "‘I would like you to know that, that I personally, and the whole leadership of the country – we share your pain,’ Putin said.",
        "official_claim",
    ),
    ("The Russian leader continues to spin propaganda", "unsourced_speculation"),
    (
        "Russia last publicly disclosed its losses on September 21, when Defence Minister Sergei Shoigu said 5,937 Russian soldiers had been killed",
        "official_claim",
    ),
    (
        "The United States’ top general estimated on Nov. 9 that Russia and Ukraine had each seen more than 100,000 of their soldiers killed or wounded",
        "disputed",
    ),
    (
        "Speculation is swirling in Russia that Vladimir Putin will soon demand a massive new mobilisation drive",
        "unsourced_speculation",
    ),
    ("with the leader reportedly suffering ill health in recent months", "unsourced_speculation"),
    (
        "‘Media information about Putin’s address, which allegedly will announce the ‘mobilisation of the country’ is not true,’ said Dmitry Peskov.",
        "official_claim",
    ),
    (
        "The move is likely to be coupled with martial law in key cities, including Moscow, say Russian sources.",
        "disputed",
    ),
    ("say some observers convinced he is terminally ill", "unsourced_speculation"),
    (
        "up to two million people, including 300,000 women after the New Year celebrations",
        "unsourced_speculation",
    ),
]


@override_settings(DEBUG=True)
def test_seed_report_shows_the_shares_computed_by_hand(db):
    load_seeds(demo=True)
    article = Article.objects.get()
    body = article.body
    # The quotes do not overlap (checked here), so each kind owns the sum of its
    # quotes' lengths and no innermost rule is involved.
    ranges = sorted((body.index(q), body.index(q) + len(q)) for q, _ in SEED_SPANS)
    assert all(
        a_end <= b_start for (_, a_end), (b_start, _) in zip(ranges, ranges[1:], strict=False)
    )
    owned = {"verified_fact": 0, "official_claim": 0, "unsourced_speculation": 0, "disputed": 0}
    for quote, kind in SEED_SPANS:
        owned[kind] += len(quote)
    assert owned == {
        "verified_fact": 75 + 127,
        "official_claim": 116 + 125 + 138 + 139,
        "unsourced_speculation": 47 + 103 + 64 + 49 + 81,
        "disputed": 100 + 142 + 103,
    }
    labelled = sum(owned.values())
    assert labelled == 1409

    client = _client(User.objects.get(username="alice"))
    html = client.get(f"/articles/{article.id}/report/").content.decode()
    for kind, chars in owned.items():
        row = html[html.index(f'<tr class="row-{kind}">') :]
        row = row[: row.index("</tr>")]
        assert f'<td class="num">{chars}</td>' in row
    # Shares of the 1,409 labelled characters:
    # claim 518 -> 36.8%, disputed 345 -> 24.5%, speculation 344 -> 24.4%, fact 202 -> 14.3%.
    for kind, share in [
        ("official_claim", "37 %"),
        ("disputed", "24 %"),
        ("unsourced_speculation", "24 %"),
        ("verified_fact", "14 %"),
    ]:
        row = html[html.index(f'<tr class="row-{kind}">') :]
        assert f'<td class="num">{share}</td>' in row[: row.index("</tr>")]
    # Disputed 24.5% is under 25%, speculation under 40%, claims under 50%,
    # fact under 60%: mixed; 3 of the 14 spans are disputed, nobody finished.
    assert (
        "Mixed sourcing</strong>: 14 % verified fact, 37 % official claims, 24 % unsourced "
        "speculation of the labelled text; 3 of 14 spans disputed; 0 of 2 reviewers finished."
        in html
    )
    # Agreement over the 12 spans both labelled; they differ on 3 (the disputed ones).
    # alice: fact 2, claim 6, speculation 4; bob: fact 4, claim 5, speculation 3.
    # kappa = (9/12 - 50/144) / (1 - 50/144) = 58/94 = 0.62;
    # alpha: n = 24, n_c = 6, 11, 7; 6 off-diagonal; 1 - 23 * 6 / (576 - 206) = 0.63.
    assert "75%" in html and "9 of 12 spans" in html
    assert "<dd>0.62</dd>" in html
    assert "<dd>0.63</dd>" in html
    assert html.count("<strong>Disputed</strong>") == 3


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


# --- The overview ------------------------------------------------------------------------


def test_overview_lists_every_article_with_its_balance(carol_client, article, alice):
    label_quote(article, alice, "Officials say 300,000 reservists were called up.", "verified_fact")
    Article.objects.create(title="Empty <i>one</i>", body="abc", fingerprint="e" * 64)
    html = carol_client.get("/reports/").content.decode()
    assert f'href="/articles/{article.id}/report/">Mobilisation rumours</a>' in html
    assert "Empty &lt;i&gt;one&lt;/i&gt;" in html
    assert "Desk Daily" in html
    # All labelled text is verified: 100% verified, 0% speculation, of the labelled text;
    # 48 of 186 characters labelled (26%): enough to judge, so no flag.
    row = html[html.index("Mobilisation rumours") :]
    row = row[: row.index("</tr>")]
    assert '<td class="num coverage">26 %</td>' in row
    assert '<td class="num speculation">0 %</td>' in row
    assert '<td class="num verified">100 %</td>' in row
    assert "Well sourced" in row
    # The empty one shows dashes.
    empty = html[html.index("Empty &lt;i&gt;") :]
    empty = empty[: empty.index("</tr>")]
    assert '<td class="num speculation">–</td>' in empty
    assert '<td class="num verified">–</td>' in empty
    assert html.count('<svg class="bar bar-mini"') == 2


def _titles(html: str) -> list[str]:
    return re.findall(r'/report/">(Story \d+)</a>', html)


def test_overview_sorts_by_speculation_and_by_date(carol_client, alice):
    made = _articles(3, labelled=False)
    # Story 0: all speculation; Story 1: half; Story 2: nothing labelled.
    for article, kinds in zip(
        made, (["unsourced_speculation"], ["unsourced_speculation", "verified_fact"]), strict=False
    ):
        for start, kind in zip((0, 50), kinds, strict=False):
            label_span(
                article=article,
                reviewer=alice,
                start=start,
                end=start + 10,
                quote="x" * 10,
                kind=kind,
            )
    assert _titles(carol_client.get("/reports/").content.decode()) == [
        "Story 2",
        "Story 1",
        "Story 0",
    ]
    assert _titles(carol_client.get("/reports/?sort=date").content.decode()) == [
        "Story 0",
        "Story 1",
        "Story 2",
    ]
    assert _titles(carol_client.get("/reports/?sort=-speculation").content.decode()) == [
        "Story 0",
        "Story 1",
        "Story 2",
    ]
    assert _titles(carol_client.get("/reports/?sort=speculation").content.decode()) == [
        "Story 1",
        "Story 0",
        "Story 2",
    ]
    assert _titles(carol_client.get("/reports/?sort=-verified").content.decode()) == [
        "Story 1",
        "Story 0",
        "Story 2",
    ]


def test_sort_links_keep_the_filter_and_reverse_the_current_sort(carol_client, db):
    _articles(1, outlet="Desk Daily", labelled=False)
    html = carol_client.get("/reports/?sort=-speculation&outlet=Desk+Daily").content.decode()
    assert 'href="?sort=speculation&amp;outlet=Desk+Daily"' in html
    assert 'href="?sort=-verified&amp;outlet=Desk+Daily"' in html
    assert 'aria-sort="descending"><a href="?sort=speculation' in html


def test_overview_filters_by_outlet(carol_client, db):
    _articles(2, outlet="Wire")
    _articles(1, outlet="Desk Daily")
    html = carol_client.get("/reports/?outlet=Desk+Daily").content.decode()
    assert _titles(html) == ["Story 0"]
    assert '<option value="Desk Daily" selected>' in html
    shared = carol_client.get("/reports/?outlet=Desk+Daily&sort=-speculation").content.decode()
    assert _titles(shared) == ["Story 0"]


def test_overview_is_paginated_by_fifty_keeping_sort_and_filter(carol_client, db):
    _articles(51, labelled=False)
    first = carol_client.get("/reports/?sort=date&outlet=Wire").content.decode()
    assert "Page 1 of 2" in first and len(_titles(first)) == 50
    assert 'href="?sort=date&amp;outlet=Wire&amp;page=2"' in first
    second = carol_client.get("/reports/?sort=date&outlet=Wire&page=2").content.decode()
    assert _titles(second) == ["Story 50"]


def test_htmx_sort_returns_only_the_table(carol_client, db):
    _articles(2)
    response = carol_client.get("/reports/?sort=-verified", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="report-table"')
    assert "<html" not in html and "<h1>" not in html
    assert len(_titles(html)) == 2
    assert "HX-Request" in response["Vary"]


def test_htmx_filter_returns_only_the_table(carol_client, db):
    _articles(2, outlet="Wire")
    _articles(1, outlet="Desk Daily")
    html = carol_client.get("/reports/?outlet=Wire", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in html
    assert _titles(html) == ["Story 1", "Story 0"]


def test_unknown_sort_is_refused_in_words(carol_client, db):
    response = carol_client.get("/reports/?sort=title")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Unknown sort order. Sort by one of: date, coverage, speculation, verified." in html
    assert 'class="card" id="bad-request"' in html  # the site's styled page, not plain text


@pytest.mark.parametrize("sort", ["-date", "-speculation"])
def test_overview_queries_do_not_grow_with_articles(
    carol_client, db, django_assert_num_queries, sort
):
    def count(n: int) -> None:
        Article.objects.all().delete()
        _articles(n)
        # No figures yet (data from before they were kept): the session with its user (one
        # statement), the sorted page with its cached figures, the stale articles after it
        # (at most report.STALE_PER_VIEW), their figures computed (revisions and lengths,
        # (span, kind) counts, reviewers, finished reviews, the upsert), the page again,
        # outlets for the filter
        with django_assert_num_queries(10):
            response = carol_client.get(f"/reports/?sort={sort}")
        assert len(_titles(response.content.decode())) == min(n, 50)
        # Again, with every figure cached (annotations.figures): no label is read,
        # and who labelled and who finished come from the cache too.
        with django_assert_num_queries(3):
            carol_client.get(f"/reports/?sort={sort}")

    count(3)
    count(60)


def test_quotes_and_names_are_escaped_in_the_lists(carol_client, alice, bob):
    article = Article.objects.create(
        title="<b>T</b>", body="<img src=x onerror=alert(1)> said 'it'", fingerprint="h" * 64
    )
    label_quote(article, alice, "<img src=x onerror=alert(1)> said 'it'", "verified_fact")
    label_quote(article, bob, "<img src=x onerror=alert(1)> said 'it'", "official_claim")
    html = carol_client.get(f"/articles/{article.id}/report/").content.decode()
    assert "<img" not in html and "<b>T" not in html
    # Once under Disagreements, once under Disputed in the spans by label.
    assert html.count("&lt;img src=x onerror=alert(1)&gt; said &#x27;it&#x27;") == 2


def test_htmx_history_restore_gets_the_whole_page(carol_client, db):
    # After a cache miss on Back, htmx asks for the page itself, not the fragment.
    response = carol_client.get(
        "/reports/?sort=-verified", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in response.content.decode()


def test_overlapping_spans_labelled_differently_are_a_disagreement(
    carol_client, article, alice, bob
):
    # bob selects alice's sentence but stops before its full stop and keeps his own
    # span (the toolbar's "Keep my selection as a new span"): two spans, no identical
    # one, and still a disagreement the desk must see.
    label_quote(article, alice, SENTENCE, "official_claim")
    start = article.body.index(SENTENCE)
    label_span(
        article=article,
        reviewer=bob,
        start=start,
        end=start + len(SENTENCE) - 1,
        quote=SENTENCE[:-1],
        kind="unsourced_speculation",
        keep_separate=True,
    )
    html = carol_client.get(f"/articles/{article.id}/report/").content.decode()
    section = html[html.index('id="disagreements-heading"') :]
    section = section[: section.index("</section>")]
    assert "<strong>Overlapping selections</strong>, labelled differently" in section
    assert "alice chose" in section and "official claim" in section
    assert "bob chose" in section and "unsourced speculation" in section
    assert "No disagreements" not in section
    # On the text: the 8 words of the sentence, none labelled alike.
    assert "(0 of 8 words labelled alike)" in html


def test_overlapping_spans_labelled_alike_are_no_disagreement(carol_client, article, alice, bob):
    label_quote(article, alice, SENTENCE, "official_claim")
    label_quote(article, bob, SENTENCE[:-1], "official_claim")
    html = carol_client.get(f"/articles/{article.id}/report/").content.decode()
    assert "No disagreements" in html
    assert "(8 of 8 words labelled alike)" in html


def test_a_barely_labelled_article_is_flagged_and_sorted_after_the_others(carol_client, alice):
    made = _articles(2, labelled=False)
    long = Article.objects.create(
        title="Story long",
        body="word " * 600,  # 3,000 characters; 10 of them snap to "word word", 9
        published=datetime.date(2025, 1, 1),
        fingerprint="long".ljust(64, "0"),
    )
    # Story 0: half speculation over 20 of 100 characters; Story 1: all fact;
    # the long story: 9 of 3,000 characters (0.3 %), all speculation.
    for article, start, kind in [
        (made[0], 0, "unsourced_speculation"),
        (made[0], 50, "verified_fact"),
        (made[1], 0, "verified_fact"),
        (made[1], 50, "verified_fact"),
        (long, 0, "unsourced_speculation"),
    ]:
        body = article.body
        label_span(
            article=article,
            reviewer=alice,
            start=start,
            end=start + 10,
            quote=body[start : start + 10],
            kind=kind,
        )
    html = carol_client.get("/reports/?sort=-speculation").content.decode()
    # Highest speculation first, but never the barely labelled article, whose 100 % says little.
    assert re.findall(r'/report/">(Story [\w ]+)</a>', html) == ["Story 0", "Story 1", "Story long"]
    row = html[html.index("Story long") :]
    row = row[: row.index("</tr>")]
    assert (
        '<td class="num speculation">100 % <span class="flag">(only 0.3 % labelled)</span>' in row
    )
    assert '<td class="num coverage">0.3 %</td>' in row
    assert "Too little labelled to judge" in row
    assert 'class="too-little"' in html
    # Either direction: still after the others.
    html = carol_client.get("/reports/?sort=speculation").content.decode()
    assert re.findall(r'/report/">(Story [\w ]+)</a>', html) == ["Story 1", "Story 0", "Story long"]
    # Sorting by coverage puts it where it belongs: last, highest first.
    html = carol_client.get("/reports/?sort=-coverage").content.decode()
    assert re.findall(r'/report/">(Story [\w ]+)</a>', html)[-1] == "Story long"

"""The load test at a tiny size, so it cannot rot: Locust runs the locustfile
against a live server, and the ledger check passes on that run and fails on a
lost and on a phantom label.

No timing is asserted (speed is measured by ``make loadtest``). SQLite shares
one connection between the live server's threads, so it gets one editor; on
PostgreSQL three editors race on the hot phrases while a viewer per article
follows its changes.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection

from annotations.ingest import ArticleData, save_article
from annotations.labelling import label_span
from annotations.models import EDITORS_GROUP, Article, Label
from bench.loadtest import ledger, run, scenario
from bench.loadtest.scenario import words_by_paragraph
from tests.conftest import SAMPLE_BODY

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SECOND_BODY = (
    "The ministry said the bridge would reopen in May.\n\n"
    "Residents doubted it; one engineer called the date optimistic."
)


@pytest.fixture
def plan(transactional_db) -> dict:
    # The flush after every transactional test empties the migration's Editors group.
    Group.objects.get_or_create(name=EDITORS_GROUP)
    articles = [
        save_article(ArticleData(title=title, body=body))[0]
        for title, body in [("Reservists", SAMPLE_BODY), ("Bridge", SECOND_BODY)]
    ]
    usernames = run.reset_editors(3 if connection.vendor == "postgresql" else 1)
    return run.build_plan([{"id": a.id, "body": a.body} for a in articles], usernames, seed=6)


def test_a_short_run_passes_and_the_check_catches_a_lost_and_a_phantom_label(
    live_server, tmp_path, plan
):
    # The viewers (live colleagues) are more people at once: PostgreSQL only, as above.
    viewers = 1 if connection.vendor == "postgresql" else 0
    outcome = run.run_locust(
        plan,
        [live_server.url],
        tmp_path,
        users=len(plan["usernames"]),
        spawn_rate=10,
        # Quick editors, still under the server's write throttle (60 a minute).
        options=scenario.defaults(
            duration=4, think=(0.05, 0.15), writes_per_minute=60, viewers_per_article=viewers
        ),
    )
    load, acknowledged = outcome["load"], outcome["ledger"]

    assert load["overall"]["errors"] == 0, load["error_examples"]
    assert load["overall"]["requests"] > 0
    people = len(plan["usernames"]) + viewers * len(plan["articles"])
    assert load["by_action"]["log in"]["requests"] == people
    assert load["by_action"]["label"]["requests"] > 0
    if viewers:  # one per article, its page asking whether the article changed
        assert load["by_action"]["article page (viewer)"]["requests"] == len(plan["articles"])
        assert load["by_action"]["live: unchanged"]["requests"] > 0
    clean = ledger.check(acknowledged, run.stored())
    assert ledger.passed(clean), clean
    assert clean["acknowledged_labels"] > 0
    assert clean["audit_rows"] > 0

    # Lose an acknowledged label, and store one that nobody acknowledged.
    article_id, start, end, username = next(iter(acknowledged.labels))
    Label.objects.filter(
        span__article_id=article_id, span__start=start, span__end=end, reviewer__username=username
    ).delete()
    article = next(a for a in plan["articles"] if a["id"] == article_id)
    start, end = next(
        (s, e)
        for paragraph in words_by_paragraph(article["body"])
        for s, e in paragraph
        if (article_id, s, e, username) not in acknowledged.labels
    )
    label_span(
        article=Article.objects.get(id=article_id),
        reviewer=User.objects.get(username=username),
        start=start,
        end=end,
        quote=article["body"][start:end],
        kind="verified_fact",
    )

    broken = ledger.check(acknowledged, run.stored())
    assert (broken["lost"], broken["phantom"]) == (1, 1)
    assert broken["phantom_examples"] == [[article_id, start, end, username]]
    assert broken["audit_rows"] != broken["audit_rows_expected"]
    assert not ledger.passed(broken)


def test_writers_only_label_at_the_rate_asked_and_nothing_is_lost(live_server, tmp_path, plan):
    outcome = run.run_locust(
        plan,
        [live_server.url],
        tmp_path,
        users=len(plan["usernames"]),
        spawn_rate=10,
        # Under the server's write throttle (60 a minute, bursts of ten): no 429s.
        options=scenario.defaults(duration=4, rate=2, writes_per_minute=60),
        user_class="Writer",
    )
    load = outcome["load"]

    assert load["overall"]["errors"] == 0, load["error_examples"]
    measured = {name for name in load["by_action"] if name not in run.LOGINS}
    assert measured == {"label"}  # no reading, changing or removing: writes only
    assert 0 < load["by_action"]["label"]["requests"] <= 2 * 4 + 2 * len(plan["usernames"])
    assert ledger.passed(ledger.check(outcome["ledger"], run.stored()))


def test_a_curve_step_holds_only_fast_clean_and_at_the_rate_asked():
    clean = {"lost": 0, "phantom": 0, "spans_without_labels": 0}
    clean |= {"audit_rows": 5, "audit_rows_expected": 5}

    def step(rate: float, done: float, p95: float, errors: int = 0, lost: int = 0) -> dict:
        return {
            "rate": rate,
            "writes_per_second": done,
            "label": {"p95_ms": p95},
            "errors": errors,
            "database": {**clean, "lost": lost},
        }

    steps = [step(50, 50, 40), step(100, 99, 90), step(200, 150, 60), step(400, 390, 300)]
    assert [run.step_held(s) for s in steps] == [True, True, False, False]
    assert run.held(steps) == 99
    assert not run.step_held(step(50, 50, 40, errors=1))
    assert not run.step_held(step(50, 50, 40, lost=1))
    assert "| 100 | 99 |" in run.curve_markdown(
        {
            "date": "d",
            "machine": "m",
            "postgresql": "15",
            "locust": "2",
            "config": {
                "users": 50,
                "duration_s": 60,
                "instances": 1,
                "workers": 4,
                "worker_class": "gthread",
                "threads": 4,
                "label_writes_per_minute": "100000",
            },
            "p95_target_ms": 100,
            "target_writes_per_second": 300,
            "steps": [{**s, "load_average": [1, 2]} for s in steps],
            "held": 99,
        }
    )

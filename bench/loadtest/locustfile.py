"""The load test's scenario for Locust: editors labelling, changing, removing and reading.

Started by the runner (``python -m bench.loadtest``, see run.py); it can also run
alone against a server that has the plan's accounts and articles::

    .venv/bin/python -m locust -f bench/loadtest/locustfile.py --headless \\
        --users 5 --spawn-rate 5 --host http://127.0.0.1:8765 --plan bench/out/loadtest/locust/plan.json

Each simulated person logs in, then waits until everyone has: the logins (a
password hash each) are written to ``<out>/login_stats.csv`` and Locust's
statistics are reset, so the measured ``--duration`` holds only the work.
At the end Locust's figures go to ``<out>/stats.csv`` (with ``failures.csv``
and ``exceptions.csv``) and the ledger of acknowledged writes to
``<out>/ledger-<pid>.json`` (see ledger.py).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import time
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from typing import Any

import gevent
from gevent.event import Event
from locust import between, constant, constant_throughput, events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.env import Environment
from locust.exception import StopUser
from locust.stats import PERCENTILES_TO_REPORT, StatsCSV

from bench.loadtest.answers import stored_range
from bench.loadtest.ledger import Key, Ledger, save
from bench.loadtest.scenario import add_options, pick, words_by_paragraph

KINDS = ("verified_fact", "official_claim", "unsourced_speculation")
NOTES = ("", "", "Checked against the ministry's statement.")
SOURCES = ("", "https://example.org/source")
LOGIN_FORM_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HX_HEADERS_TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')  # <body hx-headers>, what htmx sends
SPAN_ITEM = re.compile(r'id="span-item-(\d+)"')
LIVE_REVISION = re.compile(r'data-live-revision="([^"]*)"')


def _add_options(parser: Any) -> None:
    add_options(parser)
    group = parser.add_argument_group("where")
    group.add_argument("--plan", required=True, help="plan.json from the runner")
    group.add_argument("--out", default="bench/out/loadtest/locust", help="where figures go")
    group.add_argument("--hosts", default="", help="comma-separated servers; each user keeps one")


# Registered by calls rather than as decorators: Locust's EventHook is untyped.
events.init_command_line_parser.add_listener(_add_options)


def options(environment: Environment) -> argparse.Namespace:
    given: argparse.Namespace | None = environment.parsed_options
    assert given is not None  # parsed before any user starts
    return given


# --- Everyone logs in before anyone acts ------------------------------------------------

_arrived = 0
_everyone_in = Event()
_ledger = Ledger()


def _arrive(environment: Environment) -> None:
    """The last person in snapshots the login figures, resets the statistics and
    starts the clock."""
    global _arrived
    _arrived += 1
    given = options(environment)
    if _arrived < given.num_users:
        return
    assert environment.runner is not None
    write_stats(environment, Path(given.out), "login_")
    environment.runner.stats.reset_all()
    gevent.spawn_later(given.duration, environment.runner.quit)
    _everyone_in.set()


def _write_results(environment: Environment, **_: Any) -> None:
    out = Path(options(environment).out)
    write_stats(environment, out, "")
    save(_ledger, out / f"ledger-{os.getpid()}.json")


events.test_stop.add_listener(_write_results)


def write_stats(environment: Environment, out: Path, prefix: str) -> None:
    """Locust's own CSV files (the format of ``--csv``), written at a moment we choose."""
    out.mkdir(parents=True, exist_ok=True)
    writer = StatsCSV(environment, PERCENTILES_TO_REPORT)
    for name, write in [
        ("stats", writer.requests_csv),
        ("failures", writer.failures_csv),
        ("exceptions", writer.exceptions_csv),
    ]:
        with (out / f"{prefix}{name}.csv").open("w", newline="", encoding="utf-8") as file:
            write(csv.writer(file))


# --- The plan the runner wrote ----------------------------------------------------------

_plan_cache: dict[str, dict[str, Any]] = {}


def plan(environment: Environment) -> dict[str, Any]:
    """Accounts, articles (with their words) and the hot phrases."""
    path = options(environment).plan
    if path not in _plan_cache:
        data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
        for article in data["articles"]:
            article["words"] = words_by_paragraph(article["body"])
        data["by_id"] = {article["id"]: article for article in data["articles"]}
        _plan_cache[path] = data
    return _plan_cache[path]


def _pace(user: FastHttpUser) -> float:
    """Between actions: a reading pause, or the pace that keeps ``--rate`` overall."""
    given = options(user.environment)
    if given.rate:
        return float(constant_throughput(given.rate / given.num_users)(user))
    return float(between(*given.think)(user))


# --- People -----------------------------------------------------------------------------

_people = 0


class Person(FastHttpUser):
    """Someone logged in to Sourcemark, on one of the ``--hosts`` (round robin)."""

    abstract = True
    wait_time = _pace
    max_retries = 0  # a retried POST could store a label the ledger never saw acknowledged
    network_timeout = connection_timeout = 30.0

    def __init__(self, environment: Environment) -> None:
        global _people
        self.number = _people
        _people += 1
        self.plan = plan(environment)
        hosts = [h for h in options(environment).hosts.split(",") if h]
        if hosts:
            self.host = hosts[self.number % len(hosts)]
        super().__init__(environment)
        # With DEBUG off the cookies are Secure; here they travel over plain HTTP on
        # 127.0.0.1, which browsers treat as a secure context and cookiejar does not.
        self.client.cookiejar.set_policy(DefaultCookiePolicy(secure_protocols=("http", "https")))
        self.username = self.plan["usernames"][self.number % len(self.plan["usernames"])]
        self.csrf = ""

    def on_start(self) -> None:
        try:
            logged_in = self.log_in()
        finally:
            _arrive(self.environment)
        _everyone_in.wait()
        if not logged_in:
            raise StopUser()  # its failed request is counted among the login figures

    def log_in(self) -> bool:
        page = self.client.get("/login/", name="login page")
        token = LOGIN_FORM_TOKEN.search(page.text or "")
        if not token:
            return False
        form = {
            "username": self.username,
            "password": self.plan["password"],
            "csrfmiddlewaretoken": token.group(1),
        }
        with self.client.post(
            "/login/", data=form, name="log in", allow_redirects=False, catch_response=True
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"log in: {answer.status_code}")
                return False
        return self.read_token("/", "list after login")

    def read_token(self, path: str, name: str) -> bool:
        """Open a page and keep the CSRF token htmx would send from it."""
        with self.client.get(path, name=name, catch_response=True) as page:
            match = HX_HEADERS_TOKEN.search(page.text or "")
            if page.status_code == 200 and not match:
                page.failure("no CSRF token in hx-headers")
        if match:
            self.csrf = match.group(1)
        return match is not None

    def htmx(self, path: str) -> dict[str, str]:
        return {"HX-Request": "true", "HX-Current-URL": f"{self.host}{path}"}


class Editor(Person):
    """The newsroom's editor: labels a phrase (a third of the time a hot phrase many
    editors race on), changes or removes an own label from the span panel, reads
    articles, reports, the overview, the list and a CSV. Label writes are paced to
    ``--writes-per-minute`` (a token bucket holding ten seconds' worth): when the
    editor is ahead of that pace they read the article instead."""

    def on_start(self) -> None:
        given = options(self.environment)
        self.rng = random.Random(given.seed * 1000 + self.number)
        self.mine: dict[Key, int] = {}  # own acknowledged labels: their span's id
        self.actions = 0
        self.per_second = given.writes_per_minute / 60
        self.burst = max(1.0, self.per_second * 10)
        self.tokens, self.refilled = self.burst, time.monotonic()
        super().on_start()

    def may_write(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.refilled) * self.per_second)
        self.refilled = now
        if self.tokens < 1:
            self.read_token(f"/articles/{self.article()['id']}/", "article page")
            return False
        self.tokens -= 1
        return True

    def article(self) -> dict[str, Any]:
        return self.rng.choice(self.plan["articles"])

    def tick(self) -> None:
        self.actions += 1
        if self.actions > options(self.environment).max_actions:
            raise StopUser()  # the loop is bounded in count as well as time

    @task(35)
    def label(self) -> None:
        self.tick()
        if not self.may_write():
            return
        aid, start, end = self.pick_phrase()
        key = (aid, start, end, self.username)
        values = (self.rng.choice(KINDS), self.rng.choice(NOTES), self.rng.choice(SOURCES))
        form = {
            "start": str(start),
            "end": str(end),
            "quote": self.plan["by_id"][aid]["body"][start:end],
            "kind": values[0],
            "note": values[1],
            "source_url": values[2],
        }
        path = f"/articles/{aid}/labels/"
        _ledger.sending(key)
        with self.client.post(
            path, data=form, headers=self.write_headers(path), name="label", catch_response=True
        ) as answer:
            if answer.status_code != 200:
                _ledger.unanswered(key)
                answer.failure(f"label: {answer.status_code} {(answer.text or '')[:200]}")
                return
            span = SPAN_ITEM.search(answer.text or "")
            if not span:
                _ledger.labelled(key, values)
                return
            span_id = int(span.group(1))
            landed = stored_range(answer.text or "", span_id)
            stored = (aid, *landed, self.username) if landed else key
            _ledger.labelled(stored, values, sent=key)
            self.mine[stored] = span_id

    def pick_phrase(self) -> tuple[int, int, int]:
        if self.rng.random() < 0.33:
            aid, start, end = self.rng.choice(self.plan["hot"])
            return int(aid), int(start), int(end)
        article = self.article()
        return pick(article["id"], article["words"], self.rng)

    @task(12)
    def change_label(self) -> None:
        self.tick()
        self.change_or_remove(remove=False)

    @task(8)
    def remove_label(self) -> None:
        self.tick()
        self.change_or_remove(remove=True)

    def change_or_remove(self, *, remove: bool) -> None:
        if not self.mine or not self.may_write():
            return
        key = self.rng.choice(list(self.mine))
        aid, span_id = key[0], self.mine[key]
        panel_path = f"/articles/{aid}/spans/{span_id}/"
        with self.client.get(
            panel_path, headers=self.htmx(panel_path), name="span panel", catch_response=True
        ) as panel:
            match = re.search(rf'action="/articles/{aid}/labels/(\d+)/"', panel.text or "")
            if panel.status_code == 200 and not match:
                panel.failure(f"own label missing from the panel {key}")
        if not match:
            return
        if remove:
            path = f"/articles/{aid}/labels/{match.group(1)}/remove/"
            name, values = "remove label", None
            form: dict[str, str] = {}
        else:
            path = f"/articles/{aid}/labels/{match.group(1)}/"
            kind = self.rng.choice([k for k in KINDS if k != _ledger.labels.get(key)])
            name, values = "change label", (kind, "Changed after a second look.", "")
            form = {"kind": kind, "note": values[1], "source_url": values[2]}
        _ledger.sending(key)
        with self.client.post(
            path, data=form, headers=self.write_headers(path), name=name, catch_response=True
        ) as answer:
            if answer.status_code != 200:
                _ledger.unanswered(key)
                answer.failure(f"{name}: {answer.status_code} {(answer.text or '')[:200]}")
                return
        if values is None:
            _ledger.removed_label(key)
            del self.mine[key]
        else:
            _ledger.labelled(key, values)

    def write_headers(self, path: str) -> dict[str, str]:
        return {**self.htmx(path), "X-CSRFToken": self.csrf}

    @task(23)
    def article_page(self) -> None:
        self.tick()
        self.read_token(f"/articles/{self.article()['id']}/", "article page")

    @task(8)
    def report(self) -> None:
        self.tick()
        self.client.get(f"/articles/{self.article()['id']}/report/", name="report")

    @task(5)
    def overview(self) -> None:
        self.tick()
        self.client.get("/reports/", name="overview")

    @task(4)
    def article_list(self) -> None:
        self.tick()
        self.client.get("/", name="article list")

    @task(5)
    def csv_export(self) -> None:
        self.tick()
        self.client.get(f"/articles/{self.article()['id']}/labels.csv", name="CSV export")


_viewers = 0


class Viewer(Person):
    """Someone with one article open and not labelling: the page (static/annotations/live.js)
    asks every two seconds whether the article changed since the revision it shows. One
    per article and ``--viewers-per-article``; the editors' writes are what they see."""

    fixed_count = 0  # set from the plan (_count_viewers), before Locust spawns anyone
    wait_time = constant(2)

    def on_start(self) -> None:
        global _viewers
        articles = self.plan["articles"]
        self.article_id = articles[_viewers % len(articles)]["id"]
        _viewers += 1
        self.revision = ""
        super().on_start()
        path = f"/articles/{self.article_id}/"
        with self.client.get(path, name="article page (viewer)", catch_response=True) as page:
            match = LIVE_REVISION.search(page.text or "")
            if page.status_code == 200 and not match:
                page.failure("no data-live-revision on the article page")
        if match:
            self.revision = match.group(1)

    @task
    def poll(self) -> None:
        path = f"/articles/{self.article_id}/changes/?since={self.revision}"
        # As live.js asks: a plain GET, not an htmx request.
        with self.client.get(path, name="live: unchanged", catch_response=True) as answer:
            if answer.status_code == 204:
                return
            answer.request_meta["name"] = "live: changed"
            match = LIVE_REVISION.search(answer.text or "")
            if answer.status_code != 200 or not match:
                answer.failure(f"live: {answer.status_code} {(answer.text or '')[:200]}")
                return
            self.revision = match.group(1)


def _count_viewers(environment: Environment, **_: Any) -> None:
    given = environment.parsed_options
    if given is not None:
        Viewer.fixed_count = given.viewers_per_article * len(plan(environment)["articles"])


events.init.add_listener(_count_viewers)


class Writer(Editor):
    """Only labels a phrase, every action (issue 17's write throughput at saturation):
    ``--rate`` sets the writes a second of all writers together. Chosen with the
    runner's ``--only-labels``; the default run has editors only."""


# Set after the class is made: Locust's metaclass adds a base class's tasks to those a
# subclass declares.
Writer.tasks = [Editor.label]

"""Load test: many editors at once against gunicorn and PostgreSQL; nothing may be lost.

Not part of the test suite: ``make loadtest`` runs it. It

1. creates the PostgreSQL database if it is missing (never drops one), migrates,
   loads the seed article, generates more articles and 50 accounts in Editors
   (named ``loadtest-NN``; their earlier labels are deleted first, nothing else is);
2. starts gunicorn (several gthread workers) on 127.0.0.1 with production
   settings (DEBUG off), except that plain HTTP is allowed;
3. drives simulated editors for a fixed time, each in its own thread with its
   own session: log in, open articles, label random phrases exactly as
   annotate.js sends them (code point offsets and the quote of word-aligned
   phrases of the canonical text), change and remove their labels from the span
   panel, read reports and the overview, download a CSV;
4. reports requests per second, latency percentiles and errors, then checks the
   database: every label the server acknowledged is there with its latest kind,
   every acknowledged removal is gone, nothing else exists (no phantom writes),
   no span is left without labels, and the audit trail has one row per change;
5. writes bench/loadtest.json and the "Load test" section of bench/RESULTS.md.

Only 127.0.0.1 is contacted. Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import random
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
RESULTS_MD = ROOT / "bench" / "RESULTS.md"
RESULTS_JSON = ROOT / "bench" / "loadtest.json"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/sm_loadtest"
USER_PREFIX = "loadtest-"
PASSWORD = "loadtest-password-not-secret"
ARTICLE_PREFIX = "Load test article"
KINDS = ("verified_fact", "official_claim", "unsourced_speculation")
TARGETS = {"errors": 0, "lost": 0, "phantom": 0, "p95_ms": 250.0}
MARK_START, MARK_END = "<!-- loadtest:start -->", "<!-- loadtest:end -->"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("LOADTEST_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--users", type=int, default=50, help="simulated editors")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--articles", type=int, default=20, help="generated articles")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn processes")
    parser.add_argument(
        "--worker-class", default="gthread", choices=["gthread", "sync"], help="gunicorn workers"
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(0.5, 1.5),
        metavar=("MIN", "MAX"),
        help="seconds an editor pauses between actions (uniform)",
    )
    parser.add_argument(
        "--max-requests",
        type=int,
        default=2000,
        help="per editor: the loop is bounded in count too",
    )
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--no-write", action="store_true", help="do not write the results files")
    parser.add_argument(
        "--render", action="store_true", help="only rewrite RESULTS.md from loadtest.json"
    )
    return parser.parse_args()


# --- Setup (in this process, through the ORM) -------------------------------------------


def configure_environment(database_url: str) -> dict[str, str]:
    """Production settings, minus TLS: the server and this process read the same ones."""
    host = urllib.parse.urlsplit(database_url).hostname
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit(f"The load test only uses a local PostgreSQL, not {host!r}.")
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("The load test needs PostgreSQL (DATABASE_URL=postgres://...).")
    env = {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on 127.0.0.1; cookies stay Secure
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
    }
    os.environ.update(env)
    return env


def create_database(database_url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def generated_body(paragraphs: list[str], rng: random.Random, n: int) -> str:
    """An article of 12-30 paragraphs shuffled from the seed article (unique by its first line)."""
    chosen = rng.sample(paragraphs, k=min(len(paragraphs), rng.randint(12, 30)))
    return "\n\n".join([f"Dispatch {n}: what was said, and by whom.", *chosen])


def prepare_data(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Migrate, seed, reset the load test's own accounts; the articles as {id, body}."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connections

    from annotations.ingest import ArticleData, save_article
    from annotations.models import EDITORS_GROUP, Article, Span

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)  # the manifest DEBUG-off needs
    call_command("load_seeds", verbosity=0)

    seed_paragraphs = [
        p
        for a in Article.objects.exclude(title__startswith=ARTICLE_PREFIX)
        for p in a.body.split("\n\n")
    ]
    rng = random.Random(args.seed)
    for n in range(args.articles):
        save_article(
            ArticleData(
                title=f"{ARTICLE_PREFIX} {n + 1}",
                body=generated_body(seed_paragraphs, rng, n + 1),
                outlet="Load Wire",
            )
        )

    User.objects.filter(username__startswith=USER_PREFIX).delete()  # their labels go too
    Span.objects.filter(labels=None).delete()  # spans only they had labelled
    editors = Group.objects.get(name=EDITORS_GROUP)
    password = make_password(PASSWORD)
    users = User.objects.bulk_create(
        User(username=f"{USER_PREFIX}{n:02d}", password=password) for n in range(args.users)
    )
    editors.user_set.add(*users)
    articles = [{"id": a.id, "body": a.body} for a in Article.objects.order_by("id")]
    connections.close_all()
    return articles


# --- The server -----------------------------------------------------------------------


def start_gunicorn(args: argparse.Namespace, env: dict[str, str]) -> subprocess.Popen[bytes]:
    OUT.mkdir(parents=True, exist_ok=True)
    log = (OUT / "loadtest-gunicorn.log").open("wb")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "newsroom.wsgi",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            args.worker_class,
            "--threads",
            str(args.threads if args.worker_class == "gthread" else 1),
            "--keep-alive",
            "5",
            "--graceful-timeout",
            "10",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited; see {OUT / 'loadtest-gunicorn.log'}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2)
            connection.request("GET", "/login/")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    stop(server)
    raise SystemExit("gunicorn did not answer within 30 seconds")


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# --- One simulated editor -------------------------------------------------------------


@dataclass
class Sample:
    action: str
    status: int
    ms: float
    error: str = ""


class Refused(Exception):
    """A response the editor did not expect."""


Key = tuple[int, int, int, str]  # article, start, end, username


@dataclass
class Ledger:
    """What the server acknowledged, per editor; merged after the run."""

    labels: dict[Key, str] = field(default_factory=dict)  # latest acknowledged kind
    span_ids: dict[Key, int] = field(default_factory=dict)
    removed: set[Key] = field(default_factory=set)
    uncertain: set[Key] = field(default_factory=set)  # a write that failed without an answer
    audited_writes: int = 0  # creates, real changes and removals: one history row each


WORD = re.compile(r"\S+")


def phrases_of(body: str) -> list[list[tuple[int, int]]]:
    """Word spans per paragraph, in code points (Python str offsets)."""
    result, offset = [], 0
    for paragraph in body.split("\n\n"):
        words = [(offset + m.start(), offset + m.end()) for m in WORD.finditer(paragraph)]
        if words:
            result.append(words)
        offset += len(paragraph) + 2
    return result


class Editor(threading.Thread):
    def __init__(
        self,
        n: int,
        args: argparse.Namespace,
        articles: list[dict[str, Any]],
        hot: list[tuple[int, int, int]],
        deadline: float,
        samples: list[Sample],
    ) -> None:
        super().__init__(name=f"editor-{n}", daemon=True)
        self.username = f"{USER_PREFIX}{n:02d}"
        self.args, self.articles, self.hot = args, articles, hot
        self.deadline, self.samples = deadline, samples
        self.rng = random.Random(args.seed * 1000 + n)
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.ledger = Ledger()
        self.logged_in = False
        self.last_values: dict[Key, tuple[str, str, str]] = {}  # what the server holds, per label

    # HTTP, one connection per request (no keep-alive ambiguity on a retried POST).
    def request(
        self,
        action: str,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        htmx: bool = False,
        expect: tuple[int, ...] = (200,),
    ) -> str:
        headers = {"Host": "127.0.0.1", "User-Agent": "sourcemark-loadtest"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            if self.csrf:
                headers["X-CSRFToken"] = self.csrf  # what htmx sends from hx-headers
        if htmx:
            headers.update(
                {"HX-Request": "true", "HX-Current-URL": f"http://127.0.0.1:{self.args.port}{path}"}
            )
        started = time.perf_counter()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.args.port, timeout=30)
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            connection.close()
        except OSError as error:
            self.samples.append(
                Sample(action, 0, (time.perf_counter() - started) * 1000, repr(error))
            )
            raise Refused(f"{action}: {error!r}") from None
        ms = (time.perf_counter() - started) * 1000
        for header in response.msg.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if response.status not in expect:
            self.samples.append(
                Sample(action, response.status, ms, f"{method} {path}: {text[:200]}")
            )
            raise Refused(f"{action}: {response.status}")
        self.samples.append(Sample(action, response.status, ms))
        return text

    def login(self) -> None:
        page = self.request("login page", "GET", "/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        self.request(
            "log in",
            "POST",
            "/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            expect=(302,),
        )
        # Where the login redirects: its <body hx-headers> holds the token htmx sends.
        landing = self.request("list after login", "GET", "/")
        self.csrf = re.search(r'"X-CSRFToken": "([^"]+)"', landing).group(1)
        self.logged_in = True

    def run(self) -> None:
        """Act until the deadline (logged in beforehand)."""
        if not self.logged_in:
            return
        for _ in range(self.args.max_requests):
            time.sleep(self.rng.uniform(*self.args.think))
            if time.monotonic() >= self.deadline:
                break
            # A refusal is counted in the samples; carry on like a person would.
            with contextlib.suppress(Refused):
                self.act()

    def act(self) -> None:
        roll = self.rng.random()
        article = self.rng.choice(self.articles)
        aid = article["id"]
        if roll < 0.35:
            self.label(article)
        elif roll < 0.47:
            self.change_or_remove(remove=False)
        elif roll < 0.55:
            self.change_or_remove(remove=True)
        elif roll < 0.78:
            page = self.request("article page", "GET", f"/articles/{aid}/")
            self.csrf = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
        elif roll < 0.86:
            self.request("report", "GET", f"/articles/{aid}/report/")
        elif roll < 0.91:
            self.request("overview", "GET", "/reports/")
        elif roll < 0.95:
            self.request("article list", "GET", "/")
        else:
            self.request("CSV export", "GET", f"/articles/{aid}/labels.csv")

    def pick_phrase(self, article: dict[str, Any]) -> tuple[int, int, int]:
        # A third of the time a "hot" phrase many editors label: same-span races.
        if self.rng.random() < 0.33:
            return self.rng.choice(self.hot)
        paragraph = self.rng.choice(article["phrases"])
        i = self.rng.randrange(len(paragraph))
        j = min(len(paragraph) - 1, i + self.rng.randint(0, 7))
        return article["id"], paragraph[i][0], paragraph[j][1]

    def label(self, article: dict[str, Any]) -> None:
        aid, start, end = self.pick_phrase(article)
        body = next(a["body"] for a in self.articles if a["id"] == aid)
        kind = self.rng.choice(KINDS)
        key = (aid, start, end, self.username)
        form = {
            "start": str(start),
            "end": str(end),
            "quote": body[start:end],
            "kind": kind,
            "note": self.rng.choice(["", "", "Checked against the ministry's statement."]),
            "source_url": self.rng.choice(["", "https://example.org/source"]),
        }
        try:
            answer = self.request("label", "POST", f"/articles/{aid}/labels/", form, htmx=True)
        except Refused:
            self.ledger.uncertain.add(key)
            raise
        self._count_audit(key, kind, form)
        self.ledger.labels[key] = kind
        self.ledger.removed.discard(key)
        match = re.search(r'id="span-item-(\d+)"', answer)
        if match:
            self.ledger.span_ids[key] = int(match.group(1))

    def _count_audit(self, key: Key, kind: str, form: dict[str, str]) -> None:
        """A new label or a real change makes one history row; identical values make none."""
        values = (kind, form["note"], form["source_url"])
        if self.last_values.get(key) != values:
            self.ledger.audited_writes += 1
        self.last_values[key] = values

    def change_or_remove(self, *, remove: bool) -> None:
        mine = [key for key in self.ledger.labels if key in self.ledger.span_ids]
        if not mine:
            return
        key = self.rng.choice(mine)
        aid, span_id = key[0], self.ledger.span_ids[key]
        panel = self.request("span panel", "GET", f"/articles/{aid}/spans/{span_id}/", htmx=True)
        match = re.search(rf'action="/articles/{aid}/labels/(\d+)/"', panel)
        if not match:
            self.samples.append(
                Sample("span panel", 200, 0.0, f"own label missing from panel {key}")
            )
            raise Refused("own label missing")
        label_id = match.group(1)
        if remove:
            try:
                self.request(
                    "remove label",
                    "POST",
                    f"/articles/{aid}/labels/{label_id}/remove/",
                    {},
                    htmx=True,
                )
            except Refused:
                self.ledger.uncertain.add(key)
                raise
            del self.ledger.labels[key]
            del self.ledger.span_ids[key]
            self.ledger.removed.add(key)
            self.last_values.pop(key, None)
            self.ledger.audited_writes += 1
            return
        kind = self.rng.choice([k for k in KINDS if k != self.ledger.labels[key]])
        form = {"kind": kind, "note": "Changed after a second look.", "source_url": ""}
        try:
            self.request(
                "change label", "POST", f"/articles/{aid}/labels/{label_id}/", form, htmx=True
            )
        except Refused:
            self.ledger.uncertain.add(key)
            raise
        self._count_audit(key, kind, form)
        self.ledger.labels[key] = kind


# --- Measuring and checking -----------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def summarise(samples: list[Sample], seconds: float) -> dict[str, Any]:
    def stats(group: list[Sample]) -> dict[str, Any]:
        ms = [s.ms for s in group if s.status]
        return {
            "requests": len(group),
            "errors": sum(1 for s in group if s.error),
            "p50_ms": round(percentile(ms, 50), 1),
            "p95_ms": round(percentile(ms, 95), 1),
            "p99_ms": round(percentile(ms, 99), 1),
            "max_ms": round(max(ms, default=0.0), 1),
        }

    by_action: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        by_action[sample.action].append(sample)
    overall = stats(samples)
    overall["requests_per_second"] = round(len(samples) / seconds, 1)
    return {
        "overall": overall,
        "by_action": {action: stats(group) for action, group in sorted(by_action.items())},
        "error_examples": [f"{s.action} {s.status}: {s.error}" for s in samples if s.error][:10],
        "statuses": dict(Counter(str(s.status) for s in samples)),
    }


def check_database(ledgers: list[Ledger]) -> dict[str, Any]:
    from django.db import connections

    from annotations.models import Label, Span

    expected: dict[Key, str] = {}
    removed: set[Key] = set()
    uncertain: set[Key] = set()
    audited = 0
    for ledger in ledgers:
        expected.update(ledger.labels)
        removed |= ledger.removed
        uncertain |= ledger.uncertain
        audited += ledger.audited_writes
    rows = Label.objects.filter(reviewer__username__startswith=USER_PREFIX).values_list(
        "span__article_id", "span__start", "span__end", "reviewer__username", "kind"
    )
    actual = {(a, s, e, u): kind for a, s, e, u, kind in rows}
    lost = [k for k in expected if k not in uncertain and k not in actual]
    stale = [k for k in expected if k not in uncertain and k in actual and actual[k] != expected[k]]
    phantom = [k for k in actual if k not in uncertain and k not in expected]
    history = Label.history.filter(reviewer__username__startswith=USER_PREFIX).count()
    result = {
        "acknowledged_labels": len(expected),
        "acknowledged_removals": len(removed - set(expected)),
        "labels_in_database": len(actual),
        "lost": len(lost) + len(stale),
        "lost_examples": [list(k) for k in (lost + stale)[:5]],
        "phantom": len(phantom),
        "phantom_examples": [list(k) for k in phantom[:5]],
        "uncertain": len(uncertain),
        "spans_without_labels": Span.objects.filter(labels=None).count(),
        "audit_rows": history,
        "audit_rows_expected": audited,
    }
    connections.close_all()
    return result


# --- Results files --------------------------------------------------------------------


def markdown(result: dict[str, Any]) -> str:
    cfg, load, db = result["config"], result["load"], result["database"]
    o = load["overall"]
    lines = [
        MARK_START,
        "## Load test",
        "",
        f"Written by `make loadtest` (bench/loadtest.py); the same figures are in "
        f"[loadtest.json](loadtest.json). {result['date']}, {result['machine']}; "
        f"load average {result['load_average']['before']} before the run, "
        f"{result['load_average']['end']} at its end.",
        "",
        f"- Setup: gunicorn {cfg['workers']} {cfg['worker_class']} workers"
        f"{' × ' + str(cfg['threads']) + ' threads' if cfg['worker_class'] == 'gthread' else ''}, DEBUG off, "
        f"PostgreSQL {result['postgresql']}, {cfg['articles']} articles; load generator on the same machine.",
        f"- Load: {cfg['users']} editors logged in, each acting for {cfg['duration_s']:.0f} s with "
        f"{cfg['think_s'][0]}–{cfg['think_s'][1]} s pauses (uniform) between actions: label a phrase "
        "(a third from a shared set of hot phrases, so editors race on the same spans), change or "
        "remove an own label from the span panel, open articles, reports, the overview, the list, "
        "a CSV.",
        "",
        "Correctness does not depend on the machine; latency does: the two cores are shared "
        "with whatever else runs (the load average above): earlier runs the same morning, "
        "with the load average at 5-10, measured p95 from 290 to 880 ms.",
        "",
        "| Figure | Value | Target | Result |",
        "| --- | ---: | --- | --- |",
        f"| Requests | {o['requests']:,} ({o['requests_per_second']} req/s) | | |",
        f"| Errors (non-2xx/3xx or no answer) | {o['errors']} | 0 | {_ok(o['errors'] == 0)} |",
        f"| Latency p50 / p95 / p99 | {o['p50_ms']} / {o['p95_ms']} / {o['p99_ms']} ms | p95 < 250 ms | {_ok(o['p95_ms'] < TARGETS['p95_ms'])} |",
        f"| Acknowledged labels lost (or with an older kind) | {db['lost']} of {db['acknowledged_labels']:,} | 0 | {_ok(db['lost'] == 0)} |",
        f"| Phantom labels (in the database, never acknowledged) | {db['phantom']} | 0 | {_ok(db['phantom'] == 0)} |",
        f"| Acknowledged removals | {db['acknowledged_removals']:,} | | |",
        f"| Spans left without a label | {db['spans_without_labels']} | 0 | {_ok(db['spans_without_labels'] == 0)} |",
        f"| Audit rows / acknowledged changing writes | {db['audit_rows']:,} / {db['audit_rows_expected']:,} | equal | {_ok(db['audit_rows'] == db['audit_rows_expected'])} |",
        "",
        "| Request | count | errors | p50 ms | p95 ms | p99 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for action, s in load["by_action"].items():
        lines.append(
            f"| {action} | {s['requests']:,} | {s['errors']} | {s['p50_ms']} | {s['p95_ms']} | {s['p99_ms']} | {s['max_ms']} |"
        )
    lines += [
        "",
        f"Logins (a password check each, a few at a time) happen before the measured minute: they are in the table (log in, login page, list after login), not in the overall figures. Result: **{'PASS' if result['passed'] else 'FAIL'}**.",
        MARK_END,
    ]
    return "\n".join(lines) + "\n"


def _ok(passed: bool) -> str:
    return "**PASS**" if passed else "**FAIL**"


def write_results(result: dict[str, Any]) -> None:
    RESULTS_JSON.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    section = markdown(result)
    text = RESULTS_MD.read_text(encoding="utf-8") if RESULTS_MD.exists() else ""
    if MARK_START in text and MARK_END in text:
        before, rest = text.split(MARK_START, 1)
        after = rest.split(MARK_END, 1)[1].lstrip("\n")
        text = before + section + ("\n" + after if after else "")
    else:
        text = (text.rstrip("\n") + "\n\n" if text.strip() else "") + section
    RESULTS_MD.write_text(text, encoding="utf-8")


# --- Main -----------------------------------------------------------------------------


def main() -> int:
    args = parse_args()
    if args.render:
        write_results(json.loads(RESULTS_JSON.read_text(encoding="utf-8")))
        return 0
    sys.path.insert(0, str(ROOT))
    env = configure_environment(args.database_url)
    create_database(args.database_url)
    print(f"Preparing {args.database_url} ...", flush=True)
    articles = prepare_data(args)
    for article in articles:
        article["phrases"] = phrases_of(article["body"])
    rng = random.Random(args.seed)
    hot = []
    for article in rng.sample(articles, k=min(5, len(articles))):
        for _ in range(4):
            paragraph = rng.choice(article["phrases"])
            i = rng.randrange(len(paragraph))
            hot.append(
                (article["id"], paragraph[i][0], paragraph[min(len(paragraph) - 1, i + 3)][1])
            )

    load_before = os.getloadavg()[0]
    server = start_gunicorn(args, env)
    try:
        login_samples: list[Sample] = []
        editors = [
            Editor(n, args, articles, hot, float("inf"), login_samples) for n in range(args.users)
        ]
        # Log in a few at a time, as a newsroom's morning does: 50 simultaneous
        # PBKDF2 checks would only measure the password hasher.
        gate = threading.BoundedSemaphore(args.workers)
        logins = [threading.Thread(target=_login, args=(editor, gate)) for editor in editors]
        for thread in logins:
            thread.start()
        for thread in logins:
            thread.join()
        samples: list[Sample] = []
        started = time.monotonic()
        for editor in editors:
            editor.samples, editor.deadline = samples, started + args.duration
            editor.start()
        for editor in editors:
            editor.join(timeout=args.duration + 60)
        seconds = time.monotonic() - started
        load_after = os.getloadavg()[0]
    finally:
        stop(server)

    load = summarise(samples, seconds)
    login_summary = summarise(login_samples, 1.0)
    load["by_action"].update(login_summary["by_action"])
    load["error_examples"] += login_summary["error_examples"]
    # An editor who could not log in is an error even when no request failed outright.
    load["overall"]["errors"] += sum(1 for editor in editors if not editor.logged_in)
    database = check_database([e.ledger for e in editors])
    passed = (
        load["overall"]["errors"] == 0
        and database["lost"] == 0
        and database["phantom"] == 0
        and database["spans_without_labels"] == 0
        and database["audit_rows"] == database["audit_rows_expected"]
        and load["overall"]["p95_ms"] < TARGETS["p95_ms"]
    )
    result = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}",
        # Other work on the machine competes with the server: the 1-minute load
        # average before the run and at its end (2.0 means both cores busy).
        "load_average": {"before": round(load_before, 2), "end": round(load_after, 2)},
        "postgresql": _postgres_version(),
        "config": {
            "users": args.users,
            "duration_s": args.duration,
            "articles": len(articles),
            "workers": args.workers,
            "worker_class": args.worker_class,
            "threads": args.threads if args.worker_class == "gthread" else 1,
            "think_s": list(args.think),
            "seed": args.seed,
        },
        "targets": TARGETS,
        "load": load,
        "database": database,
        "passed": passed,
    }
    print(markdown(result))
    for example in load["error_examples"]:
        print("error:", example)
    if not args.no_write:
        write_results(result)
        print(f"Wrote {RESULTS_JSON.relative_to(ROOT)} and {RESULTS_MD.relative_to(ROOT)}")
    return 0 if passed else 1


def _login(editor: Editor, gate: threading.BoundedSemaphore) -> None:
    with gate, contextlib.suppress(Refused):  # a failure is counted in the samples
        editor.login()


def _postgres_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    connection.close()
    return version.split()[0]


if __name__ == "__main__":
    raise SystemExit(main())

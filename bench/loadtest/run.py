"""``make loadtest``: many editors at once against gunicorn and PostgreSQL; nothing may be lost.

    .venv/bin/python -m bench.loadtest [--users 50] [--duration 60] [--instances 1] ...

Not part of the test suite (a smoke test of it is: tests/test_loadtest_smoke.py).
Locust drives the load; this runner and the locustfile hold only our part:

1. create the PostgreSQL database if it is missing (never drop one), migrate,
   load the seed article, generate more articles and the accounts in Editors
   (``loadtest-NN``; their earlier labels are deleted first, nothing else is);
2. start ``--instances`` gunicorn servers (``--workers`` each) on consecutive
   ports of 127.0.0.1, production settings (DEBUG off) but plain HTTP;
3. run Locust headless in a child process on locustfile.py (the scenario),
   every simulated editor sticking to one of the servers;
4. read Locust's CSV figures (requests/s, percentiles, failures), then check
   the database against the ledger of acknowledged writes (ledger.py);
5. write bench/loadtest.json and the "Load test" section of bench/RESULTS.md.

Only 127.0.0.1 is contacted; the run is bounded in time (``--duration``, and
a hard limit on Locust) and in count (``--max-actions`` per editor). Exit
status 1 when a target is missed.

Extending it:

* More kinds of people: add a ``Person`` subclass to the locustfile; it logs in
  and waits for the others like an editor, and its requests join the figures.
  The viewers are one: ``Viewer(Person)`` keeps one article open and asks every two
  seconds whether it changed (issue 12, live colleagues), ``--viewers-per-article``
  of them (1 by default) on top of the ``--users`` editors; a viewer writes
  nothing, so the ledger needs no change. Their polls are two rows of the
  figures: "live: unchanged" (204) and "live: changed" (the highlights).
* Throughput at saturation (issue 17): ``--rate R`` replaces the reading pauses
  by Locust's ``constant_throughput`` so that all editors together act R times a
  second; raise ``--writes-per-minute`` with it (and the servers' throttle, see
  below). ``--only-labels`` runs the locustfile's ``Writer`` (every action a
  label write) instead of the editors. ``--curve 50,100,200,400`` is one step
  per rate against the same servers, each step with fresh accounts, its own
  ledger check and figures; it writes bench/throughput.json and the
  "Write throughput" section of bench/RESULTS.md. ``--instances 2`` runs two
  gunicorn servers against the one database, the editors spread over both; the
  ledger check covers both.
* The write throttle (annotations/throttle.py, ``LABEL_WRITES_PER_MINUTE``, 60
  by default): each editor writes at most ``--writes-per-minute`` labels (30,
  with bursts of ten seconds' worth: at most 35 in any minute), so the default
  scenario stays under it as a person does. A run that writes faster sets
  ``LABEL_WRITES_PER_MINUTE`` (0: off) in the environment, which the servers
  inherit; otherwise the 429s count as errors.
* Other Locust options (``--processes`` excepted: the wait for everyone's login
  counts the users of one process) go through ``--locust-args``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.loadtest import ledger, scenario

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / "out" / "loadtest"
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
RESULTS_MD = ROOT / "bench" / "RESULTS.md"
RESULTS_JSON = ROOT / "bench" / "loadtest.json"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/sm_loadtest"
USER_PREFIX = "loadtest-"
PASSWORD = "loadtest-password-not-secret"
ARTICLE_PREFIX = "Load test article"
WRITES = ("label", "change label", "remove label")
LOGINS = ("login page", "log in", "list after login")
TARGETS = {"errors": 0, "lost": 0, "phantom": 0, "p95_ms": 250.0}
MARK_START, MARK_END = "<!-- loadtest:start -->", "<!-- loadtest:end -->"
CURVE_START, CURVE_END = "<!-- throughput:start -->", "<!-- throughput:end -->"
CURVE_JSON = ROOT / "bench" / "throughput.json"
CURVE_P95_MS = 100.0  # issue 17: the rate a step holds is one with p95 under this and no error
CURVE_TARGET = 300  # writes/s on the 2 cores


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.loadtest", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument(
        "--database-url", default=os.environ.get("LOADTEST_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--users", type=int, default=50, help="simulated editors")
    parser.add_argument("--articles", type=int, default=20, help="generated articles")
    parser.add_argument("--instances", type=int, default=1, help="gunicorn servers")
    parser.add_argument("--workers", type=int, default=4, help="processes per gunicorn")
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync"])
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--port", type=int, default=8765, help="the first server's port")
    # Each login is a password hash (PBKDF2): faster than this, they queue for the CPUs.
    parser.add_argument("--spawn-rate", type=float, default=2.0, help="logins per second")
    scenario.add_options(parser)
    parser.add_argument(
        "--only-labels", action="store_true", help="every action a label write (Writer)"
    )
    parser.add_argument(
        "--curve",
        default="",
        help="comma-separated rates (writes/s): one step each, implies --only-labels",
    )
    parser.add_argument("--locust-args", default="", help="more Locust options, one string")
    parser.add_argument("--json-out", type=Path, help="also write the result here")
    parser.add_argument("--no-write", action="store_true", help="do not write the results files")
    parser.add_argument(
        "--render", action="store_true", help="only rewrite RESULTS.md from loadtest.json"
    )
    return parser.parse_args(argv)


# --- Setup (in this process, through the ORM) -------------------------------------------


def configure_environment(database_url: str) -> dict[str, str]:
    """Production settings, minus TLS: the servers and this process read the same ones."""
    host = urllib.parse.urlsplit(database_url).hostname
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit(f"The load test only uses a local PostgreSQL, not {host!r}.")
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("The load test needs PostgreSQL (LOADTEST_DATABASE_URL=postgres://...).")
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


def prepare_data(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Migrate, seed, generate articles, reset the accounts; the articles as {id, body}."""
    import django

    django.setup()
    from django.core.management import call_command

    from annotations.ingest import ArticleData, save_article
    from annotations.models import Article

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
        # 12-30 paragraphs shuffled from the seed article, unique by their first line.
        chosen = rng.sample(seed_paragraphs, k=min(len(seed_paragraphs), rng.randint(12, 30)))
        save_article(
            ArticleData(
                title=f"{ARTICLE_PREFIX} {n + 1}",
                body="\n\n".join([f"Dispatch {n + 1}: what was said, and by whom.", *chosen]),
                outlet="Load Wire",
            )
        )
    reset_editors(args.users)
    return [{"id": a.id, "body": a.body} for a in Article.objects.order_by("id")]


def reset_editors(count: int) -> list[str]:
    """``count`` fresh accounts in Editors; earlier load test accounts and labels go."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, User

    from annotations.models import EDITORS_GROUP, Span

    User.objects.filter(username__startswith=USER_PREFIX).delete()  # their labels go too
    Span.objects.filter(labels=None).delete()  # spans only they had labelled
    password = make_password(PASSWORD)
    users = User.objects.bulk_create(
        User(username=f"{USER_PREFIX}{n:02d}", password=password) for n in range(count)
    )
    Group.objects.get(name=EDITORS_GROUP).user_set.add(*users)
    return [user.username for user in users]


def build_plan(articles: list[dict[str, Any]], usernames: list[str], seed: int) -> dict[str, Any]:
    """What the locustfile needs: accounts, articles and the hot phrases editors race on."""
    return {
        "usernames": usernames,
        "password": PASSWORD,
        "articles": articles,
        "hot": scenario.hot_phrases(articles, random.Random(seed)),
    }


# --- The servers ----------------------------------------------------------------------


def start_servers(args: argparse.Namespace, env: dict[str, str]) -> list[subprocess.Popen[bytes]]:
    """``--instances`` gunicorn servers on consecutive ports, each answering before we go on."""
    OUT.mkdir(parents=True, exist_ok=True)
    threads = args.threads if args.worker_class == "gthread" else 1
    servers = []
    try:
        for n in range(args.instances):
            # Keep-alive outlasts an editor's pause, so connections are reused as a browser's are.
            command = (
                f"newsroom.wsgi --bind 127.0.0.1:{args.port + n} --workers {args.workers} "
                f"--worker-class {args.worker_class} --threads {threads} --keep-alive 5 "
                "--graceful-timeout 10"
            )
            servers.append(
                subprocess.Popen(
                    [sys.executable, "-m", "gunicorn", *command.split()],
                    cwd=ROOT,
                    env={**os.environ, **env},
                    stdout=(OUT / f"gunicorn-{n + 1}.log").open("wb"),
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        for n, server in enumerate(servers):
            wait_for(
                server, f"http://127.0.0.1:{args.port + n}/login/", OUT / f"gunicorn-{n + 1}.log"
            )
    except BaseException:
        for server in servers:
            stop(server)
        raise
    return servers


START_SECONDS = 120  # on a loaded machine importing Django alone can take half a minute


def wait_for(server: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited; see {log}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer {url} within {START_SECONDS} seconds")


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# --- Locust -----------------------------------------------------------------------------


def run_locust(
    plan: dict[str, Any],
    hosts: list[str],
    out: Path,
    *,
    users: int,
    spawn_rate: float,
    options: dict[str, Any],
    extra: str = "",
    user_class: str = "Editor",
) -> dict[str, Any]:
    """Run the locustfile headless in a child process (gevent stays out of this one) with
    the scenario's ``options``; Locust's figures, and the ledger of every process."""
    figures = out / "locust"
    shutil.rmtree(figures, ignore_errors=True)  # no ledger of an earlier run may count
    figures.mkdir(parents=True)
    (figures / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    # The viewers (the locustfile's Viewer, one class count fixed from the plan) come on
    # top of the editors; a throughput run (Writer) has none.
    viewers = options["viewers_per_article"] * len(plan["articles"])
    viewers = viewers if user_class == "Editor" else 0
    users += viewers
    # Logging in is paced by the spawn rate; the hard limit only guards against a hang.
    limit = options["duration"] + users / spawn_rate + 120
    locust = {
        "locustfile": LOCUSTFILE,
        "users": users,
        "spawn-rate": spawn_rate,
        "host": hosts[0],
        "hosts": ",".join(hosts),
        "run-time": f"{limit:.0f}s",
        "stop-timeout": 30,  # editors finish the write they are in: no needless uncertainty
        "plan": figures / "plan.json",
        "out": figures,
    }
    command = [sys.executable, "-m", "locust", "--headless", "--only-summary"]
    for name, value in locust.items():
        command += [f"--{name}", str(value)]
    command += scenario.as_arguments(options) + shlex.split(extra)
    command += [user_class, "Viewer"] if viewers else [user_class]
    log = figures / "locust.log"
    with log.open("wb") as output:
        subprocess.run(
            command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, timeout=limit + 60
        )
    if not (figures / "login_stats.csv").exists() or not (figures / "stats.csv").exists():
        # login_stats.csv is written once every editor has tried to log in.
        raise SystemExit(f"Locust stopped before the end; see {log}:\n{log.read_text()[-3000:]}")
    return {"load": read_figures(figures), "ledger": ledger.load_all(figures)}


def read_figures(figures: Path) -> dict[str, Any]:
    """Locust's CSV files: the measured period and, apart, the logins before it."""
    run, logins = _read_stats(figures / "stats.csv"), _read_stats(figures / "login_stats.csv")
    overall = run.pop("Aggregated")
    logins.pop("Aggregated", None)
    exceptions = _exception_count(figures / "exceptions.csv") + _exception_count(
        figures / "login_exceptions.csv"
    )
    overall["errors"] += sum(row["errors"] for row in logins.values()) + exceptions
    return {
        "overall": overall,
        # Reset entries stay in Locust's table with no requests; the logins follow the rest.
        "by_action": {
            **{name: row for name, row in sorted(run.items()) if row["requests"]},
            **dict(sorted(logins.items())),
        },
        "exceptions": exceptions,
        "error_examples": (
            _failures(figures / "failures.csv") + _failures(figures / "login_failures.csv")
        )[:10],
    }


def _read_stats(path: Path) -> dict[str, dict[str, Any]]:
    rows = {}
    for row in _rows(path):
        figures = {
            "requests": int(row["Request Count"]),
            "errors": int(row["Failure Count"]),
            "p50_ms": _ms(row["50%"]),
            "p95_ms": _ms(row["95%"]),
            "p99_ms": _ms(row["99%"]),
            "max_ms": round(float(row["Max Response Time"]), 1),
        }
        if row["Name"] == "Aggregated":
            figures["requests_per_second"] = round(float(row["Requests/s"]), 1)
        rows[row["Name"]] = figures
    return rows


def _ms(value: str) -> float:
    return 0.0 if value == "N/A" else float(value)


def _exception_count(path: Path) -> int:
    return sum(int(row["Count"]) for row in _rows(path))


def _failures(path: Path) -> list[str]:
    return [f"{r['Method']} {r['Name']} ×{r['Occurrences']}: {r['Error']}" for r in _rows(path)]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


# --- The database afterwards ----------------------------------------------------------


def stored() -> ledger.Stored:
    """The load test accounts' labels, their audit rows, and spans left without labels."""
    from annotations.models import Label, Span

    rows = Label.objects.filter(reviewer__username__startswith=USER_PREFIX).values_list(
        "span__article_id", "span__start", "span__end", "reviewer__username", "kind"
    )
    return ledger.Stored(
        # No body is corrected during a load test: every span has its offsets.
        labels={(a, s, e, u): kind for a, s, e, u, kind in rows if s is not None and e is not None},
        audit_rows=Label.history.filter(reviewer__username__startswith=USER_PREFIX).count(),
        spans_without_labels=Span.objects.filter(labels=None).count(),
    )


def passed(load: dict[str, Any], database: dict[str, Any]) -> bool:
    return (
        load["overall"]["errors"] == TARGETS["errors"]
        and load["overall"]["p95_ms"] < TARGETS["p95_ms"]
        and ledger.passed(database)
    )


# --- Results files --------------------------------------------------------------------


def markdown(result: dict[str, Any]) -> str:
    cfg, load, db = result["config"], result["load"], result["database"]
    o = load["overall"]
    threads = f" × {cfg['threads']} threads" if cfg["worker_class"] == "gthread" else ""
    servers = (
        f"{cfg['instances']} gunicorn servers of {cfg['workers']}"
        if cfg["instances"] > 1
        else f"gunicorn {cfg['workers']}"
    )
    pace = (
        f", together {cfg['rate']:g} actions a second (Locust's constant_throughput)"
        if cfg["rate"]
        else f" with {cfg['think_s'][0]}–{cfg['think_s'][1]} s pauses (uniform) between actions"
    )
    lines = [
        "## Load test",
        "",
        f"Written by `make loadtest` (bench/loadtest/: Locust {result['locust']} runs the "
        f"scenario in locustfile.py; its CSV figures and percentiles are below); the same "
        f"figures are in [loadtest.json](loadtest.json). {result['date']}, {result['machine']}; "
        f"load average {result['load_average']['before']} before the run, "
        f"{result['load_average']['end']} at its end.",
        "",
        f"- Setup: {servers} {cfg['worker_class']} workers{threads}, DEBUG off, "
        f"PostgreSQL {result['postgresql']}, {cfg['articles']} articles; Locust on the same machine.",
        f"- Load: {cfg['users']} editors logged in, each acting for {cfg['duration_s']:.0f} s"
        f"{pace}: label a phrase (a third from a shared set of hot phrases, so editors race on "
        "the same spans), change or remove an own label from the span panel, open articles, "
        "reports, the overview, the list, a CSV. An editor writes at most "
        f"{cfg['writes_per_minute']:g} labels a minute (creations, changes and removals) and "
        "reads the article instead when ahead of that pace.",
        "",
        "Correctness does not depend on the machine; latency does: the two cores are shared "
        "with whatever else runs (the load average above): earlier runs with the load average "
        "at 5-10 measured p95 from 290 to 880 ms. Locust keeps response times to two "
        "significant digits above 100 ms, so p95 and p99 move in steps of 10 ms there.",
        "",
        "| Figure | Value | Target | Result |",
        "| --- | ---: | --- | --- |",
        f"| Requests | {o['requests']:,} ({o['requests_per_second']} req/s) | | |",
        f"| Label writes per editor a minute | {result['writes_per_editor_minute']} | ≤ {cfg['writes_per_minute']:g} | |",
        f"| Errors (non-2xx/3xx, no answer, or a script exception) | {o['errors']} | 0 | {_ok(o['errors'] == 0)} |",
        f"| Latency p50 / p95 / p99 | {o['p50_ms']:g} / {o['p95_ms']:g} / {o['p99_ms']:g} ms | p95 < 250 ms | {_ok(o['p95_ms'] < TARGETS['p95_ms'])} |",
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
            f"| {action} | {s['requests']:,} | {s['errors']} | {s['p50_ms']:g} | {s['p95_ms']:g} | {s['p99_ms']:g} | {s['max_ms']:g} |"
        )
    lines += [
        "",
        f"Logins (a password check each, {cfg['spawn_rate']:g} a second) happen before the "
        "measured period: they are in the table (login page, log in, list after login), not in the overall "
        f"figures. Result: **{'PASS' if result['passed'] else 'FAIL'}**.",
    ]
    return "\n".join(lines) + "\n"


def _ok(passed: bool) -> str:
    return "**PASS**" if passed else "**FAIL**"


def write_results(result: dict[str, Any]) -> None:
    RESULTS_JSON.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    write_section(markdown(result), MARK_START, MARK_END)


# --- Main -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.render:
        write_results(json.loads(RESULTS_JSON.read_text(encoding="utf-8")))
        return 0
    env = configure_environment(args.database_url)
    create_database(args.database_url)
    print(f"Preparing {args.database_url} ...", flush=True)
    articles = prepare_data(args)
    usernames = [f"{USER_PREFIX}{n:02d}" for n in range(args.users)]
    plan = build_plan(articles, usernames, args.seed)
    hosts = [f"http://127.0.0.1:{args.port + n}" for n in range(args.instances)]

    if args.curve:
        return curve(args, env, plan, hosts)
    load_before = os.getloadavg()[0]
    servers = start_servers(args, env)
    print(f"Locust: {args.users} editors on {', '.join(hosts)} ...", flush=True)
    try:
        options = {name: getattr(args, name) for name in scenario.OPTIONS}
        run = run_locust(
            plan,
            hosts,
            OUT,
            users=args.users,
            spawn_rate=args.spawn_rate,
            options=options,
            extra=args.locust_args,
            user_class="Writer" if args.only_labels else "Editor",
        )
        load_after = os.getloadavg()[0]
    finally:
        for server in servers:
            stop(server)

    load = run["load"]
    database = ledger.check(run["ledger"], stored())
    writes = sum(load["by_action"].get(name, {}).get("requests", 0) for name in WRITES)
    result = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}",
        # Other work on the machine competes with the servers: the 1-minute load
        # average before the run and at its end (2.0 means both cores busy).
        "load_average": {"before": round(load_before, 2), "end": round(load_after, 2)},
        "postgresql": _postgres_version(),
        "locust": _locust_version(),
        "config": {
            "users": args.users,
            "duration_s": args.duration,
            "articles": len(articles),
            "instances": args.instances,
            "workers": args.workers,
            "worker_class": args.worker_class,
            "threads": args.threads if args.worker_class == "gthread" else 1,
            "spawn_rate": args.spawn_rate,
            "think_s": list(args.think),
            "rate": args.rate,
            "writes_per_minute": args.writes_per_minute,
            "seed": args.seed,
        },
        "targets": TARGETS,
        "writes_per_editor_minute": round(writes / args.users / (args.duration / 60), 1),
        "load": load,
        "database": database,
        "passed": passed(load, database),
    }
    print(markdown(result))
    for example in load["error_examples"]:
        print("error:", example)
    if args.json_out:
        args.json_out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if not args.no_write:
        write_results(result)
        print(f"Wrote {RESULTS_JSON.relative_to(ROOT)} and {RESULTS_MD.relative_to(ROOT)}")
    return 0 if result["passed"] else 1


# --- Write throughput at saturation (issue 17) ----------------------------------------


def curve(
    args: argparse.Namespace, env: dict[str, str], plan: dict[str, Any], hosts: list[str]
) -> int:
    """One Locust run of writers per rate against the same servers; fresh accounts, a
    ledger check and the figures of each step."""
    rates = [float(r) for r in args.curve.split(",") if r.strip()]
    steps = []
    servers = start_servers(args, env)
    try:
        for rate in rates:
            reset_editors(args.users)  # each step's ledger is checked on its own
            load_before = os.getloadavg()[0]
            print(f"Step: {rate:g} writes/s by {args.users} writers ...", flush=True)
            options = {name: getattr(args, name) for name in scenario.OPTIONS}
            options["rate"] = rate
            run = run_locust(
                plan,
                hosts,
                OUT,
                users=args.users,
                spawn_rate=args.spawn_rate,
                options=options,
                extra=args.locust_args,
                user_class="Writer",
            )
            label = run["load"]["by_action"].get("label", {})
            steps.append(
                {
                    "rate": rate,
                    "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
                    "writes": label.get("requests", 0),
                    "writes_per_second": round(label.get("requests", 0) / args.duration, 1),
                    "label": label,
                    "errors": run["load"]["overall"]["errors"],
                    "error_examples": run["load"]["error_examples"][:3],
                    "database": ledger.check(run["ledger"], stored()),
                }
            )
            print(curve_row(steps[-1]), flush=True)
    finally:
        for server in servers:
            stop(server)
    highest = held(steps)
    result: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}",
        "postgresql": _postgres_version(),
        "locust": _locust_version(),
        "config": {
            "users": args.users,
            "duration_s": args.duration,
            "instances": args.instances,
            "workers": args.workers,
            "worker_class": args.worker_class,
            "threads": args.threads if args.worker_class == "gthread" else 1,
            "label_writes_per_minute": os.environ.get("LABEL_WRITES_PER_MINUTE", "(default)"),
        },
        "p95_target_ms": CURVE_P95_MS,
        "target_writes_per_second": CURVE_TARGET,
        "steps": steps,
        "held": highest,
    }
    print(curve_markdown(result))
    if args.json_out:
        args.json_out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if not args.no_write:
        CURVE_JSON.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        write_section(curve_markdown(result), CURVE_START, CURVE_END)
    return 0 if highest >= CURVE_TARGET else 1


def step_held(step: dict[str, Any]) -> bool:
    """A step holds when nothing failed or was lost, p95 is under the target, and the
    writers reached nine tenths of the rate asked for."""
    return (
        step["errors"] == 0
        and ledger.passed(step["database"])
        and step["label"].get("p95_ms", 0) < CURVE_P95_MS
        and step["writes_per_second"] >= 0.9 * step["rate"]
    )


def held(steps: list[dict[str, Any]]) -> float:
    """The highest writes/s of a step that held (0 when none did)."""
    return max((s["writes_per_second"] for s in steps if step_held(s)), default=0.0)


def curve_row(step: dict[str, Any]) -> str:
    label, db = step["label"], step["database"]
    return (
        f"| {step['rate']:g} | {step['writes_per_second']:g} | {label.get('p50_ms', 0):g} | "
        f"{label.get('p95_ms', 0):g} | {label.get('p99_ms', 0):g} | {step['errors']} | "
        f"{db['lost']} / {db['phantom']} | {step['load_average'][0]:g} → "
        f"{step['load_average'][1]:g} | {_ok(step_held(step))} |"
    )


def curve_markdown(result: dict[str, Any]) -> str:
    cfg = result["config"]
    servers = f"{cfg['instances']} × " if cfg["instances"] > 1 else ""
    lines = [
        "## Write throughput at saturation",
        "",
        f"Written by `python -m bench.loadtest --curve ...` (bench/loadtest/run.py, `curve`); "
        f"the same figures are in [throughput.json](throughput.json). {result['date']}, "
        f"{result['machine']}, PostgreSQL {result['postgresql']}, Locust {result['locust']} "
        "on the same machine.",
        "",
        f"- Setup: {servers}gunicorn {cfg['workers']} {cfg['worker_class']} workers × "
        f"{cfg['threads']} threads, DEBUG off; LABEL_WRITES_PER_MINUTE="
        f"{cfg['label_writes_per_minute']} for the run.",
        f"- Each step: {cfg['users']} fresh accounts log in, then label phrases (a third of "
        "them from a shared set of hot phrases, so writers race on the same spans) at the "
        f"step's rate overall (Locust's constant_throughput) for {cfg['duration_s']:.0f} s; "
        "then the ledger check: every acknowledged label stored with its kind, nothing "
        "stored that was not acknowledged.",
        f"- A step holds when p95 < {result['p95_target_ms']:g} ms, no errors, nothing lost "
        "and at least 90 % of the asked rate was reached.",
        "",
        "| asked writes/s | done writes/s | p50 ms | p95 ms | p99 ms | errors | "
        "lost / phantom | load average | holds |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |",
        *[curve_row(step) for step in result["steps"]],
        "",
        f"Highest rate held: **{result['held']:g} writes/s** (target ≥ "
        f"{result['target_writes_per_second']} writes/s: "
        f"{_ok(result['held'] >= result['target_writes_per_second'])}).",
    ]
    return "\n".join(lines) + "\n"


def write_section(section: str, start: str, end: str) -> None:
    """Replace the text between ``start`` and ``end`` in RESULTS.md (or append it)."""
    block = f"{start}\n{section.rstrip()}\n{end}\n"
    text = RESULTS_MD.read_text(encoding="utf-8") if RESULTS_MD.exists() else ""
    if start in text and end in text:
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1].lstrip("\n")
        text = before + block + ("\n" + after if after else "")
    else:
        text = (text.rstrip("\n") + "\n\n" if text.strip() else "") + block
    RESULTS_MD.write_text(text, encoding="utf-8")


def _postgres_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = str(cursor.fetchone()[0])
    connection.close()
    return version.split()[0]


def _locust_version() -> str:
    from importlib.metadata import version

    return version("locust")

"""Load test with wrk against gunicorn (2 workers) on PostgreSQL, public and logged-in scenarios.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bounty_load make bench          # 10,000 challenges, 60 s each
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bounty_load_ci make bench-short # CI: 1,000, 5 s each, --check

It migrates, tops up the generated data set (bench/generate.py) and the load actors (bench/actors.py),
makes a session for every bidder and expert, starts gunicorn with the production config and
DJANGO_SETTINGS_MODULE=bench.settings (production URLs plus `/bench/bare`), fetches each user's CSRF
token from the page the browser would have open, then runs wrk once per scenario with
bench/wrk/rotate.lua rotating through prepared requests. Afterwards it checks that the saves landed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

from bench.run import HOST, POSTGRES_SCHEMES, SERVER_ENV, CpuMeter, Server, cpu_info, free_port, print_table  # noqa: E402

LUA = BASE_DIR / "bench" / "wrk" / "rotate.lua"
WORK_DIR = BASE_DIR / "var" / "bench" / "load"
WORKERS = 2  # the issue asks for exactly two gunicorn workers
LANGUAGE = "zh-CN,zh;q=0.9,en;q=0.6"
PAGE = {"Accept-Language": LANGUAGE, "Accept": "text/html"}
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DETAIL_SAMPLES = 1000


@dataclass
class Scenario:
    name: str
    lines: list[str]  # prepared requests, see bench/wrk/rotate.lua
    result: dict = field(default_factory=dict)

    @property
    def errors(self) -> int:
        r = self.result
        return sum(r.get(k, 0) for k in ("connect", "read", "write", "status", "timeout"))

    @property
    def rps(self) -> float:
        r = self.result
        return r["requests"] / (r["duration_us"] / 1e6) if r.get("duration_us") else 0.0


def line(method: str, path: str, headers: dict[str, str], body: str | None = None) -> str:
    fields = [method, path, body or "-", *(f"{k}: {v}" for k, v in headers.items())]
    if any("\t" in f or "\n" in f for f in fields):
        raise ValueError(f"tab or newline in a request field: {fields!r}")
    return "\t".join(fields)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--short", action="store_true", help="CI: 1,000 challenges, small actor set, 5 s per scenario")
    parser.add_argument("--check", action="store_true", help="exit 1 on any error or when the saves did not land")
    parser.add_argument("--duration", type=float, help="seconds per scenario (default 60, --short 5)")
    parser.add_argument("--warmup", type=float, help="unmeasured seconds before each scenario (default 3, --short 1)")
    parser.add_argument("--challenges", type=int, help="generated challenges (default 10,000, --short 1,000)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument(
        "--new-connections",
        action="store_true",
        help="one connection per request, as nginx without upstream keepalive does (default: keep-alive)",
    )
    parser.add_argument(
        "--recycle",
        action="store_true",
        help="keep the config's max_requests worker recycling (it drops requests: see bench/README.md)",
    )
    parser.add_argument("--only", action="append", default=[], help="run only scenarios whose name contains this")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--allow-sqlite", action="store_true", help="with --short only: a smoke run on SQLite")
    args = parser.parse_args(argv)
    args.duration = args.duration or (5 if args.short else 60)
    args.warmup = args.warmup if args.warmup is not None else (1 if args.short else 3)
    args.challenges = args.challenges or (1_000 if args.short else 10_000)
    return args


# Data and sessions (in this process) ----------------------------------------------------------


def prepare(args) -> None:
    from django.core.management import call_command

    from bench import actors, generate

    print("Migrating and topping up the data set…", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    generate.ensure(args.challenges)
    actors.ensure(actors.SHORT if args.short else actors.FULL)


def session_for(user) -> str:
    """A logged-in session as `django.contrib.auth.login` stores it; the cookie value is its key."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    backend = next(b for b in settings.AUTHENTICATION_BACKENDS if b.endswith("ModelBackend"))
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = backend
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def targets(short: bool) -> dict:
    from bench import actors
    from challenges.models import Challenge
    from submissions.models import Bid

    published = list(
        Challenge.objects.filter(status=Challenge.Status.PUBLISHED).order_by("?").values_list("pk", flat=True)[:DETAIL_SAMPLES]
    )
    bids = list(
        Bid.objects.filter(status=Bid.Status.DRAFT, created_by__email__startswith="load-bidder")
        .select_related("created_by")
        .order_by("pk")
    )
    assignments = list(
        actors.open_assignments().select_related("expert__user", "item__round__rubric").order_by("item__round_id", "pk")
    )
    criteria = {}
    for a in assignments:
        rubric = a.item.round.rubric
        if rubric.pk not in criteria:
            criteria[rubric.pk] = list(rubric.criteria.order_by("position", "pk"))
    return {"published": published, "bids": bids, "assignments": assignments, "criteria": criteria}


# Over HTTP ------------------------------------------------------------------------------------


def get_page(port: int, path: str, cookie: str) -> tuple[int, str, str]:
    """GET as the browser would: the page's status, its CSRF form token and the csrftoken cookie."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", path, headers={**PAGE, "Cookie": cookie})
        response = conn.getresponse()
        body = response.read().decode("utf-8", "replace")
        cookie_value = ""
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith("csrftoken="):
                cookie_value = value.split(";", 1)[0].split("=", 1)[1]
        match = CSRF_INPUT.search(body)
        return response.status, match.group(1) if match else "", cookie_value
    finally:
        conn.close()


def browser_of(port: int, user, page: str, cache: dict) -> tuple[str, str]:
    """(Cookie header, CSRF token) of a user who has `page` open; one per user, as one browser."""
    if user.pk not in cache:
        session = session_for(user)
        status, token, csrf_cookie = get_page(port, page, f"sessionid={session}")
        if status != 200 or not token or not csrf_cookie:
            raise RuntimeError(f"GET {page} as {user.email}: HTTP {status}, no CSRF token in the page or cookie")
        cache[user.pk] = (f"sessionid={session}; csrftoken={csrf_cookie}", token)
    return cache[user.pk]


def bid_lines(port: int, bids, marker: str, cache: dict) -> list[str]:
    """The autosave the bid editor sends: htmx POSTs the "approach" section form on change."""
    from django.urls import reverse

    text = (
        f"{marker} 采用物理气相传输法生长 8 英寸碳化硅单晶，新型籽晶托与温场设计把微管密度降到 0.1/cm² 以下。"
        "Physical vapour transport growth with a new seed holder and thermal field. " * 8
    )
    out = []
    for bid in bids:
        edit = reverse("frontend:bid_edit", args=[bid.pk])
        cookie, token = browser_of(port, bid.created_by, edit, cache)
        body = urlencode(
            {
                "csrfmiddlewaretoken": token,
                "approach-title": bid.title,
                "approach-technical_approach": text,
                "approach-team_description": "十二名工程师，两名教授。Twelve engineers, two professors.",
                "approach-prior_achievements": "授权发明专利 5 件。Five granted invention patents.",
            }
        )
        headers = {
            **PAGE,
            "Cookie": cookie,
            "Content-Type": "application/x-www-form-urlencoded",
            "HX-Request": "true",
            "HX-Target": "section-approach",
            "HX-Current-URL": f"http://{HOST}:{port}{edit}",
        }
        out.append(line("POST", reverse("frontend:bid_section", args=[bid.pk, "approach"]), headers, body))
    return out


def review_lines(port: int, assignments, criteria: dict, marker: str, cache: dict) -> list[str]:
    """The assignment page's "Save draft" button: a plain form POST answered with a redirect."""
    from django.urls import reverse

    out = []
    for n, a in enumerate(assignments):
        page = reverse("frontend:assignment_detail", args=[a.pk])
        cookie, token = browser_of(port, a.expert.user, page, cache)
        data = {"csrfmiddlewaretoken": token, "comment": f"{marker} 总体方案可行，指标有依据。Sound plan.", "action": "draft"}
        for c in criteria[a.item.round.rubric_id]:
            data[f"criterion_{c.pk}"] = str(c.min_score + (n + c.pk) % (c.max_score - c.min_score + 1))
            data[f"comment_{c.pk}"] = "论证充分。Well argued."
        headers = {**PAGE, "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
        out.append(line("POST", reverse("frontend:assignment_review", args=[a.pk]), headers, urlencode(data)))
    return out


def run_wrk(port: int, scenario: Scenario, seconds: float, args, path: Path) -> dict:
    # platform/nginx.conf has no upstream keepalive: nginx opens a connection per request.
    suffix = "\tConnection: close" if args.new_connections else ""
    path.write_text("".join(f"{request}{suffix}\n" for request in scenario.lines), encoding="utf-8")
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        f"http://{HOST}:{port}",
        "--",
        str(path),
        str(args.threads),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    for out_line in done.stdout.splitlines():
        if out_line.startswith("WRK_RESULT "):
            return json.loads(out_line.removeprefix("WRK_RESULT "))
    raise RuntimeError(f"wrk gave no result (exit {done.returncode}): {done.stderr.strip() or done.stdout[-500:]}")


def covered(spans: list[list[int]], total: int) -> int:
    """How many different lines the wrk threads sent, from each thread's (first line, requests sent)."""
    seen = set()
    for first, sent in spans:
        seen.update((first + i) % total for i in range(min(sent, total)))
    return len(seen)


# Checks ----------------------------------------------------------------------------------------


def landed(data: dict, marker: str) -> dict[str, int]:
    from reviews.models import Review
    from submissions.models import Bid

    bid_ids = [b.pk for b in data["bids"]]
    assignment_ids = [a.pk for a in data["assignments"]]
    return {
        "bids": Bid.objects.filter(pk__in=bid_ids, technical_approach__startswith=marker).count(),
        "reviews": Review.objects.filter(assignment__in=assignment_ids, comment__startswith=marker).count(),
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print("bench/load.py needs wrk: apt-get install wrk (Debian/Ubuntu), brew install wrk (macOS).", file=sys.stderr)
        return 2
    database_url = os.environ.get("DATABASE_URL", "")
    if urlsplit(database_url).scheme.split("+")[0] not in POSTGRES_SCHEMES and not (args.short and args.allow_sqlite):
        print(
            "bench/load.py: DATABASE_URL must point at PostgreSQL (a database of its own), e.g.\n"
            "  createdb -h 127.0.0.1 -U postgres bounty_load\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/bounty_load make bench",
            file=sys.stderr,
        )
        return 2

    os.chdir(BASE_DIR)
    # The server's settings here too: the sessions made below carry a hash keyed by SECRET_KEY.
    os.environ.update(SERVER_ENV)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.db import connections
    from django.urls import reverse

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.perf_counter()
    prepare(args)
    data = targets(args.short)
    if not data["published"] or not data["bids"] or not data["assignments"]:
        print("bench/load.py: no published challenge, draft bid or open assignment to load", file=sys.stderr)
        return 1
    marker = f"[load {uuid.uuid4().hex[:10]}]"
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    server = Server(
        free_port(),
        WORK_DIR / "gunicorn.log",
        {"WEB_CONCURRENCY": str(WORKERS), "DJANGO_SETTINGS_MODULE": "bench.settings"},
        [] if args.recycle else ["--max-requests", "0"],
    )
    scenarios: list[Scenario] = []
    try:
        print(f"Starting gunicorn on {HOST}:{server.port} (log: {server.log_path.relative_to(BASE_DIR)})…", flush=True)
        server.start()
        server.wait_ready()
        meter = CpuMeter(server.process.pid)
        cache: dict = {}
        page_lines = lambda paths: [line("GET", p, PAGE) for p in paths]  # noqa: E731
        challenges = reverse("frontend:challenge_list")
        search = f"{challenges}?{{}}"
        wanted = [
            ("bare Django view", lambda: page_lines([reverse("bench_bare")])),
            ("list /challenges/", lambda: page_lines([challenges])),
            ("search zh q=碳化硅", lambda: page_lines([search.format(urlencode({"q": "碳化硅"}))])),
            ("search en q=lithium battery", lambda: page_lines([search.format(urlencode({"q": "lithium battery"}))])),
            (
                f"detail ({len(data['published'])} pages)",
                lambda: page_lines(reverse("frontend:challenge_detail", args=[pk]) for pk in data["published"]),
            ),
            (
                f"bid draft save ({len(data['bids'])} bids)",
                lambda: bid_lines(server.port, data["bids"], marker, cache),
            ),
            (
                f"review draft save ({len(data['assignments'])} assignments)",
                lambda: review_lines(server.port, data["assignments"], data["criteria"], marker, cache),
            ),
        ]
        # The bare view always runs: every other figure is also given relative to it.
        chosen = [(n, b) for n, b in wanted if n.startswith("bare") or not args.only or any(o in n for o in args.only)]
        scenarios = [Scenario(name, build()) for name, build in chosen]
        connections.close_all()  # nothing of ours holds the database during the load
        for number, scenario in enumerate(scenarios):
            if not server.alive():
                raise RuntimeError("gunicorn stopped during the run")
            path = WORK_DIR / f"scenario-{number}.tsv"
            print(f"  {scenario.name}: {args.warmup:g} s warm-up, then {args.duration:g} s…", flush=True)
            if args.warmup:
                run_wrk(server.port, scenario, args.warmup, args, path)
            meter.start()
            scenario.result = run_wrk(server.port, scenario, args.duration, args, path)
            cpu = meter.stop()
            scenario.result["load"] = os.getloadavg()[0]
            if cpu and scenario.result["requests"]:
                scenario.result["app_cpu_ms"] = (cpu.server_ms - cpu.database_ms) / scenario.result["requests"]
                scenario.result["db_cpu_ms"] = cpu.database_ms / scenario.result["requests"]
    except (RuntimeError, OSError, http.client.HTTPException, subprocess.TimeoutExpired) as exc:
        print(f"bench/load.py: {exc}\n--- gunicorn log (tail) ---\n{server.log_tail()}", file=sys.stderr)
        return 1
    finally:
        server.stop()

    saves = landed(data, marker)
    bare = scenarios[0].rps if scenarios and scenarios[0].name.startswith("bare") else 0.0
    print()
    print("== Load test: wrk against gunicorn ==")
    print(f"machine   : {cpu_info()}; uptime load after each scenario in the table")
    print(f"server    : gunicorn, {WORKERS} workers × {os.environ.get('GUNICORN_THREADS', '2')} threads, DEBUG=0, bench.settings")
    print(f"database  : {connections['default'].vendor}, {args.challenges:,} generated challenges")
    print(
        f"load      : wrk -t{args.threads} -c{args.connections}, {args.warmup:g} s warm-up + {args.duration:g} s per scenario, "
        f"{'a new connection per request (as nginx)' if args.new_connections else 'keep-alive connections'}"
    )
    print()
    rows = []
    for s in scenarios:
        r = s.result
        rows.append(
            [
                s.name,
                str(args.connections),
                f"{r['requests']:,}",
                f"{s.rps:.1f}",
                f"{r['p50_us'] / 1000:.1f}",
                f"{r['p95_us'] / 1000:.1f}",
                f"{r['p99_us'] / 1000:.1f}",
                f"{s.errors:,}",
                f"{s.rps / bare:.3f}" if bare else "-",
                f"{r['app_cpu_ms']:.1f}" if "app_cpu_ms" in r else "-",
                f"{r['db_cpu_ms']:.1f}" if "db_cpu_ms" in r else "-",
                f"{r['load']:.2f}",
            ]
        )
    headers = ["scenario", "conns", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "÷ bare", "app cpu", "db cpu"]
    headers.append("load")
    print_table(headers, rows)
    failures = []
    for s in scenarios:
        if s.errors:
            kinds = {k: s.result[k] for k in ("connect", "read", "write", "status", "timeout") if s.result[k]}
            failures.append(f"{s.name}: {s.errors} errors {kinds} (status = HTTP 4xx/5xx)")
    for kind, scenario in (("bids", "bid draft save"), ("reviews", "review draft save")):
        s = next((s for s in scenarios if s.name.startswith(scenario)), None)
        if s is None:
            continue
        sent = covered(s.result["spans"], len(s.lines))
        # Requests still in flight when wrk stopped may or may not have been saved.
        expected = max(1, sent - args.connections)
        print(f"\n{scenario}: {saves[kind]} of {len(s.lines)} {kind} carry this run's text ({sent} were sent)", end="")
        if saves[kind] < expected:
            failures.append(f"{scenario}: only {saves[kind]} {kind} saved, expected at least {expected}")
    print(
        "\n\n÷ bare: req/s relative to the bare Django view. app cpu / db cpu: CPU ms per request of the gunicorn "
        "workers / of their PostgreSQL backends (hardly affected by other programs, unlike req/s and latency). "
        f"load: 1-minute load average after the scenario. Whole run {time.perf_counter() - started:.0f} s."
    )
    for failure in failures:
        print(f"FAIL {failure}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "connections": args.connections,
                    "threads": args.threads,
                    "duration": args.duration,
                    "challenges": args.challenges,
                    "results": [{"scenario": s.name, "rps": round(s.rps, 2), "errors": s.errors, **s.result} for s in scenarios],
                    "saves": saves,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    return 1 if failures and args.check else 0


if __name__ == "__main__":
    sys.exit(main())

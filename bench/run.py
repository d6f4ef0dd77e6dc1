"""Load benchmark of the public challenge pages (and the API when it exists) behind real gunicorn.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bounty_bench .venv/bin/python bench/run.py
    make bench BENCH_ARGS="--short"

It migrates, tops the generated data set up (see bench/generate.py), starts gunicorn on a free
port of 127.0.0.1, warms each scenario up, then runs a fixed-duration load with a few keep-alive
client threads per scenario and prints requests, errors, throughput and latency percentiles.
It prints figures; it does not pass or fail (it exits 1 only if the server cannot be started).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import unicodedata
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "postgis"}
HOST = "127.0.0.1"  # the benchmark only ever talks to this machine
SERVER_ENV = {
    "WEB_CONCURRENCY": "2",
    "DEBUG": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECRET_KEY": "bench-only-secret-key-of-sufficient-length-123456",
}
SLOW_P95_MS = 300
MAX_REQUESTS_PER_THREAD = 200_000  # a bound on every load loop, whatever the duration
PAGE_HEADERS = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.6", "Accept": "text/html"}
API_HEADERS = {"Accept": "application/json"}


@dataclass
class Scenario:
    name: str
    paths: list[str]
    headers: dict[str, str] = field(default_factory=lambda: dict(PAGE_HEADERS))
    queries: str = "-"  # SQL queries per request, measured in-process before the load


@dataclass
class Result:
    scenario: Scenario
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    statuses: Counter
    reconnects: int = 0
    restarts: int = 0  # gunicorn workers recycled (max_requests) during the measured load
    cpu: CpuUse | None = None

    @property
    def server_cpu_per_request(self) -> float | None:
        return self.cpu.server_ms / self.requests if self.cpu and self.requests else None

    @property
    def database_cpu_per_request(self) -> float | None:
        return self.cpu.database_ms / self.requests if self.cpu and self.requests else None

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))  # nearest rank
        return ordered[rank]


# Small helpers ----------------------------------------------------------------------------------


def url(path: str, **params) -> str:
    return f"{path}?{urlencode(params)}" if params else path


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, size: int, right: bool = False) -> str:
    gap = " " * max(0, size - width(text))
    return gap + text if right else text + gap


def print_table(headers: list[str], rows: list[list[str]], right_from: int = 1) -> None:
    sizes = [max(width(h), *(width(r[i]) for r in rows)) if rows else width(h) for i, h in enumerate(headers)]
    print("  ".join(pad(h, sizes[i], i >= right_from) for i, h in enumerate(headers)))
    print("  ".join("-" * s for s in sizes))
    for row in rows:
        print("  ".join(pad(c, sizes[i], i >= right_from) for i, c in enumerate(row)))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def cpu_info() -> str:
    usable = usable_cores()
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split("\n", 1)[0].split()[1])
        memory = f", {kib / 1024 / 1024:.1f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    load = ", load avg {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()) if hasattr(os, "getloadavg") else ""
    return f"{usable} usable of {os.cpu_count()} cores{f' ({model})' if model else ''}{memory}{load}"


def request(port: int, path: str, headers: dict[str, str], timeout: float = 30) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# The server ------------------------------------------------------------------------------------


class Server:
    """gunicorn with the platform's own config, bound to 127.0.0.1 only, logging to a file."""

    def __init__(self, port: int, log_path: Path, extra_env: dict[str, str], extra_args: list[str] = ()):
        self.port = port
        self.extra_args = list(extra_args)
        self.log_path = log_path
        self.extra_env = extra_env
        self.process: subprocess.Popen | None = None
        self._log = None

    def start(self) -> None:
        gunicorn = Path(sys.executable).parent / "gunicorn"
        if not gunicorn.exists():
            gunicorn = BASE_DIR / ".venv" / "bin" / "gunicorn"
        env = {**os.environ, **SERVER_ENV, **self.extra_env, "PORT": str(self.port)}
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("wb")
        command = [
            str(gunicorn),
            "config.wsgi:application",
            "-c",
            "platform/gunicorn.conf.py",
            # The config binds 0.0.0.0 for containers; a benchmark listens on loopback only.
            "--bind",
            f"{HOST}:{self.port}",
            *self.extra_args,
        ]
        self.process = subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait_ready(self, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"gunicorn exited with code {self.process.returncode}")
            try:
                status, body = request(self.port, "/healthz", {"Accept": "application/json"}, timeout=5)
                health = json.loads(body or b"{}")
                # 503 only says the broker is down: the pages need just the database.
                if health.get("database") == "ok":
                    return health
                last = f"HTTP {status}: {health}"
            except (OSError, http.client.HTTPException, ValueError) as exc:
                last = f"{type(exc).__name__}: {exc}"
            time.sleep(0.25)
        raise RuntimeError(f"gunicorn not ready after {timeout:.0f} s ({last})")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # graceful: the master stops its workers
            try:
                self.process.wait(timeout=35)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # the session we started, nothing else
                self.process.wait(timeout=10)
        if self._log:
            self._log.close()

    def log_position(self) -> int:
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0

    def restarts_since(self, position: int) -> int:
        """Workers gunicorn recycled since `position` of its log (max_requests reached)."""
        try:
            with self.log_path.open("rb") as log:
                log.seek(position)
                return log.read().count(b"Autorestarting worker")
        except OSError:
            return 0

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


# Who else uses the CPU ---------------------------------------------------------------------------


def _machine_ticks() -> tuple[int, int] | None:
    """(busy, total) clock ticks of all CPUs since boot, from /proc/stat; None off Linux."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    total = sum(values[:8])  # guest time is already counted in user
    return total - idle, total


def _process_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, ValueError, IndexError):
        return 0


def _children(pid: int) -> set[int]:
    try:
        return {int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
    except (OSError, ValueError):
        return set()


@dataclass
class CpuUse:
    machine_pct: float  # all CPUs, busy share during the load
    other_pct: float  # share taken by programs other than the benchmark
    server_ms: float  # CPU time of gunicorn and its PostgreSQL backends
    database_ms: float  # of which the PostgreSQL backends
    client_ms: float  # CPU time of this process (the client threads)


class CpuMeter:
    """CPU used during a scenario: by the server side, by the clients, and by everything else.

    The server side is the gunicorn master and workers and the PostgreSQL backends connected to
    the benchmark database; a sampler thread follows them every half second, so workers recycled
    during the load are counted too. Server CPU per request hardly depends on what else runs on the
    machine, unlike latency and throughput: it is the figure to compare on a busy machine.
    """

    def __init__(self, server_pid: int):
        self.server_pid = server_pid
        self._db_pids: set[int] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _server_pids(self) -> set[int]:
        pids = {self.server_pid, *_children(self.server_pid)}
        return pids | self._database_pids()

    def _database_pids(self) -> set[int]:
        pids = set()
        try:
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
                pids = {row[0] for row in cursor.fetchall()}
        except Exception:  # noqa: S110 - SQLite, or no permission: count without the backends
            pass
        self._db_pids |= pids
        return pids

    def _sample(self) -> None:
        for pid in self._server_pids():
            ticks = _process_ticks(pid)
            if ticks:
                self._base.setdefault(pid, 0)  # born during the load: all of its CPU counts
                self._last[pid] = ticks

    def _sampler(self) -> None:
        from django.db import connection

        try:
            while not self._stop.wait(0.5):
                self._sample()
        finally:
            connection.close()

    def start(self) -> None:
        self._machine = _machine_ticks()
        self._client = _process_ticks(os.getpid())
        self._base = {pid: _process_ticks(pid) for pid in self._server_pids()}
        self._last = dict(self._base)
        self._stop.clear()
        self._thread = threading.Thread(target=self._sampler, daemon=True)
        self._thread.start()

    def stop(self) -> CpuUse | None:
        machine = _machine_ticks()
        client = _process_ticks(os.getpid()) - self._client
        self._stop.set()
        self._thread.join(timeout=10)
        self._sample()
        try:
            from django.db import connection

            connection.close()
        except Exception:  # noqa: S110
            pass
        if machine is None or self._machine is None:
            return None
        used = {pid: max(0, self._last[pid] - self._base.get(pid, 0)) for pid in self._last}
        server = sum(used.values())
        database = sum(ticks for pid, ticks in used.items() if pid in self._db_pids)
        busy, total = machine[0] - self._machine[0], machine[1] - self._machine[1]
        if total <= 0:
            return None
        per_tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
        return CpuUse(
            machine_pct=100 * busy / total,
            other_pct=100 * max(0, busy - server - client) / total,
            server_ms=server * per_tick_ms,
            database_ms=database * per_tick_ms,
            client_ms=client * per_tick_ms,
        )


def wait_for_quiet(max_wait: float, threshold: float = 25.0) -> float | None:
    """Wait (at most max_wait s) until the machine is less than threshold % busy; returns the last %."""
    deadline = time.monotonic() + max_wait
    busy_pct, told = None, False
    while True:
        before = _machine_ticks()
        time.sleep(1)
        after = _machine_ticks()
        if before is None or after is None:
            return None
        busy_pct = 100 * (after[0] - before[0]) / max(1, after[1] - before[1])
        if busy_pct < threshold or time.monotonic() >= deadline:
            return busy_pct
        if not told:
            print(f"    machine {busy_pct:.0f}% busy with other work: waiting up to {max_wait:.0f} s…", flush=True)
            told = True


# The load --------------------------------------------------------------------------------------


def run_load(port: int, scenario: Scenario, duration: float, concurrency: int, seed: int = 0) -> Result:
    """`concurrency` threads, each on its own keep-alive connection, GET until the deadline."""
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    statuses: list[Counter] = [Counter() for _ in range(concurrency)]
    reconnects = [0] * concurrency
    start = time.perf_counter()
    deadline = start + duration

    def client(index: int) -> None:
        rng = random.Random(seed * 1000 + index)  # noqa: S311 - picks pages, not secrets
        conn, reused = None, False
        mine, counts = latencies[index], statuses[index]
        for _ in range(MAX_REQUESTS_PER_THREAD):
            if time.perf_counter() >= deadline:
                break
            path = scenario.paths[rng.randrange(len(scenario.paths))]
            began = time.perf_counter()
            for attempt in (1, 2):
                if conn is None:
                    conn, reused = http.client.HTTPConnection(HOST, port, timeout=30), False
                try:
                    conn.request("GET", path, headers=scenario.headers)
                    response = conn.getresponse()
                    response.read()
                    outcome, reused = response.status, True
                    if response.will_close:
                        conn.close()
                        conn = None
                    break
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    conn = None
                    stale = isinstance(exc, http.client.RemoteDisconnected | ConnectionResetError | BrokenPipeError)
                    if stale and reused and attempt == 1:
                        # The server closed a kept-alive connection (a worker recycled after
                        # max_requests): retry once on a new one, as browsers do.
                        reconnects[index] += 1
                        continue
                    outcome = type(exc).__name__
                    break
            mine.append((time.perf_counter() - began) * 1000)
            counts[outcome] += 1
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + 60)
    elapsed = time.perf_counter() - start
    merged_latencies = [x for part in latencies for x in part]
    merged = sum(statuses, Counter())
    errors = sum(n for status, n in merged.items() if status != 200)
    return Result(scenario, len(merged_latencies), errors, elapsed, merged_latencies, merged, sum(reconnects))


# Django-side work (in this process: data, sample ids, query counts) ----------------------------


def prepare_database(args) -> dict:
    from django.core.management import call_command
    from django.db import connection

    print("Migrating…", flush=True)
    call_command("migrate", interactive=False, verbosity=0)

    from bench import generate
    from challenges.models import Challenge, Indicator

    if args.reset:
        generate.reset()
    generated = generate.ensure(args.challenges, seed=args.seed)

    published = list(
        Challenge.objects.filter(status=Challenge.Status.PUBLISHED)
        .order_by("?")
        .values_list("pk", flat=True)[: args.detail_samples]
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'challenge_search_trgm'")
            trigram = "present" if cursor.fetchone() else "MISSING"
        else:
            version, trigram = f"{connection.vendor} {connection.Database.sqlite_version}", "n/a"
    return {
        "vendor": connection.vendor,
        "version": version,
        "trigram": trigram,
        "total": Challenge.objects.count(),
        "public": Challenge.objects.public().count(),
        "open": Challenge.objects.open_for_bids().count(),
        "generated": generated,
        "indicators": Indicator.objects.count(),
        "published_ids": [str(pk) for pk in published],
    }


def api_token() -> str | None:
    """A token for one generated applicant user, for an API that needs authentication."""
    try:
        from rest_framework.authtoken.models import Token

        from accounts.models import User
        from bench.generate import EMAIL_DOMAIN

        user = User.objects.filter(email=f"org001-admin@{EMAIL_DOMAIN}").first()
        return Token.objects.get_or_create(user=user)[0].key if user else None
    except Exception as exc:  # the API app is being built: report, don't crash
        print(f"  (no API token: {type(exc).__name__}: {exc})")
        return None


def measure_queries(scenarios: list[Scenario], explain: bool) -> dict[str, dict]:
    """Queries per request for each scenario's first path, through Django's test client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    profiles = {}
    for scenario in scenarios:
        headers = {k: v for k, v in scenario.headers.items()}
        client = Client(headers=headers)
        path = scenario.paths[0]
        try:
            client.get(path)  # once to fill caches (content types, translations)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(path)
        except Exception as exc:
            scenario.queries = "err"
            profiles[scenario.name] = {"error": f"{type(exc).__name__}: {exc}"}
            continue
        timed = sorted(ctx.captured_queries, key=lambda q: float(q["time"]), reverse=True)
        scenario.queries = str(len(ctx.captured_queries))
        profiles[scenario.name] = {
            "status": response.status_code,
            "queries": len(ctx.captured_queries),
            "sql_ms": sum(float(q["time"]) for q in ctx.captured_queries) * 1000,
            "slowest": timed[0]["sql"] if timed else "",
            "slowest_ms": float(timed[0]["time"]) * 1000 if timed else 0.0,
        }
        if explain and timed and connection.vendor == "postgresql" and timed[0]["sql"].lstrip().startswith("SELECT"):
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + timed[0]["sql"])
                profiles[scenario.name]["plan"] = "\n".join(row[0] for row in cursor.fetchall())
    return profiles


# Main ------------------------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--challenges", type=int, help="generated challenges wanted (default 10000; 1000 with --short)")
    parser.add_argument("--short", action="store_true", help="CI mode: 1,000 challenges, 3 s per scenario, 4 clients")
    parser.add_argument("--duration", type=float, help="seconds of load per scenario (default 10; 3 with --short)")
    parser.add_argument("--concurrency", type=int, help="client threads (default 8; 4 with --short)")
    parser.add_argument("--warmup", type=float, help="seconds of unmeasured load before each scenario (default 1)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn WEB_CONCURRENCY (default 2)")
    parser.add_argument(
        "--no-recycle", action="store_true", help="don't recycle gunicorn workers (max_requests 0) during the run"
    )
    parser.add_argument("--detail-samples", type=int, default=200, help="published challenges the detail load picks")
    parser.add_argument("--reset", action="store_true", help="delete and regenerate the generated data set")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--quiet-wait", type=float, default=0, help="before each scenario wait up to this many s for an idle machine"
    )
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE each scenario's slowest query")
    parser.add_argument("--no-queries", action="store_true", help="skip the in-process query count")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--allow-sqlite", action="store_true", help="run without PostgreSQL (figures not comparable)")
    args = parser.parse_args(argv)
    args.challenges = args.challenges or (1_000 if args.short else 10_000)
    args.duration = args.duration or (3.0 if args.short else 10.0)
    args.concurrency = args.concurrency or (4 if args.short else 8)
    args.warmup = args.warmup if args.warmup is not None else (0.5 if args.short else 1.0)
    if args.short:
        args.detail_samples = min(args.detail_samples, 50)
    if args.duration <= 0 or args.duration > 600 or not 1 <= args.concurrency <= 64:
        parser.error("--duration must be in (0, 600] and --concurrency in [1, 64]")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    database_url = os.environ.get("DATABASE_URL", "")
    if urlsplit(database_url).scheme.split("+")[0] not in POSTGRES_SCHEMES and not args.allow_sqlite:
        print(
            "bench: DATABASE_URL must point at PostgreSQL, e.g.\n"
            "  createdb -h 127.0.0.1 -U postgres bounty_bench\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/bounty_bench make bench\n"
            "(or pass --allow-sqlite for a rough run on the embedded database; its figures are not comparable)",
            file=sys.stderr,
        )
        return 2

    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    os.chdir(BASE_DIR)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: STATIC_ROOT not collected
    django.setup()
    from django.db import connections

    # A TERM (CI timeout, kill) unwinds through `finally` so gunicorn never outlives us.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    data = prepare_database(args)
    ids = data["published_ids"]
    scenarios = [
        Scenario("list /challenges/", ["/challenges/"]),
        Scenario("search zh q=碳化硅", [url("/challenges/", q="碳化硅")]),
        Scenario("search en q=lithium battery", [url("/challenges/", q="lithium battery")]),
        Scenario(
            "filtered field+open_now+-funding",
            [url("/challenges/", field="integrated-circuits", open_now="true", ordering="-funding")],
        ),
    ]
    if ids:
        scenarios.append(Scenario(f"detail (random of {len(ids)} published)", [f"/challenges/{pk}/" for pk in ids]))

    server = Server(
        free_port(),
        BASE_DIR / "var" / "bench" / "gunicorn.log",
        {"WEB_CONCURRENCY": str(args.workers)},
        ["--max-requests", "0"] if args.no_recycle else [],
    )
    results: list[Result] = []
    skipped: list[str] = []
    profiles: dict[str, dict] = {}
    try:
        print(f"Starting gunicorn on {HOST}:{server.port} (log: {server.log_path.relative_to(BASE_DIR)})…", flush=True)
        server.start()
        health = server.wait_ready()
        meter = CpuMeter(server.process.pid)

        # The API may not exist yet, or may want a login: probe before loading it.
        api_headers = dict(API_HEADERS)
        status, _ = request(server.port, "/api/v1/challenges/", api_headers)
        if status in {401, 403}:
            token = api_token()
            if token:
                api_headers["Authorization"] = f"Token {token}"
                status, _ = request(server.port, "/api/v1/challenges/", api_headers)
        auth = " (token)" if "Authorization" in api_headers else ""
        if status == 200:
            scenarios.append(Scenario(f"api list{auth}", ["/api/v1/challenges/"], api_headers))
            scenarios.append(Scenario(f"api search{auth} q=碳化硅", [url("/api/v1/challenges/", q="碳化硅")], api_headers))
            if ids and request(server.port, f"/api/v1/challenges/{ids[0]}/", api_headers)[0] == 200:
                scenarios.append(Scenario(f"api detail{auth}", [f"/api/v1/challenges/{pk}/" for pk in ids], api_headers))
        else:
            skipped.append(f"api /api/v1/challenges/ skipped: HTTP {status}")

        if not args.no_queries:
            profiles = measure_queries(scenarios, args.explain)
        connections.close_all()  # nothing of ours holds the database during the load

        for number, scenario in enumerate(scenarios):
            if not server.alive():
                raise RuntimeError(
                    "gunicorn stopped during the run (did a recycled worker fail to boot on code edited meanwhile?)"
                )
            status, _ = request(server.port, scenario.paths[0], scenario.headers)
            print(f"  {scenario.name}: HTTP {status}, warming up, then {args.duration:g} s…", flush=True)
            if args.quiet_wait:
                wait_for_quiet(args.quiet_wait)
            if args.warmup:
                run_load(server.port, scenario, args.warmup, args.concurrency, seed=-1 - number)
            position = server.log_position()
            meter.start()
            result = run_load(server.port, scenario, args.duration, args.concurrency, seed=number)
            result.cpu = meter.stop()
            result.restarts = server.restarts_since(position)
            results.append(result)
    except (RuntimeError, OSError, http.client.HTTPException) as exc:
        if not server.alive():
            exc = f"{exc}; gunicorn is not running (exit code {server.process and server.process.returncode})"
        print(f"bench: {exc}\n--- gunicorn log (tail) ---\n{server.log_tail()}", file=sys.stderr)
        return 1
    finally:
        server.stop()

    print()
    print("== Challenge platform benchmark ==")
    print(f"machine   : {cpu_info()}")
    print(f"python    : {platform.python_version()} on {platform.platform(terse=True)}")
    print(f"database  : {data['vendor']} ({data['version']}); trigram search index {data['trigram']}")
    print(
        f"dataset   : {data['total']:,} challenges ({data['public']:,} public, {data['open']:,} open for bids; "
        f"{data['generated']:,} generated), {data['indicators']:,} indicators"
    )
    print(
        f"server    : gunicorn, {args.workers} workers × {os.environ.get('GUNICORN_THREADS', '2')} threads, "
        f"DEBUG=0, {'no worker recycling' if args.no_recycle else 'max_requests from the config'}; "
        f"health: {health.get('status')} (broker {health.get('broker')})"
    )
    print(
        f"load      : {args.concurrency} keep-alive client threads, {args.warmup:g} s warm-up + "
        f"{args.duration:g} s per scenario (client and server share this machine)"
    )
    print()
    cores = usable_cores()
    rows = []
    for r in results:
        rows.append(
            [
                r.scenario.name,
                f"{r.requests:,}",
                f"{r.errors:,}",
                f"{r.rps:.1f}",
                f"{r.percentile(50):.1f}",
                f"{r.percentile(95):.1f}",
                f"{r.percentile(99):.1f}",
                r.scenario.queries,
                f"{r.server_cpu_per_request - r.database_cpu_per_request:.1f}" if r.server_cpu_per_request else "-",
                f"{r.database_cpu_per_request:.1f}" if r.server_cpu_per_request else "-",
                f"{cores * 1000 / r.server_cpu_per_request:.0f}" if r.server_cpu_per_request else "-",
                f"{r.cpu.other_pct:.0f}%" if r.cpu else "-",
            ]
        )
    headers = ["scenario", "requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms", "queries"]
    print_table([*headers, "app cpu", "db cpu", "cpu-bound req/s", "other cpu"], rows)
    print(
        "\napp cpu / db cpu: CPU ms per request of the gunicorn workers / of their PostgreSQL backends; "
        f"cpu-bound req/s: the {cores} cores divided by their sum, the ceiling were the server alone on the "
        "machine; other cpu: share of all CPUs taken by other programs during the load."
    )
    disturbed = [r.scenario.name for r in results if r.cpu and r.cpu.other_pct > 15]
    if disturbed:
        print(
            f"\nOther programs used more than 15% of the CPUs during: {', '.join(disturbed)}; "
            "their latency and throughput are pessimistic; app and db cpu per request stay comparable "
            "(re-run on a quiet machine, or with --quiet-wait 120)."
        )
    for line in skipped:
        print(f"\n{line}")
    for r in results:
        odd = {str(k): v for k, v in r.statuses.items() if k != 200}
        if odd:
            print(f"  {r.scenario.name}: non-200 answers {odd}")
    restarts = sum(r.restarts for r in results)
    reconnects = sum(r.reconnects for r in results)
    if restarts or reconnects:
        print(
            f"\nDuring the measured load gunicorn recycled {restarts} worker(s) (max_requests in "
            f"platform/gunicorn.conf.py) and {reconnects} request(s) were retried on a new connection after "
            "the server closed a kept-alive one; their latency (worker boot included) is in the figures."
        )
    slow = [r for r in results if r.percentile(95) > SLOW_P95_MS]
    if slow:
        print(f"\np95 above {SLOW_P95_MS} ms: {', '.join(r.scenario.name for r in slow)}")
    if profiles:
        print("\nSQL per request (in-process, one request of each scenario):")
        for name, profile in profiles.items():
            if "error" in profile:
                print(f"  {name}: {profile['error']}")
                continue
            print(
                f"  {name}: HTTP {profile['status']}, {profile['queries']} queries, {profile['sql_ms']:.1f} ms SQL; "
                f"slowest {profile['slowest_ms']:.1f} ms: {profile['slowest'][:160]}"
            )
            if profile.get("plan"):
                print("    " + profile["plan"].replace("\n", "\n    "))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "dataset": {k: v for k, v in data.items() if k != "published_ids"},
                    "concurrency": args.concurrency,
                    "duration": args.duration,
                    "workers": args.workers,
                    "results": [
                        {
                            "scenario": r.scenario.name,
                            "requests": r.requests,
                            "errors": r.errors,
                            "rps": round(r.rps, 2),
                            "p50_ms": round(r.percentile(50), 2),
                            "p95_ms": round(r.percentile(95), 2),
                            "p99_ms": round(r.percentile(99), 2),
                            "queries": r.scenario.queries,
                            "server_cpu_ms_per_request": (
                                round(r.server_cpu_per_request, 2) if r.server_cpu_per_request else None
                            ),
                            "database_cpu_ms_per_request": (
                                round(r.database_cpu_per_request, 2) if r.server_cpu_per_request else None
                            ),
                            "machine_cpu_pct": round(r.cpu.machine_pct, 1) if r.cpu else None,
                            "other_cpu_pct": round(r.cpu.other_pct, 1) if r.cpu else None,
                            "client_cpu_ms": round(r.cpu.client_ms) if r.cpu else None,
                        }
                        for r in results
                    ],
                    "skipped": skipped,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Time one page in-process (Django's test client, DEBUG=0 settings) and show where the time goes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bounty_load .venv/bin/python bench/profile_page.py /challenges/
    .venv/bin/python bench/profile_page.py "/challenges/?q=碳化硅" -n 100 --profile

CPU time per request hardly depends on what else runs on the machine, so it compares commits
even on a busy one. `--profile` prints cProfile's top functions, or pyinstrument's tree when
pyinstrument is importable (it is not a dependency: install it in a scratch venv of your own).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path")
    parser.add_argument("-n", type=int, default=50, help="requests to time (default 50)")
    parser.add_argument("--language", default="zh-CN,zh;q=0.9,en;q=0.6")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)

    os.chdir(BASE_DIR)
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.signals import request_started
    from django.db import connection, reset_queries
    from django.test import Client

    # Django empties the query log when a request starts; keep it for the count below.
    request_started.disconnect(reset_queries)
    client = Client(headers={"Accept-Language": args.language, "Accept": "text/html"}, SERVER_NAME="127.0.0.1")
    first = client.get(args.path)  # fills the template and translation caches
    connection.force_debug_cursor = True
    before = len(connection.queries_log)
    client.get(args.path)
    queries = list(connection.queries_log)[before:]
    connection.force_debug_cursor = False
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(args.n):
        client.get(args.path)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"{args.path}: HTTP {first.status_code}, {len(first.content):,} bytes, {len(queries)} queries; "
        f"{1000 * wall / args.n:.1f} ms wall, {1000 * cpu / args.n:.1f} ms CPU per request (n={args.n})"
    )
    if args.profile:
        try:
            from pyinstrument import Profiler
        except ImportError:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.n):
                client.get(args.path)
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
            print(out.getvalue())
        else:
            profiler = Profiler(interval=0.0005)
            with profiler:
                for _ in range(args.n):
                    client.get(args.path)
            print(profiler.output_text(unicode=True, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
"""Where one page kind's CPU goes under load, against the bare view measured in the same run.

    python bench/cpu_per_request.py --database-url postgres://…/bench_million --notices 2000
    python bench/cpu_per_request.py --database-url … /notices/?genre=notice --rounds 3
    python bench/cpu_per_request.py --database-url … --workers 2 --threads 4 /notices/

Starts gunicorn with production settings (as bench/suite.py does, page cache off), then for each
round loads the bare view (/healthz) and then the pages with wrk (8 connections, 10 s), and
reports each run's requests per second, its ratio to the bare view of the same round, its p99,
and the CPU time a request cost each process involved, read from /proc: the gunicorn workers,
the PostgreSQL backends of the user postgres (as the suite connects), Redis (only a server on
this machine is seen) and wrk. Unlike the throughput, the CPU a request costs moves little with
the machine's load. ``--notices N`` loads N published notices' pages at random, as the suite's
notice rows do.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import suite  # the suite's server and load helpers

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue  # a backend that ended meanwhile
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


def pids(*pgrep_args: str) -> list[int]:
    found = subprocess.run(["pgrep", *pgrep_args], capture_output=True, text=True).stdout
    return [int(pid) for pid in found.split()]


def measure(base: str, paths: list[str], duration: int, server: subprocess.Popen) -> dict:
    with suite.paths_file(paths if len(paths) > 1 else paths[0]) as listed:
        suite.load(base + paths[0], 2, 8, listed)  # warm the workers' connections
        groups = {
            "gunicorn": pids("-P", str(server.pid)),
            "postgresql": pids("-f", "postgres: .*postgres "),
            "redis": pids("redis-server"),
        }
        before = {name: cpu_seconds(group) for name, group in groups.items()}
        children = os.times()
        figures = suite.load(base + paths[0], duration, 8, listed)
        after = os.times()
    requests = figures["requests_per_second"] * duration
    cpu = {name: (cpu_seconds(group) - before[name]) for name, group in groups.items()}
    cpu["wrk"] = (after.children_user + after.children_system) - (
        children.children_user + children.children_system
    )
    return {
        "requests_per_second": figures["requests_per_second"],
        "p99_ms": figures["p99_ms"],
        "errors": figures["errors"],
        "cpu_us_per_request": {
            name: round(seconds / requests * 1e6) for name, seconds in cpu.items()
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_suite")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--notices", type=int, default=0, help="notice pages read at random")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--port", type=int, default=8311)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    args = parser.parse_args()
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    env = suite.server_env(args.database_url, args.redis_url, 0, static_root)
    suite.run(suite.PYTHON, "manage.py", "collectstatic", "--noinput", "-v0", env=env)
    # What another database left in the same Redis (kept counts, say) must not be served.
    suite.clear_page_cache(env)
    paths = list(args.paths)
    if args.notices:
        ids = suite.sample(
            env,
            "from notices.models import Notice;"
            "print(*Notice.objects.published().values_list('pk', flat=True)[:20000])",
        )
        paths += [f"/notices/{pk}/" for pk in suite.random.Random(7).sample(ids, args.notices)]
    if not paths:
        raise SystemExit("name the paths to load, or --notices N")
    server = suite.start_server(args.port, env, args.workers, args.threads)
    base = f"http://127.0.0.1:{args.port}"
    rounds = []
    try:
        for _ in range(args.rounds):
            bare = measure(base, ["/healthz"], args.duration, server)
            pages = measure(base, paths, args.duration, server)
            pages["ratio"] = round(pages["requests_per_second"] / bare["requests_per_second"], 3)
            rounds.append({"bare view": bare, "pages": pages})
            print(json.dumps(rounds[-1], ensure_ascii=False), flush=True)
            time.sleep(1)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()

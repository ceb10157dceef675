#!/usr/bin/env python
"""Each of the suite's different searches timed one at a time, per case: the process's CPU,
the wall time, and the plan the engine chose.

    python bench/search_cases.py --database-url …/bench_million --out new.json
    python bench/search_cases.py --database-url … --tree /tmp/old --out old.json
    python bench/search_cases.py --compare old.json new.json

The cases are bench/suite.py's "different searches" row (``search_bench.mix_urls``: common and
rare terms of one to eight characters, without filters, with an organ, with a year and a
genre, in both orders). Each is a GET through Django's handler in this process, with the
servers' production settings and the page cache off, after one warm-up pass; a case's figures
are the best of ``--rounds``. The wall time not spent in the process is almost all
PostgreSQL's. ``--tree`` runs another checkout's code (a git worktree of an older commit) on
the same database, so that two versions can be timed in turns; ``--compare`` prints the mean
per plan of two such runs.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import suite  # the servers' settings


def time_cases(tree: Path, env: dict, rounds: int) -> dict:
    sys.path.insert(0, str(tree))
    os.chdir(tree)
    os.environ.update(env)
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    from bench.search_bench import mix_urls

    setup_test_environment()  # so that responses carry their template context
    client = Client()
    cases = {}
    for path in mix_urls():
        response = client.get(path)  # the warm-up
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        search = response.context["search"]
        cases[path] = {"plan": search.plan, "total": search.total, "cpu_ms": [], "wall_ms": []}
    for _ in range(rounds):
        for path, case in cases.items():
            started, cpu_started = time.perf_counter(), time.process_time()
            client.get(path)
            case["cpu_ms"].append((time.process_time() - cpu_started) * 1000)
            case["wall_ms"].append((time.perf_counter() - started) * 1000)
    for case in cases.values():
        case["cpu_ms"], case["wall_ms"] = (
            round(min(case["cpu_ms"]), 2),
            round(min(case["wall_ms"]), 2),
        )
    return cases


def compare(before: dict, after: dict) -> None:
    by_plan = defaultdict(list)
    for path in before:
        by_plan[after[path]["plan"]].append(path)
    by_plan["all"] = list(before)
    print("| plan (after) | cases | CPU ms before → after | wall ms before → after |")
    print("|---|--:|--:|--:|")
    for plan, paths in by_plan.items():
        figures = [
            statistics.mean(run[path][key] for path in paths)
            for key in ("cpu_ms", "wall_ms")
            for run in (before, after)
        ]
        print(
            f"| {plan} | {len(paths)} | {figures[0]:.1f} → {figures[1]:.1f} "
            f"| {figures[2]:.1f} → {figures[3]:.1f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_suite")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--tree", type=Path, default=suite.ROOT, help="the checkout to run")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        before, after = (json.loads(path.read_text()) for path in args.compare)
        compare(before, after)
        return
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    env = suite.server_env(args.database_url, args.redis_url, 0, static_root)
    suite.run(suite.PYTHON, "manage.py", "collectstatic", "--noinput", "-v0", env=env)
    cases = time_cases(args.tree.resolve(), env, args.rounds)
    cpu, wall = (
        statistics.mean(case[key] for case in cases.values()) for key in ("cpu_ms", "wall_ms")
    )
    print(f"{len(cases)} searches: CPU {cpu:.1f} ms, wall {wall:.1f} ms on average")
    if args.out:
        args.out.write_text(json.dumps(cases, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()

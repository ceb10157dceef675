#!/usr/bin/env python
"""Search latency against a naive LIKE scan, and the index build time.

    createdb search_bench   # or: psql -c 'create database search_bench'
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/search_bench
    python manage.py migrate
    python bench/corpus.py --count 1000000
    python bench/search_bench.py --rebuild --workers 2

With ``--rebuild`` the search index is rebuilt from scratch first (``manage.py
rebuild_search_index --full``: common grams measured, entries copied by ``--workers``
processes, gram indexes built per partition), and the build time is reported.

Queries are 2, 4 and 8 characters long, very common (phrases that are in most notices) and rare
(rare vocabulary words, random substrings of one notice's body), plus one-character ones, each
run without filters, with an organ filter and with a year + genre filter, sorted by relevance
and by date. Every case is a full GET of /search/?q=… through Django's test client (catch-up
of due notices, counts, facets, the page of results with snippets, template rendering) with
the page cache off (the filters' option lists are kept, as in production). The run is
repeated ``--repeat`` times after one warm-up pass; p50/p95/p99 are over all requests, per
class, per filter and per sort; the plan the engine chose is counted per class.

The baseline, measured in the same run, is what a portal without an index does: ``SELECT
count(*) FROM notices_notice WHERE status = 'published' AND (title LIKE '%q%' OR body LIKE
'%q%')`` for one query per class. Reports go to bench/reports/search.md and search.json.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "bench" / "reports"
SLOWEST_SHOWN = 15


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.conf import settings

    # Pages are not cached (each search runs), but the lists that every page shows are kept,
    # as in production.
    settings.PORTAL_LISTS_CACHE_SECONDS = 300
    # Loaded and frozen as the WSGI application is (config/wsgi.py): otherwise the garbage
    # collector's full collections, which walk everything loaded, land in the timings.
    import config.wsgi  # noqa: F401


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[index]


def summary(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 50) * 1000, 1),
        "p95_ms": round(percentile(values, 95) * 1000, 1),
        "p99_ms": round(percentile(values, 99) * 1000, 1),
        "max_ms": round(max(values) * 1000, 1),
    }


def pick_queries(rng: random.Random, per_class: int) -> dict[str, list[str]]:
    """Queries per class: {length}-{common|rare}."""
    from bench.corpus import PHRASES, PUNCTUATION, vocabulary
    from notices.models import Notice
    from search import text

    words = vocabulary(random.Random(1), 60_000)
    top = PHRASES[:12]
    common = {
        1: ["的", "政", "工", "公"],
        2: [phrase[:2] for phrase in top],
        4: [phrase for phrase in top if len(phrase) == 4],
        8: [a + b for a in top[:4] for b in top[:4] if len(a + b) == 8],
    }
    rare_words = words[40_000:]
    rare = {
        2: [w for w in rare_words if len(w) == 2],
        4: [w for w in rare_words if len(w) == 4],
    }
    ids = list(Notice.objects.values_list("pk", flat=True)[:5000])
    bodies = Notice.objects.filter(pk__in=rng.sample(ids, min(len(ids), per_class * 4)))
    rare[8] = []
    for body in bodies.values_list("body", flat=True):
        plain = text.plain_text(body)
        for mark in PUNCTUATION:
            plain = plain.replace(mark, "\n")
        runs = [run for run in plain.split() if len(run) >= 8]  # 8 characters, one term
        for run in runs[:1]:
            start = rng.randrange(len(run) - 7)
            rare[8].append(run[start : start + 8])
    queries = {}
    for length in (2, 4, 8):
        queries[f"{length}-common"] = rng.sample(
            common[length], min(per_class, len(common[length]))
        )
        queries[f"{length}-rare"] = rng.sample(rare[length], min(per_class, len(rare[length])))
    queries["1-common"] = common[1][:per_class]
    return queries


def filter_sets(rng: random.Random) -> dict[str, dict]:
    from notices.models import Organ

    organ = rng.choice(
        list(Organ.objects.filter(name__startswith="基准机构").values_list("pk", flat=True))
    )
    return {"none": {}, "organ": {"organ": organ}, "year+genre": {"year": 2022, "genre": "notice"}}


def all_cases(queries, filters) -> list[tuple]:
    """Every query of every class, with each set of filters, in both orders."""
    return [
        (klass, q, fname, fparams, sort)
        for klass, qs in queries.items()
        for q in qs
        for fname, fparams in filters.items()
        for sort in ("relevance", "date")
    ]


def case_url(q: str, fparams: dict, sort: str) -> str:
    return "/search/?" + urlencode({"q": q, **fparams, "sort": sort})


def mix_urls(seed: int = 3, per_class: int = 4) -> list[str]:
    """The benchmark's cases as the portal's URLs, for a load of many different searches
    (bench/suite.py): the same queries, filters and orders this script times one at a time."""
    rng = random.Random(seed)
    queries = pick_queries(rng, per_class)
    return [
        case_url(q, fparams, sort)
        for _klass, q, _fname, fparams, sort in all_cases(queries, filter_sets(rng))
    ]


def run_searches(queries, filters, repeat: int) -> dict:
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # so that responses carry their template context
    client = Client()
    timings: dict[str, list[float]] = {}
    counts: dict[str, list[str]] = {}
    plans: dict[str, dict[str, int]] = {}
    timeouts: dict[str, list[str]] = {}
    plan_of: dict[tuple, str] = {}
    timed: list[dict] = []
    cases = all_cases(queries, filters)
    for round_ in range(repeat + 1):
        for klass, q, fname, fparams, sort in cases:
            url = case_url(q, fparams, sort)
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
            assert response.status_code in (200, 503), (url, response.status_code)
            if response.status_code == 503:  # cancelled at SEARCH_TIMEOUT_MS
                timeouts.setdefault(klass, []).append(url)
                if round_ == 0:
                    continue
            elif round_ == 0:  # warm-up
                search = response.context["search"]
                shown = str(search.total) if search.exact else f"~{search.total}"
                counts.setdefault(klass, []).append(shown)
                per_plan = plans.setdefault(klass, {})
                per_plan[search.plan] = per_plan.get(search.plan, 0) + 1
                plan_of[klass, q, fname, sort] = f"{search.plan}, {shown} found"
                continue
            for key in ("all", klass, f"filter:{fname}", f"sort:{sort}"):
                timings.setdefault(key, []).append(elapsed)
            case = {"class": klass, "query": q, "filter": fname, "sort": sort}
            timed.append({**case, "ms": round(elapsed * 1000, 1)})
    slowest = sorted(timed, key=lambda row: row["ms"], reverse=True)[:SLOWEST_SHOWN]
    for row in slowest:
        row["plan"] = plan_of.get((row["class"], row["query"], row["filter"], row["sort"]), "")
    return {
        "latency": {key: summary(values) for key, values in timings.items()},
        "result_counts": counts,
        "plans": plans,
        "timeouts": timeouts,
        "slowest": slowest,
        "requests": len(cases) * repeat,
    }


def baseline(queries) -> dict:
    """The naive scan: how long counting one query per class with LIKE takes."""
    from django.db import connection

    sql_count = (
        "SELECT count(*) FROM notices_notice WHERE status = 'published' AND "
        "(title LIKE %s OR body LIKE %s)"
    )
    found = {}
    with connection.cursor() as cursor:
        for klass, qs in queries.items():
            pattern = f"%{qs[0]}%"
            started = time.perf_counter()
            cursor.execute(sql_count, [pattern, pattern])
            (count,) = cursor.fetchone()
            found[klass] = {
                "query": qs[0],
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "count": count,
            }
    times = [item["ms"] for item in found.values()]
    return {"per_class": found, "median_ms": statistics.median(times), "max_ms": max(times)}


def rebuild(workers: int) -> dict:
    from django.db import connection

    from search import index
    from search.models import CommonGram

    started = time.perf_counter()
    done = index.rebuild(batch_size=1000, workers=workers, full=True)
    seconds = time.perf_counter() - started
    print(f"index built: {done} notices in {seconds:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(pg_relation_size(indexrelid)), 0) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 'search_entry_grams%%'"
        )
        (gin_bytes,) = cursor.fetchone()
    return {
        "seconds": round(seconds, 1),
        "entries": done,
        "common_grams_left_out": CommonGram.objects.filter(indexed=False).count(),
        "gram_index_mb": round(gin_bytes / 2**20),
        "table_mb": round(partition_sizes() / 2**20),
    }


def partition_sizes() -> int:
    """Bytes of the entries' partitions with their TOAST data and indexes."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(pg_total_relation_size(inhrelid)), 0) FROM pg_inherits "
            "WHERE inhparent = 'search_searchentry'::regclass"
        )
        return cursor.fetchone()[0]


def markdown(report: dict) -> str:
    lines = [
        f"# Search benchmark: {report['notices']} notices, {report['indexed']} indexed "
        f"({report['engine']}, {report['cpus']} CPUs)",
        "",
    ]
    build = report.get("index_build")
    if build:
        lines += [
            f"Index build: {build['seconds']} s for {build['entries']} entries; "
            f"{build['common_grams_left_out']} common grams left out; gram index "
            f"{build['gram_index_mb']} MB; entries with text and indexes {build['table_mb']} MB.",
            "",
        ]
    like = report["baseline_like_scan"]
    lines += [
        "| requests | n | p50 ms | p95 ms | p99 ms | max ms | vs LIKE median |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for key, row in report["search"]["latency"].items():
        ratio = like["median_ms"] / row["p50_ms"] if row["p50_ms"] else 0
        lines.append(
            f"| {key} | {row['n']} | {row['p50_ms']} | {row['p95_ms']} | {row['p99_ms']} "
            f"| {row['max_ms']} | {ratio:.0f}× faster |"
        )
    lines += [
        "",
        "| class | LIKE query | LIKE ms | LIKE count | plans | results shown | timed out |",
        "|---|---|--:|--:|---|---|--:|",
    ]
    search = report["search"]
    for klass, row in like["per_class"].items():
        plans = ", ".join(f"{k}: {v}" for k, v in search["plans"].get(klass, {}).items())
        shown = " ".join(search["result_counts"].get(klass, [])[:6])
        timed_out = len(search["timeouts"].get(klass, []))
        lines.append(
            f"| {klass} | {row['query']} | {row['ms']} | {row['count']} | {plans} | {shown} "
            f"| {timed_out} |"
        )
    lines += ["", "Slowest requests:", "", "| ms | class | query | filter | sort | plan |"]
    lines.append("|--:|---|---|---|---|---|")
    for row in search["slowest"]:
        lines.append(
            f"| {row['ms']} | {row['class']} | {row['query']} | {row['filter']} | {row['sort']} "
            f"| {row['plan']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rebuild", action="store_true", help="rebuild the index and time it")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--per-class", type=int, default=4, help="queries per class")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    from bench.corpus import analyse_if_never_analysed
    from notices.models import Notice
    from search.models import SearchEntry

    report = {
        "engine": connection.vendor,
        "notices": Notice.objects.count(),
        "cpus": os.cpu_count(),
    }
    analyse_if_never_analysed()
    REPORTS.mkdir(parents=True, exist_ok=True)
    build_report = REPORTS / "search-build.json"
    if args.rebuild:
        report["index_build"] = rebuild(args.workers)
        build_report.write_text(json.dumps(report, indent=2) + "\n")
    elif build_report.exists():  # the last rebuild's figures, if it built this same corpus
        built = json.loads(build_report.read_text())
        if built["notices"] == report["notices"]:
            report["index_build"] = built["index_build"]
    report["indexed"] = SearchEntry.objects.count()
    rng = random.Random(args.seed)
    queries = pick_queries(rng, args.per_class)
    report["queries"] = queries
    report["search"] = run_searches(queries, filter_sets(rng), args.repeat)
    report["baseline_like_scan"] = baseline(queries)
    (REPORTS / "search.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    (REPORTS / "search.md").write_text(markdown(report))
    print(markdown(report))


if __name__ == "__main__":
    main()

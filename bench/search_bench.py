#!/usr/bin/env python
"""Search latency against a naive LIKE scan, and the index build time.

    createdb search_bench   # or: psql -c 'create database search_bench'
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/search_bench
    DEBUG=1 python manage.py migrate
    python bench/corpus.py --count 100000
    python bench/search_bench.py --rebuild --workers 2

With ``--rebuild`` the search index is emptied and rebuilt first (``index.rebuild``, what
``manage.py rebuild_search_index`` runs), and the build time is reported.

Queries are 2, 4 and 8 characters long, very common (phrases that are in most notices) and rare
(rare vocabulary words, random substrings of one notice's body), each run without filters, with
an organ filter and with a year + genre filter, sorted by relevance and by date. Every case is a
full GET of /search/?q=… through Django's test client (catch-up of due notices, capped counts,
facets, the page of results with snippets, template rendering). The run is repeated
``--repeat`` times after one warm-up pass; p50/p95/p99 are over all requests and per class.

The baseline, measured in the same run, is what a portal without an index does:
``SELECT … FROM notices_notice WHERE status = 'published' AND (title LIKE '%q%' OR body LIKE
'%q%') ORDER BY published_at DESC LIMIT 20`` plus its ``count(*)``, for one query per class.
"""

import argparse
import json
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
FOUND = re.compile(r"找到 ([0-9]+\+?) 条")


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


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
    from bench.corpus import PHRASES, vocabulary
    from notices.models import Notice
    from search import text

    words = vocabulary(random.Random(1), 60_000)
    top = PHRASES[:12]
    common = {
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
        runs = [run for run in text.plain_text(body).replace("，", "\n").split() if len(run) >= 8]
        for run in runs[:1]:
            start = rng.randrange(len(run) - 7)
            rare[8].append(run[start : start + 8])
    queries = {}
    for length in (2, 4, 8):
        queries[f"{length}-common"] = rng.sample(
            common[length], min(per_class, len(common[length]))
        )
        queries[f"{length}-rare"] = rng.sample(rare[length], min(per_class, len(rare[length])))
    return queries


def filter_sets(rng: random.Random) -> dict[str, dict]:
    from notices.models import Organ

    organ = rng.choice(
        list(Organ.objects.filter(name__startswith="基准机构").values_list("pk", flat=True))
    )
    return {"none": {}, "organ": {"organ": organ}, "year+genre": {"year": 2022, "genre": "notice"}}


def run_searches(queries, filters, repeat: int) -> dict:
    from django.test import Client

    client = Client()
    timings: dict[str, list[float]] = {}
    counts: dict[str, list[str]] = {}
    cases = [
        (klass, q, fname, fparams, sort)
        for klass, qs in queries.items()
        for q in qs
        for fname, fparams in filters.items()
        for sort in ("relevance", "date")
    ]
    for round_ in range(repeat + 1):
        for klass, q, fname, fparams, sort in cases:
            url = "/search/?" + urlencode({"q": q, **fparams, "sort": sort})
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, (url, response.status_code)
            if round_ == 0:
                shown = FOUND.search(response.content.decode())
                counts.setdefault(klass, []).append(shown.group(1) if shown else "0")
                continue  # warm-up
            for key in ("all", klass, f"filter:{fname}", f"sort:{sort}"):
                timings.setdefault(key, []).append(elapsed)
    return {
        "latency": {key: summary(values) for key, values in timings.items()},
        "result_counts": counts,
        "requests": len(cases) * repeat,
    }


def baseline(queries) -> dict:
    from django.db import connection

    sql_page = (
        "SELECT id FROM notices_notice WHERE status = 'published' AND "
        "(title LIKE %s OR body LIKE %s) ORDER BY published_at DESC LIMIT 20"
    )
    sql_count = (
        "SELECT count(*) FROM notices_notice WHERE status = 'published' AND "
        "(title LIKE %s OR body LIKE %s)"
    )
    found = {}
    with connection.cursor() as cursor:
        for klass, qs in queries.items():
            pattern = f"%{qs[0]}%"
            started = time.perf_counter()
            cursor.execute(sql_page, [pattern, pattern])
            cursor.fetchall()
            cursor.execute(sql_count, [pattern, pattern])
            (count,) = cursor.fetchone()
            found[klass] = {
                "query": qs[0],
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "count": count,
            }
    times = [item["ms"] for item in found.values()]
    return {"per_class": found, "median_ms": statistics.median(times), "max_ms": max(times)}


def rebuild(workers: int) -> float:
    from django.db import connection

    from search import index
    from search.models import PendingPublication, SearchEntry

    with connection.cursor() as cursor:
        cursor.execute(
            f"TRUNCATE {SearchEntry._meta.db_table}, {SearchEntry.topics.through._meta.db_table}, "
            f"{PendingPublication._meta.db_table}"
        )
    started = time.perf_counter()
    done = index.rebuild(batch_size=500, workers=workers)
    seconds = time.perf_counter() - started
    print(f"index built: {done} notices in {seconds:.0f} s", flush=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rebuild", action="store_true", help="rebuild the index and time it")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--per-class", type=int, default=4, help="queries per class")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--output", help="also write the report as JSON to this file")
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    from notices.models import Notice
    from search.models import SearchEntry

    report = {
        "engine": connection.vendor,
        "notices": Notice.objects.count(),
        "cpus": os.cpu_count(),
    }
    if args.rebuild:
        report["index_build_s"] = round(rebuild(args.workers), 1)
    report["indexed"] = SearchEntry.objects.count()
    rng = random.Random(args.seed)
    queries = pick_queries(rng, args.per_class)
    report["queries"] = queries
    report["search"] = run_searches(queries, filter_sets(rng), args.repeat)
    report["baseline_like_scan"] = baseline(queries)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

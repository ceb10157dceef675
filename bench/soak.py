#!/usr/bin/env python
"""The portal under steady load for minutes while editors publish: no errors, flat memory, and
every view counted.

    python bench/soak.py                    # 180 s against bench_soak (2,000 notices)
    python bench/soak.py --seconds 20       # short mode, as CI runs it

gunicorn runs with production settings, the page cache and the view counters in Redis (started
with bench/suite.py's helpers, which also build the database). For --seconds:
- --clients readers (threads) request a mix of portal pages: notice pages, home, the catalogue,
  search, an assessment and the feed; notices that appear in the catalogue join the mix;
- an editor and a reviewer (the demo accounts) publish a new notice every --publish-every
  seconds, and every fifth time a correction of an earlier one, through notices/workflow.py in
  a process of their own, each publication invalidating the page cache;
- the RSS of each gunicorn worker is sampled every second.
Then the view counters are flushed and the run fails unless: every response was a 200, the
workers at the end are those of the start (none crashed or was replaced), no worker's RSS grew by
more than --max-growth-mb after the warm-up (the first quarter of the run), and each notice's
view count in the database grew by exactly the number of its pages served. Report:
bench/reports/soak.md and soak.json.
"""

import argparse
import json
import multiprocessing
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

from suite import PYTHON, REPORTS, ROOT, prepare, run, server_env, start_server

NOTICE_LINK = re.compile(r'href="/notices/(\d+)/"')
# (kind, weight): mostly notice pages, as on a real portal.
MIX = [
    ("notice", 60),
    ("home", 10),
    ("catalogue", 10),
    ("search", 10),
    ("assessment", 5),
    ("feed", 5),
]
SEARCH_TERMS = ["政务公开", "通知", "预算", "教育", "2024", "甘政办发"]


def django_json(env: dict, code: str, data=None):
    """Run ``code`` with Django set up (``data`` as the variable DATA); return its JSON output."""
    script = (
        "import json, sys, django; django.setup(); DATA = json.load(sys.stdin)\n"
        f"{code}\nprint(json.dumps(RESULT))"
    )
    output = subprocess.run(
        [PYTHON, "-c", script],
        cwd=ROOT,
        env=env,
        input=json.dumps(data),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def view_counts(env: dict, ids) -> dict[int, int]:
    counts = django_json(
        env,
        "from notices.models import Notice\n"
        "RESULT = dict(Notice.objects.filter(pk__in=DATA).values_list('pk', 'view_count'))",
        sorted(ids),
    )
    return {int(pk): count for pk, count in counts.items()}


def publish(env: dict, seconds: float, every: float, results) -> None:
    """Publish through the workflow functions until the time is up (runs in its own process)."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from notices import workflow
    from notices.models import Notice, Organ

    users = get_user_model().objects
    editor, reviewer = users.get(username="editor"), users.get(username="reviewer")
    organ = Organ.objects.get(code="000014349")
    deadline = time.monotonic() + seconds
    published, corrected, timings, errors = [], 0, [], []
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            number = len(published) + 1
            draft = Notice(
                organ=organ,
                title=f"关于压力测试事项的通知（第{number}号）",
                genre_id="notice",
                body=f"<p>压力测试正文，第{number}号。</p>",
            )
            notice = workflow.save_draft(draft, editor)
            workflow.submit(notice, editor)
            workflow.approve(notice, reviewer)
            published.append(notice.pk)
            if number % 5 == 0:
                correction = workflow.start_correction(Notice.objects.get(pk=published[-3]), editor)
                correction.body += "<p>更正：补充说明。</p>"
                correction.change_note = "补充说明"
                workflow.save_draft(correction, editor)
                workflow.submit(correction, editor)
                workflow.approve(correction, reviewer)
                corrected += 1
        except Exception as error:  # reported, and fails the run
            errors.append(repr(error))
        timings.append(time.monotonic() - started)
        time.sleep(max(0.0, every - (time.monotonic() - started)))
    results.put(
        {"published": published, "corrected": corrected, "timings": timings, "errors": errors}
    )


class Readers:
    """Threads that read the portal until a deadline, tallying what they were served."""

    def __init__(self, base: str, notice_ids: list[int], assessment_ids: list[str]):
        self.base = base
        self.notice_ids = list(notice_ids)
        self.known = set(notice_ids)
        self.assessment_ids = assessment_ids
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.failures: Counter = Counter()
        self.views: Counter = Counter()
        self.latencies: dict[str, list[float]] = {kind: [] for kind, _ in MIX}
        self.discovered = 0

    def path(self, kind: str, rng: random.Random) -> tuple[str, int | None]:
        if kind == "notice":
            with self.lock:
                pk = rng.choice(self.notice_ids)
            return f"/notices/{pk}/", pk
        return {
            "home": "/",
            "catalogue": "/notices/" + rng.choice(["", "?genre=notice", "?page=2"]),
            "search": "/search/?q=" + urllib.parse.quote(rng.choice(SEARCH_TERMS)),
            "assessment": f"/assessments/{rng.choice(self.assessment_ids)}/",
            "feed": "/feed/",
        }[kind], None

    def read(self, seed: int, deadline: float) -> None:
        rng = random.Random(seed)
        kinds, weights = zip(*MIX, strict=True)
        while time.monotonic() < deadline:
            kind = rng.choices(kinds, weights)[0]
            path, pk = self.path(kind, rng)
            started = time.monotonic()
            try:
                with urllib.request.urlopen(self.base + path, timeout=30) as response:
                    status, body = response.status, response.read()
            except urllib.error.HTTPError as error:
                status, body = error.code, b""
            except OSError as error:
                with self.lock:
                    self.failures[f"{kind}: {type(error).__name__}"] += 1
                continue
            elapsed = time.monotonic() - started
            with self.lock:
                self.statuses[(kind, status)] += 1
                self.latencies[kind].append(elapsed)
                if pk is not None and status == 200:
                    self.views[pk] += 1
                if kind == "catalogue" and status == 200:
                    self.discover(body.decode())

    def discover(self, page: str) -> None:
        for pk in map(int, NOTICE_LINK.findall(page)):
            if pk not in self.known:
                self.known.add(pk)
                self.notice_ids.append(pk)
                self.discovered += 1


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def workers_of(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return sorted(int(pid) for pid in children)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def sample_memory(master: int, deadline: float, samples: list) -> None:
    while time.monotonic() < deadline:
        try:
            samples.append((time.monotonic(), {pid: rss_mb(pid) for pid in workers_of(master)}))
        except OSError:
            samples.append((time.monotonic(), {}))
        time.sleep(1)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_soak")
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--notices", type=int, default=2000, help="published notices to fill up to")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--publish-every", type=float, default=2.0)
    parser.add_argument("--max-growth-mb", type=float, default=20.0)
    parser.add_argument("--port", type=int, default=8321)
    parser.add_argument("--redis-db", type=int, default=12)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    args = parser.parse_args()

    static_root = tempfile.mkdtemp(prefix="bench-static-")
    env = server_env(args.database_url, f"redis://127.0.0.1:6379/{args.redis_db}", 300, static_root)
    prepare(args.database_url, args.notices, env)
    run("redis-cli", "-n", str(args.redis_db), "flushdb", capture=True)
    pool = django_json(
        env,
        "from notices.models import Notice\n"
        "RESULT = list(Notice.objects.published().values_list('pk', flat=True)[:2000])",
    )
    assessment_ids = django_json(
        env,
        "from assessments.models import Assessment\n"
        "RESULT = list(Assessment.objects.published().values_list('pk', flat=True))",
    )
    before = view_counts(env, pool)

    server = start_server(args.port, env, args.workers, args.threads)
    try:
        readers = Readers(f"http://127.0.0.1:{args.port}", pool, assessment_ids)
        start_workers = workers_of(server.pid)
        results = multiprocessing.get_context("spawn").Queue()
        publisher = multiprocessing.get_context("spawn").Process(
            target=publish, args=(env, args.seconds, args.publish_every, results)
        )
        started = time.monotonic()
        deadline = started + args.seconds
        samples: list = []
        threads = [
            threading.Thread(target=readers.read, args=(seed, deadline))
            for seed in range(args.clients)
        ]
        threads.append(threading.Thread(target=sample_memory, args=(server.pid, deadline, samples)))
        publisher.start()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        publishing = results.get(timeout=120)
        publisher.join(timeout=30)
        elapsed = time.monotonic() - started
        end_workers = workers_of(server.pid)
        run(PYTHON, "manage.py", "flush_view_counts", env=env, capture=True)
        after = view_counts(env, set(before) | set(readers.views))
        unserved = [
            pk
            for pk in publishing["published"]
            if status_of(f"{readers.base}/notices/{pk}/") != 200
        ]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(static_root, ignore_errors=True)

    lost = {
        pk: {"served": readers.views[pk], "counted": after.get(pk, 0) - before.get(pk, 0)}
        for pk in set(readers.views) | set(after)
        if after.get(pk, 0) - before.get(pk, 0) != readers.views[pk]
    }
    warm_until = started + args.seconds / 4
    warm = next((rss for when, rss in samples if when >= warm_until and rss), samples[0][1])
    last = next(rss for _, rss in reversed(samples) if rss)
    memory = [
        {
            "pid": pid,
            "after_warm_up_mb": round(warm[pid], 1),
            "end_mb": round(last.get(pid, 0), 1),
            "peak_mb": round(max(rss.get(pid, 0) for _, rss in samples), 1),
            "growth_mb": round(last.get(pid, 0) - warm[pid], 1),
        }
        for pid in sorted(warm)
    ]
    requests = sum(readers.statuses.values())
    not_ok = {
        f"{kind} {status}": n for (kind, status), n in readers.statuses.items() if status != 200
    }
    pages = [
        {
            "page": kind,
            "requests": len(times),
            "p50_ms": round(1000 * statistics.median(times), 1) if times else 0,
            "p95_ms": round(1000 * percentile(times, 0.95), 1),
            "p99_ms": round(1000 * percentile(times, 0.99), 1),
        }
        for kind, times in readers.latencies.items()
    ]
    report = {
        "seconds": round(elapsed, 1),
        "clients": args.clients,
        "requests": requests,
        "requests_per_second": round(requests / elapsed, 1),
        "not_200": not_ok,
        "client_errors": dict(readers.failures),
        "pages": pages,
        "views_served": sum(readers.views.values()),
        "views_counted": sum(after.get(pk, 0) - before.get(pk, 0) for pk in after),
        "notices_viewed": len(readers.views),
        "lost_views": lost,
        "published": len(publishing["published"]),
        "corrected": publishing["corrected"],
        "publish_p50_ms": round(1000 * statistics.median(publishing["timings"] or [0]), 1),
        "publish_errors": publishing["errors"],
        "published_not_served": unserved,
        "discovered_during_run": readers.discovered,
        "workers_same": start_workers == end_workers,
        "memory": memory,
        "memory_samples": len(samples),
    }
    write_report(report, args)
    problems = []
    if not_ok or readers.failures:
        problems.append(f"responses other than 200: {not_ok} {dict(readers.failures)}")
    if publishing["errors"] or unserved:
        problems.append(f"publication: {publishing['errors']} not served {unserved}")
    if lost:
        problems.append(f"views served and counted differ for {len(lost)} notices")
    if not report["workers_same"]:
        problems.append(f"gunicorn workers changed: {start_workers} → {end_workers}")
    grown = [row for row in memory if row["growth_mb"] > args.max_growth_mb]
    if grown:
        problems.append(f"RSS grew more than {args.max_growth_mb} MB after warm-up: {grown}")
    if problems:
        raise SystemExit("FAILED: " + "; ".join(problems))


def write_report(report: dict, args) -> None:
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / "soak.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    lines = [
        f"# Soak: {report['seconds']} s, {report['clients']} readers, a publication every "
        f"{args.publish_every} s",
        "",
        f"- requests: {report['requests']} ({report['requests_per_second']} req/s), "
        f"not 200: {report['not_200'] or 'none'}, client errors: "
        f"{report['client_errors'] or 'none'}",
        f"- views: {report['views_served']} served on {report['notices_viewed']} notices, "
        f"{report['views_counted']} counted after the flush, "
        f"{len(report['lost_views'])} notices differ",
        f"- published {report['published']} notices and {report['corrected']} corrections "
        f"meanwhile (median {report['publish_p50_ms']} ms each), "
        f"{report['discovered_during_run']} notices first seen in the catalogue during the run; "
        f"errors: {report['publish_errors'] or 'none'}",
        f"- gunicorn workers unchanged: {report['workers_same']}",
        "",
        "| page | requests | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {p['page']} | {p['requests']} | {p['p50_ms']} | {p['p95_ms']} | {p['p99_ms']} |"
            for p in report["pages"]
        ),
        "",
        "| worker | RSS after warm-up MB | end MB | peak MB | growth MB |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {m['pid']} | {m['after_warm_up_mb']} | {m['end_mb']} | {m['peak_mb']} "
            f"| {m['growth_mb']} |"
            for m in report["memory"]
        ),
    ]
    (REPORTS / "soak.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    main()

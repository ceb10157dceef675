#!/usr/bin/env python
"""The portal under load: gunicorn with production settings, driven by wrk on loopback.

    python bench/suite.py                       # full run: one million notices (takes long)
    python bench/suite.py --notices 100000      # a smaller corpus
    python bench/suite.py --small               # CI: a few thousand notices, short runs
    python bench/suite.py --rounds 3            # each page three times: the median's figures

It builds (or reuses) a PostgreSQL database with the search benchmark's corpus (bench/corpus.py),
the portal's part of it (bench/portal_corpus.py: assessments of hundreds of units, attachments)
and the demo content. A database that already holds ``--notices`` published notices is used as
it is: nothing is added but the demo and the portal corpus when they are missing (both are made
once). A freshly filled, never vacuumed or never analysed database is vacuumed and analysed
first.

Two gunicorn instances run with production settings and the same Redis for the cache and the
view counters: one with the page cache off, one with it on. Each page kind is measured with wrk
from a second process. The baseline is /healthz, a bare Django view under the same server and
settings (every middleware), measured on the same server just before each page (the machine may
be loaded by others, and its load drifts); every figure is reported with its ratio to it. Servers
run as the README deploys them: two sync workers per core (4 × 1 by default; ``--threads`` above
1 gives threaded workers, which keep connections alive). The cached pages are measured after every
one of them has been requested once (the cache is warm): the figure is that of hits. Each page's
query count comes from one request through Django's WSGI handler (bench/profile_page.py).
With ``--rounds N`` each page is run N times, each run after a baseline of its own, and the
report gives the run with the median ratio (and the range): on a shared machine one run's ratio
can be off by half. Reports go to bench/reports/suite.md and suite.json.
"""

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEARCH_PATH = "/search/?q=%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80"  # 政务公开
PYTHON = sys.executable
REPORTS = ROOT / "bench" / "reports"
LUA = ROOT / "bench" / "wrk.lua"
BASELINE = "baseline: bare view (/healthz)"
BASELINE_AGAIN = "baseline again, at the end"


def run(*args, env=None, capture=False) -> str:
    result = subprocess.run(args, cwd=ROOT, env=env, check=True, capture_output=capture, text=True)
    return result.stdout if capture else ""


def server_env(database_url: str, redis_url: str, cache_seconds: int, static_root: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_ROOT": static_root,
        "PORTAL_PAGE_CACHE_SECONDS": str(cache_seconds),
        "REDIS_URL": redis_url,
        "LOG_LEVEL": "WARNING",
    }


def django_code(env: dict, code: str) -> str:
    return run(PYTHON, "-c", f"import django; django.setup(); {code}", env=env, capture=True)


def published_count(env: dict) -> int:
    code = "from notices.models import Notice; print(Notice.objects.published().count())"
    return int(django_code(env, code).strip())


def prepare(database_url: str, notices: int, env: dict) -> int:
    """Migrate, fill the corpus up to ``notices`` if it holds fewer; return how many there are."""
    name = database_url.rsplit("/", 1)[-1]
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], capture_output=True)
    run(PYTHON, "manage.py", "migrate", "--noinput", "-v0", env=env)
    run(PYTHON, "manage.py", "load_demo", env=env, capture=True)
    count = published_count(env)
    filled = count < notices
    if filled:
        print(f"Filling the corpus: {notices - count} notices …", flush=True)
        run(PYTHON, "bench/corpus.py", "--count", str(notices - count), env=env)
        if (ROOT / "search").is_dir():
            run(PYTHON, "manage.py", "rebuild_search_index", env=env)
        count = published_count(env)
    print(run(PYTHON, "bench/portal_corpus.py", env=env, capture=True).strip(), flush=True)
    # Bodies are sealed with the servers' SECRET_KEY, as a deployment does (README), so that
    # pages show them without sanitizing them again; a corpus made elsewhere is sealed here.
    sealed = run(PYTHON, "manage.py", "seal_rich_text", env=env, capture=True).strip()
    print(sealed, flush=True)
    # Statistics for the planner, and the visibility map without which no index-only scan
    # (the catalogue's capped counts) is possible: a bulk load has neither until autovacuum
    # comes round to it.
    vacuumed = django_code(
        env,
        "from django.db import connection; c = connection.cursor(); c.execute("
        '"SELECT coalesce(last_analyze, last_autoanalyze) IS NOT NULL '
        "AND coalesce(last_vacuum, last_autovacuum) IS NOT NULL FROM pg_stat_user_tables "
        "WHERE relname = 'notices_notice'\"); print(c.fetchone()[0])",
    ).strip()
    # Bodies sealed again (a new sanitizer) leave as many dead rows, which the planner then
    # walks at the ends of the date indexes on every plan: vacuum after them too.
    resealed = not sealed.startswith("已为 0 条")
    if filled or resealed or vacuumed != "True":
        print("VACUUM ANALYZE …", flush=True)
        run("psql", "-q", "-h", "127.0.0.1", "-U", "postgres", name, "-c", "VACUUM ANALYZE")
    run(PYTHON, "manage.py", "collectstatic", "--noinput", "-v0", env=env)
    return count


def sample(env: dict, query: str) -> list[str]:
    return django_code(env, query).split()


def staff_cookie(env: dict) -> str:
    """A session for the demo site admin, so wrk can load the admin notice list."""
    code = (
        "from django.contrib.auth import get_user_model;"
        "from django.contrib.sessions.backends.db import SessionStore;"
        "user = get_user_model().objects.get(username='siteadmin');"
        "s = SessionStore(); s['_auth_user_id'] = str(user.pk);"
        "s['_auth_user_backend'] = 'django.contrib.auth.backends.ModelBackend';"
        "s['_auth_user_hash'] = user.get_session_auth_hash(); s.create(); print(s.session_key)"
    )
    return "sessionid=" + django_code(env, code).strip()


def clear_page_cache(env: dict) -> None:
    """Pages cached by an earlier run (of other code, perhaps) must not be served."""
    django_code(env, "from core import page_cache; page_cache.invalidate()")


def start_server(port: int, env: dict, workers: int, threads: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            *(PYTHON, "-m", "gunicorn", "config.wsgi"),
            *("--workers", str(workers), "--threads", str(threads)),
            *("--bind", f"127.0.0.1:{port}"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"gunicorn did not start on port {port}")


def settle(base: str, previous: dict | None) -> None:
    """Wait until the server has worked off what the previous run left queued (wrk stops
    sending, not the server serving), so that it does not count against the next page: as long
    as the slowest request took, then until the bare view answers at once."""
    if previous is not None:
        time.sleep(previous["max_ms"] / 1000)
    quick = 0
    for _ in range(600):
        started = time.monotonic()
        urllib.request.urlopen(base + "/healthz", timeout=60).read()
        quick = quick + 1 if time.monotonic() - started < 0.05 else 0
        if quick == 3:
            return
        time.sleep(0.1)


def warm(base: str, paths: list[str]) -> float:
    """Request every path once (four at a time); return the seconds it took."""
    started = time.monotonic()

    def fetch(path: str) -> None:
        with urllib.request.urlopen(base + path, timeout=60) as response:
            response.read()

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(fetch, paths))
    return time.monotonic() - started


def load(url: str, duration: int, connections: int, paths_file=None, cookie=None) -> dict:
    threads = min(2, connections)
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s"]
    args += ["-s", str(LUA)]
    if cookie:
        args += ["-H", f"Cookie: {cookie}"]
    args.append(url)
    if paths_file:
        args += ["--", paths_file]
    output = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    figures = json.loads(output.strip().splitlines()[-1])
    seconds = figures["duration_us"] / 1e6
    return {
        "requests_per_second": round(figures["requests"] / seconds, 1),
        "p50_ms": figures["p50_us"] / 1000,
        "p95_ms": figures["p95_us"] / 1000,
        "p99_ms": figures["p99_us"] / 1000,
        "max_ms": figures["max_us"] / 1000,
        "errors": figures["status_errors"] + figures["socket_errors"],
    }


def query_counts(env: dict, paths: list[str], staff_paths: list[str]) -> dict[str, int]:
    counts = {}
    for staff, chosen in ((False, paths), (True, staff_paths)):
        args = [PYTHON, "bench/profile_page.py", "--count-queries", *chosen]
        output = run(*args, *(["--staff"] if staff else []), env=env, capture=True)
        counts.update(json.loads(output))
    return counts


def listed_paths(path: str | list[str]) -> list[str]:
    return [path] if isinstance(path, str) else path


@contextlib.contextmanager
def paths_file(path: str | list[str]):
    """For a list of paths, a file of them for wrk.lua to choose from at random; else None."""
    if isinstance(path, str):
        yield None
        return
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as listed:
        listed.write("\n".join(path))
        listed.flush()
        yield listed.name


def query_range(counts: dict[str, int], paths: list[str]) -> int | str:
    fewest, most = min(counts[path] for path in paths), max(counts[path] for path in paths)
    return fewest if fewest == most else f"{fewest}–{most}"


def path_label(path: str | list[str]) -> str:
    """A path, or what a list of them shares and how many there are."""
    if isinstance(path, str):
        return path
    return f"{os.path.commonpath(path)}/… ({len(path)} at random)"


def ratio(figures: dict) -> float:
    """Throughput against the bare view measured just before (1.0 for the bare view itself)."""
    baseline = figures.get("baseline_just_before", figures["requests_per_second"]) or 1
    return round(figures["requests_per_second"] / baseline, 3)


def ratio_range(row: dict) -> str:
    ratios = sorted(r["ratio_to_baseline"] for r in row.get("rounds", [row]))
    return f"{ratios[0]}–{ratios[-1]}" if len(ratios) > 1 else str(ratios[0])


def load_average() -> str:
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_suite")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument(
        "--ports", type=int, nargs=2, default=[8301, 8302], help="without and with page cache"
    )
    parser.add_argument("--notices", type=int, default=1_000_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--detail-pages", type=int, default=2000, help="notices read at random")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="runs of each page, each after its baseline; the median (lower middle) is reported",
    )
    parser.add_argument("--small", action="store_true", help="CI: 3,000 notices, 2 s runs")
    args = parser.parse_args()
    if args.small:
        args.notices, args.duration, args.detail_pages = 3000, 2, 500
        args.database_url = args.database_url.replace("bench_suite", "bench_suite_small")
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")

    static_root = tempfile.mkdtemp(prefix="bench-static-")
    plain_env = server_env(args.database_url, args.redis_url, 0, static_root)
    cached_env = server_env(args.database_url, args.redis_url, 300, static_root)
    published = prepare(args.database_url, args.notices, plain_env)
    rng = random.Random(7)
    notice_ids = sample(
        plain_env,
        "from notices.models import Notice;"
        "print(*Notice.objects.published().values_list('pk', flat=True)[:20000])",
    )
    # The largest published assessment, and a notice in the middle of the catalogue.
    assessment_id, middle_id = sample(
        plain_env,
        "from django.db.models import Count; from notices.models import Notice;"
        "from assessments.models import Assessment;"
        "a = Assessment.objects.published().annotate(n=Count('units')).order_by('-n', 'pk')[0];"
        "n = Notice.objects.published().order_by('-published_at', '-pk');"
        f"print(a.pk, n.values_list('pk', flat=True)[{published // 2}])",
    )
    last_numbered_page = max(1, min(500, published // 20))
    detail_paths = [
        f"/notices/{pk}/" for pk in rng.sample(notice_ids, min(args.detail_pages, len(notice_ids)))
    ]
    # Many different searches: the search benchmark's queries (common and rare, one to eight
    # characters), each without filters, with an organ and with a year and a genre, in both
    # orders; beside the one search for a term in nearly every notice.
    search_paths = sample(plain_env, "from bench.search_bench import mix_urls; print(*mix_urls())")
    cookie = staff_cookie(plain_env)
    pages = [
        # name, path (or a list of paths, loaded at random), page cache, staff, connections
        (BASELINE, "/healthz", False, False, None),
        ("home", "/", False, False, None),
        ("home, page cache", "/", True, False, None),
        ("list, filtered, first page", "/notices/?genre=notice", False, False, None),
        ("list, filtered, first page, page cache", "/notices/?genre=notice", True, False, None),
        (
            f"list, page {last_numbered_page}",
            f"/notices/?page={last_numbered_page}",
            False,
            False,
            None,
        ),
        ("list, after the middle notice", f"/notices/?after={middle_id}", False, False, None),
        ("notice detail, not cached", detail_paths, False, False, None),
        ("notice detail, page cache (warm)", detail_paths, True, False, None),
        ("search", "/search/?q=%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80", False, False, None),
        (
            "search, page cache",
            "/search/?q=%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80",
            True,
            False,
            None,
        ),
        (f"search, {len(search_paths)} different searches", search_paths, False, False, None),
        ("feed", "/feed/", False, False, None),
        ("assessment page", f"/assessments/{assessment_id}/", False, False, None),
        ("sitemap (notices)", "/sitemap-notices.xml", False, False, None),
        ("admin notice list", "/admin/notices/notice/", False, True, None),
        # What an editor waits for when opening it.
        ("admin notice list, one at a time", "/admin/notices/notice/", False, True, 1),
        # Measured again at the end, to show how the machine's load drifted.
        (BASELINE_AGAIN, "/healthz", False, False, None),
    ]
    counts = query_counts(
        plain_env,
        [each for _, path, _, staff, _ in pages if not staff for each in listed_paths(path)],
        [path for _, path, _, staff, _ in pages if staff],
    )

    clear_page_cache(cached_env)
    plain_port, cached_port = args.ports
    servers = [
        start_server(port, env, args.workers, args.threads)
        for port, env in ((plain_port, plain_env), (cached_port, cached_env))
    ]
    load_before = load_average()
    try:
        results = []
        previous = None
        for name, path, use_cache, staff, connections in pages:
            connections = connections or args.connections
            base = f"http://127.0.0.1:{cached_port if use_cache else plain_port}"
            rounds = []
            for _ in range(args.rounds):
                settle(base, previous)
                adjacent = None
                if path != "/healthz":
                    # The bare view again, just before, on the same server: the machine's
                    # load changes from one minute to the next, and the ratio should not.
                    adjacent = load(base + "/healthz", max(1, args.duration // 2), connections)
                warmed = None
                if use_cache:
                    warmed = round(warm(base, listed_paths(path)), 1)
                with paths_file(path) as listed:
                    figures = load(
                        base + listed_paths(path)[0],
                        args.duration,
                        connections,
                        listed,
                        cookie if staff else None,
                    )
                if warmed is not None:
                    figures["warmed_in_s"] = warmed
                if adjacent is not None:
                    figures["baseline_just_before"] = adjacent["requests_per_second"]
                figures["ratio_to_baseline"] = ratio(figures)
                rounds.append(figures)
                previous = figures
            # The figures of the round whose ratio is the median: all of one run, measured
            # within the same minute as its baseline.
            chosen = sorted(rounds, key=lambda r: r["ratio_to_baseline"])[(len(rounds) - 1) // 2]
            row = {"page": name, "path": path_label(path), **chosen}
            row["connections"] = connections
            # A hit makes no query (tests/notices/test_page_cache.py).
            # Of many paths, the fewest and the most any of them makes (a notice with
            # attachments reads them too; a search's plan decides its queries).
            row["queries"] = 0 if use_cache else query_range(counts, listed_paths(path))
            if len(rounds) > 1:
                row["rounds"] = rounds
            results.append(row)
            rate, p99 = chosen["requests_per_second"], chosen["p99_ms"]
            print(f"{name:34} {rate:>9} req/s  p99 {p99:.1f} ms", flush=True)
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        shutil.rmtree(static_root, ignore_errors=True)

    report = {
        "notices": published,
        "duration_s": args.duration,
        "connections": args.connections,
        "gunicorn": {"workers": args.workers, "threads": args.threads},
        "detail_pages": len(detail_paths),
        "rounds": args.rounds,
        "load_average": {"before": load_before, "after": load_average()},
        "results": results,
    }
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / "suite.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    lines = [
        f"# Portal benchmark: {published} notices, {args.connections} connections, "
        f"{args.duration} s per page",
        "",
        f"gunicorn {args.workers} workers × {args.threads} threads, production settings; load "
        f"average {report['load_average']['before']} before, {report['load_average']['after']} "
        f"after. Each page's ratio is to the bare view (/healthz) measured on the same server "
        f"just before it ({max(1, args.duration // 2)} s). Notice pages: {len(detail_paths)} "
        "at random; the page cache is warmed (each page requested once) before a cached run, so "
        "its figure is that of hits, which make no query."
        + (
            f" Each page was run {args.rounds} times, each time after its own baseline: the "
            "figures are those of the run with the median ratio, beside the range of ratios."
            if args.rounds > 1
            else ""
        ),
        "",
        "| page | connections | req/s | baseline req/s | ratio | ratios of the runs | p50 ms "
        "| p95 ms | p99 ms | queries | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['page']} | {r['connections']} | {r['requests_per_second']} "
        f"| {r.get('baseline_just_before', r['requests_per_second'])} | {r['ratio_to_baseline']} "
        f"| {ratio_range(r)} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['p99_ms']:.1f} "
        f"| {r['queries']} | {sum(run['errors'] for run in r.get('rounds', [r]))} |"
        for r in results
    ]
    (REPORTS / "suite.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    if any(run["errors"] for row in results for run in row.get("rounds", [row])):
        raise SystemExit("some requests failed")


if __name__ == "__main__":
    main()

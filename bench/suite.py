#!/usr/bin/env python
"""The portal under load: gunicorn with production settings, driven by wrk on loopback.

    python bench/suite.py                       # full run: one million notices (takes long)
    python bench/suite.py --notices 100000      # a smaller corpus
    python bench/suite.py --small               # CI: a few thousand notices, short runs

It builds (or reuses) a PostgreSQL database with the search benchmark's corpus (bench/corpus.py)
plus the demo content (organs, assessments), starts two gunicorn instances with production
settings — one with the page cache off, one with it on and Redis for cache and counters — and
measures each page kind with wrk from a second process. The baseline is /healthz, a bare Django
view under the same server and settings, measured in the same run; every figure is reported with
its ratio to it. Reports go to bench/reports/suite.md and suite.json.
"""

import argparse
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
REPORTS = ROOT / "bench" / "reports"
LUA = ROOT / "bench" / "wrk.lua"


def run(*args, env=None, capture=False) -> str:
    result = subprocess.run(args, cwd=ROOT, env=env, check=True, capture_output=capture, text=True)
    return result.stdout if capture else ""


def server_env(database_url: str, cache_seconds: int, static_root: str) -> dict:
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
        "REDIS_URL": "redis://127.0.0.1:6379/14" if cache_seconds else "",
        "LOG_LEVEL": "WARNING",
    }


def prepare(database_url: str, notices: int, env: dict) -> int:
    """Migrate, load the demo and fill the corpus up to ``notices``; return how many there are."""
    name = database_url.rsplit("/", 1)[-1]
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], capture_output=True)
    run(PYTHON, "manage.py", "migrate", "--noinput", "-v0", env=env)
    run(PYTHON, "manage.py", "load_demo", env=env, capture=True)
    count = int(
        run(
            PYTHON,
            "-c",
            "import django; django.setup(); from notices.models import Notice; "
            "print(Notice.objects.published().count())",
            env=env,
            capture=True,
        ).strip()
    )
    if count < notices:
        print(f"Filling the corpus: {notices - count} notices …", flush=True)
        run(PYTHON, "bench/corpus.py", "--count", str(notices - count), env=env)
        if (ROOT / "search").is_dir():
            run(PYTHON, "manage.py", "rebuild_search_index", env=env)
    run(PYTHON, "manage.py", "collectstatic", "--noinput", "-v0", env=env)
    return max(count, notices)


def sample(env: dict, query: str) -> list[str]:
    code = f"import django; django.setup(); {query}"
    return run(PYTHON, "-c", code, env=env, capture=True).split()


def staff_cookie(env: dict) -> str:
    """A session for the demo site admin, so wrk can load the admin notice list."""
    code = (
        "import django; django.setup();"
        "from django.contrib.auth import get_user_model;"
        "from django.contrib.sessions.backends.db import SessionStore;"
        "user = get_user_model().objects.get(username='siteadmin');"
        "s = SessionStore(); s['_auth_user_id'] = str(user.pk);"
        "s['_auth_user_backend'] = 'django.contrib.auth.backends.ModelBackend';"
        "s['_auth_user_hash'] = user.get_session_auth_hash(); s.create(); print(s.session_key)"
    )
    return "sessionid=" + run(PYTHON, "-c", code, env=env, capture=True).strip()


def start_server(port: int, env: dict) -> subprocess.Popen:
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "config.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}"],
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


def load(url: str, duration: int, connections: int, paths_file=None, cookie=None) -> dict:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(LUA)]
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
        "errors": figures["status_errors"] + figures["socket_errors"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_suite")
    parser.add_argument("--notices", type=int, default=1_000_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--small", action="store_true", help="CI mode: 3,000 notices, 2 s runs")
    args = parser.parse_args()
    if args.small:
        args.notices, args.duration = 3000, 2
        args.database_url = args.database_url.replace("bench_suite", "bench_suite_small")
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")

    static_root = tempfile.mkdtemp(prefix="bench-static-")
    plain_env = server_env(args.database_url, 0, static_root)
    cached_env = server_env(args.database_url, 300, static_root)
    published = prepare(args.database_url, args.notices, plain_env)
    deep_page = max(2, min(400, published // 40))
    rng = random.Random(7)
    notice_ids = sample(
        plain_env,
        "from notices.models import Notice;"
        "print(*Notice.objects.published().values_list('pk', flat=True)[:20000])",
    )
    assessment_ids = sample(
        plain_env,
        "from assessments.models import Assessment;"
        "print(*Assessment.objects.published().values_list('pk', flat=True))",
    )
    detail_paths = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False)  # noqa: SIM115
    detail_paths.write(
        "\n".join(f"/notices/{pk}/" for pk in rng.sample(notice_ids, min(2000, len(notice_ids))))
    )
    detail_paths.close()
    cookie = staff_cookie(plain_env)

    plain = start_server(8301, plain_env)
    cached = start_server(8302, cached_env)
    try:
        base, base_cached = "http://127.0.0.1:8301", "http://127.0.0.1:8302"
        pages = [
            ("baseline: bare view (/healthz)", f"{base}/healthz", None, None),
            ("home", f"{base}/", None, None),
            ("list, filtered, first page", f"{base}/notices/?genre=notice", None, None),
            ("list, deep page", f"{base}/notices/?page={deep_page}", None, None),
            ("notice detail, not cached", base, detail_paths.name, None),
            ("notice detail, page cache", base_cached, detail_paths.name, None),
            ("search", f"{base}/search/?q=%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80", None, None),
            ("feed", f"{base}/feed/", None, None),
            ("assessment page", f"{base}/assessments/{assessment_ids[-1]}/", None, None),
            ("sitemap (notices)", f"{base}/sitemap-notices.xml", None, None),
            ("admin notice list", f"{base}/admin/notices/notice/", None, cookie),
        ]
        results = []
        for name, url, paths_file, page_cookie in pages:
            figures = load(url, args.duration, args.connections, paths_file, page_cookie)
            results.append({"page": name, "url": url, **figures})
            rate, p95 = figures["requests_per_second"], figures["p95_ms"]
            print(f"{name:34} {rate:>9} req/s  p95 {p95:.1f} ms", flush=True)
    finally:
        for server in (plain, cached):
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        os.unlink(detail_paths.name)
        shutil.rmtree(static_root, ignore_errors=True)

    baseline = results[0]["requests_per_second"] or 1
    for row in results:
        row["ratio_to_baseline"] = round(row["requests_per_second"] / baseline, 3)
    report = {
        "notices": args.notices,
        "duration_s": args.duration,
        "connections": args.connections,
        "results": results,
    }
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / "suite.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    lines = [
        f"# Portal benchmark: {args.notices} notices, {args.connections} connections, "
        f"{args.duration} s per page",
        "",
        "| page | req/s | ratio to baseline | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['page']} | {r['requests_per_second']} | {r['ratio_to_baseline']} "
        f"| {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {r['errors']} |"
        for r in results
    ]
    (REPORTS / "suite.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    if any(row["errors"] for row in results):
        raise SystemExit("some requests failed")


if __name__ == "__main__":
    main()

#!/usr/bin/env python
"""Where one page's time goes: its queries and a cProfile of it, under production settings.

    python bench/profile_page.py --database-url postgres://…/bench_suite /notices/123/ /feed/
    python bench/profile_page.py --staff /admin/notices/notice/ --repeat 20

Each path goes through Django's WSGI handler exactly as gunicorn calls it (every middleware,
DEBUG off, the cached template loader), first once to warm up, then ``--repeat`` times: the
report gives the mean time per request, the queries of one request with their times, and the
functions with the most cumulative time. ``--staff`` sends the demo site admin's session.
``--redis-url`` gives the cache and the view counters a Redis; ``--cache`` turns the page cache
on. ``--count-queries`` only prints each path's number of queries, as JSON (bench/suite.py uses
it); the report also gives the number of Python function calls of one request, a measure of the
work done that, unlike the times, does not change with the machine's load. ``PROFILE_SORT=tottime``
orders the functions by their own time instead; ``PROFILE_CALLERS=<pattern>`` adds who calls the
functions whose names match it. Nothing is written but a session (and view
counts).
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def environ(path: str, cookie: str) -> dict:
    path_info, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9",
        "HTTP_COOKIE": cookie,
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--staff", action="store_true")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", ""))
    parser.add_argument("--cache", action="store_true")
    parser.add_argument("--count-queries", action="store_true")
    args = parser.parse_args()

    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "profile-" + "x" * 50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "PORTAL_PAGE_CACHE_SECONDS": "300" if args.cache else "0",
            "LOG_LEVEL": "WARNING",
            "STATIC_ROOT": os.environ.get("STATIC_ROOT") or str(ROOT / "var" / "profile-static"),
            "REDIS_URL": args.redis_url,
        }
    )
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("collectstatic", "--noinput", verbosity=0)
    from config.wsgi import application as handler  # as gunicorn loads it

    cookie = staff_cookie() if args.staff else ""
    queries: list[tuple[float, str]] = []

    def log_query(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((time.perf_counter() - started, sql))

    def request(path: str) -> int:
        status = []
        body = handler(environ(path, cookie), lambda s, headers: status.append(s))
        size = sum(len(chunk) for chunk in body)
        if hasattr(body, "close"):
            body.close()
        if not status[0].startswith("200"):
            raise SystemExit(f"{path}: {status[0]}")
        return size

    counts = {}
    for path in args.paths:
        request(path)
        queries.clear()
        with connection.execute_wrapper(log_query):
            size = request(path)
        logged = list(queries)
        counts[path] = len(logged)
        if args.count_queries:
            continue
        calls = function_calls(lambda path=path: request(path))
        started, cpu_started = time.perf_counter(), time.process_time()
        for _ in range(args.repeat):
            request(path)
        mean_ms = (time.perf_counter() - started) / args.repeat * 1000
        cpu_ms = (time.process_time() - cpu_started) / args.repeat * 1000
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.repeat):
            request(path)
        profiler.disable()

        print(
            f"\n## {path}: {mean_ms:.2f} ms per request ({cpu_ms:.2f} ms of this process's CPU), "
            f"{size} bytes, {len(logged)} queries, {calls} function calls"
        )
        for seconds, sql in logged:
            print(f"  {seconds * 1000:7.2f} ms  {sql[:220]}")
        out = io.StringIO()
        stats = (
            pstats.Stats(profiler, stream=out)
            .strip_dirs()
            .sort_stats(os.environ.get("PROFILE_SORT", "cumulative"))
        )
        stats.print_stats(args.top)
        if os.environ.get("PROFILE_CALLERS"):  # who calls the functions matching this pattern
            stats.print_callers(os.environ["PROFILE_CALLERS"])
        print(out.getvalue())
    if args.count_queries:
        print(json.dumps(counts))


def function_calls(work) -> int:
    """How many Python and C functions one call of ``work`` calls."""
    calls = 0

    def count(frame, event, arg):
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    sys.setprofile(count)
    try:
        work()
    finally:
        sys.setprofile(None)
    return calls


def staff_cookie() -> str:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    user = get_user_model().objects.get(username="siteadmin")
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


if __name__ == "__main__":
    main()

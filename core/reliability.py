"""When the database is down or read-only, say so with a 503 instead of failing with a 500.

Each request's writes run in a transaction (the admin's views, every workflow function), so a
write cut off by a failing database is rolled back by the database itself: nothing half-written
remains when it comes back. Cached portal pages (core/page_cache.py) need no database and are
still served.
"""

import logging
import sys
import threading
import time

from django import db
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults

from core import redis_cache, site_name

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 120
# PostgreSQL's SQLSTATE for a write in a read-only transaction (default_transaction_read_only,
# a hot standby); SQLite says it in words.
READ_ONLY_SQLSTATE = "25006"
READ_ONLY_WORDS = ("read-only transaction", "readonly database")


def database_errors(*names: str) -> tuple[type[BaseException], ...]:
    """Django's exception classes of these names and the database driver's own. Django wraps
    the driver's errors, but not those of every call: closing a server-side cursor on a
    connection the server has just ended raises psycopg2's own OperationalError."""
    driver = db.connection.Database
    return tuple(error for name in names for error in (getattr(db, name), getattr(driver, name)))


def is_database_unavailable(error: BaseException) -> bool:
    unavailable = database_errors("OperationalError", "InterfaceError")
    return isinstance(error, unavailable) or is_read_only(error)


def is_read_only(error: BaseException) -> bool:
    if not isinstance(error, database_errors("DatabaseError")):
        return False
    if READ_ONLY_SQLSTATE in (
        getattr(error, "pgcode", None),
        getattr(error.__cause__, "pgcode", None),
    ):
        return True
    return any(words in str(error).lower() for words in READ_ONLY_WORDS)


def unavailable_response(request, error: BaseException):
    read_only = is_read_only(error)
    logger.error(
        "Database %s during %s %s: %s",
        "read-only" if read_only else "unavailable",
        request.method,
        request.path,
        error,
    )
    admin_prefix = "/" + getattr(settings, "ADMIN_URL_PATH", "admin/")
    context = {
        "read_only": read_only,
        "in_admin": request.path.startswith(admin_prefix),
        "was_write": request.method not in {"GET", "HEAD", "OPTIONS"},
        "retry_after": RETRY_AFTER_SECONDS,
        "portal_name": site_name.portal_name(),
    }
    # Rendered without the request: its context processors could reach for the database.
    content = loader.render_to_string("503.html", context)
    response = HttpResponse(content, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turns a database that cannot be reached or written into the 503 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_unavailable(exception):
            return unavailable_response(request, exception)
        return None


def server_error(request, template_name: str = "500.html"):
    """handler500: errors raised outside any view (a middleware saving the session) too."""
    error = sys.exc_info()[1]
    if error is not None and is_database_unavailable(error):
        return unavailable_response(request, error)
    return defaults.server_error(request, template_name)


# /healthz checks the database and the cache at most this often in each process: a load
# balancer's probes cost nothing, and the benchmarks' bare view stays bare.
HEALTH_CHECK_SECONDS = 2.0
HEALTH_KEY = "health:probe"


class _HealthCheck:
    lock = threading.Lock()
    checked_at: float | None = None
    database_error: str | None = None


def _check_dependencies() -> None:
    state = _HealthCheck
    now = time.monotonic()
    if state.checked_at is not None and now - state.checked_at < HEALTH_CHECK_SECONDS:
        return
    with state.lock:
        state.checked_at = now
        try:
            with db.connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            state.database_error = None
        except database_errors("DatabaseError", "InterfaceError") as error:
            state.database_error = str(error) or type(error).__name__
            logger.error("Health check: the database cannot be reached: %s", error)
        cache.get(HEALTH_KEY)  # a cache that cannot be reached says so in redis_cache.degraded()


def health(request):
    """For load balancers: 200 while this server can serve, ``degraded`` naming what it serves
    without (the cache, the view counts' Redis); 503 when it cannot reach the database, so the
    balancer sends readers to a server that can. The benchmarks' baseline."""
    _check_dependencies()
    if _HealthCheck.database_error is not None:
        response = JsonResponse({"status": "unavailable", "unavailable": ["database"]}, status=503)
    else:
        degraded = redis_cache.degraded()
        body = {"status": "degraded", "degraded": degraded} if degraded else {"status": "ok"}
        response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response

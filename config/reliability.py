"""When the database is down or read-only, say so with a 503 instead of failing with a 500.

Each request's writes run in a transaction (the admin's views, every workflow function), so a
write cut off by a failing database is rolled back by the database itself: nothing half-written
remains when it comes back. Cached portal pages (notices/page_cache.py) need no database and are
still served.
"""

import logging
import sys

from django import db
from django.conf import settings
from django.http import HttpResponse
from django.template import loader
from django.views import defaults

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 120
# PostgreSQL's SQLSTATE for a write in a read-only transaction (default_transaction_read_only,
# a hot standby); SQLite says it in words.
READ_ONLY_SQLSTATE = "25006"
READ_ONLY_WORDS = ("read-only transaction", "readonly database")


def is_database_unavailable(error: BaseException) -> bool:
    return isinstance(error, db.OperationalError | db.InterfaceError) or is_read_only(error)


def is_read_only(error: BaseException) -> bool:
    if not isinstance(error, db.DatabaseError):
        return False
    cause = error.__cause__
    if getattr(cause, "pgcode", None) == READ_ONLY_SQLSTATE:
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
        "portal_name": getattr(settings, "PORTAL_NAME", ""),
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

"""The search backend the site uses: the class named by the setting ``SEARCH_BACKEND`` (a dotted
path), by default the PostgreSQL backend on PostgreSQL and the plain scan elsewhere."""

from functools import cache

from django.conf import settings
from django.db import connection
from django.utils.module_loading import import_string

from search.backends.base import BaseSearchBackend, Filters, Outcome, SearchTooSlow

POSTGRESQL = "search.backends.postgresql.PostgresSearchBackend"
SCAN = "search.backends.scan.ScanSearchBackend"

__all__ = [
    "BaseSearchBackend",
    "Filters",
    "Outcome",
    "SearchTooSlow",
    "available_backends",
    "get_backend",
]


def available_backends() -> list[str]:
    """The backends that can run on the database in use."""
    return [POSTGRESQL, SCAN] if connection.vendor == "postgresql" else [SCAN]


def get_backend() -> BaseSearchBackend:
    path = settings.SEARCH_BACKEND or available_backends()[0]
    return _backend(path)


@cache
def _backend(path: str) -> BaseSearchBackend:
    return import_string(path)()

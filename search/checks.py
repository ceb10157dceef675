"""System check (``manage.py check --database default``): an index that holds nothing while the
portal has public notices means search finds nothing — after a migration, for instance."""

from django.core import checks


@checks.register(checks.Tags.database)
def index_not_empty(app_configs=None, databases=None, **kwargs):
    if not databases:
        return []
    from django.db import DatabaseError

    from notices.models import Notice
    from search.models import SearchEntry

    try:
        empty = not SearchEntry.objects.exists() and Notice.objects.public_pages().exists()
    except DatabaseError:
        return []  # not migrated yet: migrate says so
    if not empty:
        return []
    return [
        checks.Warning(
            "The search index is empty but public notices exist: search finds nothing.",
            hint="Run: python manage.py rebuild_search_index --full --workers 2",
            id="search.W001",
        )
    ]

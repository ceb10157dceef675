"""The notices' background work, run by the task queue (django-tasks; ``manage.py db_worker``,
which ``dev.py`` runs beside the server and production runs as a service)."""

from django_tasks import task


@task()
def flush_view_counts() -> int:
    """Move the views counted in Redis into the database (notices/counters.py); returns how
    many views were written."""
    from notices import counters

    return counters.flush_views()

"""Indexing that waits for its time, run by the task queue (django-tasks; ``manage.py
db_worker``, which ``dev.py`` runs beside the server and production runs as a service).

A scheduled notice is public from its publication time on: pages ask the publication rule when
they are read, but the search index must be written. ``search.index.sync_notice`` — the indexing
path every publication triggers — queues ``index_due_publications`` for the notice's time, so
that searches find it then without writing anything themselves.
"""

import datetime

from django_tasks import task


@task()
def index_due_publications() -> int:
    """Index the notices whose turn has come; returns how many were due."""
    from search import index

    return index.catch_up()


def index_at(when: datetime.datetime) -> None:
    """Queue ``index_due_publications`` to run at ``when``, in the current transaction (the
    database task queue's row is written with the change that asked for it). A task backend
    that cannot run work later (the tests' immediate one) is not asked."""
    if index_due_publications.get_backend().supports_defer:
        index_due_publications.using(run_after=when).enqueue()

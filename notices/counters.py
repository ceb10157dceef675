"""View counts (点击) without a database write per view and without losing any.

With Redis (REDIS_URL) each view is one HINCRBY into a shared hash; flush_views() moves the
pending counts into the database in one transaction, by the `flush_view_counts` command or
automatically at most once a minute: the request that finds a flush due queues it on the task
queue once its response has been sent (notices/tasks.py), so that no reader waits for it. Shown
counts add what is still pending. Without Redis (one machine, SQLite) the count goes straight
to the database.

While that Redis cannot be reached, views are not counted (a warning is logged once per outage,
core/redis_cache.Backoff) and pages show the counts in the database: a count is not worth
a write per view to the database when it may be struggling too.
"""

import contextvars
import logging
import uuid
from functools import cache

import redis
from django.conf import settings
from django.core.signals import request_finished
from django.db import DatabaseError, transaction
from django.db.models import F
from django.dispatch import receiver

from core.redis_cache import (
    COMMAND_TIMEOUT_SECONDS,
    CONNECT_TIMEOUT_SECONDS,
    UNREACHABLE,
    backoff,
)
from notices.models import Notice

PENDING = "notice-views:pending"
FLUSHING_PREFIX = "notice-views:flushing:"
BATCHES = "notice-views:batches"
FLUSH_LOCK = "notice-views:flush-lock"
# The name the health check gives the counters' Redis when it cannot be reached.
VIEW_COUNTS = "view counts"
FLUSH_INTERVAL_SECONDS = 60
# The most notices one statement of a flush names.
IDS_PER_UPDATE = 1000

logger = logging.getLogger(__name__)
# Whether the request being served (in this thread) found a flush due.
_flush_due = contextvars.ContextVar("view_count_flush_due", default=False)


@cache
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
        socket_timeout=COMMAND_TIMEOUT_SECONDS,
    )


def _reachable_client() -> redis.Redis | None:
    """The client, or None while its Redis failed a moment ago (see Backoff)."""
    return None if backoff(VIEW_COUNTS).waiting else client()


def client() -> redis.Redis | None:
    url = getattr(settings, "VIEW_COUNTER_REDIS_URL", "") or settings.REDIS_URL
    return _client(url) if url else None


def record_view(notice_id: int) -> int:
    """Count one view; return how many views of the notice are not in the database yet, this
    one included (so a page can show the count as it will be)."""
    store = client()
    if store is None:
        Notice.objects.filter(pk=notice_id).update(view_count=F("view_count") + 1)
        return 1
    if backoff(VIEW_COUNTS).waiting:
        return 0
    # One round trip: count the view, see whether a flush is due and whether one is running.
    pipeline = store.pipeline(transaction=False)
    pipeline.hincrby(PENDING, str(notice_id), 1)
    pipeline.set(FLUSH_LOCK, "1", nx=True, ex=FLUSH_INTERVAL_SECONDS)
    pipeline.smembers(BATCHES)
    try:
        pending, flush_due, batches = pipeline.execute()
        pending += _in_batches(store, notice_id, batches)
    except UNREACHABLE as error:
        backoff(VIEW_COUNTS).failed(error)
        return 0
    backoff(VIEW_COUNTS).succeeded()
    if flush_due:
        _flush_due.set(True)
    return pending


def count_cached_view(sender, counts_view_of: int, **kwargs) -> None:
    """Receiver of core.page_cache.page_served: a notice's page came from the cache."""
    record_view(counts_view_of)


@receiver(request_finished)
def flush_after_response(**kwargs) -> None:
    """Queue the flush a view found due, now that its response is sent: the task queue's
    worker runs it (notices/tasks.py). A flush that fails leaves its batch in Redis for the
    next one; the reader, served already, sees nothing of it."""
    if not _flush_due.get():
        return
    _flush_due.set(False)
    from notices.tasks import flush_view_counts

    try:
        flush_view_counts.enqueue()
    except DatabaseError:
        logger.exception("The view counts' flush could not be queued; the next one writes them.")


def pending_views(notice_id: int) -> int:
    store = _reachable_client()
    if store is None:
        return 0
    try:
        pending, batches = (
            store.pipeline(transaction=False)
            .hget(PENDING, str(notice_id))
            .smembers(BATCHES)
            .execute()
        )
        return int(pending or 0) + _in_batches(store, notice_id, batches)
    except UNREACHABLE as error:
        backoff(VIEW_COUNTS).failed(error)
        return 0


def _in_batches(store: redis.Redis, notice_id: int, batches) -> int:
    """Views of the notice in batches being flushed (usually there is none)."""
    return sum(int(store.hget(key, str(notice_id)) or 0) for key in batches)


def flush_views() -> int:
    """Add every pending count to the database; return how many views were written.

    The pending hash is renamed atomically before it is read, so views recorded meanwhile go
    into a fresh hash; a batch left behind by a crash is picked up by the next flush.
    """
    store = client()
    if store is None:
        return 0
    batch = f"{FLUSHING_PREFIX}{uuid.uuid4().hex}"
    store.sadd(BATCHES, batch)
    try:
        store.rename(PENDING, batch)
    except redis.ResponseError:
        store.srem(BATCHES, batch)  # nothing pending
    written = 0
    for key in store.smembers(BATCHES):
        counts = {int(k): int(v) for k, v in store.hgetall(key).items()}
        if counts:
            with transaction.atomic():
                _add_views(counts)
        store.delete(key)
        store.srem(BATCHES, key)
        written += sum(counts.values())
    return written


def _add_views(counts: dict[int, int]) -> None:
    """Add each notice's views to its view count: one UPDATE per number of views, over the
    notices that got that many (a minute's counts take few different values), at most
    IDS_PER_UPDATE notices at a time. One UPDATE with a CASE branch per notice made the
    database try every branch on every row: seconds for a few thousand notices."""
    by_views: dict[int, list[int]] = {}
    for pk, views in counts.items():
        by_views.setdefault(views, []).append(pk)
    for views, pks in by_views.items():
        for start in range(0, len(pks), IDS_PER_UPDATE):
            Notice.objects.filter(pk__in=pks[start : start + IDS_PER_UPDATE]).update(
                view_count=F("view_count") + views
            )

"""Keeping the search index equal to what the public may read.

``sync_notice`` is called (by signals, inside the transaction that changed the notice) after
every save of a notice and every change of its topics; it asks ``Notice.objects.public_pages()``
— the one publication rule — whether the notice has a public page, and writes, rewrites or
deletes its SearchEntry accordingly. A scheduled notice gets no entry, only a
PendingPublication; ``catch_up`` indexes those that have fallen due and runs before every
search, so publication is decided at request time without a cron job.
"""

import datetime

from django.db import connection, models, transaction
from django.utils import timezone

from notices.models import Notice
from search import text
from search.fields import tsvector_literal
from search.models import PendingPublication, SearchEntry


def entry_fields(notice: Notice) -> dict:
    """The column values of a notice's entry: folded text, keys and filter values."""
    withdrawn = notice.status == Notice.Status.WITHDRAWN
    title = text.FIELD_SEPARATOR.join(
        text.fold(part)
        for part in (notice.title, notice.document_number, notice.index_number or "")
        if part
    )
    body_parts = []
    if not withdrawn:
        body_parts = [notice.summary, notice.keywords]
        if notice.body_is_public:
            body_parts.append(text.plain_text(notice.body))
    body = text.FIELD_SEPARATOR.join(text.fold(part) for part in body_parts if part)
    fields = {
        "organ_id": notice.organ_id,
        "genre": notice.genre,
        "validity": notice.validity,
        "year": timezone.localtime(notice.published_at).year,
        "published_at": notice.published_at,
        "withdrawn": withdrawn,
        "title": title,
        "body": body,
        "document_key": text.document_key(notice.document_number),
        "index_key": text.index_key(notice.index_number or ""),
        "title_grams": None,
        "grams": None,
    }
    if connection.vendor == "postgresql":
        title_grams = text.grams(title)
        fields["title_grams"] = tsvector_literal(title_grams)
        fields["grams"] = tsvector_literal(title_grams | text.grams(body))
    return fields


def sync_notice(notice_id: int, *, now: datetime.datetime | None = None) -> SearchEntry | None:
    """Make the notice's entry match what the public may read of it now."""
    now = now or timezone.now()
    notice = Notice.objects.public_pages(now).filter(pk=notice_id).first()
    if notice is None:
        SearchEntry.objects.filter(notice_id=notice_id).delete()
        scheduled = Notice.objects.scheduled(now).filter(pk=notice_id).values("published_at")
        due_at = scheduled.first()
        if due_at is None:
            PendingPublication.objects.filter(notice_id=notice_id).delete()
        else:
            PendingPublication.objects.update_or_create(
                notice_id=notice_id, defaults={"due_at": due_at["published_at"]}
            )
        return None
    PendingPublication.objects.filter(notice_id=notice_id).delete()
    entry, _ = SearchEntry.objects.update_or_create(
        notice_id=notice.pk, defaults=entry_fields(notice)
    )
    entry.topics.set(notice.topics.values_list("pk", flat=True))
    return entry


def sync_topics(notice_id: int) -> None:
    """Copy a notice's topics onto its entry, if it has one."""
    entry = SearchEntry.objects.filter(pk=notice_id).first()
    if entry is not None:
        entry.topics.set(
            Notice.topics.through.objects.filter(notice_id=notice_id).values_list(
                "topic_id", flat=True
            )
        )


def catch_up(now: datetime.datetime | None = None) -> int:
    """Index the scheduled notices that have fallen due; cheap when there are none."""
    now = now or timezone.now()
    due = list(
        PendingPublication.objects.filter(due_at__lte=now).values_list("notice_id", flat=True)[:100]
    )
    for notice_id in due:
        with transaction.atomic():
            # Concurrent searches share the work: each pending row is taken by one of them.
            claimed = (
                PendingPublication.objects.select_for_update(skip_locked=True)
                .filter(notice_id=notice_id, due_at__lte=now)
                .exists()
            )
            if claimed:
                sync_notice(notice_id, now=now)
    return len(due)


def rebuild(batch_size: int = 500, progress=None, workers: int = 1) -> int:
    """Rebuild every entry from the notices, batch by batch in constant memory.

    Entries of notices that are no longer public are deleted first; then the public ones are
    written in primary-key order, each batch in its own transaction. With ``workers`` > 1 the
    primary-key range is split between that many forked processes (folding is CPU-bound).
    """
    now = timezone.now()
    public = Notice.objects.public_pages(now)
    SearchEntry.objects.exclude(notice__in=public.values("pk")).delete()
    PendingPublication.objects.all().delete()
    for notice_id, due_at in Notice.objects.scheduled(now).values_list("pk", "published_at"):
        PendingPublication.objects.create(notice_id=notice_id, due_at=due_at)
    # Filling an empty table is much faster without the GIN indexes, built once at the end.
    fresh = (
        connection.vendor == "postgresql"
        and not connection.in_atomic_block
        and not SearchEntry.objects.exists()
    )
    if fresh:
        _drop_gin_indexes()
    try:
        if workers <= 1 or connection.vendor != "postgresql" or connection.in_atomic_block:
            return _write_batches(public, batch_size, now, progress)
        return _write_in_parallel(public, batch_size, now, progress, workers)
    finally:
        if fresh:
            _create_gin_indexes()


def _write_in_parallel(public, batch_size: int, now, progress, workers: int) -> int:
    import multiprocessing

    from django.db import connections

    bounds = public.aggregate(low=models.Min("pk"), high=models.Max("pk"))
    if bounds["low"] is None:
        return 0
    step = (bounds["high"] - bounds["low"]) // workers + 1
    ranges = [(bounds["low"] + i * step, bounds["low"] + (i + 1) * step) for i in range(workers)]
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        counts = pool.starmap(_write_range, [(low, high, batch_size, now) for low, high in ranges])
    if progress:
        progress(sum(counts))
    return sum(counts)


def _write_range(low: int, high: int, batch_size: int, now) -> int:
    from django.db import connections

    connections.close_all()  # never share the parent's connection
    public = Notice.objects.public_pages(now).filter(pk__gte=low, pk__lt=high)
    return _write_batches(public, batch_size, now, None, start=low - 1)


GIN_INDEXES = {"search_entry_grams": "grams", "search_entry_title_grams": "title_grams"}


def _drop_gin_indexes() -> None:
    with connection.cursor() as cursor:
        for name in GIN_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


def _create_gin_indexes() -> None:
    table = SearchEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for name, column in GIN_INDEXES.items():
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column})")
        cursor.execute("RESET maintenance_work_mem")
        cursor.execute(f"ANALYZE {table}")


def _write_batches(public, batch_size: int, now, progress, start: int = 0) -> int:
    done, last_pk = 0, start
    through = SearchEntry.topics.through
    while True:
        batch = list(
            public.filter(pk__gt=last_pk).order_by("pk").prefetch_related("topics")[:batch_size]
        )
        if not batch:
            return done
        with transaction.atomic():
            ids = [notice.pk for notice in batch]
            SearchEntry.objects.filter(notice_id__in=ids).delete()
            SearchEntry.objects.bulk_create(
                SearchEntry(notice_id=notice.pk, indexed_at=now, **entry_fields(notice))
                for notice in batch
            )
            through.objects.bulk_create(
                through(searchentry_id=notice.pk, topic_id=topic.pk)
                for notice in batch
                for topic in notice.topics.all()
            )
        done += len(batch)
        last_pk = batch[-1].pk
        if progress:
            progress(done)

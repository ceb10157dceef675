"""Keeping the search index equal to what the public may read.

``sync_notice`` is called (by signals, inside the transaction that changed the notice) after
every save of a notice; it asks ``Notice.objects.public_pages()`` — the one publication rule —
whether the notice has a public page, and writes, rewrites or deletes its SearchEntry
accordingly. A scheduled notice gets no entry, only a PendingPublication, and ``catch_up`` is
queued in the task queue for its time (``search.tasks``): it indexes the notices that have
fallen due, so that searches find them on time and never write themselves.

``rebuild`` writes every entry again (and those of the other kinds' pages, ``search.kinds``).
A *full* rebuild (an empty index, or ``full=True``) first measures which grams are common on
a sample of notices (``CommonGram``), then writes all entries with PostgreSQL's COPY from
several processes and builds the gram indexes of the table's partitions in parallel; search
finds nothing until it is done. Otherwise entries are rewritten batch by batch while the site
runs. During a full rebuild, changes of notices are
queued as PendingPublication rows and indexed when it ends (``catch_up``, run by the rebuild
and queued in the task queue by each change).
"""

import contextlib
import datetime
import io
import multiprocessing
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from django.conf import settings
from django.db import connection, connections, models, transaction
from django.utils import timezone

from core import page_cache
from notices.models import Notice
from search import codes, kinds, tasks, text
from search.models import CommonGram, CommonGramBitmap, PendingPublication, SearchEntry

# pg_advisory_lock key held by a full rebuild; writers of single entries defer while it is held.
REBUILD_LOCK = 7_341_205_118
# A change queued while a full rebuild runs is tried again this much later.
RETRY_AFTER_REBUILD = datetime.timedelta(seconds=60)
GIN_INDEXES = {"search_entry_grams": "grams", "search_entry_title_grams": "title_grams"}
COPY_COLUMNS = (
    "notice_id",
    "organ_id",
    "genre",
    "validity",
    "year",
    "published_at",
    "withdrawn",
    "shuffle",
    "title",
    "body",
    "document_key",
    "index_key",
    "title_grams",
    "grams",
    "ordinal",
    "indexed_at",
)


def shuffle_key(notice_id: int) -> int:
    """A fixed pseudo-random rank (multiplicative hashing), spreading ids evenly over 2**31."""
    return (notice_id * 2_654_435_761) % 2**31


def entry_text(notice: Notice) -> tuple[str, str]:
    """The folded title (with 文号 and 索引号) and body the public may search of a notice."""
    title = text.FIELD_SEPARATOR.join(
        text.fold(part)
        for part in (notice.title, notice.document_number, notice.index_number or "")
        if part
    )
    body_parts = []
    if notice.status != Notice.Status.WITHDRAWN:
        body_parts = [notice.summary, notice.keywords]
        if notice.body_is_public:
            body_parts.append(text.plain_text(notice.body))
    body = text.FIELD_SEPARATOR.join(text.fold(part) for part in body_parts if part)
    return title, body


def excluded_codes() -> np.ndarray:
    """The common grams left out of ``SearchEntry.grams``, sorted."""
    found = CommonGram.objects.filter(indexed=False).values_list("code", flat=True)
    return np.sort(np.fromiter(found, dtype=np.int32))


def entry_fields(notice: Notice) -> dict:
    """The column values of a notice's entry as written one at a time: folded text, keys,
    filter values and every gram code (it is in no bitmap)."""
    fields, _ = _fields_and_codes(notice)
    return fields


def _fields_and_codes(notice: Notice, common: np.ndarray | None = None) -> tuple[dict, object]:
    """The entry's columns and its codes; ``common`` codes (sorted) are left out of ``grams``,
    for an entry that goes into the common-gram bitmaps."""
    title, body = entry_text(notice)
    fields = {
        "organ_id": notice.organ_id,
        "genre": notice.genre_id,
        "validity": notice.validity,
        "year": timezone.localtime(notice.published_at).year,
        "published_at": notice.published_at,
        "withdrawn": notice.status == Notice.Status.WITHDRAWN,
        "shuffle": shuffle_key(notice.pk),
        "title": title,
        "body": body,
        "document_key": text.document_key(notice.document_number),
        "index_key": text.index_key(notice.index_number or ""),
        "title_grams": None,
        "grams": None,
        "ordinal": None,
    }
    every = None
    if connection.vendor == "postgresql":
        fields["title_grams"] = codes.codes(title).tolist()
        # The separator is no word character: the codes of both are those of each.
        every = codes.codes(title + text.FIELD_SEPARATOR + body)
        kept = every if common is None else codes.without(every, common)
        fields["grams"] = kept.tolist()
    return fields, every


def _rebuild_running() -> bool:
    """True while a full rebuild holds the index (PostgreSQL); the caller must be in a
    transaction, which then keeps the rebuild from starting until it ends."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock_shared(%s)", [REBUILD_LOCK])
        return not cursor.fetchone()[0]


@transaction.atomic
def sync_notice(notice_id: int, *, now: datetime.datetime | None = None) -> SearchEntry | None:
    """Make the notice's entry match what the public may read of it now."""
    now = now or timezone.now()
    if _rebuild_running():
        PendingPublication.objects.update_or_create(notice_id=notice_id, defaults={"due_at": now})
        tasks.index_at(now + RETRY_AFTER_REBUILD)
        return None
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
            tasks.index_at(due_at["published_at"])
        return None
    PendingPublication.objects.filter(notice_id=notice_id).delete()
    entry, _ = SearchEntry.objects.update_or_create(
        notice_id=notice.pk, defaults=entry_fields(notice)
    )
    return entry


def remove_notice(notice_id: int) -> None:
    """Take the notice out of the index, and out of the queue of pending publications."""
    SearchEntry.objects.filter(notice_id=notice_id).delete()
    PendingPublication.objects.filter(notice_id=notice_id).delete()


def due_publications(at: datetime.datetime):
    return PendingPublication.objects.filter(due_at__lte=at).order_by("due_at")[:100]


def catch_up(now: datetime.datetime | None = None) -> int:
    """Index the notices whose turn has come (due scheduled ones, changes queued during a full
    rebuild), at most 100 of them; returns how many were due. Cheap when there are none."""
    now = now or timezone.now()
    due = [pending.notice_id for pending in due_publications(now)]
    for notice_id in due:
        with transaction.atomic():
            # Concurrent catch-ups share the work: each pending row is taken by one of them.
            claimed = (
                PendingPublication.objects.select_for_update(skip_locked=True)
                .filter(notice_id=notice_id, due_at__lte=now)
                .exists()
            )
            if claimed:
                sync_notice(notice_id, now=now)
                # Search pages rendered since the notice fell due, before it was indexed, are
                # out of date.
                page_cache.invalidate("notices")
    return len(due)


@contextlib.contextmanager
def _rebuild_lock():
    """Hold off single-entry writers (they queue their notices instead) while rebuilding.

    Outside a transaction the lock lives on a connection of its own, which outlasts the
    closing of Django's connections before worker processes are forked; inside one it is
    taken by the transaction's own session, which may already hold a writer's share of it."""
    if connection.vendor != "postgresql":
        yield
        return
    import psycopg2

    own = connection.in_atomic_block
    if own:
        holder = connection.connection  # the transaction is open, so the connection is too
    else:
        holder = psycopg2.connect(**connection.get_connection_params())
        holder.autocommit = True  # a session lock: no transaction held open meanwhile
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [REBUILD_LOCK])
        yield
    finally:
        if own:
            with holder.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [REBUILD_LOCK])
        else:
            holder.close()


def rebuild(
    batch_size: int = 1000, progress=None, workers: int = 1, full: bool | None = None
) -> int:
    """Rebuild every entry from the notices the public may read now; returns how many.

    ``full`` (default: when the index is empty) measures the common grams again and rewrites
    the index from scratch, fast but offline; otherwise entries are rewritten in batches, each
    in its own transaction, while the site runs. ``workers`` processes fold text in parallel
    (PostgreSQL, outside a transaction).
    """
    now = timezone.now()
    # Queued changes are redone by the rebuild; changes queued while it runs are kept.
    PendingPublication.objects.all().delete()
    scheduled = PendingPublication.objects.bulk_create(
        PendingPublication(notice_id=notice_id, due_at=due_at)
        for notice_id, due_at in Notice.objects.scheduled(now).values_list("pk", "published_at")
    )
    # One task per notice, as its approval queues: a catch-up indexes at most 100 notices.
    for pending in scheduled:
        tasks.index_at(pending.due_at)
    public = Notice.objects.public_pages(now)
    done = _rebuild(public, batch_size, progress, workers, full, now)
    catch_up()  # the changes queued while it ran
    kinds.rebuild()  # the pages of other kinds (core.searchable): few, rewritten at once
    return done


def _rebuild(public, batch_size: int, progress, workers: int, full: bool | None, now) -> int:
    with _rebuild_lock():
        if full is None:
            full = not SearchEntry.objects.exists()
        if not full:
            SearchEntry.objects.exclude(notice__in=public.values("pk")).delete()
            done = _rewrite_in_place(public, batch_size, now, progress)
            CommonGramBitmap.objects.all().delete()  # every entry now keeps all its grams
            return done
        _clear_index()
        measure_common_grams(public)
        if connection.vendor != "postgresql" or connection.in_atomic_block:
            # Inside a transaction (a migration, a test) the indexes are kept and filled as rows
            # arrive; pending foreign-key checks would forbid rebuilding them.
            done = _write_part(public, 0, 0, public.count(), batch_size, now)
            _analyze()
            if progress:
                progress(done)
            return done
        _drop_gin_indexes()
        try:
            return _write_in_parallel(public, batch_size, now, progress, workers)
        finally:
            _create_gin_indexes(workers)


def _clear_index() -> None:
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {SearchEntry._meta.db_table}")
    else:
        SearchEntry.objects.all().delete()
    CommonGramBitmap.objects.all().delete()


def measure_common_grams(public) -> int:
    """Count, on an evenly spread sample of public notices, in what share of them each gram
    occurs; record the common ones (CommonGram). Returns the sample size."""
    total = public.count()
    wanted = settings.SEARCH_GRAM_SAMPLE
    step = max(1, total // wanted) if wanted else total + 1
    ids = public.order_by("pk").values_list("pk", flat=True)
    sample_ids = [pk for position, pk in enumerate(ids.iterator()) if position % step == 0]
    everywhere, in_titles = [], []
    for start in range(0, len(sample_ids), 1000):
        for notice in Notice.objects.filter(pk__in=sample_ids[start : start + 1000]):
            title, body = entry_text(notice)
            in_titles.append(codes.codes(title))
            everywhere.append(codes.codes(title + text.FIELD_SEPARATOR + body))
    size = len(everywhere)
    CommonGram.objects.all().delete()
    if not size:
        return 0
    body_codes, body_counts = np.unique(np.concatenate(everywhere), return_counts=True)
    title_codes, title_counts = np.unique(np.concatenate(in_titles), return_counts=True)
    body_share = dict(zip(body_codes.tolist(), (body_counts / size).tolist(), strict=True))
    title_share = dict(zip(title_codes.tolist(), (title_counts / size).tolist(), strict=True))
    # Left out: grams in so many entries that no search could list them from the index alone.
    min_share = max(settings.SEARCH_COMMON_GRAM_SHARE, settings.SEARCH_CANDIDATE_LIMIT / total)
    rows = []
    for code, share in body_share.items():
        in_title = title_share.get(code, 0.0)
        if share >= min_share or in_title >= settings.SEARCH_TITLE_COMMON_SHARE:
            rows.append(
                CommonGram(code=code, share=share, title_share=in_title, indexed=share < min_share)
            )
    CommonGram.objects.bulk_create(rows, batch_size=5000)
    return size


def _rewrite_in_place(public, batch_size: int, now, progress) -> int:
    """Rewrite the entries batch by batch on a live site, each batch in a transaction. The
    batch's notices are locked first, so that a concurrent change of one of them is indexed
    after the batch, from its new state."""
    done, last_pk = 0, 0
    while True:
        with transaction.atomic():
            batch = public.filter(pk__gt=last_pk).order_by("pk").select_for_update(of=("self",))
            batch = list(batch[:batch_size])
            if not batch:
                return done
            SearchEntry.objects.filter(notice_id__in=[notice.pk for notice in batch]).delete()
            SearchEntry.objects.bulk_create(
                SearchEntry(notice_id=notice.pk, indexed_at=now, **entry_fields(notice))
                for notice in batch
            )
        done += len(batch)
        last_pk = batch[-1].pk
        if progress:
            progress(done)


def _write_in_parallel(public, batch_size: int, now, progress, workers: int) -> int:
    """COPY the entries from ``workers`` forked processes, each taking a range of notices and
    the ordinals (bitmap positions) that follow those of the ranges before it."""
    bounds = public.aggregate(low=models.Min("pk"), high=models.Max("pk"))
    if bounds["low"] is None:
        return 0
    step = (bounds["high"] - bounds["low"]) // workers + 1
    parts, start = [], 0
    for part in range(workers):
        low, high = bounds["low"] + part * step, bounds["low"] + (part + 1) * step
        size = public.filter(pk__gte=low, pk__lt=high).count()
        parts.append((part, start, size, low, high))
        start += size
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        done = sum(pool.starmap(_write_range, [(*part, batch_size, now) for part in parts]))
    if progress:
        progress(done)
    return done


def _write_range(part: int, start: int, size: int, low: int, high: int, batch_size, now) -> int:
    """A forked worker of a full rebuild: the notices with low <= pk < high."""
    connections.close_all()  # never share the parent's connection
    public = Notice.objects.public_pages(now).filter(pk__gte=low, pk__lt=high)
    return _write_part(public, part, start, size, batch_size, now)


def _write_part(public, part: int, start: int, size: int, batch_size: int, now) -> int:
    """Write the entries of ``public`` in primary-key order with ordinals from ``start`` (COPY
    outside a transaction on PostgreSQL, inserts otherwise), and their part of the bitmaps.

    Notices published since ``size`` was counted get no ordinal and keep all their codes."""
    postgresql = connection.vendor == "postgresql"
    common = excluded_codes() if postgresql else None
    bitmaps = Bitmaps(common, start, size) if postgresql else None
    use_copy = postgresql and not connection.in_atomic_block
    done, last_pk = 0, 0
    while True:
        batch = list(public.filter(pk__gt=last_pk).order_by("pk")[:batch_size])
        if not batch:
            break
        rows = []
        for notice in batch:
            in_bitmaps = postgresql and done < size
            fields, every = _fields_and_codes(notice, common if in_bitmaps else None)
            if in_bitmaps:
                fields["ordinal"] = start + done
                bitmaps.add(done, every)
            rows.append((notice.pk, fields))
            done += 1
        _insert(rows, now, use_copy)
        last_pk = batch[-1].pk
    if bitmaps is not None:
        bitmaps.save(part)
    return done


def _insert(rows: list[tuple[int, dict]], now, use_copy: bool) -> None:
    with transaction.atomic():
        if not use_copy:
            SearchEntry.objects.bulk_create(
                SearchEntry(notice_id=notice_id, indexed_at=now, **fields)
                for notice_id, fields in rows
            )
            return
        data = io.StringIO("".join(_copy_row(notice_id, fields, now) for notice_id, fields in rows))
        table = SearchEntry._meta.db_table
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(f"COPY {table} ({', '.join(COPY_COLUMNS)}) FROM STDIN", data)


# Bitmaps written by one COPY: of a million entries' part, 64 KB each.
BITMAPS_PER_COPY = 256


class Bitmaps:
    """One part of the common-gram bitmaps, built as its entries are written: a bit per entry
    (by position from the part's start) for each common code."""

    def __init__(self, common: np.ndarray, start: int, size: int):
        self.common, self.start = common, start
        self.bits = np.zeros((len(common), (size + 7) // 8), dtype=np.uint8)

    def add(self, position: int, every: np.ndarray) -> None:
        if not len(self.common):
            return
        found = np.minimum(np.searchsorted(self.common, every), len(self.common) - 1)
        rows = found[self.common[found] == every]
        self.bits[rows, position >> 3] |= np.uint8(1 << (position & 7))

    def save(self, part: int) -> None:
        """COPY the bitmaps in one transaction, a few at a time: written out as hexadecimal text
        all at once, a million entries' bitmaps took several times the memory of the bits."""
        table = CommonGramBitmap._meta.db_table
        codes = self.common.tolist()
        with transaction.atomic(), connection.cursor() as cursor:
            for first in range(0, len(codes), BITMAPS_PER_COPY):
                data = io.BytesIO()
                for row in range(first, min(first + BITMAPS_PER_COPY, len(codes))):
                    hexadecimal = self.bits[row].tobytes().hex()
                    data.write(f"{codes[row]}\t{part}\t{self.start}\t\\\\x{hexadecimal}\n".encode())
                data.seek(0)
                statement = f"COPY {table} (code, part, start, bits) FROM STDIN"
                cursor.cursor.copy_expert(statement, data)


def _copy_text(value: str) -> str:
    """A value in COPY's text format (str.replace is fast when there is nothing to replace)."""
    return (
        value.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    )


def _copy_row(notice_id: int, fields: dict, now) -> str:
    values = {**fields, "notice_id": notice_id, "indexed_at": now}
    out = []
    for column in COPY_COLUMNS:
        value = values[column]
        if value is None:
            out.append("\\N")
        elif isinstance(value, bool):
            out.append("t" if value else "f")
        elif isinstance(value, list):
            out.append("{" + ",".join(map(str, value)) + "}")
        elif isinstance(value, datetime.datetime):
            out.append(value.isoformat())
        else:
            out.append(_copy_text(str(value)))
    return "\t".join(out) + "\n"


def _partitions() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass ORDER BY c.relname",
            [SearchEntry._meta.db_table],
        )
        return [name for (name,) in cursor.fetchall()]


def _drop_gin_indexes() -> None:
    with connection.cursor() as cursor:
        for name in GIN_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


def _create_gin_indexes(workers: int = 1) -> None:
    """The gram indexes: built partition by partition, ``workers`` at a time, then attached to
    the table's index (on a table that is not partitioned, built at once)."""
    table = SearchEntry._meta.db_table
    partitions = _partitions()
    only = "ONLY " if partitions else ""
    with connection.cursor() as cursor:
        for name, column in GIN_INDEXES.items():
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {only}{table} USING gin ({column})"
            )
    jobs = [(name, part, column) for name, column in GIN_INDEXES.items() for part in partitions]
    if workers <= 1:
        for job in jobs:
            _create_partition_index(*job)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(lambda job: _create_partition_index(*job, own_connection=True), jobs))
    with connection.cursor() as cursor:
        for name, part, _column in jobs:
            cursor.execute(f"ALTER INDEX {name} ATTACH PARTITION {name}_{part}")
        # Statistics, and the visibility map that lets the estimates' samples be read from
        # their indexes alone (the texts, in TOAST, need no vacuum: they were only written).
        cursor.execute(f"VACUUM (ANALYZE, PROCESS_TOAST FALSE) {SearchEntry._meta.db_table}")


def _analyze() -> None:
    """Fresh statistics: searches estimate how many entries pass their filters from them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {SearchEntry._meta.db_table}")


def _create_partition_index(
    name: str, partition: str, column: str, *, own_connection: bool = False
) -> None:
    """Build one partition's gram index (in a thread of its own, on its own connection)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SET maintenance_work_mem = '{settings.SEARCH_INDEX_BUILD_MEMORY}'")
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {name}_{partition} ON {partition} USING gin ({column})"
            )
            cursor.execute("RESET maintenance_work_mem")
    finally:
        if own_connection:
            connection.close()

"""The full rebuild: common grams measured and left out, entries copied from several processes,
gram indexes rebuilt per partition; and single changes queued while it runs."""

import numpy as np
import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from notices import workflow
from search import codes, index
from search.models import CommonGram, CommonGramBitmap, PendingPublication, SearchEntry


def entry_values(entry: SearchEntry) -> dict:
    return {
        "title": entry.title,
        "body": entry.body,
        "organ_id": entry.organ_id,
        "year": entry.year,
        "withdrawn": entry.withdrawn,
        "shuffle": entry.shuffle,
        "document_key": entry.document_key,
        "title_grams": entry.title_grams,
    }


def bitmap_ordinals() -> dict[int, set[int]]:
    """For each common code, the ordinals whose bits are set."""
    found: dict[int, set[int]] = {}
    for bitmap in CommonGramBitmap.objects.all():
        bits = np.unpackbits(np.frombuffer(bytes(bitmap.bits), dtype=np.uint8), bitorder="little")
        found.setdefault(bitmap.code, set()).update((np.flatnonzero(bits) + bitmap.start).tolist())
    return found


def partition_vacuums() -> dict[str, int]:
    """How many times each partition of the entries has been vacuumed (statistics that VACUUM
    writes to shared memory as it ends)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, vacuum_count FROM pg_stat_user_tables "
            "WHERE relname LIKE 'search\\_searchentry\\_p%%'"
        )
        return dict(cursor.fetchall())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_full_rebuild_in_parallel_writes_what_single_updates_write(
    notice_in, settings, client, monkeypatch
):
    monkeypatch.setattr(index, "BITMAPS_PER_COPY", 2)  # each part's bitmaps in several COPYs
    settings.SEARCH_CANDIDATE_LIMIT = 5
    settings.SEARCH_COMMON_GRAM_SHARE = 0.5
    notices = [
        notice_in(
            "published",
            title=f"关于政务公开第{n}号的通知",
            body=f"<p>政务公开。事项{n}{'麒麟' if n < 3 else ''}</p>",
        )
        for n in range(12)
    ]
    notice_in("withdrawn", title="撤回的政务公开通知")
    notice_in("draft", title="草稿政务公开")
    vacuumed = partition_vacuums()
    assert index.rebuild(full=True, workers=2, batch_size=5) == 13
    # Vacuumed, so that the samples' indexes are read alone. (Whether VACUUM may mark a page
    # all-visible depends on every snapshot open in the database, autovacuum's included.)
    after = partition_vacuums()
    assert len(after) == 4 and all(after[name] == vacuumed.get(name, 0) + 1 for name in after)

    common = set(CommonGram.objects.filter(indexed=False).values_list("code", flat=True))
    assert set(codes.term_codes("政务")) <= common  # in every notice: left out
    assert not set(codes.term_codes("麒麟")) & common  # in three: kept
    entries = list(SearchEntry.objects.all())
    assert len(entries) == 13
    assert sorted(entry.ordinal for entry in entries) == list(range(13))
    rebuilt = {entry.pk: entry for entry in entries}
    in_bitmaps = bitmap_ordinals()
    assert set(in_bitmaps) == common
    for entry in SearchEntry.objects.all():  # rewrite each one as a single update does
        index.sync_notice(entry.pk)
    for entry in SearchEntry.objects.all():
        before = rebuilt[entry.pk]
        assert entry_values(entry) == entry_values(before)
        assert entry.ordinal is None  # out of the bitmaps: all its grams in the index
        assert sorted(before.grams) == sorted(set(entry.grams) - common)
        for code in common:
            assert (before.ordinal in in_bitmaps[code]) == (code in entry.grams), code
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), bool_and(i.indisvalid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 'search_entry_grams%%'"
        )
        assert cursor.fetchone() == (5, True)  # the table's index and one per partition
    response = client.get(reverse("search:api"), {"q": "麒麟", "page_size": 100})
    assert {item["id"] for item in response.json()["results"]} == {n.pk for n in notices[:3]}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # committed, as writers are when a rebuild begins
def test_changes_during_a_full_rebuild_are_queued_and_indexed_afterwards(
    notice_in, reviewer, client, settings, monkeypatch
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    notice = notice_in("published", title="将要撤回的独角兽")
    holder = psycopg2.connect(**connection.get_connection_params())
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [index.REBUILD_LOCK])
        workflow.withdraw(notice, reviewer, "内容有误")
        assert PendingPublication.objects.filter(pk=notice.pk).exists()
        assert not SearchEntry.objects.get(pk=notice.pk).withdrawn  # not yet rewritten
        index.catch_up()  # catching up meanwhile leaves it queued
        assert PendingPublication.objects.filter(pk=notice.pk).exists()
    finally:
        holder.close()
    # The task the change queued runs once the rebuild is over (the worker, a minute later).
    later = timezone.now() + index.RETRY_AFTER_REBUILD
    monkeypatch.setattr(timezone, "now", lambda: later)
    call_command("db_worker", batch=True, startup_delay=False, reload=False, interval=0)
    assert SearchEntry.objects.get(pk=notice.pk).withdrawn
    assert not PendingPublication.objects.exists()


def test_the_system_check_warns_of_an_empty_index(notice_in):
    from django.core import checks

    notice = notice_in("published")
    assert not [m for m in checks.run_checks(databases=["default"]) if m.id == "search.W001"]
    SearchEntry.objects.filter(pk=notice.pk).delete()
    assert [m.id for m in checks.run_checks(databases=["default"])].count("search.W001") == 1


@pytest.mark.postgres
def test_titles_and_keys_are_kept_in_the_entries_rows_of_every_partition(db):
    """What a search reads of each candidate must not be fetched from TOAST (0005)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, a.attname, a.attstorage FROM pg_attribute a "
            "JOIN pg_class c ON c.oid = a.attrelid "
            "WHERE (c.relname = %s OR c.oid IN (SELECT inhrelid FROM pg_inherits "
            "WHERE inhparent = %s::regclass)) AND a.attname IN ('title', 'document_key', "
            "'index_key', 'body', 'grams')",
            [SearchEntry._meta.db_table] * 2,
        )
        storage = {(table, column): kind for table, column, kind in cursor.fetchall()}
    tables = {table for table, _column in storage}
    assert len(tables) == 5  # the table and its four partitions
    for (_table, column), kind in storage.items():
        assert kind == ("x" if column in ("body", "grams") else "m"), (column, kind)

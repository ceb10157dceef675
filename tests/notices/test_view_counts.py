"""View counts in Redis: no database write per view, and no view lost across processes."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notices import counters
from notices.models import Notice
from tests.redis_service import REDIS_URL, needs_redis

ROOT = Path(__file__).resolve().parents[2]

pytestmark = needs_redis


@pytest.fixture
def counting_in_redis(settings):
    settings.VIEW_COUNTER_REDIS_URL = REDIS_URL
    store = counters.client()
    store.flushdb()
    yield store
    store.flushdb()


def test_a_view_costs_no_database_write(counting_in_redis, notice_in, django_assert_num_queries):
    notice = notice_in("published")
    counting_in_redis.set(counters.FLUSH_LOCK, "1")
    with django_assert_num_queries(0):
        counters.record_view(notice.pk)
    assert counters.pending_views(notice.pk) == 1
    notice.refresh_from_db()
    assert notice.view_count == 0


def test_flush_writes_pending_views_once(counting_in_redis, notice_in):
    first, second = notice_in("published"), notice_in("published")
    counting_in_redis.set(counters.FLUSH_LOCK, "1")
    for _ in range(3):
        counters.record_view(first.pk)
    counters.record_view(second.pk)
    assert counters.flush_views() == 4
    assert counters.flush_views() == 0
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.view_count, second.view_count) == (3, 1)
    assert counters.pending_views(first.pk) == 0


def test_a_flush_writes_one_statement_per_number_of_views_without_a_branch_per_notice(
    counting_in_redis, notice_in, monkeypatch
):
    monkeypatch.setattr(counters, "IDS_PER_UPDATE", 2)
    counting_in_redis.set(counters.FLUSH_LOCK, "1")
    views = {notice_in("published").pk: n for n in (1, 1, 1, 2, 2, 7)}
    for pk, n in views.items():
        for _ in range(n):
            counters.record_view(pk)
    with CaptureQueriesContext(connection) as captured:
        assert counters.flush_views() == sum(views.values())
    updates = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
    # Three notices with one view (two statements of at most two), two with two, one with seven.
    assert len(updates) == 4
    assert not any("CASE" in sql for sql in updates)
    assert dict(Notice.objects.filter(pk__in=views).values_list("pk", "view_count")) == views


def test_a_batch_left_by_a_crashed_flush_is_written_by_the_next(counting_in_redis, notice_in):
    notice = notice_in("published")
    counting_in_redis.hset(f"{counters.FLUSHING_PREFIX}crashed", str(notice.pk), 5)
    counting_in_redis.sadd(counters.BATCHES, f"{counters.FLUSHING_PREFIX}crashed")
    assert counters.pending_views(notice.pk) == 5
    counters.flush_views()
    notice.refresh_from_db()
    assert notice.view_count == 5


def test_views_from_several_processes_add_up_exactly(counting_in_redis, notice_in):
    notice = notice_in("published")
    counting_in_redis.set(counters.FLUSH_LOCK, "1")
    processes, per_process = 4, 250
    script = (
        "import django; django.setup();"
        "from notices import counters;"
        f"[counters.record_view({notice.pk}) for _ in range({per_process})]"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "VIEW_COUNTER_REDIS_URL": REDIS_URL,
    }
    workers = [
        subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env=env)
        for _ in range(processes)
    ]
    assert all(worker.wait(timeout=120) == 0 for worker in workers)
    counters.flush_views()
    notice.refresh_from_db()
    assert notice.view_count == processes * per_process


def test_the_page_shows_pending_views(client, counting_in_redis, notice_in):
    notice = notice_in("published")
    counting_in_redis.set(counters.FLUSH_LOCK, "1")
    client.get(notice.get_absolute_url())
    assert "浏览次数：2" in client.get(notice.get_absolute_url()).content.decode()
    assert Notice.objects.get(pk=notice.pk).view_count == 0

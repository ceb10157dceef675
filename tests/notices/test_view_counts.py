"""View counts in Redis: no database write per view, and no view lost across processes."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import DatabaseError, close_old_connections, connection
from django.test import RequestFactory
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


@pytest.fixture
def serve():
    """GET through Django's WSGI handler as a server does: the status and the response, whose
    body the test reads and which it closes itself (Django's test client closes it before
    returning). Meanwhile the test's transaction must not be closed as an old connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)

    def get(path: str):
        statuses = []
        environ = RequestFactory().get(path).environ
        response = WSGIHandler()(environ, lambda status, headers: statuses.append(status))
        return statuses, response

    yield get
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_a_view_that_finds_a_flush_due_flushes_once_its_response_is_sent(
    counting_in_redis, notice_in, serve
):
    notice, other = notice_in("published"), notice_in("published")
    counting_in_redis.set(counters.FLUSH_LOCK, "1")
    counters.record_view(other.pk)
    counting_in_redis.delete(counters.FLUSH_LOCK)  # a minute has passed: the next view flushes
    statuses, response = serve(notice.get_absolute_url())
    body = b"".join(response).decode()
    assert statuses == ["200 OK"] and "浏览次数：1" in body
    # The whole response is out and nothing was written while it was made...
    assert Notice.objects.get(pk=other.pk).view_count == 0
    response.close()  # ...the server closes it: then the flush runs.
    counts = dict(
        Notice.objects.filter(pk__in=[notice.pk, other.pk]).values_list("pk", "view_count")
    )
    assert counts == {notice.pk: 1, other.pk: 1}
    assert counters.pending_views(other.pk) == 0
    # Due once a minute: the next view leaves its count pending.
    statuses, response = serve(notice.get_absolute_url())
    b"".join(response)
    response.close()
    assert Notice.objects.get(pk=notice.pk).view_count == 1
    assert counters.pending_views(notice.pk) == 1


def test_the_flush_a_view_finds_due_is_work_for_the_task_queue(
    counting_in_redis, notice_in, serve, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    from notices.tasks import flush_view_counts

    notice = notice_in("published")
    _statuses, response = serve(notice.get_absolute_url())
    b"".join(response)
    response.close()
    queued = [result.task for result in default_task_backend.results]
    assert queued == [flush_view_counts]
    # Queued, not run: the worker writes the count.
    assert Notice.objects.get(pk=notice.pk).view_count == 0
    assert flush_view_counts.call() == 1
    assert Notice.objects.get(pk=notice.pk).view_count == 1


def test_a_flush_that_fails_after_the_response_keeps_the_views_for_the_next(
    counting_in_redis, notice_in, monkeypatch, serve
):
    notice = notice_in("published")
    add_views = counters._add_views

    def failing(counts):
        raise DatabaseError("the database went away")

    monkeypatch.setattr(counters, "_add_views", failing)
    statuses, response = serve(notice.get_absolute_url())
    b"".join(response)
    response.close()  # no error reaches the server: the reader was served
    assert statuses == ["200 OK"]
    assert Notice.objects.get(pk=notice.pk).view_count == 0
    assert counters.pending_views(notice.pk) == 1
    monkeypatch.setattr(counters, "_add_views", add_views)
    assert counters.flush_views() == 1
    assert Notice.objects.get(pk=notice.pk).view_count == 1


def test_the_command_writes_the_pending_views(counting_in_redis, notice_in, capsys):
    notice = notice_in("published")
    counting_in_redis.set(counters.FLUSH_LOCK, "1")
    for _ in range(2):
        counters.record_view(notice.pk)
    call_command("flush_view_counts")
    assert "已写入 2 次浏览" in capsys.readouterr().out
    assert Notice.objects.get(pk=notice.pk).view_count == 2
    assert counters.pending_views(notice.pk) == 0

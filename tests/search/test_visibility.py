"""Only what the public may read is ever found, and the index follows every state change."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notices import workflow
from notices.models import Notice
from search import index
from search.models import PendingPublication, SearchEntry
from tests import factories

# The task queue the quick start and production run (tests run tasks at once otherwise).
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_task_worker() -> None:
    """Run the queued tasks that are due, as ``manage.py db_worker`` does."""
    call_command("db_worker", batch=True, startup_delay=False, reload=False, interval=0)


def found(client, q: str, **filters) -> list[int]:
    response = client.get(reverse("search:api"), {"q": q, "page_size": 100, **filters})
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


@pytest.mark.parametrize("state", ["draft", "in_review", "scheduled"])
def test_unpublished_notice_is_never_found(client, notice_in, state):
    notice = notice_in(state, title="未公开的独角兽事项", body="<p>独角兽正文</p>")
    assert found(client, "独角兽") == []
    assert not SearchEntry.objects.filter(pk=notice.pk).exists()


def test_withheld_notice_is_never_found(client, notice_in):
    notice_in("published", title="不予公开的独角兽", disclosure="withheld", withheld_reason="涉密")
    assert found(client, "独角兽") == []
    assert not SearchEntry.objects.exists()


def test_published_notice_is_found_at_once(client, notice_in):
    notice = notice_in("published", title="关于独角兽的通知", body="<p>正文里有麒麟。</p>")
    assert found(client, "独角兽") == [notice.pk]
    assert found(client, "麒麟") == [notice.pk]


def test_on_request_notice_is_never_found(client, notice_in):
    """Only 主动公开 information is on the portal, and so in its search."""
    notice_in("published", title="依申请独角兽", disclosure="on_request", body="<p>麒麟正文</p>")
    assert found(client, "独角兽") == []
    assert found(client, "麒麟") == []
    assert not SearchEntry.objects.exists()


@pytest.mark.django_db(transaction=True)  # committed, as the task queue's worker reads it
def test_scheduled_notice_is_found_once_due_without_a_cron_job(
    client, notice_in, settings, monkeypatch
):
    """Its indexing is queued for its time, and run by the task queue's worker (which the quick
    start runs beside the server)."""
    settings.TASKS = DATABASE_TASKS
    notice = notice_in("scheduled", title="定时发布的独角兽")
    assert found(client, "独角兽") == []
    assert PendingPublication.objects.filter(pk=notice.pk).exists()
    run_task_worker()
    assert found(client, "独角兽") == []  # not due yet
    later = timezone.now() + datetime.timedelta(days=4)
    monkeypatch.setattr(timezone, "now", lambda: later)
    run_task_worker()
    assert found(client, "独角兽") == [notice.pk]
    assert not PendingPublication.objects.exists()


def test_a_search_writes_nothing_even_when_a_notice_has_fallen_due(client, notice_in, monkeypatch):
    notice_in("scheduled", title="定时发布的独角兽")
    later = timezone.now() + datetime.timedelta(days=4)
    monkeypatch.setattr(timezone, "now", lambda: later)
    with CaptureQueriesContext(connection) as captured:
        found(client, "独角兽")
    statements = [query["sql"].upper() for query in captured.captured_queries]
    assert statements
    assert not [
        sql
        for sql in statements
        if sql.lstrip().startswith(("INSERT", "UPDATE", "DELETE")) or "FOR UPDATE" in sql
    ]


def test_unscheduled_notice_never_appears(client, notice_in, reviewer, monkeypatch):
    notice = notice_in("scheduled", title="取消定时的独角兽")
    workflow.unschedule(notice, reviewer, "暂缓发布")
    assert not PendingPublication.objects.exists()
    later = timezone.now() + datetime.timedelta(days=4)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert found(client, "独角兽") == []


def test_withdrawn_notice_is_found_by_title_only_and_links_to_its_withdrawal_page(
    client, notice_in, reviewer
):
    notice = notice_in(
        "published",
        title="将被撤回的独角兽",
        document_number="甘政办发〔2019〕12号",
        body="<p>麒麟正文</p>",
    )
    workflow.withdraw(notice, reviewer, "内容有误")
    entry = SearchEntry.objects.get(pk=notice.pk)
    assert entry.withdrawn and entry.body == ""
    assert found(client, "麒麟") == []
    assert found(client, "独角兽") == [notice.pk]
    assert found(client, "甘政办发[2019]12号") == [notice.pk]
    response = client.get(reverse("search:search"), {"q": "独角兽"})
    page = response.content.decode()
    assert "已撤回" in page
    assert notice.get_absolute_url() in page
    assert "麒麟" not in page


def test_correction_is_reindexed_at_once_and_its_draft_never_found(
    client, notice_in, editor, second_editor, reviewer
):
    notice = notice_in("published", title="原来的独角兽", body="<p>旧的麒麟</p>")
    topic = factories.make_topic("新主题")
    correction = workflow.start_correction(notice, editor)
    correction.title = "更正后的凤凰"
    correction.body = "<p>新的貔貅</p>"
    correction.change_note = "更正标题和正文"
    workflow.save_draft(correction, second_editor)
    correction.topics.add(topic)
    workflow.submit(correction, second_editor)
    assert found(client, "凤凰") == []
    assert found(client, "独角兽") == [notice.pk]

    workflow.approve(correction, reviewer)
    assert found(client, "凤凰") == [notice.pk]
    assert found(client, "貔貅") == [notice.pk]
    assert found(client, "独角兽") == []
    assert found(client, "麒麟") == []
    assert found(client, "凤凰", topic=topic.pk) == [notice.pk]


def test_topic_changes_reach_the_index(client, notice_in):
    notice = notice_in("published", title="主题独角兽")
    topic = factories.make_topic()
    notice.topics.add(topic)
    assert found(client, "独角兽", topic=topic.pk) == [notice.pk]
    notice.topics.remove(topic)
    assert found(client, "独角兽", topic=topic.pk) == []
    topic.notice_set.add(notice)
    assert found(client, "独角兽", topic=topic.pk) == [notice.pk]
    topic.notice_set.clear()
    assert found(client, "独角兽", topic=topic.pk) == []


def test_deleting_a_notice_removes_its_entry(notice_in):
    notice = notice_in("published")
    Notice.objects.filter(pk=notice.pk).delete()
    assert not SearchEntry.objects.exists()


def test_rebuild_indexes_exactly_the_public_pages(notice_in, reviewer, monkeypatch):
    published = notice_in("published")
    withdrawn = notice_in("withdrawn")
    notice_in("draft")
    scheduled = notice_in("scheduled")
    notice_in("published", disclosure="withheld", withheld_reason="涉密")
    SearchEntry.objects.all().delete()
    PendingPublication.objects.all().delete()
    SearchEntry.objects.create(  # a stale row of a notice no longer public
        notice=notice_in("draft"),
        organ=published.organ,
        genre="notice",
        validity="valid",
        year=2020,
        published_at=timezone.now(),
        title="陈旧",
    )
    assert index.rebuild(batch_size=1) == 2
    assert set(SearchEntry.objects.values_list("pk", flat=True)) == {published.pk, withdrawn.pk}
    assert list(PendingPublication.objects.values_list("pk", flat=True)) == [scheduled.pk]


def test_rebuild_command_reports_what_it_did(notice_in, capsys):
    from django.core.management import call_command

    notice_in("published")
    call_command("rebuild_search_index", batch_size=10)
    assert "Indexed 1 notices" in capsys.readouterr().out


def test_rebuild_queues_the_indexing_of_each_scheduled_notice_for_its_time(notice_in, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE_TASKS
    scheduled = notice_in("scheduled")
    DBTaskResult.objects.all().delete()
    index.rebuild()
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "search.tasks.index_due_publications"
    assert queued.run_after == scheduled.published_at

"""The built-in schedule (core/schedule.py): due jobs are queued once however many schedulers
run, jobs not due are not, due times move on, failures are recorded without stopping the other
jobs, and a period of 0 turns a job off."""

import datetime
import io
import logging

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from config.settings.base import SCHEDULE as PROJECT_SCHEDULE
from config.settings.base import env_period
from core import schedule
from core.models import ScheduledJob
from notices import roles
from tests import factories
from tests.notices.test_concurrency import run_together

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
PROBE = "tests.core.scheduled_tasks.probe"
FAILING = "tests.core.scheduled_tasks.failing"
MINUTES_5 = datetime.timedelta(minutes=5)


def job(task: str = PROBE, every: datetime.timedelta | None = MINUTES_5) -> dict:
    return {"task": task, "label": f"测试任务 {task.rsplit('.', 1)[-1]}", "every": every}


def local(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


def run_worker() -> None:
    """Run the queued tasks, as ``manage.py db_worker`` does."""
    call_command("db_worker", batch=True, startup_delay=False, reload=False, interval=0)


def row(name: str) -> ScheduledJob:
    return ScheduledJob.objects.get(name=name)


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DATABASE_TASKS
    DBTaskResult.objects.all().delete()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_schedulers_running_at_once_queue_a_due_job_exactly_once(settings):
    settings.TASKS = DATABASE_TASKS
    settings.SCHEDULE = {"probe": job()}
    now = timezone.now()
    schedule.sync(now)
    for _ in range(3):
        DBTaskResult.objects.all().delete()
        ScheduledJob.objects.filter(name="probe").update(
            next_run=now - datetime.timedelta(minutes=1), last_task_id=""
        )

        results = run_together(4, lambda i: schedule.run_due(now))

        assert not [r for r in results if isinstance(r, Exception)], results
        assert sorted(name for queued in results for name in queued) == ["probe"]
        assert DBTaskResult.objects.filter(task_path=PROBE).count() == 1
        assert row("probe").next_run == now + datetime.timedelta(minutes=4)
    assert ScheduledJob.objects.count() == 1


@pytest.mark.django_db
def test_a_job_not_due_is_not_queued(database_queue, settings):
    settings.SCHEDULE = {"probe": job()}
    now = timezone.now()
    schedule.sync(now)
    ScheduledJob.objects.filter(name="probe").update(next_run=now + datetime.timedelta(seconds=1))

    assert schedule.run_due(now) == []
    assert not DBTaskResult.objects.exists()
    assert row("probe").last_run is None


@pytest.mark.django_db
def test_a_new_job_runs_at_once_and_a_daily_one_at_its_time_of_day(database_queue, settings):
    settings.SCHEDULE = {"probe": job(), "nightly": job(every=datetime.timedelta(days=1))}
    settings.SCHEDULE_DAILY_AT = datetime.time(3, 0)
    now = local(2026, 12, 7, 10, 0)

    assert schedule.run_due(now) == ["probe"]
    assert row("probe").next_run == now + MINUTES_5
    assert row("nightly").next_run == local(2026, 12, 8, 3, 0)
    assert DBTaskResult.objects.filter(task_path=PROBE).count() == 1


@pytest.mark.django_db
def test_next_run_keeps_the_time_of_day_and_a_pause_runs_a_job_once(settings):
    settings.SCHEDULE = {"nightly": job(every=datetime.timedelta(days=1))}
    settings.SCHEDULE_DAILY_AT = datetime.time(3, 0)
    schedule.sync(local(2026, 12, 7, 10, 0))

    assert schedule.run_due(local(2026, 12, 8, 3, 0, 30)) == ["nightly"]
    nightly = row("nightly")
    assert nightly.next_run == local(2026, 12, 9, 3, 0)
    assert nightly.last_run == local(2026, 12, 8, 3, 0, 30)
    # The tests' task backend runs the task at once: its outcome is already on the row.
    assert nightly.last_status == ScheduledJob.Status.SUCCESSFUL
    assert nightly.last_result == "探针已运行"

    # No scheduler for three and a half days: one run, and the next at 03:00 again.
    assert schedule.run_due(local(2026, 12, 12, 15, 0)) == ["nightly"]
    assert row("nightly").next_run == local(2026, 12, 13, 3, 0)
    assert schedule.run_due(local(2026, 12, 12, 15, 1)) == []


@pytest.mark.django_db(transaction=True)  # the worker closes connections
def test_a_failing_job_is_recorded_and_logged_and_the_others_still_run(
    database_queue, settings, caplog
):
    settings.SCHEDULE = {
        "failing": job(FAILING),
        "missing": job("tests.core.scheduled_tasks.no_such_task"),
        "probe": job(),
    }
    now = timezone.now()

    with caplog.at_level(logging.ERROR, logger="core.schedule"):
        assert schedule.run_due(now) == ["failing", "probe"]
        assert row("failing").last_status == ScheduledJob.Status.QUEUED
        run_worker()

    failing, missing, probe = row("failing"), row("missing"), row("probe")
    assert failing.last_status == ScheduledJob.Status.FAILED
    assert failing.last_result == "RuntimeError: 故意失败"
    assert failing.last_finished_at is not None
    assert missing.last_status == ScheduledJob.Status.FAILED
    assert missing.last_result.startswith("未能排队")
    assert probe.last_status == ScheduledJob.Status.SUCCESSFUL
    assert probe.last_result == "探针已运行"
    # Each moves on: a failure is tried again at its next time, not at every pass.
    assert {failing.next_run, missing.next_run, probe.next_run} == {now + MINUTES_5}
    logged = [record.getMessage() for record in caplog.records]
    assert any("failing" in message and "故意失败" in message for message in logged), logged
    assert any("missing" in message for message in logged), logged


@pytest.mark.django_db(transaction=True)  # the worker closes connections
def test_a_job_still_waiting_for_a_worker_is_not_queued_again(database_queue, settings):
    settings.SCHEDULE = {"probe": job()}
    now = timezone.now()
    assert schedule.run_due(now) == ["probe"]

    assert schedule.run_due(now + datetime.timedelta(minutes=10)) == []
    assert DBTaskResult.objects.count() == 1
    assert row("probe").next_run == now + datetime.timedelta(minutes=15)

    run_worker()
    assert schedule.run_due(now + datetime.timedelta(minutes=15)) == ["probe"]
    assert DBTaskResult.objects.count() == 2


@pytest.mark.django_db
def test_a_period_of_zero_turns_a_job_off(database_queue, settings, monkeypatch):
    monkeypatch.setenv("SCHEDULE_PROBE_MINUTES", "0")
    settings.SCHEDULE = {"probe": job(every=env_period("SCHEDULE_PROBE_MINUTES", 5, "minutes"))}
    now = timezone.now()
    assert schedule.run_due(now) == []
    assert row("probe").interval is None and row("probe").next_run is None

    # Turned on, it runs; turned off again, it no longer does.
    monkeypatch.setenv("SCHEDULE_PROBE_MINUTES", "5")
    settings.SCHEDULE = {"probe": job(every=env_period("SCHEDULE_PROBE_MINUTES", 5, "minutes"))}
    assert schedule.run_due(now) == ["probe"]
    settings.SCHEDULE = {"probe": job(every=None)}
    assert schedule.run_due(now + datetime.timedelta(days=1)) == []
    assert row("probe").next_run is None
    assert DBTaskResult.objects.count() == 1


def test_a_period_must_be_zero_or_positive(monkeypatch):
    monkeypatch.setenv("SCHEDULE_PROBE_HOURS", "-1")
    with pytest.raises(ImproperlyConfigured, match="SCHEDULE_PROBE_HOURS"):
        env_period("SCHEDULE_PROBE_HOURS", 24, "hours")
    monkeypatch.setenv("SCHEDULE_PROBE_HOURS", "")
    assert env_period("SCHEDULE_PROBE_HOURS", 24, "hours") == datetime.timedelta(hours=24)


@pytest.mark.django_db
def test_a_changed_period_takes_effect_from_now(settings):
    settings.SCHEDULE = {"probe": job()}
    now = timezone.now()
    assert schedule.run_due(now) == ["probe"]
    settings.SCHEDULE = {"probe": job(every=datetime.timedelta(hours=1))}
    later = now + datetime.timedelta(minutes=1)
    assert schedule.run_due(later) == ["probe"]
    assert row("probe").next_run == later + datetime.timedelta(hours=1)


def test_every_job_of_the_project_is_a_task():
    assert set(PROJECT_SCHEDULE) == {
        "audit_checkpoint",
        "prune_task_results",
        "delete_expired_identity_documents",
        "check_links",
    }
    for entry in PROJECT_SCHEDULE.values():
        assert isinstance(import_string(entry["task"]), Task), entry


@pytest.mark.django_db
def test_the_scheduled_audit_checkpoint_signs_the_history(settings):
    from audit import checkpoints

    settings.SCHEDULE = {"audit_checkpoint": PROJECT_SCHEDULE["audit_checkpoint"]}
    factories.make_organ()  # an audited change, so that the history has an event
    before = checkpoints.latest()

    assert schedule.run_due(timezone.now()) == ["audit_checkpoint"]

    latest = checkpoints.latest()
    assert latest is not None and latest != before
    checkpoint_row = row("audit_checkpoint")
    assert checkpoint_row.last_status == ScheduledJob.Status.SUCCESSFUL
    assert checkpoint_row.last_result == f"共 {latest.sequence} 条，链头 {latest.hash}"


@pytest.mark.django_db(transaction=True)  # the worker closes connections
def test_the_scheduled_pruning_removes_old_task_results(database_queue, settings):
    settings.SCHEDULE = {"probe": job()}
    schedule.run_due(timezone.now())
    run_worker()
    DBTaskResult.objects.update(finished_at=timezone.now() - datetime.timedelta(days=30))

    settings.SCHEDULE = {"prune_task_results": PROJECT_SCHEDULE["prune_task_results"]}
    now = timezone.now()
    schedule.sync(now)  # a daily job: due at SCHEDULE_DAILY_AT, made due here
    ScheduledJob.objects.update(next_run=now - datetime.timedelta(minutes=1))
    assert schedule.run_due(now) == ["prune_task_results"]
    run_worker()

    assert not DBTaskResult.objects.filter(task_path=PROBE).exists()
    assert row("prune_task_results").last_status == ScheduledJob.Status.SUCCESSFUL


@pytest.mark.django_db
def test_run_schedule_once_queues_what_is_due(database_queue, settings):
    settings.SCHEDULE = {"probe": job()}
    out = io.StringIO()
    call_command("run_schedule", once=True, stdout=out)
    assert "已放入任务队列：probe" in out.getvalue()
    assert DBTaskResult.objects.filter(task_path=PROBE).count() == 1


@pytest.mark.django_db
def test_site_admins_and_auditors_read_the_schedule_and_nobody_changes_it(client, settings):
    settings.SCHEDULE = {"failing": job(FAILING), "probe": job()}
    schedule.run_due(timezone.now())
    ScheduledJob.objects.filter(name="probe").update(
        next_run=timezone.now() - datetime.timedelta(hours=1)
    )
    changelist = reverse("admin:core_scheduledjob_changelist")
    change = reverse("admin:core_scheduledjob_change", args=[row("failing").pk])

    for role in (roles.SITE_ADMIN, roles.AUDITOR):
        client.force_login(factories.make_user(role))
        page = client.get(changelist).content.decode()
        assert "定时任务" in page
        assert "测试任务 failing" in page and "失败" in page and "故意失败" in page
        assert "已逾期" in page
        assert "每 5 分钟" in page
        assert client.get(change).status_code == 200
        assert client.post(change, {"label": "改名"}).status_code == 403
        assert client.get(reverse("admin:core_scheduledjob_add")).status_code == 403
        assert (
            client.post(
                reverse("admin:core_scheduledjob_delete", args=[row("probe").pk]), {"post": "yes"}
            ).status_code
            == 403
        )
    assert row("failing").label == "测试任务 failing"
    assert ScheduledJob.objects.count() == 2

    organ = factories.make_organ()
    for user in (factories.make_editor(organ), factories.make_reviewer(organ)):
        client.force_login(user)
        assert client.get(changelist).status_code == 403

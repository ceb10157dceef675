"""The built-in schedule: periodic jobs queued on the task queue without anybody's crontab.

django-tasks (0.12) and its database backend have no periodic tasks, so the project keeps its
own small schedule. ``settings.SCHEDULE`` names each job's task (a django-tasks task calling the
same code as the job's management command) and how often it runs; ``core.ScheduledJob`` holds,
per job, when it is next due and how its last run went. ``manage.py run_schedule`` calls
``run_due`` every few seconds, on any number of servers at once: a scheduler claims a due job by
locking its row (``SELECT … FOR UPDATE SKIP LOCKED``, so that others pass it by) and moving its
``next_run`` on only if nobody moved it meanwhile (which also holds on SQLite, where rows are not
locked), and queues its task in the same transaction: the task is queued once per due time, or
not at all. The worker (``manage.py db_worker``) runs it; the task queue's signals write its
outcome back to the row, which a site admin reads in the admin (门户基础 › 定时任务).

Nothing lives in a process's memory: a scheduler that stops loses nothing, and another one (or
the same one started again) carries on from the rows.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

from core.models import ScheduledJob

logger = logging.getLogger(__name__)

DAY = datetime.timedelta(days=1)
RESULT_LENGTH = 2000
STATUSES = {
    TaskResultStatus.READY: ScheduledJob.Status.QUEUED,
    TaskResultStatus.RUNNING: ScheduledJob.Status.RUNNING,
    TaskResultStatus.SUCCESSFUL: ScheduledJob.Status.SUCCESSFUL,
    TaskResultStatus.FAILED: ScheduledJob.Status.FAILED,
}


@dataclass(frozen=True)
class Job:
    """One job as the settings declare it."""

    name: str
    label: str
    task_path: str
    interval: datetime.timedelta | None
    daily_at: datetime.time | None


def declared() -> dict[str, Job]:
    """The jobs of ``settings.SCHEDULE``; a job every whole number of days runs at
    ``SCHEDULE_DAILY_AT``."""
    jobs = {}
    for name, entry in settings.SCHEDULE.items():
        interval = entry.get("every") or None
        daily = interval is not None and interval % DAY == datetime.timedelta(0)
        jobs[name] = Job(
            name=name,
            label=entry["label"],
            task_path=entry["task"],
            interval=interval,
            daily_at=settings.SCHEDULE_DAILY_AT if daily else None,
        )
    return jobs


def first_run(job: Job, now: datetime.datetime) -> datetime.datetime | None:
    """When a job just set up (or whose period changed) is first due: now, or for a daily job
    the next time its time of day comes round (local time)."""
    if job.interval is None:
        return None
    if job.daily_at is None:
        return now
    today = timezone.localtime(now).date()
    for day in (today, today + DAY):
        due = timezone.make_aware(datetime.datetime.combine(day, job.daily_at))
        if due >= now:
            return due
    return due


def following(
    due: datetime.datetime, interval: datetime.timedelta, now: datetime.datetime
) -> datetime.datetime:
    """The first due time after ``now`` in steps of ``interval`` from ``due``: a job keeps its
    time of day, and after a pause (no scheduler running) it runs once, not once per time
    missed."""
    missed = (now - due) // interval + 1 if now >= due else 1
    return due + missed * interval


def sync(now: datetime.datetime) -> None:
    """Make the rows say what the settings say: a row for every job (several schedulers may
    create them at once), a new first due time for a job whose period changed, none for a job
    turned off (0) or no longer declared."""
    jobs = declared()
    rows = {row.name: row for row in ScheduledJob.objects.all()}
    missing = [
        ScheduledJob(
            name=job.name,
            label=job.label,
            task_path=job.task_path,
            interval=job.interval,
            daily_at=job.daily_at,
            next_run=first_run(job, now),
        )
        for name, job in jobs.items()
        if name not in rows
    ]
    if missing:
        ScheduledJob.objects.bulk_create(missing, ignore_conflicts=True)
    for name, row in rows.items():
        job = jobs.get(name)
        if job is None:
            if row.interval is not None:
                ScheduledJob.objects.filter(pk=row.pk).update(interval=None, next_run=None)
            continue
        changes = {}
        if (row.label, row.task_path) != (job.label, job.task_path):
            changes.update(label=job.label, task_path=job.task_path)
        if (row.interval, row.daily_at) != (job.interval, job.daily_at):
            changes.update(
                interval=job.interval, daily_at=job.daily_at, next_run=first_run(job, now)
            )
        if changes:
            # Only over what this scheduler read: another one may have synced meanwhile.
            ScheduledJob.objects.filter(
                pk=row.pk, interval=row.interval, daily_at=row.daily_at, next_run=row.next_run
            ).update(**changes)


def run_due(now: datetime.datetime | None = None) -> list[str]:
    """Queue the task of every job that is due, each once whatever other schedulers do at the
    same time; the names of the jobs this call queued."""
    now = now or timezone.now()
    sync(now)
    queued: list[str] = []
    seen: set[int] = set()
    while True:
        with transaction.atomic():
            job = (
                ScheduledJob.objects.select_for_update(skip_locked=True)
                .filter(interval__isnull=False, next_run__lte=now)
                .exclude(pk__in=seen)
                .order_by("next_run", "pk")
                .first()
            )
            if job is None:
                return queued
            seen.add(job.pk)
            claimed = ScheduledJob.objects.filter(pk=job.pk, next_run=job.next_run).update(
                next_run=following(job.next_run, job.interval, now)
            )
            if claimed and queue(job, now):
                queued.append(job.name)


def queue(job: ScheduledJob, now: datetime.datetime) -> bool:
    """Queue the job's task (in the caller's transaction, which has claimed it) and record it.
    A failure is recorded on the job and logged, and does not stop the other jobs."""
    try:
        with transaction.atomic():
            task = import_string(job.task_path)
            if still_queued(task, job.last_task_id):
                logger.warning(
                    "Scheduled job %s not queued again: its last run is still waiting for a "
                    "worker (is manage.py db_worker running?)",
                    job.name,
                )
                return False
            result = task.enqueue()
    except Exception as error:
        logger.exception("Scheduled job %s could not be queued", job.name)
        fields = {
            "last_task_id": "",
            "last_status": ScheduledJob.Status.FAILED,
            "last_finished_at": now,
            "last_result": f"未能排队：{error}"[:RESULT_LENGTH],
        }
    else:
        fields = {"last_task_id": str(result.id), **outcome(result)}
    ScheduledJob.objects.filter(pk=job.pk).update(last_run=now, **fields)
    return bool(fields["last_task_id"])


def still_queued(task, task_id: str) -> bool:
    """Whether the job's last task is still waiting for a worker: queuing it again would only
    pile up runs (every five minutes for a day without a worker)."""
    if not task_id or not task.get_backend().supports_get_result:
        return False
    try:
        return task.get_result(task_id).status == TaskResultStatus.READY
    except TaskResultDoesNotExist:
        return False


def outcome(task_result) -> dict:
    """A job's fields for where its task stands: its status and, once it has finished, when and
    what it returned or the error it raised (the last line of its traceback)."""
    fields = {"last_status": STATUSES[task_result.status]}
    if task_result.status == TaskResultStatus.SUCCESSFUL:
        value = task_result.return_value
        fields["last_result"] = "" if value is None else str(value)[:RESULT_LENGTH]
    elif task_result.status == TaskResultStatus.FAILED:
        lines = task_result.errors[-1].traceback.strip().splitlines() if task_result.errors else []
        fields["last_result"] = (lines[-1] if lines else "")[:RESULT_LENGTH]
    else:
        return {**fields, "last_finished_at": None, "last_result": ""}
    fields["last_finished_at"] = task_result.finished_at or timezone.now()
    return fields


def scheduled_task_paths() -> set[str]:
    return {entry["task"] for entry in settings.SCHEDULE.values()}


def record_started(sender, task_result, **kwargs) -> None:
    """``task_started``: a scheduled job's task is running (only a task the schedule names costs
    a query)."""
    if task_result.task.module_path in scheduled_task_paths():
        ScheduledJob.objects.filter(last_task_id=str(task_result.id)).update(
            last_status=ScheduledJob.Status.RUNNING
        )


def record_finished(sender, task_result, **kwargs) -> None:
    """``task_finished``: write a scheduled job's outcome on its row; a failure is logged."""
    if task_result.task.module_path not in scheduled_task_paths():
        return
    fields = outcome(task_result)
    recorded = ScheduledJob.objects.filter(last_task_id=str(task_result.id)).update(**fields)
    if recorded and fields["last_status"] == ScheduledJob.Status.FAILED:
        logger.error(
            "Scheduled task %s failed: %s", task_result.task.module_path, fields["last_result"]
        )

"""The built-in schedule in the admin (门户基础 › 定时任务): read only, for a site admin to see
that the periodic jobs run and how their last run went. The periods are settings
(``SCHEDULE_*``, README), not edited here."""

import datetime

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html

from core.models import ScheduledJob

# A job still not queued this long after it was due: no scheduler is running.
OVERDUE_AFTER = datetime.timedelta(minutes=5)


def period(job: ScheduledJob) -> str:
    if job.interval is None:
        return "已停用"
    seconds = int(job.interval.total_seconds())
    if job.daily_at is not None:
        days = seconds // 86400
        every = "每天" if days == 1 else f"每 {days} 天"
        return f"{every} {job.daily_at:%H:%M}"
    if seconds % 3600 == 0:
        return f"每 {seconds // 3600} 小时"
    if seconds % 60 == 0:
        return f"每 {seconds // 60} 分钟"
    return f"每 {seconds} 秒"


@admin.register(ScheduledJob)
class ScheduledJobAdmin(admin.ModelAdmin):
    list_display = [
        "label",
        "period",
        "next_run_shown",
        "last_run",
        "status_shown",
        "last_finished_at",
        "result_shown",
    ]
    list_filter = ["last_status"]
    fields = [
        "label",
        "name",
        "task_path",
        "period",
        "next_run",
        "last_run",
        "last_status",
        "last_finished_at",
        "last_task_id",
        "last_result",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="周期")
    def period(self, job: ScheduledJob) -> str:
        return period(job)

    @admin.display(description="下次运行", ordering="next_run")
    def next_run_shown(self, job: ScheduledJob):
        if job.next_run is None:
            return "—"
        shown = timezone.localtime(job.next_run).strftime("%Y-%m-%d %H:%M")
        if job.interval is not None and job.next_run < timezone.now() - OVERDUE_AFTER:
            return format_html(
                "{} <strong>已逾期：定时任务进程（run_schedule）未运行？</strong>",
                shown,
            )
        return shown

    @admin.display(description="上次结果", ordering="last_status")
    def status_shown(self, job: ScheduledJob):
        if job.last_status == ScheduledJob.Status.FAILED:
            return format_html("<strong>{}</strong>", job.get_last_status_display())
        return job.get_last_status_display() or "尚未运行"

    @admin.display(description="上次输出")
    def result_shown(self, job: ScheduledJob) -> str:
        text = job.last_result
        return text if len(text) <= 80 else f"{text[:80]}…"

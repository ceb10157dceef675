from django.db import models
from django.utils.translation import gettext_lazy as _


class PageGeneration(models.Model):
    """A number bumped when a change could not reach the cache to invalidate the pages it
    touched (core.page_cache). Every cached page records it and is not served once the database
    holds a larger one, so an invalidation is not lost while the cache cannot be reached. One
    row."""

    value = models.BigIntegerField(_("版本号"), default=0)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("门户内容版本")
        verbose_name_plural = _("门户内容版本")

    def __str__(self) -> str:
        return f"门户内容版本 {self.value}"


class ScheduledJob(models.Model):
    """One job of the built-in schedule (settings.SCHEDULE, core/schedule.py): when its task is
    next queued, and how its last run went. The rows are the only state of the schedule, so any
    number of schedulers on any number of servers share it; a job is claimed by moving its
    ``next_run`` on, in the transaction that queues its task."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("已排队")
        RUNNING = "running", _("运行中")
        SUCCESSFUL = "successful", _("成功")
        FAILED = "failed", _("失败")

    name = models.CharField(_("代码"), max_length=100, unique=True)
    label = models.CharField(_("任务"), max_length=200)
    task_path = models.CharField(_("任务函数"), max_length=200)
    interval = models.DurationField(_("间隔"), null=True, blank=True, help_text=_("空：已停用"))
    daily_at = models.TimeField(_("运行时刻"), null=True, blank=True)
    next_run = models.DateTimeField(_("下次运行"), null=True, blank=True)
    last_run = models.DateTimeField(_("上次排队"), null=True, blank=True)
    last_task_id = models.CharField(_("上次任务编号"), max_length=64, blank=True)
    last_status = models.CharField(_("上次结果"), max_length=20, choices=Status.choices, blank=True)
    last_finished_at = models.DateTimeField(_("上次完成"), null=True, blank=True)
    last_result = models.TextField(_("上次输出"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("定时任务")
        verbose_name_plural = _("定时任务")

    def __str__(self) -> str:
        return self.label

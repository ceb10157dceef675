"""A notice's versions and workflow events, and the add forms' one-time tokens."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notices import genres
from notices.models.notice import Notice


class NoticeVersion(models.Model):
    """A snapshot of a notice's content each time it is published or corrected."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("公告"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本"))
    content = models.JSONField(_("内容"))
    change_note = models.CharField(_("更正说明"), max_length=500, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("编辑人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        ordering = ["notice", "number"]
        verbose_name = _("历史版本")
        verbose_name_plural = _("历史版本")
        constraints = [
            models.UniqueConstraint(fields=["notice", "number"], name="notice_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.notice} v{self.number}"


class WorkflowEvent(models.Model):
    """Who moved a notice through the workflow, when, and what they said."""

    class Action(models.TextChoices):
        CREATED = "created", _("创建")
        EDITED = "edited", _("修改")
        SUBMITTED = "submitted", _("提交审核")
        SENT_BACK = "sent_back", _("退回修改")
        PUBLISHED = "published", _("审核发布")
        SCHEDULED = "scheduled", _("审核通过，定时发布")
        UNSCHEDULED = "unscheduled", _("取消定时发布")
        CORRECTION_STARTED = "correction_started", _("发起更正")
        CORRECTED = "corrected", _("发布更正")
        RESTORED = "restored", _("恢复历史版本")
        WITHDRAWN = "withdrawn", _("撤回")
        VALIDITY_CHANGED = "validity_changed", _("变更有效性")

    notice = models.ForeignKey(
        Notice, verbose_name=_("公告"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=30, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    comment = models.TextField(_("意见"), blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("流程记录")
        verbose_name_plural = _("流程记录")

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.notice}"


class FormSubmission(models.Model):
    """The one-time token of an add form and what its first sending created, so that a form
    sent twice creates once (notices.submissions). Kept for a day."""

    token = models.UUIDField(_("表单标识"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        verbose_name=_("创建的对象类型"),
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
    )
    object_id = models.PositiveBigIntegerField(_("创建的对象"), null=True)
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("表单提交记录")
        verbose_name_plural = _("表单提交记录")
        constraints = [
            models.UniqueConstraint(fields=["token"], name="form_submission_unique_token"),
        ]

    def __str__(self) -> str:
        return f"表单提交 {self.token}"


# Defined beside the service that uses it; imported here so that the app registers it.
from notices.staging import StagedUpload  # noqa: E402, F401

models.signals.post_migrate.connect(genres.seed_after_migrate, dispatch_uid="notices.genres")

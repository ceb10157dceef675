"""What happens to an application: its event log, documents sent, attachments, and the
records of 补正, consultation, extension, 行政复议 and 行政诉讼."""

import os
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models.application import Application, State


class ApplicationEvent(models.Model):
    """One step of an application (条例 §45: 登记、审核、办理、答复、归档 are recorded).
    Append-only: rows are never changed or deleted by the application."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("提交申请")
        REGISTERED = "registered", _("登记受理")
        CORRECTION_ASKED = "correction_asked", _("告知补正")
        CORRECTION_RECEIVED = "correction_received", _("收到补正")
        ABANDONED = "abandoned", _("视为放弃")
        CONSULTATION_STARTED = "consultation_started", _("发起征求意见")
        CONSULTATION_FINISHED = "consultation_finished", _("征求意见结束")
        EXTENDED = "extended", _("延期答复")
        ANSWERED = "answered", _("答复")
        ARCHIVED = "archived", _("归档")
        REVIEW_RECORDED = "review_recorded", _("登记行政复议")
        LAWSUIT_RECORDED = "lawsuit_recorded", _("登记行政诉讼")
        IDENTITY_DELETED = "identity_deleted", _("删除身份证明材料")

    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=30, choices=Action.choices)
    from_state = models.CharField(_("原状态"), max_length=30, choices=State.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=30, choices=State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("为空表示申请人在网上提交。"),
    )
    comment = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.application.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("办理记录只能新增，不能修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("办理记录不能删除。"))


class ApplicationDocument(models.Model):
    """A document to the applicant, kept exactly as sent (rendered HTML)."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("登记回执")
        CORRECTION_NOTICE = "correction_notice", _("补正告知书")
        EXTENSION_NOTICE = "extension_notice", _("延期答复告知书")
        THIRD_PARTY_CONSULTATION = "third_party_consultation", _("征求第三方意见书")
        ORGAN_CONSULTATION = "organ_consultation", _("征求其他机关意见函")
        ANSWER = "answer", _("答复书")
        FEE_NOTICE = "fee_notice", _("信息处理费缴纳通知")

    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="documents"
    )
    event = models.ForeignKey(
        ApplicationEvent,
        verbose_name=_("办理记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    kind = models.CharField(_("文书类型"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=200)
    html = models.TextField(_("文书内容"), help_text=_("按模板生成、发出时的全文。"))
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("文书")
        verbose_name_plural = _("文书")

    def __str__(self) -> str:
        return self.title


def attachment_upload_to(instance: "ApplicationAttachment", filename: str) -> str:
    extension = os.path.splitext(filename)[1].lower()
    return f"applications/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


class ApplicationAttachment(models.Model):
    """A file the applicant sent (an identity document, a supporting paper). Identity
    documents are deleted after the retention period; the row stays to record that."""

    class Kind(models.TextChoices):
        IDENTITY = "identity", _("身份证明")
        SUPPORTING = "supporting", _("其他材料")

    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to=attachment_upload_to, blank=True)
    original_name = models.CharField(_("原文件名"), max_length=200)
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    deleted_at = models.DateTimeField(_("删除时间"), null=True, blank=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")

    def __str__(self) -> str:
        return self.original_name


class CorrectionRequest(models.Model):
    """The one request for 补正 an application may get (条例 §30): one per application."""

    application = models.OneToOneField(
        Application, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="correction"
    )
    asked_on = models.DateField(_("告知补正日期"))
    what = models.TextField(_("需要补正的事项"), help_text=_("一次性告知需要补正的全部事项。"))
    reply_by = models.DateField(_("补正期限"), help_text=_("申请人应在此日期前提交补正。"))
    received_on = models.DateField(_("收到补正日期"), null=True, blank=True)
    content = models.TextField(_("补正内容"), blank=True)

    class Meta:
        ordering = ["-asked_on", "pk"]
        verbose_name = _("补正")
        verbose_name_plural = _("补正")
        constraints = [
            models.CheckConstraint(
                condition=Q(reply_by__gte=models.F("asked_on")),
                name="correction_reply_after_asked",
                violation_error_message=_("补正期限不能早于告知补正日期。"),
            ),
            models.CheckConstraint(
                condition=~Q(what=""),
                name="correction_what_not_empty",
                violation_error_message=_("须写明需要补正的事项。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application.number} 补正"


class Consultation(models.Model):
    """Asking a third party (§32) or another organ (§34); up to 15 working days not counted."""

    class Kind(models.TextChoices):
        THIRD_PARTY = "third_party", _("征求第三方意见")
        ORGAN = "organ", _("征求其他机关意见")

    application = models.ForeignKey(
        Application,
        verbose_name=_("申请"),
        on_delete=models.CASCADE,
        related_name="consultations",
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    party = models.CharField(_("征求对象"), max_length=200)
    started_on = models.DateField(_("发出日期"))
    reply_by = models.DateField(_("答复期限"))
    finished_on = models.DateField(_("结束日期"), null=True, blank=True)
    opinion = models.TextField(_("意见"), blank=True)
    resume_state = models.CharField(
        _("结束后的状态"), max_length=30, choices=State.choices, editable=False
    )

    class Meta:
        ordering = ["started_on", "pk"]
        verbose_name = _("征求意见")
        verbose_name_plural = _("征求意见")
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(finished_on__isnull=True),
                name="consultation_one_open",
                violation_error_message=_("同一申请同时只能有一项未结束的征求意见。"),
            ),
            models.CheckConstraint(
                condition=Q(finished_on__isnull=True) | Q(finished_on__gte=models.F("started_on")),
                name="consultation_finished_after_start",
                violation_error_message=_("结束日期不能早于发出日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.party}"


class Extension(models.Model):
    """The one extension of the answer period (§33): at most 20 working days, approved by the
    organ's 负责人, whose approval is recorded here."""

    MAX_DAYS = 20

    application = models.OneToOneField(
        Application, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="extension"
    )
    days = models.PositiveSmallIntegerField(_("延长工作日数"))
    reason = models.TextField(_("延期理由"))
    approved_by = models.CharField(
        _("批准的负责人"), max_length=100, help_text=_("同意延期的机关负责人姓名和职务。")
    )
    approved_on = models.DateField(_("批准日期"))
    recorded_on = models.DateField(_("登记日期"), default=timezone.localdate)

    class Meta:
        ordering = ["-recorded_on", "pk"]
        verbose_name = _("延期答复")
        verbose_name_plural = _("延期答复")
        constraints = [
            models.CheckConstraint(
                condition=Q(days__gte=1, days__lte=20),
                name="extension_at_most_20_days",
                violation_error_message=_("延长答复期限最长不得超过20个工作日。"),
            ),
            models.CheckConstraint(
                condition=~Q(approved_by="") & ~Q(reason=""),
                name="extension_approved",
                violation_error_message=_("延期须经机关负责人同意，并写明理由。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application.number} 延期{self.days}个工作日"


class ReviewOutcome(models.TextChoices):
    UPHELD = "upheld", _("结果维持")
    CORRECTED = "corrected", _("结果纠正")
    OTHER = "other", _("其他结果")
    PENDING = "pending", _("尚未审结")


class AdministrativeReview(models.Model):
    """A 行政复议 against the handling of an application (annual report table 4)."""

    Outcome = ReviewOutcome

    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.PROTECT, related_name="reviews"
    )
    filed_on = models.DateField(_("申请复议日期"))
    body = models.CharField(_("复议机关"), max_length=200)
    outcome = models.CharField(
        _("结果"), max_length=20, choices=ReviewOutcome.choices, default=ReviewOutcome.PENDING
    )
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        ordering = ["-filed_on", "pk"]
        verbose_name = _("行政复议")
        verbose_name_plural = _("行政复议")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="pending", decided_on__isnull=True)
                | (~Q(outcome="pending") & Q(decided_on__isnull=False)),
                name="review_decided_on_with_outcome",
                violation_error_message=_("已审结的须填写决定日期；尚未审结的不填。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application.number} 行政复议（{self.get_outcome_display()}）"


class Lawsuit(models.Model):
    """A 行政诉讼, brought directly or after a 行政复议 (annual report table 4)."""

    Outcome = ReviewOutcome

    class Route(models.TextChoices):
        DIRECT = "direct", _("未经复议直接起诉")
        AFTER_REVIEW = "after_review", _("复议后起诉")

    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.PROTECT, related_name="lawsuits"
    )
    route = models.CharField(_("起诉方式"), max_length=20, choices=Route.choices)
    review = models.ForeignKey(
        AdministrativeReview,
        verbose_name=_("所经行政复议"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lawsuits",
    )
    filed_on = models.DateField(_("起诉日期"))
    court = models.CharField(_("受理法院"), max_length=200)
    outcome = models.CharField(
        _("结果"), max_length=20, choices=ReviewOutcome.choices, default=ReviewOutcome.PENDING
    )
    decided_on = models.DateField(_("裁判日期"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        ordering = ["-filed_on", "pk"]
        verbose_name = _("行政诉讼")
        verbose_name_plural = _("行政诉讼")
        constraints = [
            models.CheckConstraint(
                condition=Q(route="direct", review__isnull=True)
                | Q(route="after_review", review__isnull=False),
                name="lawsuit_route_matches_review",
                violation_error_message=_("复议后起诉须关联所经的行政复议；直接起诉不关联。"),
            ),
            models.CheckConstraint(
                condition=Q(outcome="pending", decided_on__isnull=True)
                | (~Q(outcome="pending") & Q(decided_on__isnull=False)),
                name="lawsuit_decided_on_with_outcome",
                violation_error_message=_("已审结的须填写裁判日期；尚未审结的不填。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application.number} 行政诉讼（{self.get_route_display()}）"

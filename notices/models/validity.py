"""A change of a published notice's 有效性 (有效 → 失效 / 废止 / 已修改), proposed by an editor
and approved by a reviewer (notices/validity.py); the notice carries the approved outcome."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from notices.models.labels import choice_label
from notices.models.notice import Notice

CHANGED_VALIDITIES = [choice for choice in Notice.Validity.choices if choice[0] != "valid"]


class ValidityChange(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待审核")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")

    notice = models.ForeignKey(
        Notice,
        verbose_name=_("文件"),
        on_delete=models.CASCADE,
        related_name="validity_changes",
        help_text=_("已发布的信息（原件）；有效性只能由“有效”变更一次。"),
    )
    validity = models.CharField(_("变更为"), max_length=20, choices=CHANGED_VALIDITIES)
    effective_on = models.DateField(
        _("生效日期"), help_text=_("文件失效、废止或被修改的日期，不能晚于今天。")
    )
    by_notice = models.ForeignKey(
        Notice,
        verbose_name=_("废止或修改文件（本网站）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("废止或修改本文件的文件在本网站已发布时选择它，公众页面将链接到该文件。"),
    )
    by_document = models.CharField(
        _("废止或修改文件（其他）"),
        max_length=400,
        blank=True,
        help_text=_(
            "文件不在本网站发布时，填写其名称和文号，例如：关于废止部分规范性文件的决定（甘政发〔2026〕3号）。"
        ),
    )
    reason = models.TextField(_("说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PROPOSED, editable=False
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True, editable=False)
    decision_comment = models.TextField(_("审核意见"), blank=True, editable=False)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        verbose_name = _("有效性变更")
        verbose_name_plural = _("有效性变更")
        constraints = [
            models.UniqueConstraint(
                fields=["notice"],
                condition=Q(status="proposed"),
                name="validity_change_one_open_per_notice",
                violation_error_message=_("这份文件已有一项待审核的有效性变更。"),
            ),
            models.UniqueConstraint(
                fields=["notice"],
                condition=Q(status="approved"),
                name="validity_change_one_approved_per_notice",
                violation_error_message=_("这份文件的有效性已经变更过。"),
            ),
            models.CheckConstraint(
                condition=~Q(validity="valid"),
                name="validity_change_not_to_valid",
                violation_error_message=_("有效性只能变更为失效、废止或已修改。"),
            ),
            models.CheckConstraint(
                condition=~Q(validity="amended") | Q(by_notice__isnull=False) | ~Q(by_document=""),
                name="validity_change_amended_names_document",
                violation_error_message=_("变更为“已修改”时必须写明修改它的文件。"),
            ),
            models.CheckConstraint(
                condition=Q(by_notice__isnull=True) | ~Q(by_notice=models.F("notice")),
                name="validity_change_not_by_itself",
                violation_error_message=_("文件不能废止或修改它自己。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notice} → {self.get_validity_display()}"

    def get_validity_display(self) -> str:
        return choice_label(self, "validity")

    def get_status_display(self) -> str:
        return choice_label(self, "status")

    @property
    def by_title(self) -> str:
        """The replacing or abolishing document as the public page names it."""
        if self.by_notice is not None:
            number = self.by_notice.document_number
            return f"{self.by_notice.title}（{number}）" if number else self.by_notice.title
        return self.by_document

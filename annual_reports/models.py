"""The annual report on government information disclosure (政府信息公开工作年度报告) of one
organ and year, in the six parts of 国办公开办函〔2021〕30号, and the hand adjustments of its
counted figures. State changes go through annual_reports/services.py."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from annual_reports import layout
from notices.fields import SanitizedHTMLField
from notices.models import Notice, Organ

FIRST_YEAR = 2020  # the first year reported in the 2021 template's format


class AnnualReportQuerySet(models.QuerySet):
    def published(self):
        """Reports whose notice is public now (a withdrawn notice takes the report with it)."""
        return self.filter(
            published_content__isnull=False,
            notice__in=Notice.objects.published(),
        )

    def for_organ(self, organ):
        return self.filter(organ=organ)


class AnnualReport(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        IN_REVIEW = "in_review", _("审核中")
        PUBLISHED = "published", _("已发布")

    organ = models.ForeignKey(
        Organ, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="annual_reports"
    )
    year = models.PositiveSmallIntegerField(
        _("报告年度"),
        validators=[MinValueValidator(FIRST_YEAR, _("年度报告按2021年格式，年度不能早于2020年。"))],
        help_text=_("报告所述的年度，例如 2025 年的年度报告于 2026 年初发布。"),
    )
    state = models.CharField(
        _("状态"), max_length=20, choices=State.choices, default=State.DRAFT, editable=False
    )
    overview = SanitizedHTMLField(_("一、总体情况"), blank=True)
    problems = SanitizedHTMLField(_("五、存在的主要问题及改进情况"), blank=True)
    other_matters = SanitizedHTMLField(
        _("六、其他需要报告的事项"),
        blank=True,
        help_text=_("包括依据《政府信息公开信息处理费管理办法》收取信息处理费的情况。"),
    )
    licensing_decisions = models.PositiveIntegerField(
        _("行政许可处理决定数量"), null=True, blank=True
    )
    penalty_decisions = models.PositiveIntegerField(
        _("行政处罚处理决定数量"), null=True, blank=True
    )
    coercion_decisions = models.PositiveIntegerField(
        _("行政强制处理决定数量"), null=True, blank=True
    )
    fee_amount = models.DecimalField(
        _("行政事业性收费金额（万元）"),
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    change_note = models.CharField(
        _("更正说明"),
        max_length=500,
        blank=True,
        help_text=_("更正已发布的年度报告时必填，随报告公开。"),
    )
    is_example = models.BooleanField(
        _("示例"), default=False, help_text=_("演示用的报告，只统计示例申请。")
    )
    # The figures and texts as submitted for review (reviewed as such) and as last published:
    # later changes of the data never alter a published report.
    review_content = models.JSONField(_("送审内容"), null=True, blank=True, editable=False)
    published_content = models.JSONField(_("发布内容"), null=True, blank=True, editable=False)
    check_override_reason = models.TextField(
        _("核对未通过仍发布的理由"), blank=True, editable=False
    )
    notice = models.OneToOneField(
        Notice,
        verbose_name=_("发布的信息"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="annual_report",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("最后编辑人"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("最后修改时间"), auto_now=True)

    objects = AnnualReportQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "organ__position", "organ__code"]
        verbose_name = _("政府信息公开工作年度报告")
        verbose_name_plural = _("政府信息公开工作年度报告")
        constraints = [
            models.UniqueConstraint(
                fields=["organ", "year"],
                name="annual_report_one_per_organ_year",
                violation_error_message=_("该机构这一年度的年度报告已经存在。"),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR),
                name="annual_report_year_from_2020",
                violation_error_message=_("年度报告按2021年格式，年度不能早于2020年。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("annual_reports:report-detail", args=[self.organ_id, self.year])

    @property
    def title(self) -> str:
        """The report's title, which its notice takes; an example report says so first, as
        the demo's notices do."""
        organ = self.organ.name if self.organ_id else ""
        prefix = "示例：" if self.is_example else ""
        return f"{prefix}{organ}{self.year}年政府信息公开工作年度报告"

    @property
    def is_editable(self) -> bool:
        return self.state == self.State.DRAFT


class Adjustment(models.Model):
    """A figure of tables 2–4 set by hand (for example where the organ used the platform for
    part of the year only), with the reason the report keeps and publishes."""

    class Table(models.TextChoices):
        DOCUMENTS = "2", _("二、主动公开政府信息情况")
        REQUESTS = "3", _("三、收到和处理政府信息公开申请情况")
        APPEALS = "4", _("四、政府信息公开行政复议、行政诉讼情况")

    report = models.ForeignKey(
        AnnualReport,
        verbose_name=_("年度报告"),
        on_delete=models.CASCADE,
        related_name="adjustments",
    )
    table = models.CharField(_("表格"), max_length=1, choices=Table.choices)
    row = models.CharField(_("行"), max_length=30)
    column = models.CharField(_("列"), max_length=30)
    value = models.PositiveIntegerField(_("调整后数值"))
    reason = models.TextField(
        _("调整理由"), help_text=_("例如：1月至3月的申请未在平台办理，按纸质台账补录。")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("调整人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("调整时间"), auto_now=True)

    class Meta:
        ordering = ["report", "table", "pk"]
        verbose_name = _("手工调整")
        verbose_name_plural = _("手工调整")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "table", "row", "column"],
                name="adjustment_one_per_cell",
                violation_error_message=_("这个单元格已有手工调整，请修改原调整。"),
            ),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="adjustment_has_reason",
                violation_error_message=_("手工调整必须写明理由。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cell_label}：{self.value}"

    @property
    def cell_label(self) -> str:
        if not layout.is_cell(self.table, self.row, self.column):
            return f"表{self.table} {self.row}/{self.column}"
        return (
            f"表{layout.TABLE_NUMBERS[self.table]}「{layout.row_label(self.table, self.row)}」"
            f"「{layout.column_label(self.table, self.column)}」"
        )

    def clean(self) -> None:
        super().clean()
        self.reason = (self.reason or "").strip()
        if not self.reason:
            raise ValidationError({"reason": _("手工调整必须写明理由。")})
        if not layout.is_cell(self.table, self.row, self.column):
            raise ValidationError(_("所选的行或列不在这张表中。"))

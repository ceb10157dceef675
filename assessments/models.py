"""Assessments (考核): units scored on indicators, findings, rectification and statistics.

Totals, ranks and grades are never stored: assessments.results derives them from the scores
whenever they are shown, so they cannot go stale.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notices.models import Notice, Organ, StoredFile

DEFAULT_GRADE_BANDS = [
    ("优秀", Decimal(90)),
    ("良好", Decimal(70)),
    ("合格", Decimal(60)),
    ("不合格", Decimal(0)),
]


class AssessmentQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Assessment.Status.PUBLISHED)


class Assessment(models.Model):
    class Status(models.TextChoices):
        PREPARING = "preparing", _("准备中")
        IN_REVIEW = "in_review", _("待审核")
        PUBLISHED = "published", _("已发布")

    organ = models.ForeignKey(
        Organ,
        verbose_name=_("组织考核的机构"),
        on_delete=models.PROTECT,
        related_name="assessments",
        help_text=_("负责这次考核的机构；其编辑录入、审核人员发布。"),
    )
    year = models.PositiveSmallIntegerField(_("考核年度"), validators=[MinValueValidator(1990)])
    title = models.CharField(_("标题"), max_length=200)
    notice = models.OneToOneField(
        Notice,
        verbose_name=_("发布通报"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assessment",
        limit_choices_to={"correction_of__isnull": True},
        help_text=_("公布考核结果的公告或通报。"),
    )
    basis = models.TextField(
        _("考核依据"), blank=True, help_text=_("考核所依据的办法、要点等文件，每行一个。")
    )
    summary = models.TextField(_("总体情况"), blank=True)
    is_example = models.BooleanField(
        _("示例数据"), default=False, help_text=_("演示用的虚构考核；在所有页面标注“示例数据”。")
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PREPARING, editable=False
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)
    review_note = models.TextField(
        _("退回意见"), blank=True, editable=False, help_text=_("审核人员最近一次退回时的意见。")
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("最后编辑人"),
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("最后修改时间"), auto_now=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "title"]
        verbose_name = _("考核")
        verbose_name_plural = _("考核")
        permissions = [("review_assessment", _("可以审核和发布考核结果"))]
        constraints = [
            models.UniqueConstraint(
                fields=["organ", "year", "title"], name="assessment_unique_title_per_year"
            )
        ]

    def __str__(self) -> str:
        return self.full_title

    def get_absolute_url(self) -> str:
        return reverse("assessments:assessment-detail", args=[self.pk])

    @property
    def full_title(self) -> str:
        """The title with its year, once: a title that names its year is shown as it is."""
        year = str(self.year)
        return self.title if year in self.title else f"{year}年{self.title}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def affects_portal(self) -> bool:
        return self.is_published


class GradeBand(models.Model):
    """A grade (等次) and the lowest total that earns it; the bands belong to the assessment."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="grade_bands", verbose_name=_("考核")
    )
    name = models.CharField(_("等次"), max_length=20)
    min_total = models.DecimalField(_("最低总分"), max_digits=6, decimal_places=2)

    class Meta:
        ordering = ["assessment", "-min_total"]
        verbose_name = _("等次")
        verbose_name_plural = _("等次")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "name"], name="grade_band_unique_name"),
            models.UniqueConstraint(
                fields=["assessment", "min_total"], name="grade_band_unique_threshold"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（≥{self.min_total}）"


class UnitGroup(models.Model):
    """A group of units with its own score sheet, e.g. 市州人民政府 or 省政府有关部门."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="groups", verbose_name=_("考核")
    )
    name = models.CharField(_("名称"), max_length=100)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["assessment", "position", "pk"]
        verbose_name = _("考核对象分组")
        verbose_name_plural = _("考核对象分组")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "name"], name="unit_group_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class AssessedUnit(models.Model):
    """An organ assessed in one group of one assessment."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="units", verbose_name=_("考核")
    )
    group = models.ForeignKey(
        UnitGroup, on_delete=models.CASCADE, related_name="units", verbose_name=_("分组")
    )
    organ = models.ForeignKey(
        Organ, on_delete=models.PROTECT, related_name="assessed_as", verbose_name=_("单位")
    )
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["group", "position", "pk"]
        verbose_name = _("考核对象")
        verbose_name_plural = _("考核对象")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "organ"], name="assessed_unit_once_per_assessment"
            )
        ]

    def __str__(self) -> str:
        return self.organ.name

    def clean(self) -> None:
        if self.group_id and self.assessment_id and self.group.assessment_id != self.assessment_id:
            raise ValidationError({"group": _("分组必须属于同一次考核。")})


class Indicator(models.Model):
    """A node of the indicator tree; scores are given on leaves only."""

    class Kind(models.TextChoices):
        NORMAL = "normal", _("计分")
        BONUS = "bonus", _("加分")
        DEDUCTION = "deduction", _("减分")
        VETO = "veto", _("单项否决")

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("考核")
    )
    group = models.ForeignKey(
        UnitGroup,
        verbose_name=_("适用分组"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="indicators",
        help_text=_("留空表示适用于所有分组。"),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级指标"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    code = models.CharField(
        _("编号"), max_length=20, help_text=_("例如 A1 或 A1.2，导入成绩表时用作列名。")
    )
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.NORMAL)
    points = models.DecimalField(
        _("分值"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("计分项为满分，加分项为最多加分，减分项为最多减分；单项否决项填 0。"),
    )
    notes = models.TextField(_("评分说明"), blank=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["assessment", "position", "code"]
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "code"], name="indicator_unique_code"),
            models.CheckConstraint(
                condition=Q(points__gte=0), name="indicator_points_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        if self.parent_id and self.parent.assessment_id != self.assessment_id:
            raise ValidationError({"parent": _("上级指标必须属于同一次考核。")})
        if self.group_id and self.group.assessment_id != self.assessment_id:
            raise ValidationError({"group": _("适用分组必须属于同一次考核。")})
        node, seen = self.parent, set()
        while node is not None:
            if node.pk == self.pk or node.pk in seen:
                raise ValidationError({"parent": _("上级指标不能是它自己或它的下级。")})
            seen.add(node.pk)
            node = node.parent

    @property
    def max_score(self) -> Decimal:
        """The largest value a score on this leaf may take."""
        return Decimal(1) if self.kind == self.Kind.VETO else self.points


class Score(models.Model):
    unit = models.ForeignKey(
        AssessedUnit, on_delete=models.CASCADE, related_name="scores", verbose_name=_("考核对象")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="scores", verbose_name=_("指标")
    )
    value = models.DecimalField(
        _("得分"),
        max_digits=6,
        decimal_places=2,
        help_text=_("减分项填扣减的分数（正数）；单项否决项填 1 表示触发、0 表示未触发。"),
    )
    remark = models.CharField(_("备注"), max_length=500, blank=True)

    class Meta:
        ordering = ["unit", "indicator"]
        verbose_name = _("成绩")
        verbose_name_plural = _("成绩")
        constraints = [
            models.UniqueConstraint(fields=["unit", "indicator"], name="score_once_per_indicator"),
            models.CheckConstraint(condition=Q(value__gte=0), name="score_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.indicator.code}: {self.value}"

    def clean(self) -> None:
        if self.value is None or not self.indicator_id:
            return
        if self.indicator.children.exists():
            raise ValidationError({"indicator": _("只能为末级指标打分。")})
        if self.value < 0 or self.value > self.indicator.max_score:
            raise ValidationError(
                {"value": _("得分应在 0 到 %(max)s 之间。") % {"max": self.indicator.max_score}}
            )


class Finding(models.Model):
    """A highlight (主要特点) or a problem (主要问题) named in the assessment."""

    class Kind(models.TextChoices):
        HIGHLIGHT = "highlight", _("主要特点")
        PROBLEM = "problem", _("主要问题")

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="findings", verbose_name=_("考核")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(_("序号"), default=0)
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("内容"), blank=True)
    units = models.ManyToManyField(
        AssessedUnit, verbose_name=_("涉及单位"), blank=True, related_name="findings"
    )
    named_units = models.CharField(
        _("涉及单位（原文表述）"),
        max_length=200,
        blank=True,
        help_text=_("通报以文字点名而未列出具体单位时照录原文，例如“有的部门、个别市州”。"),
    )

    class Meta:
        ordering = ["assessment", "kind", "position", "pk"]
        verbose_name = _("特点或问题")
        verbose_name_plural = _("特点和问题")

    def __str__(self) -> str:
        return self.title


class Requirement(models.Model):
    """A rectification requirement (整改要求) with the units responsible and a deadline."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="requirements", verbose_name=_("考核")
    )
    position = models.PositiveSmallIntegerField(_("序号"), default=0)
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("内容"), blank=True)
    deadline = models.DateField(_("整改期限"), null=True, blank=True)
    units = models.ManyToManyField(
        AssessedUnit,
        verbose_name=_("责任单位"),
        blank=True,
        related_name="requirements",
        help_text=_("留空表示全部考核对象都须整改。"),
    )
    named_units = models.CharField(
        _("责任单位（原文表述）"),
        max_length=200,
        blank=True,
        help_text=_(
            "通报以文字点名责任单位时照录原文，例如“各地、各部门”；已在上面选择单位的可留空。"
        ),
    )
    problems = models.ManyToManyField(
        Finding,
        verbose_name=_("针对的问题"),
        blank=True,
        related_name="requirements",
        limit_choices_to={"kind": Finding.Kind.PROBLEM},
    )

    class Meta:
        ordering = ["assessment", "position", "pk"]
        verbose_name = _("整改要求")
        verbose_name_plural = _("整改要求")

    def __str__(self) -> str:
        return self.title


class RectificationReport(models.Model):
    """One report of a unit on one requirement, and the reviewer's verification of it.

    Reports are never edited after they are made: the latest one gives the unit's progress, the
    earlier ones are its history.
    """

    class Progress(models.TextChoices):
        IN_PROGRESS = "in_progress", _("整改中")
        DONE = "done", _("已完成")

    class Verification(models.TextChoices):
        PENDING = "pending", _("待核验")
        ACCEPTED = "accepted", _("核验通过")
        RETURNED = "returned", _("退回重报")

    requirement = models.ForeignKey(
        Requirement, on_delete=models.CASCADE, related_name="reports", verbose_name=_("整改要求")
    )
    unit = models.ForeignKey(
        AssessedUnit, on_delete=models.CASCADE, related_name="reports", verbose_name=_("单位")
    )
    progress = models.CharField(_("整改进度"), max_length=20, choices=Progress.choices)
    text = models.TextField(_("整改情况"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("报送时间"), default=timezone.now)
    verification = models.CharField(
        _("核验"), max_length=20, choices=Verification.choices, default=Verification.PENDING
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核验人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    verification_note = models.TextField(_("核验意见"), blank=True)

    class Meta:
        ordering = ["requirement", "unit", "-submitted_at", "-pk"]
        verbose_name = _("整改报告")
        verbose_name_plural = _("整改报告")
        indexes = [
            models.Index(fields=["requirement", "unit", "-submitted_at"], name="report_latest")
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.requirement}"


class ReportAttachment(StoredFile):
    report = models.ForeignKey(
        RectificationReport,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("整改报告"),
    )

    class Meta:
        ordering = ["report", "pk"]
        verbose_name = _("整改附件")
        verbose_name_plural = _("整改附件")


class StatisticSchema(models.Model):
    """A form of disclosure statistics (统计口径): its items and the sums that must hold."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("统计口径")
        verbose_name_plural = _("统计口径")

    def __str__(self) -> str:
        return self.name


class StatisticItem(models.Model):
    schema = models.ForeignKey(
        StatisticSchema, on_delete=models.CASCADE, related_name="items", verbose_name=_("统计口径")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级项目"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    code = models.CharField(_("代码"), max_length=50)
    name = models.CharField(_("名称"), max_length=100)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["schema", "position", "pk"]
        verbose_name = _("统计项目")
        verbose_name_plural = _("统计项目")
        constraints = [
            models.UniqueConstraint(fields=["schema", "code"], name="statistic_item_unique_code")
        ]

    def __str__(self) -> str:
        return self.name


class StatisticCheck(models.Model):
    """A sum that must hold: the items on the left add up to the items on the right."""

    schema = models.ForeignKey(
        StatisticSchema, on_delete=models.CASCADE, related_name="checks", verbose_name=_("统计口径")
    )
    name = models.CharField(_("名称"), max_length=200)
    left = models.ManyToManyField(StatisticItem, related_name="+", verbose_name=_("合计项"))
    right = models.ManyToManyField(StatisticItem, related_name="+", verbose_name=_("分项"))

    class Meta:
        ordering = ["schema", "pk"]
        verbose_name = _("核对规则")
        verbose_name_plural = _("核对规则")

    def __str__(self) -> str:
        return self.name


class StatisticReport(models.Model):
    """Disclosure statistics of the assessed year, for the whole scope or for one unit."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="statistics", verbose_name=_("考核")
    )
    unit = models.ForeignKey(
        AssessedUnit,
        verbose_name=_("单位"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="statistics",
        help_text=_("留空表示全部考核范围的合计。"),
    )
    schema = models.ForeignKey(
        StatisticSchema,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("统计口径"),
    )
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["assessment", "unit", "pk"]
        verbose_name = _("公开统计")
        verbose_name_plural = _("公开统计")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "unit", "schema"], name="statistic_report_unique"
            ),
            models.UniqueConstraint(
                fields=["assessment", "schema"],
                condition=Q(unit__isnull=True),
                name="statistic_report_unique_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.unit or '全部'}"

    def clean(self) -> None:
        if self.unit_id and self.assessment_id and self.unit.assessment_id != self.assessment_id:
            raise ValidationError({"unit": _("单位必须是这次考核的考核对象。")})


class StatisticValue(models.Model):
    report = models.ForeignKey(
        StatisticReport, on_delete=models.CASCADE, related_name="values", verbose_name=_("公开统计")
    )
    item = models.ForeignKey(
        StatisticItem, on_delete=models.PROTECT, related_name="values", verbose_name=_("项目")
    )
    value = models.PositiveBigIntegerField(_("数值"))

    class Meta:
        ordering = ["report", "item"]
        verbose_name = _("统计数值")
        verbose_name_plural = _("统计数值")
        constraints = [
            models.UniqueConstraint(fields=["report", "item"], name="statistic_value_unique")
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.value}"

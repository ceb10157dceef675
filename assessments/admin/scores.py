"""Indicators and scores: the score grid's cells as form fields, the signed preview of a
score-table import, and the admins of indicators and of scores (read here, entered in the grid)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.contrib import admin
from django.core import signing
from django.urls import reverse
from django.utils.html import format_html

from assessments import results, score_io, workflow
from assessments.admin.common import AssessmentChildAdmin, ScopedAssessmentFilter
from assessments.models import AssessedUnit, Assessment, Indicator, Score, UnitGroup
from notices import access

IMPORT_SALT = "assessments.score-import"
IMPORT_MAX_AGE = 2 * 3600


class ScoreImportForm(forms.Form):
    file = forms.FileField(
        label="成绩表文件",
        help_text="CSV（UTF-8 或 GB18030 编码）或 XLSX；第一行为表头：“单位名称”列，"
        "其后每列一个末级指标，列名为指标编号（如 A1 或 A1 指标名称）。",
    )


@dataclass
class GridCell:
    unit: AssessedUnit
    indicator: Indicator
    value: str
    remark: str
    error: str = ""
    # What the editor's page showed when it was opened: posted back in hidden fields, so that
    # saving changes only the cells the editor touched and notices changes made meanwhile.
    loaded_value: str = ""
    loaded_remark: str = ""

    @property
    def name(self) -> str:
        return f"score-{self.unit.pk}-{self.indicator.pk}"

    @property
    def remark_name(self) -> str:
        return f"remark-{self.unit.pk}-{self.indicator.pk}"

    @property
    def loaded_name(self) -> str:
        return f"orig-{self.unit.pk}-{self.indicator.pk}"

    @property
    def loaded_remark_name(self) -> str:
        return f"orig-remark-{self.unit.pk}-{self.indicator.pk}"


@dataclass
class GridRow:
    result: results.UnitResult
    cells: list[GridCell]

    @property
    def unit(self) -> AssessedUnit:
        return self.result.unit

    @property
    def total(self) -> str:
        return score_io.plain_number(self.result.total)


@dataclass
class GridTable:
    group: UnitGroup
    columns: list[Indicator]
    rows: list[GridRow] = field(default_factory=list)

    @property
    def headers(self) -> list[tuple[Indicator, str]]:
        return [(indicator, column_note(indicator)) for indicator in self.columns]


def column_note(indicator: Indicator) -> str:
    points = score_io.plain_number(indicator.points)
    return {
        Indicator.Kind.NORMAL: f"满分 {points}",
        Indicator.Kind.BONUS: f"加分 ≤{points}",
        Indicator.Kind.DEDUCTION: f"减分 ≤{points}",
        Indicator.Kind.VETO: "否决 填 1 或 0",
    }[indicator.kind]


class ScoreGrid:
    """The score sheets of an assessment as form cells, read in a fixed number of queries."""

    def __init__(self, assessment: Assessment, group_id: str = ""):
        computed = results.group_results([assessment]).get(assessment.pk, [])
        indicators = list(assessment.indicators.all())
        scores = {
            (score.unit_id, score.indicator_id): score
            for score in Score.objects.filter(unit__assessment=assessment)
        }
        self.all_groups = [group_result.group for group_result in computed]
        self.tables: list[GridTable] = []
        for group_result in computed:
            if group_id and str(group_result.group.pk) != group_id:
                continue
            table = GridTable(
                group_result.group, score_io.sheet_columns(indicators, group_result.group)
            )
            for row in sorted(group_result.rows, key=lambda r: (r.unit.position, r.unit.pk)):
                cells = []
                for indicator in table.columns:
                    score = scores.get((row.unit.pk, indicator.pk))
                    value = score_io.plain_number(score.value) if score else ""
                    remark = score.remark if score else ""
                    cells.append(GridCell(row.unit, indicator, value, remark, "", value, remark))
                table.rows.append(GridRow(row, cells))
            self.tables.append(table)
        self.errors: list[str] = []

    @property
    def cells(self):
        for table in self.tables:
            for row in table.rows:
                yield from row.cells

    @property
    def cell_count(self) -> int:
        return sum(len(table.rows) * len(table.columns) for table in self.tables)

    def read(
        self, data, with_remarks: bool
    ) -> tuple[score_io.Entries, dict[tuple[int, int], tuple[Decimal | None, str | None]]]:
        """The cells the editor changed, and what each showed when the page was opened.

        Returns (entries, expected) for workflow.save_scores. A cell whose posted value (and
        remark, when shown) is what the page was opened with was not touched and is left out,
        so a stale page cannot undo someone else's change to it. Cells missing from the form
        (added since) are left alone; a form without the loaded values (an older page) sends
        every cell with nothing expected.
        """
        entries: score_io.Entries = {}
        expected: dict[tuple[int, int], tuple[Decimal | None, str | None]] = {}
        for cell in self.cells:
            if cell.name not in data:
                continue
            typed = data[cell.name].strip()
            typed_remark = cell.remark
            if with_remarks and cell.remark_name in data:
                typed_remark = data[cell.remark_name].strip()
            key = (cell.unit.pk, cell.indicator.pk)
            loaded = data.get(cell.loaded_name)
            loaded_remark = data.get(cell.loaded_remark_name) if with_remarks else None
            if loaded is not None:
                loaded = loaded.strip()
                loaded_remark = None if loaded_remark is None else loaded_remark.strip()
                if typed == loaded and typed_remark == (
                    cell.remark if loaded_remark is None else loaded_remark
                ):
                    continue  # Untouched: shown (and saved again) as it is now.
                # Keep what the page was opened with, so that a failed save asked again still
                # checks for changes made meanwhile.
                cell.loaded_value = loaded
                if loaded_remark is not None:
                    cell.loaded_remark = loaded_remark
            cell.value, cell.remark = typed, typed_remark
            try:
                entries[key] = (self._value(cell), cell.remark)
                if loaded is not None:
                    expected[key] = (
                        score_io.parse_points(loaded) if loaded else None,
                        loaded_remark,
                    )
            except ValueError as error:
                entries.pop(key, None)
                cell.error = str(error)
                self.errors.append(f"{cell.unit.organ.name}「{cell.indicator.code}」：{error}")
        return entries, expected

    def show_current(self, current: dict[tuple[int, int], tuple[Decimal | None, str]]) -> None:
        """Take these (unit, indicator) → (value, remark) as what the page was opened with: the
        editor has been told they changed meanwhile, and saving again overwrites them."""
        for cell in self.cells:
            if (cell.unit.pk, cell.indicator.pk) in current:
                value, remark = current[(cell.unit.pk, cell.indicator.pk)]
                cell.loaded_value = "" if value is None else score_io.plain_number(value)
                cell.loaded_remark = remark

    @staticmethod
    def _value(cell: GridCell) -> Decimal | None:
        """The cell's score (None: blank, no score), or ValueError saying what is wrong."""
        if len(cell.remark) > score_io.REMARK_MAX_LENGTH:
            raise ValueError(f"备注超过 {score_io.REMARK_MAX_LENGTH} 字。")
        if not cell.value:
            return None
        value = score_io.parse_points(cell.value)
        problem = score_io.range_error(cell.indicator, value)
        if problem:
            raise ValueError(problem)
        return value


def import_payload(assessment: Assessment, changes: list[workflow.ScoreChange]) -> str:
    """The previewed changes, signed, so the confirmation applies exactly what was shown."""
    return signing.dumps(
        {"assessment": assessment.pk, "changes": change_rows(changes)},
        salt=IMPORT_SALT,
        compress=True,
    )


def plain_or_none(value: Decimal | None) -> str | None:
    return None if value is None else score_io.plain_number(value)


def change_rows(changes: list[workflow.ScoreChange]) -> list[list]:
    return sorted(
        [
            change.unit.pk,
            change.indicator.pk,
            plain_or_none(change.old),
            plain_or_none(change.new),
            change.remark,
        ]
        for change in changes
    )


def read_import_payload(token: str, assessment: Assessment) -> list[list]:
    data = signing.loads(token, salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE)
    if data.get("assessment") != assessment.pk:
        raise signing.BadSignature("payload of another assessment")
    return data["changes"]


class StalePreview(Exception):
    """The scores changed between the preview and its confirmation."""


@admin.register(Indicator)
class IndicatorAdmin(AssessmentChildAdmin):
    list_display = ["code", "name", "kind", "points", "group", "parent", "assessment"]
    list_display_links = ["code", "name"]
    list_filter = [("assessment", ScopedAssessmentFilter), "kind"]
    list_select_related = ["assessment", "group", "parent"]
    search_fields = ["code", "name"]
    # Codes extend their parent's code (A, A1, A1.2), so code order lists children after their
    # parent; the score grid and the exports use the exact tree order (score_io.tree_order).
    ordering = ["assessment", "code"]
    fields = [
        "assessment",
        "parent",
        "code",
        "name",
        "kind",
        "points",
        "group",
        "notes",
        "position",
    ]


@admin.register(Score)
class ScoreAdmin(admin.ModelAdmin):
    """Scores are read here and entered through the score grid of their assessment."""

    list_display = ["unit", "indicator", "value", "remark", "grid_link"]
    list_filter = [("unit__assessment", ScopedAssessmentFilter)]
    list_select_related = ["unit__organ", "unit__assessment", "indicator"]
    search_fields = ["unit__organ__name", "=indicator__code"]

    @admin.display(description="考核")
    def grid_link(self, score: Score) -> str:
        url = reverse("admin:assessments_assessment_scores", args=[score.unit.assessment_id])
        return format_html('<a href="{}">{}</a>', url, score.unit.assessment)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return access.scope_to_user(queryset, request.user, "unit__assessment__organ")

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (
            obj is None or access.can_access_organ(request.user, obj.unit.assessment.organ_id)
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

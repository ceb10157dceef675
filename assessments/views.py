"""The public pages of assessments: the index by year, an assessment's results, a unit's history.

The public sees published assessments only: one being prepared or reviewed is a 404 on every
page. Totals, ranks and grades come from assessments.results, so every page takes a fixed
number of queries however many groups, units, indicators and years it shows.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Prefetch
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, render
from django.views.generic import DetailView, ListView, TemplateView

from assessments import charts, results
from assessments.models import (
    AssessedUnit,
    Assessment,
    Finding,
    GradeBand,
    Requirement,
    UnitGroup,
)
from notices.models import Notice, Organ

# The usual sheet has 100 points; charts of all groups share at least this scale.
FULL_MARKS = Decimal(100)
SORT_PARAMS = ("sort", "dir", "group")
DIRECTIONS = {"asc": False, "desc": True}
CJK_DIGITS = "零一二三四五六七八九"


def cjk_number(n: int) -> str:
    """一, 二 … 九十九, as the genre numbers its items: （一）（二）."""
    if n < 10:
        return CJK_DIGITS[n]
    if n >= 100:
        return str(n)
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CJK_DIGITS[tens]) + "十" + (CJK_DIGITS[ones] if ones else "")


def name_key(name: str) -> bytes:
    # GB 18030 orders the common characters by pinyin, which is what readers expect of a list
    # of place and department names; plain code-point order looks random to them.
    return name.encode("gb18030")


class PublishedAssessmentMixin:
    """Owns the queryset: the portal knows published assessments only."""

    def get_queryset(self):
        return Assessment.objects.published().select_related("organ")


class AssessmentIndexView(PublishedAssessmentMixin, ListView):
    template_name = "assessments/assessment_index.html"
    context_object_name = "assessments"

    def get_queryset(self):
        return super().get_queryset().order_by("-year", "-published_at", "title")

    def get_context_data(self, **kwargs):
        assessments = list(self.object_list)
        context = super().get_context_data(object_list=assessments, **kwargs)
        context["has_example"] = any(assessment.is_example for assessment in assessments)
        return context


# The score table


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    sort_key: Callable[[results.UnitResult], object]
    text: Callable[[results.UnitResult], str]
    numeric: bool = True
    first_direction: str = "desc"


@dataclass(frozen=True)
class HeaderCell:
    column: Column
    url: str
    aria_sort: str
    next_direction_label: str


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool


@dataclass(frozen=True)
class TableRow:
    result: results.UnitResult
    cells: list[Cell]


@dataclass(frozen=True)
class ScoreTable:
    group: UnitGroup
    headers: list[HeaderCell]
    rows: list[TableRow]
    chart: charts.BarChart
    narrow_chart: charts.BarChart  # the same, drawn for a phone
    chart_description: str
    has_incomplete: bool

    @property
    def chart_id(self) -> str:
        return f"chart-{self.group.pk}"

    @property
    def chart_title(self) -> str:
        return f"{self.group.name}各单位总分条形图"


@dataclass(frozen=True)
class SortRequest:
    group_id: int
    column: str
    descending: bool


class BadSort(Exception):
    def __init__(self, messages: list[str]):
        super().__init__(messages)
        self.messages = messages


def adjustment(row: results.UnitResult, group: results.GroupResults) -> Decimal:
    """What the top-level indicator columns leave out of the total: top-level bonus/deduction."""
    return row.total - sum(
        (row.by_top_indicator.get(indicator.pk, Decimal(0)) for indicator in group.top_indicators),
        Decimal(0),
    )


def signed(value: Decimal) -> str:
    text = charts.format_points(value)
    return text if value <= 0 else f"+{text}"


def score_columns(group: results.GroupResults, band_order: dict[str, int]) -> list[Column]:
    """The columns of a group's table, in order; every one can sort the table."""

    def grade_text(row: results.UnitResult) -> str:
        return f"{row.grade}（单项否决）" if row.vetoed else row.grade or "—"

    columns = [
        Column(
            "unit",
            "单位",
            lambda row: name_key(row.unit.organ.name),
            lambda row: row.unit.organ.name,
            numeric=False,
            first_direction="asc",
        ),
        Column("total", "总分", lambda row: row.total, lambda row: charts.format_points(row.total)),
        Column(
            "rank", "排名", lambda row: row.rank, lambda row: str(row.rank), first_direction="asc"
        ),
        Column(
            "grade",
            "等次",
            lambda row: band_order.get(row.grade, len(band_order)),
            grade_text,
            numeric=False,
            first_direction="asc",
        ),
    ]
    for indicator in group.top_indicators:
        label = indicator.name
        if indicator.points:
            label += f"（{charts.format_points(indicator.points)}分）"
        columns.append(
            Column(
                f"indicator-{indicator.code}",
                label,
                lambda row, pk=indicator.pk: row.by_top_indicator.get(pk),
                lambda row, pk=indicator.pk: charts.format_points(row.by_top_indicator.get(pk)),
            )
        )
    if any(adjustment(row, group) for row in group.rows):
        columns.append(
            Column(
                "adjustment",
                "加减分",
                lambda row: adjustment(row, group),
                lambda row: signed(adjustment(row, group)),
            )
        )
    return columns


def parse_sort(query: QueryDict, columns: dict[int, list[Column]]) -> SortRequest | None:
    """The sort asked for in ?sort=<column>&dir=asc|desc&group=<group pk>, or None.

    Nothing is guessed: a parameter that names nothing on the page is a BadSort.
    """
    if not any(name in query for name in SORT_PARAMS):
        return None
    group_text, column, direction = (query.get(name, "") for name in ("group", "sort", "dir"))
    # Compared as text: the value may be anything, thousands of digits included.
    group_id = {str(pk): pk for pk in columns}.get(group_text)
    messages = []
    if group_id not in columns:
        messages.append("分组（group）无效：这次考核没有这个分组。")
    elif column not in {each.key for each in columns[group_id]}:
        messages.append("排序列（sort）无效：这个分组的成绩表没有这一列。")
    if direction not in DIRECTIONS:
        messages.append("排序方向（dir）无效：只能是 asc（升序）或 desc（降序）。")
    if messages:
        raise BadSort(messages)
    return SortRequest(group_id, column, DIRECTIONS[direction])


def sorted_rows(rows: list[results.UnitResult], column: Column, descending: bool):
    """Rows by one column; ties keep their rank order and empty cells go last either way."""
    present = [row for row in rows if column.sort_key(row) is not None]
    missing = [row for row in rows if column.sort_key(row) is None]
    present.sort(key=column.sort_key, reverse=descending)
    return present + missing


def header_cells(group_id: int, columns: list[Column], sort: SortRequest | None):
    cells = []
    sorted_here = sort is not None and sort.group_id == group_id
    for column in columns:
        if sorted_here and sort.column == column.key:
            current = "desc" if sort.descending else "asc"
        elif not sorted_here and column.key == "rank":
            current = "asc"
        else:
            current = ""
        following = {"asc": "desc", "desc": "asc"}.get(current, column.first_direction)
        query = urlencode({"sort": column.key, "dir": following, "group": group_id})
        cells.append(
            HeaderCell(
                column=column,
                url=f"?{query}#scores-{group_id}",
                aria_sort={"asc": "ascending", "desc": "descending"}.get(current, ""),
                next_direction_label="升序" if following == "asc" else "降序",
            )
        )
    return cells


def chart_description(group: results.GroupResults) -> str:
    rows = group.rows
    if not rows:
        return f"{group.group.name}暂无考核对象。"
    best, worst = rows[0], rows[-1]
    return (
        f"{group.group.name}共 {len(rows)} 个单位的总分，按排名从高到低排列。"
        f"最高 {charts.format_points(best.total)} 分（{best.unit.organ.name}），"
        f"最低 {charts.format_points(worst.total)} 分（{worst.unit.organ.name}）。"
    )


def score_table(
    group: results.GroupResults, columns: list[Column], sort: SortRequest | None
) -> ScoreTable:
    rows = group.rows
    if sort is not None and sort.group_id == group.group.pk:
        column = next(each for each in columns if each.key == sort.column)
        rows = sorted_rows(rows, column, sort.descending)
    totals = [(row.unit.organ.name, row.total) for row in group.rows]
    return ScoreTable(
        group=group.group,
        headers=header_cells(group.group.pk, columns, sort),
        rows=[
            TableRow(row, [Cell(column.text(row), column.numeric) for column in columns[1:]])
            for row in rows
        ],
        chart=charts.bar_chart(totals, scale_max=FULL_MARKS),
        narrow_chart=charts.bar_chart(totals, scale_max=FULL_MARKS, narrow=True),
        chart_description=chart_description(group),
        has_incomplete=not all(row.complete for row in group.rows),
    )


# Findings, requirements and rectification


@dataclass(frozen=True)
class NumberedFinding:
    number: str
    finding: Finding


@dataclass(frozen=True)
class RequirementEntry:
    number: str
    requirement: Requirement
    problems: list[NumberedFinding]
    done: int
    total: int
    overdue: int


def findings_and_rectification(assessment: Assessment, groups: list[results.GroupResults]):
    units = Prefetch("units", queryset=AssessedUnit.objects.select_related("organ"))
    findings = list(assessment.findings.prefetch_related(units))
    highlights = [f for f in findings if f.kind == Finding.Kind.HIGHLIGHT]
    problems = [
        NumberedFinding(cjk_number(n), f)
        for n, f in enumerate((f for f in findings if f.kind == Finding.Kind.PROBLEM), start=1)
    ]
    problem_numbers = {entry.finding.pk: entry.number for entry in problems}

    assessed = []
    for group in groups:
        for row in group.rows:
            row.unit.group = group.group
            assessed.append(row.unit)
    progress = results.rectification_progress(assessment, units=assessed)
    by_requirement: dict[int, list[results.Progress]] = {}
    for item in progress:
        by_requirement.setdefault(item.requirement.pk, []).append(item)

    requirements = []
    queryset = assessment.requirements.prefetch_related(units, "problems")
    for n, requirement in enumerate(queryset, start=1):
        items = by_requirement.get(requirement.pk, [])
        requirements.append(
            RequirementEntry(
                number=cjk_number(n),
                requirement=requirement,
                problems=[
                    NumberedFinding(problem_numbers.get(problem.pk, ""), problem)
                    for problem in requirement.problems.all()
                ],
                done=sum(item.is_done for item in items),
                total=len(items),
                overdue=sum(item.overdue for item in items),
            )
        )
    return {
        "highlights": [NumberedFinding(cjk_number(n), f) for n, f in enumerate(highlights, 1)],
        "problems": problems,
        "requirements": requirements,
        "unit_progress": results.progress_by_unit(progress),
    }


def band_labels(bands: list[GradeBand]) -> list[str]:
    """优秀 90 分及以上 … 不合格 低于 60 分, from the highest band down."""
    labels = []
    for index, band in enumerate(bands):
        if band.min_total <= 0 and index > 0:
            above = charts.format_points(bands[index - 1].min_total)
            labels.append(f"{band.name} 低于 {above} 分")
        else:
            labels.append(f"{band.name} {charts.format_points(band.min_total)} 分及以上")
    return labels


class AssessmentDetailView(PublishedAssessmentMixin, DetailView):
    template_name = "assessments/assessment_detail.html"
    context_object_name = "assessment"

    def get(self, request, *args, **kwargs):
        self.object = assessment = self.get_object()
        groups = results.group_results([assessment])[assessment.pk]
        bands = list(GradeBand.objects.filter(assessment=assessment).order_by("-min_total"))
        band_order = {band.name: index for index, band in enumerate(bands)}
        columns = {group.group.pk: score_columns(group, band_order) for group in groups}
        try:
            sort = parse_sort(request.GET, columns)
        except BadSort as error:
            return render(
                request,
                "assessments/sort_error.html",
                {"assessment": assessment, "messages": error.messages},
                status=400,
            )
        notice = None
        if assessment.notice_id:
            notice = Notice.objects.public_pages().filter(pk=assessment.notice_id).first()
        context = self.get_context_data(
            notice=notice,
            band_labels=band_labels(bands),
            basis=[line.strip() for line in assessment.basis.splitlines() if line.strip()],
            tables=[score_table(group, columns[group.group.pk], sort) for group in groups],
            has_units=any(group.rows for group in groups),
            **findings_and_rectification(assessment, groups),
        )
        return self.render_to_response(context)


# A unit across the years


@dataclass(frozen=True)
class HistoryEntry:
    assessment: Assessment
    group: UnitGroup
    result: results.UnitResult
    of: int

    @property
    def total(self) -> str:
        return charts.format_points(self.result.total)


class UnitHistoryView(TemplateView):
    """An organ's totals, ranks and grades in every published assessment that scored it."""

    template_name = "assessments/unit_history.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organ = get_object_or_404(Organ, pk=self.kwargs["organ_pk"])
        units = list(
            AssessedUnit.objects.filter(organ=organ, assessment__in=Assessment.objects.published())
            .select_related("assessment", "group")
            .order_by("assessment__year", "assessment__published_at", "assessment_id")
        )
        if not units:
            raise Http404("该单位没有已发布的考核结果。")
        computed = results.group_results([unit.assessment for unit in units])
        history = []
        for unit in units:
            group = next(g for g in computed[unit.assessment_id] if g.group.pk == unit.group_id)
            row = next(row for row in group.rows if row.unit.pk == unit.pk)
            history.append(HistoryEntry(unit.assessment, unit.group, row, len(group.rows)))
        labels = year_labels([entry.assessment for entry in history])
        context.update(
            organ=organ,
            history=history,
            has_example=any(entry.assessment.is_example for entry in history),
            chart_title=f"{organ.name}历年考核总分折线图",
            chart=charts.trend_chart(
                [(label, entry.result.total) for label, entry in zip(labels, history, strict=True)],
                scale_max=FULL_MARKS,
            ),
            chart_description="；".join(
                f"{label} {entry.total} 分（第 {entry.result.rank} 名，共 {entry.of} 个）"
                for label, entry in zip(labels, history, strict=True)
            )
            + "。",
        )
        return context


def year_labels(assessments: list[Assessment]) -> list[str]:
    """The year of each assessment; a second one in the same year is told apart by a number."""
    seen: dict[int, int] = {}
    labels = []
    for assessment in assessments:
        seen[assessment.year] = seen.get(assessment.year, 0) + 1
        count = seen[assessment.year]
        labels.append(f"{assessment.year}年" + ("" if count == 1 else f"（{count}）"))
    return labels

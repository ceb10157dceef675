"""Totals, ranks, grades and rectification progress, derived from what was entered.

Everything here is computed on read from a fixed number of queries, however many units and
indicators an assessment has.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.utils import timezone

from assessments.models import (
    AssessedUnit,
    Assessment,
    GradeBand,
    Indicator,
    RectificationReport,
    Requirement,
    Score,
    UnitGroup,
)

Kind = Indicator.Kind
ZERO = Decimal(0)


@dataclass
class UnitResult:
    unit: AssessedUnit
    total: Decimal = Decimal(0)
    by_top_indicator: dict[int, Decimal] = field(default_factory=dict)
    bonus: Decimal = Decimal(0)
    deduction: Decimal = Decimal(0)
    vetoed: bool = False
    complete: bool = True
    rank: int = 0
    grade: str = ""


@dataclass
class GroupResults:
    group: UnitGroup
    top_indicators: list[Indicator]
    rows: list[UnitResult]


def grade_for(total: Decimal, vetoed: bool, ordered: list[GradeBand]) -> str:
    """The band whose threshold the total reaches (bands from the highest threshold down); a
    veto gives the lowest band."""
    if not ordered:
        return ""
    if vetoed:
        return ordered[-1].name
    for band in ordered:
        if total >= band.min_total:
            return band.name
    return ordered[-1].name


def assign_ranks(rows: list[UnitResult]) -> None:
    """Competition ranking within a group: equal totals share a rank (1, 2, 2, 4); a vetoed
    unit ranks after every unit that was not vetoed, whatever its total."""
    rows.sort(key=lambda row: (row.vetoed, -row.total, row.unit.position, row.unit.organ.name))
    previous_key, previous_rank = None, 0
    for index, row in enumerate(rows, start=1):
        key = (row.vetoed, row.total)
        if key != previous_key:
            previous_rank, previous_key = index, key
        row.rank = previous_rank


def top_ancestors(indicators: list[Indicator]) -> dict[int, Indicator]:
    by_id = {indicator.pk: indicator for indicator in indicators}
    found = {}
    for indicator in indicators:
        node, seen = indicator, set()
        while node.parent_id and node.parent_id in by_id and node.pk not in seen:
            seen.add(node.pk)
            node = by_id[node.parent_id]
        found[indicator.pk] = node
    return found


def group_results(assessments: list[Assessment]) -> dict[int, list[GroupResults]]:
    """Results of every group of the given assessments, keyed by assessment id."""
    ids = [assessment.pk for assessment in assessments]
    groups = list(UnitGroup.objects.filter(assessment_id__in=ids))
    units = list(AssessedUnit.objects.filter(assessment_id__in=ids).select_related("organ"))
    indicators = list(Indicator.objects.filter(assessment_id__in=ids))
    bands: dict[int, list[GradeBand]] = defaultdict(list)
    for band in GradeBand.objects.filter(assessment_id__in=ids).order_by("-min_total"):
        bands[band.assessment_id].append(band)
    # Unordered: Score's own ordering joins four tables to sort rows that are summed here.
    scores = list(
        Score.objects.filter(unit__assessment_id__in=ids)
        .order_by()
        .values_list("unit_id", "indicator_id", "value")
    )

    parents = {indicator.parent_id for indicator in indicators}
    leaves = [indicator for indicator in indicators if indicator.pk not in parents]
    top = top_ancestors(indicators)
    # What a score of each indicator counts towards: its kind and its top indicator.
    effects = {indicator.pk: (indicator.kind, top[indicator.pk].pk) for indicator in indicators}
    rows = {unit.pk: UnitResult(unit) for unit in units}
    veto, bonus, deduction = Kind.VETO.value, Kind.BONUS.value, Kind.DEDUCTION.value
    scored: dict[int, set[int]] = defaultdict(set)
    for unit_id, indicator_id, value in scores:
        scored[unit_id].add(indicator_id)
        row, effect = rows.get(unit_id), effects.get(indicator_id)
        if row is None or effect is None:
            continue
        kind, root = effect
        if kind == veto:
            row.vetoed = row.vetoed or value > 0
            continue
        if kind == bonus:
            row.bonus += value
        elif kind == deduction:
            row.deduction += value
            value = -value
        row.total += value
        row.by_top_indicator[root] = row.by_top_indicator.get(root, ZERO) + value

    units_of: dict[int, list[AssessedUnit]] = defaultdict(list)
    for unit in units:
        units_of[unit.group_id].append(unit)
    results: dict[int, list[GroupResults]] = defaultdict(list)
    for group in groups:
        # A unit's result is complete when every normal leaf that applies to it is scored.
        required = {
            i.pk
            for i in leaves
            if i.group_id in (None, group.pk)
            and i.assessment_id == group.assessment_id
            and i.kind == Kind.NORMAL
        }
        group_rows = [rows[unit.pk] for unit in units_of[group.pk]]
        for row in group_rows:
            row.complete = required <= scored[row.unit.pk]
            row.grade = grade_for(row.total, row.vetoed, bands[group.assessment_id])
        assign_ranks(group_rows)
        tops = [
            indicator
            for indicator in indicators
            if indicator.parent_id is None
            and indicator.assessment_id == group.assessment_id
            and indicator.group_id in (None, group.pk)
            and indicator.kind in (Kind.NORMAL,)
        ]
        results[group.assessment_id].append(GroupResults(group, tops, group_rows))
    return results


def unit_order(unit: AssessedUnit) -> tuple:
    """AssessedUnit's own ordering, within one assessment, for units already loaded."""
    return (unit.group.position, unit.group_id, unit.position, unit.pk)


class ReportState(NamedTuple):
    """What a rectification report says of the work: the unit's progress and its check."""

    progress: str
    verification: str


@dataclass
class Progress:
    requirement: Requirement
    unit: AssessedUnit
    latest: ReportState | None  # of the unit's latest report on the requirement
    overdue: bool

    @property
    def status(self) -> str:
        if self.is_done:
            return "done"
        if self.overdue:
            return "overdue"
        if self.latest is None:
            return "not_started"
        return "in_progress"

    @property
    def is_done(self) -> bool:
        latest = self.latest
        return (
            latest is not None
            and latest.progress == RectificationReport.Progress.DONE
            and latest.verification == RectificationReport.Verification.ACCEPTED
        )

    @property
    def status_label(self) -> str:
        labels = {
            "done": "已完成",
            "overdue": "已逾期",
            "not_started": "未开始",
            "in_progress": "整改中",
        }
        label = labels[self.status]
        if (
            self.latest is not None
            and self.latest.progress == RectificationReport.Progress.DONE
            and self.latest.verification == RectificationReport.Verification.PENDING
        ):
            label += "（待核验）"
        return label


def rectification_progress(
    assessment: Assessment,
    today: datetime.date | None = None,
    units: list[AssessedUnit] | None = None,
) -> list[Progress]:
    """The progress of every responsible unit on every requirement, from its latest report.

    ``units``: the assessment's units with their organ and group, if the caller has them.
    """
    today = today or timezone.localdate()
    if units is None:
        units = list(assessment.units.select_related("organ", "group"))
    every_unit = [(unit.pk, unit) for unit in sorted(units, key=unit_order)]
    by_id = dict(every_unit)
    requirements = list(assessment.requirements.all())
    responsible_ids: dict[int, list[int]] = defaultdict(list)
    through = Requirement.units.through.objects.filter(requirement__assessment=assessment)
    for requirement_id, unit_id in through.values_list("requirement_id", "assessedunit_id"):
        responsible_ids[requirement_id].append(unit_id)
    latest: dict[tuple[int, int], ReportState] = {}
    reports = (
        RectificationReport.objects.filter(requirement__assessment=assessment)
        .order_by("submitted_at", "pk")
        .values_list("requirement_id", "unit_id", "progress", "verification")
    )
    for requirement_id, unit_id, progress, verification in reports:
        latest[(requirement_id, unit_id)] = ReportState(progress, verification)
    found = []
    for requirement in requirements:
        requirement_id = requirement.pk
        chosen = [(pk, by_id[pk]) for pk in responsible_ids[requirement_id] if pk in by_id]
        past_deadline = requirement.deadline is not None and requirement.deadline < today
        for unit_id, unit in chosen or every_unit:
            report = latest.get((requirement_id, unit_id))
            progress = Progress(requirement, unit, report, overdue=past_deadline)
            progress.overdue = past_deadline and not progress.is_done
            found.append(progress)
    return found


@dataclass
class UnitProgress:
    unit: AssessedUnit
    done: int = 0
    total: int = 0
    overdue: int = 0


def progress_by_unit(progress: list[Progress]) -> list[UnitProgress]:
    summary: dict[int, UnitProgress] = {}
    for item in progress:
        entry = summary.setdefault(item.unit.pk, UnitProgress(item.unit))
        entry.total += 1
        entry.done += item.is_done
        entry.overdue += item.overdue
    return sorted(
        summary.values(), key=lambda e: (e.unit.group.position, e.unit.position, e.unit.pk)
    )

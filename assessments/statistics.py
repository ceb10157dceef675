"""Disclosure statistics: do the figures add up as their schema says they must?"""

from collections import defaultdict
from dataclasses import dataclass

from assessments.models import StatisticCheck, StatisticReport, StatisticValue


@dataclass(frozen=True)
class CheckFailure:
    check: str
    left: int
    right: int
    missing: tuple[str, ...] = ()

    def __str__(self) -> str:
        if self.missing:
            return f"{self.check}：缺少 {'、'.join(self.missing)}"
        return (
            f"{self.check}：合计 {self.left}，分项之和 {self.right}，相差 {self.left - self.right}"
        )


def failures(reports: list[StatisticReport]) -> dict[int, list[CheckFailure]]:
    """The checks each report fails, keyed by report id, in three queries for any number."""
    schema_ids = {report.schema_id for report in reports}
    checks = defaultdict(list)
    for check in StatisticCheck.objects.filter(schema_id__in=schema_ids).prefetch_related(
        "left", "right"
    ):
        checks[check.schema_id].append(check)
    values: dict[int, dict[int, int]] = defaultdict(dict)
    for report_id, item_id, value in StatisticValue.objects.filter(
        report__in=[report.pk for report in reports]
    ).values_list("report_id", "item_id", "value"):
        values[report_id][item_id] = value

    found: dict[int, list[CheckFailure]] = {}
    for report in reports:
        entered = values[report.pk]
        report_failures = []
        for check in checks[report.schema_id]:
            sides = [list(check.left.all()), list(check.right.all())]
            items = sides[0] + sides[1]
            if not any(item.pk in entered for item in items):
                continue
            missing = tuple(item.name for item in items if item.pk not in entered)
            left = sum(entered.get(item.pk, 0) for item in sides[0])
            right = sum(entered.get(item.pk, 0) for item in sides[1])
            if missing or left != right:
                report_failures.append(CheckFailure(check.name, left, right, missing))
        found[report.pk] = report_failures
    return found

"""Load the demo assessments from assessments/demo/*.json, through assessments.workflow.

Run after notices.demo_loader (it makes the organs, the seed notice and the demo accounts). An
assessment that already exists is left alone, so loading again changes nothing.
"""

import datetime
import json
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from assessments import workflow
from assessments.models import (
    AssessedUnit,
    Assessment,
    Finding,
    Indicator,
    RectificationReport,
    Requirement,
    StatisticReport,
    StatisticSchema,
    StatisticValue,
    UnitGroup,
)
from notices.models import Notice, Organ

DEMO_DIR = Path(__file__).resolve().parent / "demo"
FILES = ["gansu-2016.json", "example-2025.json"]
EDITOR, REVIEWER = "editor", "reviewer"  # demo accounts of 甘肃省人民政府办公厅 (notices loader)


def load() -> list[Assessment]:
    users = get_user_model().objects
    editor, reviewer = users.get(username=EDITOR), users.get(username=REVIEWER)
    with transaction.atomic():
        return [_assessment(_read(name), editor, reviewer) for name in FILES]


def _read(name: str) -> dict:
    return json.loads((DEMO_DIR / name).read_text(encoding="utf-8"))


def _assessment(data: dict, editor, reviewer) -> Assessment:
    for item in data.get("organs", []):
        Organ.objects.update_or_create(
            code=item["code"],
            defaults={"name": item["name"], "short_name": item["short_name"], "kind": item["kind"]},
        )
    organ = Organ.objects.get(code=data["organ"])
    existing = Assessment.objects.filter(organ=organ, year=data["year"], title=data["title"])
    if existing.exists():
        return existing.get()
    notice = None
    if data["notice"]:
        notice = Notice.objects.originals().get(organ=organ, title=data["notice"])
    assessment = workflow.create_assessment(
        editor,
        organ=organ,
        year=data["year"],
        title=data["title"],
        notice=notice,
        basis="\n".join(data["basis"]),
        summary=data["summary"],
        is_example=data["is_example"],
    )
    units = _units(assessment, data["groups"])
    indicators: dict[str, Indicator] = {}
    for position, item in enumerate(data.get("indicators", [])):
        _indicator(assessment, item, None, position, indicators)
    problems = _findings(assessment, data, units)
    requirements = [_requirement(assessment, r, units, problems) for r in data["requirements"]]
    for item in data["statistics"]:
        _statistics(assessment, item, units)
    workflow.mark_edited(assessment, editor)
    entries = _score_entries(data.get("scores", []), units, indicators)
    workflow.save_scores(assessment, editor, entries)

    workflow.submit(assessment, editor)
    # Results published with a notice were published when the notice was.
    assessment = workflow.publish(
        assessment, reviewer, published_at=notice.published_at if notice else None
    )
    for requirement, item in zip(requirements, data["requirements"], strict=True):
        for report in item.get("reports", []):
            _report(requirement, units[report["unit"]], report, editor, reviewer)
    return Assessment.objects.get(pk=assessment.pk)


def _saved(instance):
    instance.full_clean()
    instance.save()
    return instance


def _units(assessment: Assessment, groups: list[dict]) -> dict[str, AssessedUnit]:
    units = {}
    for group_position, item in enumerate(groups):
        group = _saved(UnitGroup(assessment=assessment, name=item["name"], position=group_position))
        for position, code in enumerate(item["units"]):
            units[code] = _saved(
                AssessedUnit(
                    assessment=assessment,
                    group=group,
                    organ=Organ.objects.get(code=code),
                    position=position,
                )
            )
    return units


def _indicator(assessment, item: dict, parent, position: int, found: dict) -> None:
    indicator = _saved(
        Indicator(
            assessment=assessment,
            parent=parent,
            code=item["code"],
            name=item["name"],
            kind=item.get("kind", Indicator.Kind.NORMAL),
            points=Decimal(str(item["points"])),
            notes=item.get("notes", ""),
            position=position,
        )
    )
    found[indicator.code] = indicator
    for child_position, child in enumerate(item.get("children", [])):
        _indicator(assessment, child, indicator, child_position, found)


def _findings(assessment, data: dict, units: dict) -> dict[int, Finding]:
    """Create the highlights and problems; return the problems by their number."""
    problems = {}
    for kind, key in ((Finding.Kind.HIGHLIGHT, "highlights"), (Finding.Kind.PROBLEM, "problems")):
        for item in data[key]:
            finding = _saved(
                Finding(
                    assessment=assessment,
                    kind=kind,
                    position=item["position"],
                    title=item["title"],
                    text=item["text"],
                    named_units=item.get("named_units", ""),
                )
            )
            finding.units.set(units[code] for code in item.get("units", []))
            if kind == Finding.Kind.PROBLEM:
                problems[item["position"]] = finding
    return problems


def _requirement(assessment, item: dict, units: dict, problems: dict) -> Requirement:
    deadline = None
    if item.get("deadline_in_days") is not None:
        deadline = timezone.localdate() + datetime.timedelta(days=item["deadline_in_days"])
    requirement = _saved(
        Requirement(
            assessment=assessment,
            position=item["position"],
            title=item["title"],
            text=item["text"],
            deadline=deadline,
            named_units=item.get("named_units", ""),
        )
    )
    requirement.units.set(units[code] for code in item.get("units", []))
    requirement.problems.set(problems[position] for position in item.get("problems", []))
    return requirement


def _statistics(assessment, item: dict, units: dict) -> None:
    schema = StatisticSchema.objects.get(name=item.get("schema", "政府信息公开统计（2019年以前）"))
    report = _saved(
        StatisticReport(
            assessment=assessment,
            unit=units[item["unit"]] if item["unit"] else None,
            schema=schema,
            note=item.get("note", ""),
        )
    )
    items = {statistic.code: statistic for statistic in schema.items.all()}
    for code, value in item["values"].items():  # one by one, so the audit history sees each
        _saved(StatisticValue(report=report, item=items[code], value=value))


def _score_entries(scores: list[dict], units: dict, indicators: dict) -> dict:
    entries = {}
    for row in scores:
        unit, remarks = units[row["unit"]], row.get("remarks", {})
        for code, value in row["values"].items():
            key = (unit.pk, indicators[code].pk)
            entries[key] = (Decimal(str(value)), remarks.get(code, ""))
    return entries


def _report(requirement, unit, item: dict, editor, reviewer) -> None:
    report = workflow.report_rectification(
        requirement, unit, editor, RectificationReport.Progress(item["progress"]), item["text"]
    )
    if "verification" in item:
        accepted = item["verification"] == RectificationReport.Verification.ACCEPTED
        workflow.verify_rectification(report, reviewer, accepted, item.get("note", ""))


def describe(base_url: str) -> list[str]:
    """Where the demo assessments' pages are, for the console."""
    shown = [
        Assessment.objects.get(organ__code=data["organ"], year=data["year"], title=data["title"])
        for data in map(_read, FILES)
    ]
    lines = [f"考核结果（{len(shown)} 项）："]
    for assessment in shown:
        label = " · 示例数据" if assessment.is_example else ""
        lines.append(f"  {base_url}{assessment.get_absolute_url()}  {assessment.title}{label}")
    return lines

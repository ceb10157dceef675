"""Assessment builders: a scored assessment in a few lines."""

from decimal import Decimal

from assessments import workflow
from assessments.models import AssessedUnit, Assessment, Indicator, UnitGroup
from tests import factories


def make_assessment(organ, editor, **fields) -> Assessment:
    fields.setdefault("year", 2016)
    fields.setdefault("title", f"政务公开工作考核{factories.next_serial()}")
    return workflow.create_assessment(editor, organ=organ, **fields)


def make_group(assessment: Assessment, name: str = "市州人民政府", position: int = 0) -> UnitGroup:
    return UnitGroup.objects.create(assessment=assessment, name=name, position=position)


def make_unit(group: UnitGroup, organ=None, position: int = 0) -> AssessedUnit:
    organ = organ or factories.make_organ(name=f"示例市{factories.next_serial()}")
    return AssessedUnit.objects.create(
        assessment=group.assessment, group=group, organ=organ, position=position
    )


def make_indicator(
    assessment: Assessment, code: str, points, parent=None, kind=Indicator.Kind.NORMAL, **fields
) -> Indicator:
    fields.setdefault("name", f"指标{code}")
    return Indicator.objects.create(
        assessment=assessment, code=code, points=Decimal(points), parent=parent, kind=kind, **fields
    )


def score(assessment, editor, values: dict) -> None:
    """values: {(unit, indicator): number}"""
    workflow.save_scores(
        assessment,
        editor,
        {(u.pk, i.pk): (Decimal(str(v)), "") for (u, i), v in values.items()},
    )

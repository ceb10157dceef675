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


# The seed notice's 2016 disclosure figures, by the pre-2019 schema's item codes.
SEED_STATISTICS = {
    "proactive_total": 1563668,
    "proactive_gazette": 3566,
    "proactive_portal": 776211,
    "proactive_weibo": 92754,
    "proactive_wechat": 55257,
    "proactive_other": 635880,
    "requests_total": 2071,
    "requests_in_person": 852,
    "requests_fax": 33,
    "requests_online": 826,
    "requests_letter": 360,
    "outcome_already_public": 563,
    "outcome_granted": 1044,
    "outcome_partly_granted": 87,
    "outcome_refused": 69,
    "outcome_not_this_organ": 192,
    "outcome_not_exist": 17,
    "outcome_to_amend": 10,
    "outcome_other_channel": 89,
}

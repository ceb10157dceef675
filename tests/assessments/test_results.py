"""Totals, ranks and grades are derived from scores: ties, bonus, deduction caps, veto."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assessments import results, workflow
from assessments.models import GradeBand, Indicator, RectificationReport
from tests.assessments import factories as af

Kind = Indicator.Kind


@pytest.fixture
def sheet(organ, editor):
    """An assessment with one group of four units and a small indicator tree."""
    assessment = af.make_assessment(organ, editor)
    group = af.make_group(assessment)
    units = [af.make_unit(group, position=i) for i in range(4)]
    platform = af.make_indicator(assessment, "A", 60)
    site = af.make_indicator(assessment, "A1", 40, parent=platform)
    columns = af.make_indicator(assessment, "A2", 20, parent=platform)
    requests = af.make_indicator(assessment, "B", 40)
    bonus = af.make_indicator(assessment, "C", 5, kind=Kind.BONUS)
    deduction = af.make_indicator(assessment, "D", 10, kind=Kind.DEDUCTION)
    veto = af.make_indicator(assessment, "E", 0, kind=Kind.VETO)
    return {
        "assessment": assessment,
        "group": group,
        "units": units,
        "leaves": {"A1": site, "A2": columns, "B": requests, "C": bonus, "D": deduction, "E": veto},
        "tops": {"A": platform, "B": requests},
    }


def rows_of(assessment):
    (group,) = results.group_results([assessment])[assessment.pk]
    return {row.unit.pk: row for row in group.rows}


def test_total_adds_leaves_and_bonus_and_subtracts_deductions(sheet, editor):
    a, (u, *_), leaves = sheet["assessment"], sheet["units"], sheet["leaves"]
    af.score(a, editor, {(u, leaves["A1"]): 38.5, (u, leaves["A2"]): 18, (u, leaves["B"]): 30})
    af.score(a, editor, {(u, leaves["C"]): 3, (u, leaves["D"]): 4})
    row = rows_of(a)[u.pk]
    assert row.total == Decimal("85.5")
    assert row.bonus == 3 and row.deduction == 4
    assert row.by_top_indicator[sheet["tops"]["A"].pk] == Decimal("56.5")
    assert row.by_top_indicator[sheet["tops"]["B"].pk] == 30
    assert row.grade == "良好"


def test_scores_above_an_indicators_points_are_refused(sheet, editor):
    a, (u, *_), leaves = sheet["assessment"], sheet["units"], sheet["leaves"]
    for indicator, value in ((leaves["A1"], 40.5), (leaves["C"], 6), (leaves["D"], 11)):
        with pytest.raises(ValidationError, match="超出范围"):
            af.score(a, editor, {(u, indicator): value})
    assert not u.scores.exists()


def test_scores_only_on_leaves(sheet, editor):
    a, (u, *_) = sheet["assessment"], sheet["units"]
    with pytest.raises(ValidationError, match="末级指标"):
        af.score(a, editor, {(u, sheet["tops"]["A"]): 10})


def test_a_bad_entry_saves_none_of_the_batch(sheet, editor):
    a, (u, v, *_), leaves = sheet["assessment"], sheet["units"], sheet["leaves"]
    with pytest.raises(ValidationError):
        af.score(a, editor, {(u, leaves["A1"]): 30, (v, leaves["A1"]): 99})
    assert not u.scores.exists()


def test_veto_forces_the_lowest_grade_whatever_the_total(sheet, editor):
    a, (u, *_), leaves = sheet["assessment"], sheet["units"], sheet["leaves"]
    af.score(a, editor, {(u, leaves["A1"]): 40, (u, leaves["A2"]): 20, (u, leaves["B"]): 40})
    assert rows_of(a)[u.pk].grade == "优秀"
    af.score(a, editor, {(u, leaves["E"]): 1})
    row = rows_of(a)[u.pk]
    assert row.vetoed and row.total == 100
    assert row.grade == "不合格"


def test_a_vetoed_unit_ranks_after_every_unit_not_vetoed(sheet, editor):
    a, (u, v, *_), leaves = sheet["assessment"], sheet["units"], sheet["leaves"]
    af.score(a, editor, {(u, leaves["B"]): 40, (v, leaves["B"]): 10, (u, leaves["E"]): 1})
    rows = rows_of(a)
    assert rows[v.pk].rank < rows[u.pk].rank


def test_ties_share_a_rank_and_the_next_rank_skips(sheet, editor):
    a, units, leaf = sheet["assessment"], sheet["units"], sheet["leaves"]["B"]
    af.score(a, editor, {(units[0], leaf): 30, (units[1], leaf): 35, (units[2], leaf): 35})
    af.score(a, editor, {(units[3], leaf): 10})
    ranks = {pk: row.rank for pk, row in rows_of(a).items()}
    assert [ranks[u.pk] for u in units] == [3, 1, 1, 4]


def test_results_follow_every_score_change_at_once(sheet, editor):
    a, (u, v, *_), leaf = sheet["assessment"], sheet["units"], sheet["leaves"]["B"]
    af.score(a, editor, {(u, leaf): 30, (v, leaf): 20})
    assert rows_of(a)[u.pk].rank == 1
    af.score(a, editor, {(v, leaf): 40})
    assert rows_of(a)[v.pk].rank == 1 and rows_of(a)[v.pk].total == 40


def test_grade_bands_belong_to_the_assessment(sheet, editor):
    a, (u, *_), leaf = sheet["assessment"], sheet["units"], sheet["leaves"]["B"]
    af.score(a, editor, {(u, leaf): 35})
    assert rows_of(a)[u.pk].grade == "不合格"
    GradeBand.objects.filter(assessment=a, name="合格").update(min_total=30)
    assert rows_of(a)[u.pk].grade == "合格"


def test_group_results_take_a_constant_number_of_queries(
    sheet, editor, django_assert_max_num_queries
):
    a, group = sheet["assessment"], sheet["group"]
    extra = [af.make_unit(group, position=10 + i) for i in range(20)]
    af.score(a, editor, {(unit, sheet["leaves"]["B"]): 20 for unit in extra})
    with django_assert_max_num_queries(6):
        computed = results.group_results([a])
        assert len(computed[a.pk][0].rows) == 24


def test_rectification_progress_is_derived_from_the_latest_report(organ, editor, reviewer, sheet):
    a, (u, v, *_) = sheet["assessment"], sheet["units"]
    requirement = a.requirements.create(
        title="加强公开专栏建设", deadline=datetime.date(2030, 1, 1)
    )
    requirement.units.set([u, v])
    workflow.submit(a, editor)
    workflow.publish(a, reviewer)

    def status(unit, today=datetime.date(2029, 6, 1)):
        progress = results.rectification_progress(a, today)
        return next(p.status for p in progress if p.unit == unit)

    assert status(u) == "not_started"
    report = workflow.report_rectification(requirement, u, editor, "done", "已完成专栏改版")
    assert status(u) == "in_progress"
    workflow.verify_rectification(report, reviewer, accepted=True)
    assert status(u) == "done"
    assert status(v, today=datetime.date(2030, 1, 2)) == "overdue"
    assert status(u, today=datetime.date(2030, 1, 2)) == "done"
    summary = {e.unit.pk: e for e in results.progress_by_unit(results.rectification_progress(a))}
    assert (summary[u.pk].done, summary[u.pk].total) == (1, 1)
    assert RectificationReport.objects.filter(unit=u).count() == 1

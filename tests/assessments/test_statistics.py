"""Disclosure statistics: categories are data, and figures that do not add up are reported."""

import pytest

from assessments.models import StatisticCheck, StatisticItem, StatisticReport, StatisticSchema
from assessments.statistics import failures
from tests.assessments import factories as af
from tests.assessments.factories import SEED_STATISTICS as SEED


@pytest.fixture
def pre2019():
    return StatisticSchema.objects.get(name="政府信息公开统计（2019年以前）")


def make_report(assessment, schema, values: dict) -> StatisticReport:
    report = StatisticReport.objects.create(assessment=assessment, schema=schema)
    items = {item.code: item for item in schema.items.all()}
    for code, value in values.items():
        report.values.create(item=items[code], value=value)
    return report


def test_seed_figures_add_up(organ, editor, pre2019):
    report = make_report(af.make_assessment(organ, editor), pre2019, SEED)
    assert failures([report]) == {report.pk: []}


def test_a_figure_that_does_not_add_up_names_the_check_and_the_difference(organ, editor, pre2019):
    report = make_report(af.make_assessment(organ, editor), pre2019, {**SEED, "requests_fax": 30})
    (failure,) = failures([report])[report.pk]
    assert (
        str(failure) == "依申请公开：各申请方式之和等于申请总数：合计 2071，分项之和 2068，相差 3"
    )


def test_a_missing_part_is_reported(organ, editor, pre2019):
    values = {k: v for k, v in SEED.items() if k != "proactive_weibo"}
    report = make_report(af.make_assessment(organ, editor), pre2019, values)
    (failure,) = failures([report])[report.pk]
    assert "缺少 通过微博公开" in str(failure)


def test_categories_are_data_so_a_new_form_needs_no_code(organ, editor):
    schema = StatisticSchema.objects.create(name="政府信息公开工作年度报告（2021年起）")
    new = StatisticItem.objects.create(schema=schema, code="new", name="本年新收")
    carried = StatisticItem.objects.create(schema=schema, code="carried", name="上年结转")
    handled = StatisticItem.objects.create(schema=schema, code="handled", name="办理结果总计")
    pending = StatisticItem.objects.create(schema=schema, code="pending", name="结转下年度")
    check = StatisticCheck.objects.create(schema=schema, name="一+二=三(七)+四")
    check.left.set([new, carried])
    check.right.set([handled, pending])
    assessment = af.make_assessment(organ, editor)
    good = make_report(assessment, schema, {"new": 10, "carried": 2, "handled": 9, "pending": 3})
    bad_unit = af.make_unit(af.make_group(assessment))
    bad = StatisticReport.objects.create(assessment=assessment, schema=schema, unit=bad_unit)
    for item, value in ((new, 10), (carried, 2), (handled, 9), (pending, 2)):
        bad.values.create(item=item, value=value)
    assert failures([good, bad]) == {good.pk: [], bad.pk: failures([bad])[bad.pk]}
    assert len(failures([bad])[bad.pk]) == 1


def test_failures_take_a_constant_number_of_queries(
    organ, editor, pre2019, django_assert_max_num_queries
):
    assessment = af.make_assessment(organ, editor)
    group = af.make_group(assessment)
    reports = [make_report(assessment, pre2019, SEED)]
    for _ in range(10):
        unit = af.make_unit(group)
        report = StatisticReport.objects.create(assessment=assessment, schema=pre2019, unit=unit)
        reports.append(report)
    with django_assert_max_num_queries(4):
        failures(reports)

"""The template's consistency rules on the figures a report publishes, and hand adjustments."""

import datetime

import pytest
from django.db import IntegrityError

from annual_reports import checks, content, services
from annual_reports.models import Adjustment
from tests.annual_reports.factories import application, report

pytestmark = pytest.mark.django_db
D = datetime.date


def test_counted_figures_pass_every_check(organ, editor):
    application(organ, D(2024, 12, 1))
    application(organ, D(2025, 3, 1), "disclosed", D(2025, 3, 5))
    application(organ, D(2025, 12, 30))
    assert content.build(report(organ, editor))["findings"] == []


def test_an_inconsistent_adjustment_is_refused_with_the_rule_it_breaks(organ, editor):
    application(organ, D(2025, 3, 1), "disclosed", D(2025, 3, 5))
    made = report(organ, editor)

    with pytest.raises(services.ReportError) as refused:
        services.set_adjustment(made, editor, "3", "new", "natural_person", 5, "1至3月纸质台账补录")

    assert str(refused.value) == (
        "调整未保存：调整后不符合年度报告格式的勾稽关系。"
        "表三「自然人」列：本年新收5件加上年结转0件共5件，应等于办理结果总计1件加结转下年度0件"
        "共1件，相差4件。"
        "表三「总计」列：本年新收5件加上年结转0件共5件，应等于办理结果总计1件加结转下年度0件"
        "共1件，相差4件。"
        "请一并调整相关的数字（例如本年新收与办理结果），使第一项加第二项等于第三项加第四项。"
    )
    assert not Adjustment.objects.exists()
    assert content.build(made)["findings"] == []


def test_a_balanced_adjustment_is_kept_and_the_totals_follow(organ, editor):
    application(organ, D(2025, 3, 1), "disclosed", D(2025, 3, 5))
    made = report(organ, editor)

    services.set_adjustments(
        made,
        editor,
        {("3", "new", "natural_person"): 5, ("3", "disclosed", "natural_person"): 5},
        "1至3月纸质台账补录4件，均予以公开",
    )

    built = content.build(made)
    assert built["findings"] == []
    table = built["tables"]["3"]
    assert (table["new"]["total"], table["disclosed"]["total"]) == (5, 5)
    assert (table["results_total"]["natural_person"], table["results_total"]["total"]) == (5, 5)
    assert made.adjustments.count() == 2


def test_a_total_cannot_be_set_by_hand(organ, editor):
    made = report(organ, editor)
    for table, row, column in (("3", "new", "total"), ("3", "results_total", "research"),
                               ("4", "review", "total")):  # fmt: skip
        with pytest.raises(services.ReportError, match="是各项之和，随各项自动计算"):
            services.set_adjustment(made, editor, table, row, column, 3, "台账")
    assert not Adjustment.objects.exists()


def test_removing_half_of_a_balanced_adjustment_is_refused(organ, editor):
    made = report(organ, editor)
    pair = {("3", "carried_in", "commercial"): 2, ("3", "carried_out", "commercial"): 2}
    services.set_adjustments(made, editor, pair, "上线前结转2件，年底仍在办理")
    carried_in = made.adjustments.get(row="carried_in")

    with pytest.raises(services.ReportError, match="「商业企业」列：本年新收0件加上年结转0件"):
        services.remove_adjustment(made, editor, carried_in.pk)
    assert made.adjustments.count() == 2

    services.set_adjustments(made, editor, dict.fromkeys(pair), "")
    assert not made.adjustments.exists()


def test_results_total_and_table4_total_rules():
    tables = {
        "3": {row: dict.fromkeys(cols, 0) for row, cols in _table3_shape().items()},
        "4": {
            row: {"upheld": 1, "corrected": 0, "other": 0, "pending": 0, "total": 1}
            for row in ("review", "direct", "after_review")
        },
    }
    tables["3"]["results_total"]["total"] = 2
    tables["3"]["new"]["total"] = 0
    tables["4"]["direct"]["total"] = 3
    found = checks.findings(tables)
    assert (
        "表三「总计」列：「（七）总计」为2件，但（一）至（六）各项办理结果相加为0件，相差2件。"
        in found
    )
    assert (
        "表四「行政诉讼：未经复议直接起诉」的总计为3件，但结果维持、结果纠正、其他结果、"
        "尚未审结相加为1件，相差2件。"
    ) in found


def _table3_shape():
    from annual_reports import layout

    return {row: layout.TABLE3_COLUMN_KEYS for row in layout.TABLE3_ROW_KEYS}


def test_adjustment_is_shown_beside_the_computed_value_with_its_reason(organ, editor):
    application(organ, D(2025, 3, 1), "disclosed", D(2025, 3, 5))
    made = report(organ, editor)
    services.set_adjustments(
        made,
        editor,
        {("3", "new", "natural_person"): 4, ("3", "disclosed", "natural_person"): 4},
        "平台上线前办结3件",
    )
    built = content.build(made)
    assert built["computed"]["3"]["disclosed"]["total"] == 1
    assert built["tables"]["3"]["disclosed"]["total"] == 4
    assert built["adjustments"] == [
        {
            "table": "3",
            "row": row,
            "column": "natural_person",
            "cell": f"表三「{label}」「自然人」",
            "computed": 1,
            "value": 4,
            "reason": "平台上线前办结3件",
        }
        for row, label in (
            ("new", "一、本年新收政府信息公开申请数量"),
            ("disclosed", "（一）予以公开"),
        )
    ]


def test_adjustment_without_a_reason_is_refused(organ, editor):
    made = report(organ, editor)
    with pytest.raises(services.ReportError, match="手工调整必须写明理由"):
        services.set_adjustment(made, editor, "4", "review", "upheld", 3, "   ")
    assert not Adjustment.objects.exists()
    # And the database refuses it whatever path a save takes.
    with pytest.raises(IntegrityError):
        Adjustment.objects.create(
            report=made,
            table="4",
            row="review",
            column="upheld",
            value=1,
            reason="",
            created_by=editor,
        )


def test_adjustment_of_a_cell_not_in_the_table_is_refused(organ, editor):
    made = report(organ, editor)
    with pytest.raises(services.ReportError, match="不在这张表中"):
        services.set_adjustment(made, editor, "4", "new", "total", 3, "理由")


def test_adjusting_the_same_cell_again_replaces_the_adjustment(organ, editor):
    made = report(organ, editor)
    services.set_adjustment(made, editor, "4", "review", "upheld", 1, "第一次")
    services.set_adjustment(made, editor, "4", "review", "upheld", 2, "第二次")
    assert list(made.adjustments.values_list("value", "reason")) == [(2, "第二次")]

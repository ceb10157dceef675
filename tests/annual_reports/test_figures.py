"""Table 3 and table 4 counted from applications and their appeals, cell by cell."""

import datetime

import pytest

from annual_reports import figures, layout
from applications.models import Application
from tests.annual_reports.factories import application, lawsuit, review

pytestmark = pytest.mark.django_db
D = datetime.date
Kind = Application.OrganizationKind


def nonzero(table):
    return {
        (row, column): value
        for row, cells in table.items()
        for column, value in cells.items()
        if value
    }


def test_table3_counts_new_carried_results_and_carried_out_by_applicant_column(organ, other_organ):
    # 上年结转: received in 2024, answered in 2025 (disclosed) and one still open.
    application(organ, D(2024, 12, 20), "disclosed", D(2025, 1, 10))
    application(organ, D(2024, 11, 3), kind=Kind.COMMERCIAL)
    # Answered in 2024: neither carried in nor counted in 2025.
    application(organ, D(2024, 3, 1), "not_held", D(2024, 3, 20))
    # 本年新收 and answered in 2025, across columns and outcomes.
    application(organ, D(2025, 2, 3), "partial", D(2025, 2, 20))
    application(organ, D(2025, 4, 1), "state_secret", D(2025, 4, 15), kind=Kind.RESEARCH)
    application(organ, D(2025, 5, 6), "petition", D(2025, 5, 8), kind=Kind.PUBLIC_WELFARE)
    application(organ, D(2025, 6, 2), "no_correction", D(2025, 7, 1), kind=Kind.LEGAL_SERVICE)
    application(organ, D(2025, 7, 7), "needs_making", D(2025, 7, 9), kind=Kind.OTHER)
    # 结转下年度: received in 2025, answered in 2026.
    application(organ, D(2025, 12, 29), "disclosed", D(2026, 1, 12))
    # Not counted: not registered, another organ, an example, received in 2026.
    application(organ, None)
    application(other_organ, D(2025, 3, 3), "disclosed", D(2025, 3, 4))
    application(organ, D(2025, 3, 3), "disclosed", D(2025, 3, 4), is_example=True)
    application(organ, D(2026, 1, 5))

    table = figures.requests_table(organ.pk, 2025)

    assert nonzero(table) == {
        ("new", "natural_person"): 2,
        ("new", "research"): 1,
        ("new", "public_welfare"): 1,
        ("new", "legal_service"): 1,
        ("new", "other"): 1,
        ("new", "total"): 6,
        ("carried_in", "natural_person"): 1,
        ("carried_in", "commercial"): 1,
        ("carried_in", "total"): 2,
        ("disclosed", "natural_person"): 1,
        ("disclosed", "total"): 1,
        ("partial", "natural_person"): 1,
        ("partial", "total"): 1,
        ("state_secret", "research"): 1,
        ("state_secret", "total"): 1,
        ("petition", "public_welfare"): 1,
        ("petition", "total"): 1,
        ("no_correction", "legal_service"): 1,
        ("no_correction", "total"): 1,
        ("needs_making", "other"): 1,
        ("needs_making", "total"): 1,
        ("results_total", "natural_person"): 2,
        ("results_total", "research"): 1,
        ("results_total", "public_welfare"): 1,
        ("results_total", "legal_service"): 1,
        ("results_total", "other"): 1,
        ("results_total", "total"): 6,
        ("carried_out", "natural_person"): 1,
        ("carried_out", "commercial"): 1,
        ("carried_out", "total"): 2,
    }
    # The example report counts the example only.
    assert figures.requests_table(organ.pk, 2025, is_example=True)["disclosed"]["total"] == 1


def test_table3_has_exactly_the_template_rows_and_columns(organ):
    table = figures.requests_table(organ.pk, 2025)
    assert len(table) == 2 + 21 + 1 + 1
    assert [layout.column_label("3", c) for c in table["new"]] == [
        "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计",
    ]  # fmt: skip
    # Every row of the template, in its order and words.
    assert [layout.row_label("3", row) for row in table] == [
        "一、本年新收政府信息公开申请数量",
        "二、上年结转政府信息公开申请数量",
        "（一）予以公开",
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        "（三）不予公开 1.属于国家秘密",
        "（三）不予公开 2.其他法律行政法规禁止公开",
        "（三）不予公开 3.危及“三安全一稳定”",
        "（三）不予公开 4.保护第三方合法权益",
        "（三）不予公开 5.属于三类内部事务信息",
        "（三）不予公开 6.属于四类过程性信息",
        "（三）不予公开 7.属于行政执法案卷",
        "（三）不予公开 8.属于行政查询事项",
        "（四）无法提供 1.本机关不掌握相关政府信息",
        "（四）无法提供 2.没有现成信息需要另行制作",
        "（四）无法提供 3.补正后申请内容仍不明确",
        "（五）不予处理 1.信访举报投诉类申请",
        "（五）不予处理 2.重复申请",
        "（五）不予处理 3.要求提供公开出版物",
        "（五）不予处理 4.无正当理由大量反复申请",
        "（五）不予处理 5.要求行政机关确认或重新出具已获取信息",
        "（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "（六）其他处理 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "（六）其他处理 3.其他",
        "（七）总计",
        "四、结转下年度继续办理",
    ]


def test_table3_through_the_application_services_counts_the_answer(organ):
    from applications import services as application_services
    from tests.applications.factories import accepted, make_handler

    handler = make_handler(organ)
    app = accepted(organ, handler, received_on=D(2026, 3, 2))
    application_services.answer(
        app, handler, outcome="disclosed", legal_basis="条例第二十七条", answered_on=D(2026, 3, 10)
    )
    table = figures.requests_table(organ.pk, 2026)
    assert table["new"]["natural_person"] == 1
    assert table["disclosed"]["natural_person"] == 1
    assert table["carried_out"]["total"] == 0


def test_table4_counts_reviews_and_both_kinds_of_lawsuit(organ):
    app = application(organ, D(2024, 5, 1), "state_secret", D(2024, 5, 20))
    review(app, D(2025, 2, 1), "upheld", D(2025, 4, 1))
    review(app, D(2025, 3, 1), "corrected", D(2025, 5, 1))
    review(app, D(2025, 11, 1), "other", D(2026, 1, 20))  # decided after the year: pending
    review(app, D(2025, 12, 1))  # pending
    review(app, D(2024, 1, 1), "upheld", D(2024, 6, 1))  # decided before the year: not counted
    review(app, D(2026, 2, 1))  # filed after the year: not counted
    first = review(app, D(2024, 6, 1), "upheld", D(2025, 1, 5))  # carried into 2025, decided
    lawsuit(app, D(2025, 2, 2), "corrected", D(2025, 9, 1))
    lawsuit(app, D(2025, 6, 2))
    lawsuit(app, D(2025, 3, 3), "other", D(2025, 10, 1), after=first)

    table = figures.appeals_table(organ.pk, 2025)

    assert table["review"] == {"upheld": 2, "corrected": 1, "other": 0, "pending": 2, "total": 5}
    assert table["direct"] == {"upheld": 0, "corrected": 1, "other": 0, "pending": 1, "total": 2}
    assert table["after_review"] == {
        "upheld": 0, "corrected": 0, "other": 1, "pending": 0, "total": 1,
    }  # fmt: skip

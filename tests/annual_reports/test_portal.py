"""The public pages of annual reports, and the tables as CSV and .xlsx."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from annual_reports import content, services
from assessments.models import Assessment, StatisticReport, StatisticSchema
from notices import validity
from tests.annual_reports.factories import application, report
from tests.assessments import factories as af

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def published(organ, editor, reviewer):
    application(organ, D(2024, 12, 1), "disclosed", D(2025, 1, 6))
    application(organ, D(2025, 3, 1), "partial", D(2025, 3, 5), kind="commercial")
    application(organ, D(2025, 12, 30))
    made = report(organ, editor, overview="<p>本年度全面推进政务公开。</p>", fee_amount="1.25")
    services.submit(made, editor)
    services.approve(made, reviewer)
    made.refresh_from_db()
    return made


def urls(made):
    args = [made.organ_id, made.year]
    return {
        name: reverse(f"annual_reports:{name}", args=args)
        for name in ("report-detail", "report-csv", "report-xlsx")
    }


def test_draft_report_is_not_public(client, organ, editor):
    made = report(organ, editor)
    for url in urls(made).values():
        assert client.get(url).status_code == 404


def test_published_report_page_shows_the_tables_with_headers(client, published):
    page = client.get(urls(published)["report-detail"]).content.decode()
    assert (
        '<h1 id="annual-report-title">甘肃省人民政府办公厅2025年政府信息公开工作年度报告</h1>'
        in page
    )
    assert '<th scope="colgroup" colspan="7">申请人情况</th>' in page
    assert '<th scope="colgroup" colspan="5">法人或其他组织</th>' in page
    assert '<th scope="row">（二）部分公开（区分处理的，只计这一情形，不计其他情形）</th>' in page
    assert '<th scope="colgroup" colspan="4">第二十条第（六）项</th>' in page
    assert '<th scope="row">行政事业性收费</th><td colspan="3">1.25</td>' in page
    assert "本年度全面推进政务公开。" in page
    assert "下载统计表（Excel）" in page
    index = client.get(reverse("annual_reports:report-index")).content.decode()
    assert published.get_absolute_url() in index


def test_withdrawn_notice_takes_the_report_off_the_portal(client, published, reviewer):
    from notices import workflow

    workflow.withdraw(published.notice, reviewer, "数据有误，重新编制")
    assert client.get(urls(published)["report-detail"]).status_code == 404


def test_csv_holds_every_figure(client, published):
    response = client.get(urls(published)["report-csv"])
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["表格", "项目", "列", "数值"]
    assert ["三", "一、本年新收政府信息公开申请数量", "商业企业", "1"] in rows
    assert ["三", "二、上年结转政府信息公开申请数量", "总计", "1"] in rows
    assert ["三", "四、结转下年度继续办理", "自然人", "1"] in rows
    assert ["二", "行政事业性收费", "本年收费金额（单位：万元）", "1.25"] in rows
    assert len(rows) == 1 + 6 + 4 + 25 * 7 + 3 * 5


def test_xlsx_has_the_template_layout_with_merged_headers(client, published):
    response = client.get(urls(published)["report-xlsx"])
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["二、主动公开", "三、依申请公开", "四、复议诉讼"]
    sheet = workbook["三、依申请公开"]
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert "E3:I3" in merged  # 法人或其他组织 over its five kinds
    assert sheet["E3"].value == "法人或其他组织"
    assert [sheet.cell(row=4, column=c).value for c in range(5, 10)] == [
        "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他",
    ]  # fmt: skip
    assert sheet["A5"].value == "一、本年新收政府信息公开申请数量"
    assert sheet["J5"].value == 2  # 总计 of 本年新收
    assert sheet["A7"].value == "三、本年度办理结果"
    assert "A7:A28" in merged  # 三 spans its 22 rows: 21 outcomes and （七）总计
    assert sheet["B9"].value == "（三）不予公开"
    assert sheet["C9"].value == "1.属于国家秘密"
    assert sheet["B8"].value == "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
    table2 = workbook["二、主动公开"]
    column_a = [table2.cell(row=r, column=1).value for r in range(2, table2.max_row + 1)]
    assert column_a == [
        "第二十条第（一）项", "信息内容", "规章", "行政规范性文件",
        "第二十条第（五）项", "信息内容", "行政许可",
        "第二十条第（六）项", "信息内容", "行政处罚", "行政强制",
        "第二十条第（八）项", "信息内容", "行政事业性收费",
    ]  # fmt: skip
    assert table2["B3"].value == "本年制发件数"
    assert table2["B14"].value == "本年收费金额（单位：万元）"
    assert table2["B15"].value == 1.25
    merged2 = {str(r) for r in table2.merged_cells.ranges}
    assert {"A2:D2", "A6:D6", "B7:D7", "B8:D8", "A9:D9", "B10:D10", "B11:D11", "B12:D12",
            "A13:D13", "B14:D14", "B15:D15"} <= merged2  # fmt: skip
    table4 = workbook["四、复议诉讼"]
    merged4 = {str(r) for r in table4.merged_cells.ranges}
    # 行政复议 over its five results, each over two rows, as in the form.
    assert {"A2:E2", "F2:O2", "F3:J3", "K3:O3", "A3:A4", "E3:E4"} <= merged4
    assert table4["A3"].value == "结果维持" and table4["F4"].value == "结果维持"


def test_xlsx_text_is_formula_guarded(client, organ, editor, reviewer):
    organ.name = '=HYPERLINK("http://example.invalid")'
    organ.save()
    made = report(organ, editor)
    services.submit(made, editor)
    services.approve(made, reviewer)
    response = client.get(urls(made)["report-xlsx"])
    sheet = load_workbook(io.BytesIO(response.content))["二、主动公开"]
    assert sheet["A1"].value.startswith("'=HYPERLINK")


def test_earlier_years_in_the_pre_2019_form_are_shown_as_entered(client, organ, editor):
    schema = StatisticSchema.objects.get(name="政府信息公开统计（2019年以前）")
    assessment = af.make_assessment(organ, editor, year=2016)
    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.PUBLISHED)
    statistic = StatisticReport.objects.create(assessment=assessment, schema=schema)
    item = schema.items.first()
    statistic.values.create(item=item, value=2071)
    page = client.get(reverse("annual_reports:organ-reports", args=[organ.pk])).content.decode()
    assert "以往年度公开统计（2019年以前的统计口径）" in page
    assert f'<th scope="row">{item.name}</th><td>2071</td>' in page


def test_year_summary_adds_up_every_organs_published_report(
    client, published, other_organ, other_editor, other_reviewer
):
    application(other_organ, D(2025, 4, 1), "disclosed", D(2025, 4, 2))
    other = report(other_organ, other_editor, fee_amount="0.5")
    services.submit(other, other_editor)
    services.approve(other, other_reviewer)
    report(other_organ, other_editor, year=2024)  # a draft of another year: not counted

    response = client.get(reverse("annual_reports:year-summary", args=[2025]))
    page = response.content.decode()
    assert "汇总了2个机构已发布的2025年度报告" in page
    assert "汇总后表三、表四的勾稽关系全部成立。" in page
    assert '<th scope="row">（一）予以公开</th><td>2</td>' in page
    assert '<td colspan="3">1.75</td>' in page  # 1.25 + 0.5 万元


def test_example_reports_are_marked_and_never_added_to_the_real_summary(
    client, published, other_organ, other_editor, other_reviewer
):
    application(
        other_organ, D(2025, 4, 1), "disclosed", D(2025, 4, 2), "legal_service", is_example=True
    )
    example = services.create_report(other_organ, 2025, other_editor, is_example=True)
    services.submit(example, other_editor)
    services.approve(example, other_reviewer)
    example.refresh_from_db()
    assert example.title == "示例：甘肃省民政厅2025年政府信息公开工作年度报告"
    assert example.notice.title == example.title

    index = client.get(reverse("annual_reports:report-index")).content.decode()
    assert f'<a href="{example.get_absolute_url()}">{example.title}</a>' in index
    assert reverse("annual_reports:year-summary-examples", args=[2025]) in index
    page = client.get(example.get_absolute_url()).content.decode()
    assert f'<h1 id="annual-report-title">{example.title}</h1>' in page

    real = client.get(reverse("annual_reports:year-summary", args=[2025])).content.decode()
    assert "汇总了1个机构已发布的2025年度报告（按发布时的数字），不含示例报告" in real

    def disclosed(cells: str) -> str:
        return '<th scope="row">（一）予以公开</th>' + "".join(f"<td>{n}</td>" for n in cells)

    assert disclosed("1000001") in real  # the real report's alone, not the example's

    assert "尚未发布的机构：甘肃省民政厅" in real
    examples = client.get(
        reverse("annual_reports:year-summary-examples", args=[2025])
    ).content.decode()
    assert "示例：2025年度政府信息公开工作年度报告汇总" in examples
    assert "汇总了1份已发布的2025年度示例报告" in examples
    assert disclosed("0000101") in examples
    assert "尚未发布的机构" not in examples


def test_year_summary_checks_the_sums_and_says_what_fails(
    client, organ, editor, reviewer, other_organ, other_editor, other_reviewer
):
    # One organ published hand-set figures that later data unbalanced (with the reviewer's
    # reason); the other organ's report is counted. The sums keep the first one's mismatch.
    unbalanced = report(organ, editor)
    services.set_adjustments(
        unbalanced,
        editor,
        {("3", "new", "natural_person"): 2, ("3", "disclosed", "natural_person"): 2},
        "纸质台账2件",
    )
    application(organ, D(2025, 9, 1))
    services.submit(unbalanced, editor)
    services.approve(unbalanced, reviewer, override_reason="9月的申请待核实")
    application(other_organ, D(2025, 4, 1), "disclosed", D(2025, 4, 2))
    balanced = report(other_organ, other_editor)
    services.submit(balanced, other_editor)
    services.approve(balanced, other_reviewer)

    page = client.get(reverse("annual_reports:year-summary", args=[2025])).content.decode()

    assert (
        "表三「自然人」列：本年新收3件加上年结转0件共3件，应等于办理结果总计3件加结转下年度"
        "1件共4件，相差1件。"
    ) in page
    assert "勾稽关系全部成立" not in page


def test_a_published_report_does_not_change_when_the_data_does(
    client, organ, editor, second_editor, reviewer, notice_in
):
    rules = notice_in(
        document_category="rules",
        published_at=timezone.make_aware(datetime.datetime(2025, 3, 1, 10)),
    )
    application(organ, D(2025, 3, 1), "disclosed", D(2025, 3, 5))
    made = report(organ, editor)
    services.submit(made, editor)
    services.approve(made, reviewer)
    made.refresh_from_db()
    page_url, csv_url = urls(made)["report-detail"], urls(made)["report-csv"]

    def body(url):
        page = client.get(url).content.decode()
        return page[page.index('<div class="annual-body">') : page.index("</article>")]

    page_before, csv_before = body(page_url), client.get(csv_url).content
    # Later: another application of the year, and the 规章 abolished within the year.
    application(organ, D(2025, 8, 1), "partial", D(2025, 8, 9), kind="research")
    change = validity.propose(rules, second_editor, validity="repealed", effective_on=D(2025, 6, 1))
    validity.approve(change, reviewer)
    counted_now = content.build(made)["tables"]
    assert counted_now["3"]["new"]["total"] == 2
    assert counted_now["2"]["rules"]["repealed"] == 1

    assert body(page_url) == page_before
    assert client.get(csv_url).content == csv_before
    made.refresh_from_db()
    assert made.published_content["tables"]["3"]["new"]["total"] == 1
    assert made.published_content["tables"]["2"]["rules"] == {
        "issued": 1, "repealed": 0, "in_force": 1,
    }  # fmt: skip
    assert made.notice.body.count("<td>1</td>") == page_before.count("<td>1</td>")

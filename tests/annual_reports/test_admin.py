"""The admin of annual reports: create, see figures and findings, adjust, act; per role."""

import datetime

import pytest
from django.urls import reverse

from annual_reports.models import AnnualReport
from tests.annual_reports.factories import application, report

pytestmark = pytest.mark.django_db
D = datetime.date


def change_url(made):
    return reverse("admin:annual_reports_annualreport_change", args=[made.pk])


@pytest.fixture
def made(organ, editor):
    application(organ, D(2025, 3, 1), "disclosed", D(2025, 3, 5))
    return report(organ, editor, licensing_decisions=12)


def test_editor_creates_a_report_for_an_organ_and_year(client, organ, editor):
    client.force_login(editor)
    response = client.post(
        reverse("admin:annual_reports_annualreport_add"), {"organ": organ.pk, "year": 2025}
    )
    assert response.status_code == 302
    created = AnnualReport.objects.get()
    assert (created.organ, created.year, created.created_by) == (organ, 2025, editor)
    again = client.post(
        reverse("admin:annual_reports_annualreport_add"), {"organ": organ.pk, "year": 2025}
    )
    assert "该机构这一年度的年度报告已经存在。" in again.content.decode()


def test_editor_of_another_organ_cannot_create_or_open(client, organ, made, other_editor):
    client.force_login(other_editor)
    response = client.post(
        reverse("admin:annual_reports_annualreport_add"), {"organ": organ.pk, "year": 2024}
    )
    assert response.status_code == 200  # the organ is not among the choices
    assert not AnnualReport.objects.filter(year=2024).exists()
    assert client.get(change_url(made)).status_code in (302, 404)
    response = client.post(
        reverse("admin:annual_reports_annualreport_adjust", args=[made.pk]),
        {"cell": "3:new:total", "value": "9", "reason": "试图修改"},
    )
    assert response.status_code == 404
    assert not made.adjustments.exists()


def test_change_page_shows_figures_previous_year_and_findings(client, organ, editor, made):
    previous = report(organ, editor, year=2024, licensing_decisions=30)
    assert previous.pk
    client.force_login(editor)
    page = client.get(change_url(made)).content.decode()
    assert "表三 收到和处理政府信息公开申请情况" in page
    assert "<td>12</td><td>30</td>" in page  # this year beside last year
    assert "勾稽关系全部成立" in page
    assert "提交审核" in page


def test_adjusting_cells_needs_a_reason_and_shows_beside_the_count(client, editor, made):
    client.force_login(editor)
    url = reverse("admin:annual_reports_annualreport_adjust", args=[made.pk])
    pair = {"cell": ["3:new:natural_person", "3:disclosed:natural_person", ""],
            "value": ["4", "4", ""]}  # fmt: skip
    refused = client.post(url, {**pair, "reason": ""}, follow=True)
    assert "手工调整必须写明理由。" in refused.content.decode()
    assert not made.adjustments.exists()
    client.post(url, {**pair, "reason": "纸质台账补录3件"})
    page = client.get(change_url(made)).content.decode()
    assert "4*（1）" in page
    assert "纸质台账补录3件" in page
    assert "勾稽关系全部成立" in page


def test_an_inconsistent_adjustment_is_refused_in_the_admin_with_its_reason(client, editor, made):
    client.force_login(editor)
    url = reverse("admin:annual_reports_annualreport_adjust", args=[made.pk])
    refused = client.post(
        url,
        {"cell": ["3:new:natural_person"], "value": ["4"], "reason": "纸质台账补录3件"},
        follow=True,
    ).content.decode()
    assert "调整未保存" in refused
    assert "本年新收4件加上年结转0件共4件，应等于办理结果总计1件" in refused
    assert not made.adjustments.exists()
    total = client.post(
        url, {"cell": ["3:new:total"], "value": ["4"], "reason": "台账"}, follow=True
    ).content.decode()
    assert "是各项之和，随各项自动计算，不能单独调整" in total
    assert 'value="3:new:total"' not in total  # not offered


def test_auditor_reads_but_cannot_change_or_act(client, auditor, made, editor):
    client.force_login(auditor)
    page = client.get(change_url(made))
    assert page.status_code == 200
    assert 'name="action"' not in page.content.decode()
    assert "report-adjust-form" not in page.content.decode()
    client.post(
        reverse("admin:annual_reports_annualreport_action", args=[made.pk]), {"action": "submit"}
    )
    made.refresh_from_db()
    assert made.state == AnnualReport.State.DRAFT
    response = client.post(change_url(made), {"overview": "<p>改写</p>"})
    assert response.status_code == 403
    made.refresh_from_db()
    assert made.overview == ""


def test_reviewer_publishes_through_the_admin_and_a_failing_check_needs_a_reason(
    client, organ, editor, reviewer, made
):
    client.force_login(editor)
    client.post(
        reverse("admin:annual_reports_annualreport_adjust", args=[made.pk]),
        {"cell": ["4:review:upheld"], "value": ["2"], "reason": "年初纸质登记2件"},
    )
    # A 3rd application registered later unbalances the hand-set figures of table 3.
    client.post(
        reverse("admin:annual_reports_annualreport_adjust", args=[made.pk]),
        {
            "cell": ["3:new:natural_person", "3:disclosed:natural_person"],
            "value": ["2", "2"],
            "reason": "纸质台账补录1件",
        },
    )
    application(organ, D(2025, 10, 1))
    client.post(
        reverse("admin:annual_reports_annualreport_action", args=[made.pk]), {"action": "submit"}
    )
    client.force_login(reviewer)
    action = reverse("admin:annual_reports_annualreport_action", args=[made.pk])
    refused = client.post(action, {"action": "approve"}, follow=True).content.decode()
    assert "核对未通过（2项），不能发布" in refused
    assert "表三「自然人」列：本年新收2件加上年结转0件共2件" in refused
    client.post(action, {"action": "approve", "reason": "10月的申请待核实，先行公开"})
    made.refresh_from_db()
    assert made.state == AnnualReport.State.PUBLISHED
    assert made.notice.is_live()
    assert made.published_content["tables"]["4"]["review"]["total"] == 2


def test_a_reader_sees_the_texts_as_they_read_and_an_editor_edits_them(
    client, organ, auditor, editor
):
    made = report(organ, editor, overview="<p>总体情况<strong>正文</strong></p>")
    client.force_login(auditor)
    page = client.get(change_url(made)).content.decode()
    assert "<p>总体情况<strong>正文</strong></p>" in page
    assert "&lt;p&gt;总体情况" not in page
    client.force_login(editor)
    page = client.get(change_url(made)).content.decode()
    assert 'name="overview"' in page  # the editor's form field, its markup in the editor


@pytest.mark.parametrize("value", ["-1", "3.5", "三", "٣", "99999999999"])
def test_a_figure_that_is_not_a_whole_number_in_range_is_refused_in_words(
    client, editor, made, value
):
    client.force_login(editor)
    response = client.post(
        reverse("admin:annual_reports_annualreport_adjust", args=[made.pk]),
        {"cell": ["4:review:upheld"], "value": [value], "reason": "台账"},
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "调整后数值须为" in page
    assert not made.adjustments.exists()

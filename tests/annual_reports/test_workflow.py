"""Drafting, reviewing and publishing a report: the notices' two-person rule and organ scoping,
publication as a notice of 体裁 年度报告, and figures frozen once submitted."""

import datetime

import pytest

from annual_reports import services
from annual_reports.models import AnnualReport
from notices.models import Notice
from tests import factories
from tests.annual_reports.factories import application, report

pytestmark = pytest.mark.django_db
D = datetime.date
State = AnnualReport.State


@pytest.fixture
def draft(organ, editor):
    application(organ, D(2025, 3, 1), "disclosed", D(2025, 3, 5))
    return report(organ, editor, overview="<p>总体情况<script>alert(1)</script></p>")


def test_texts_are_sanitized_like_notice_bodies(draft):
    draft.refresh_from_db()
    assert draft.overview == "<p>总体情况</p>"


def test_one_report_per_organ_and_year(organ, editor, draft):
    with pytest.raises(services.ReportError, match="已经存在"):
        services.create_report(organ, 2025, editor)


def test_year_before_the_2021_template_is_refused(organ, editor):
    with pytest.raises(services.ReportError, match="不能早于2020年"):
        services.create_report(organ, 2018, editor)


def test_permission_matrix(organ, draft, editor, other_editor, reviewer, other_reviewer, auditor):
    assert services.can_edit(editor, draft)
    assert services.can_view(editor, draft)
    assert not services.can_edit(other_editor, draft)
    assert not services.can_view(other_editor, draft)
    assert not services.can_review(other_reviewer, draft)
    assert not services.can_edit(reviewer, draft)
    assert services.can_review(reviewer, draft)
    assert services.can_view(auditor, draft)
    assert not services.can_edit(auditor, draft)
    assert not services.can_review(auditor, draft)
    assert not services.can_create(auditor, organ.pk)
    assert not services.can_create(other_editor, organ.pk)


def test_editor_of_another_organ_cannot_create_adjust_or_submit(organ, draft, other_editor):
    with pytest.raises(services.ReportError):
        services.create_report(organ, 2024, other_editor)
    with pytest.raises(services.ReportError, match="只有本机构的编辑"):
        services.set_adjustment(draft, other_editor, "4", "review", "upheld", 1, "理由")
    with pytest.raises(services.ReportError):
        services.submit(draft, other_editor)


def test_auditor_changes_nothing(draft, auditor, editor, reviewer):
    with pytest.raises(services.ReportError):
        services.save_report(draft, auditor)
    with pytest.raises(services.ReportError):
        services.set_adjustment(draft, auditor, "4", "review", "upheld", 1, "理由")
    services.submit(draft, editor)
    with pytest.raises(services.ReportError):
        services.approve(draft, auditor)
    assert services.available_actions(auditor, draft) == []


def test_publication_creates_a_notice_of_genre_annual_report(organ, draft, editor, reviewer):
    services.submit(draft, editor)
    draft.refresh_from_db()
    assert draft.state == State.IN_REVIEW
    assert draft.notice.status == Notice.Status.IN_REVIEW

    services.approve(draft, reviewer)
    draft.refresh_from_db()

    notice = draft.notice
    assert draft.state == State.PUBLISHED
    assert notice.status == Notice.Status.PUBLISHED
    assert notice.genre_id == "annualreport"
    assert notice.title == "甘肃省人民政府办公厅2025年政府信息公开工作年度报告"
    assert notice.index_number
    assert Notice.objects.published().filter(pk=notice.pk).exists()
    assert '<th scope="row">（一）予以公开</th>' in notice.body
    assert "<caption>收到和处理政府信息公开申请情况（单位：件）</caption>" in notice.body
    # The notice sends its reader to the report's page for the downloads.
    assert f'<a href="{draft.get_absolute_url()}" ' in notice.body
    assert "年度报告页面</a>下载（Excel、CSV格式）" in notice.body
    assert AnnualReport.objects.published().get() == draft


def test_the_editor_who_submitted_cannot_approve(draft, organ):
    both = factories.make_user("编辑", [organ])
    both.groups.add(*factories.make_reviewer(organ).groups.all())
    both = type(both).objects.get(pk=both.pk)
    services.submit(draft, both)
    with pytest.raises(services.ReportError, match="不能审核自己的修改"):
        services.approve(draft, both)


def test_figures_are_frozen_once_submitted_and_published(organ, draft, editor, reviewer):
    services.submit(draft, editor)
    application(organ, D(2025, 6, 1), "disclosed", D(2025, 6, 5))  # arrives during review
    services.approve(draft, reviewer)
    application(organ, D(2025, 7, 1), "disclosed", D(2025, 7, 5))  # after publication
    draft.refresh_from_db()
    assert draft.published_content["tables"]["3"]["disclosed"]["total"] == 1
    assert "<td>2</td>" not in draft.notice.body


def test_publishing_is_refused_while_a_check_fails_unless_a_reason_is_given(
    organ, draft, editor, reviewer
):
    # Balanced adjustments (three applications of the paper ledger, all disclosed) ...
    services.set_adjustments(
        draft,
        editor,
        {("3", "new", "natural_person"): 3, ("3", "disclosed", "natural_person"): 3},
        "纸质台账补录",
    )
    # ... which a later application on the platform unbalances: the adjusted 本年新收 stays 3.
    application(organ, D(2025, 9, 1))
    services.submit(draft, editor)
    with pytest.raises(services.ReportError, match="核对未通过"):
        services.approve(draft, reviewer)
    draft.refresh_from_db()
    assert draft.state == State.IN_REVIEW
    services.approve(draft, reviewer, override_reason="上级机关同意按台账数字发布")
    draft.refresh_from_db()
    assert draft.state == State.PUBLISHED
    assert draft.check_override_reason == "上级机关同意按台账数字发布"
    assert draft.published_content["findings"]


def test_send_back_returns_the_draft_and_its_notice(draft, editor, reviewer):
    services.submit(draft, editor)
    with pytest.raises(services.ReportError, match="必须填写意见"):
        services.send_back(draft, reviewer, "")
    services.send_back(draft, reviewer, "请补充总体情况")
    draft.refresh_from_db()
    assert draft.state == State.DRAFT
    assert draft.notice.status == Notice.Status.DRAFT
    services.submit(draft, editor)  # the same notice goes to review again
    services.approve(draft, reviewer)
    assert Notice.objects.filter(genre="annualreport").count() == 1


def test_correction_needs_a_change_note_and_replaces_the_published_notice(
    organ, draft, editor, reviewer
):
    services.submit(draft, editor)
    services.approve(draft, reviewer)
    services.start_correction(draft, editor)
    draft.refresh_from_db()
    assert draft.state == State.DRAFT
    assert draft.published_content is not None  # the published version stays public
    assert AnnualReport.objects.published().filter(pk=draft.pk).exists()
    services.set_adjustment(draft, editor, "4", "review", "upheld", 0, "核对后无变化")
    with pytest.raises(services.ReportError, match="更正说明"):
        services.submit(draft, editor)
    draft.change_note = "补充行政复议数据"
    services.save_report(draft, editor)
    services.submit(draft, editor)
    services.approve(draft, reviewer)
    draft.refresh_from_db()
    assert draft.notice.change_note == "补充行政复议数据"
    assert "补充行政复议数据" in draft.notice.body
    assert Notice.objects.filter(genre="annualreport").count() == 1
    assert draft.published_content["change_note"] == "补充行政复议数据"

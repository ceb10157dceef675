"""The checks in the workflow: a submission is checked, an approval waits for every finding
that needs a reviewer's confirmation, and only the reviewers who may approve may confirm."""

import random

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied

from audit.models import AuditEvent
from editorial_checks import services
from editorial_checks.models import CheckRun, Finding, WordRule
from notices import roles, workflow
from notices.models import Notice
from portal.models import Leader, OrganProfile
from tests import factories
from tests.editorial_checks import synthetic

pytestmark = pytest.mark.django_db
RNG = random.Random(7)


def submitted(notice_in, body: str, **fields) -> Notice:
    return notice_in("in_review", body=body, **fields)


def findings(notice: Notice) -> list[Finding]:
    return list(services.latest_run(notice).findings.all())


def test_submission_records_personal_data_with_its_place(notice_in):
    number = synthetic.resident_id(RNG)
    notice = submitted(notice_in, f"<p>第一段。</p><p>申请人王某，身份证号{number}，已办结。</p>")
    run = services.latest_run(notice)
    assert run.lock_version == notice.lock_version
    [finding] = findings(notice)
    assert (finding.kind, finding.text, finding.part, finding.paragraph) == (
        "resident_id",
        number,
        "正文",
        2,
    )
    assert finding.before.endswith("身份证号") and finding.after.startswith("，已办结")


def test_summary_and_title_are_checked_too(notice_in):
    notice = submitted(
        notice_in,
        "<p>正文。</p>",
        summary="联系电话13912345678",
        title="关于坚持不泄推进工作的通知",
    )
    assert {(f.part, f.kind) for f in findings(notice)} == {
        ("内容概述", "mobile"),
        ("标题", "miswriting"),
    }


def test_approval_waits_until_personal_data_is_confirmed(notice_in, reviewer):
    notice = submitted(notice_in, "<p>联系人手机13812345678。</p>")
    with pytest.raises(workflow.WorkflowError, match="1 处个人信息需要逐条确认"):
        workflow.approve(notice, reviewer)
    assert Notice.objects.get(pk=notice.pk).status == Notice.Status.IN_REVIEW
    [finding] = findings(notice)
    services.resolve(finding, reviewer)
    finding.refresh_from_db()
    assert finding.resolved_by == reviewer and finding.resolved_at is not None
    assert workflow.approve(notice, reviewer).status == Notice.Status.PUBLISHED


def test_serious_wording_needs_a_reason_which_is_kept_in_the_history(notice_in, reviewer):
    notice = submitted(notice_in, "<p>我们要坚持不泄地抓好落实。</p>")
    [finding] = findings(notice)
    assert (finding.suggestion, finding.severity) == ("坚持不懈", "serious")
    with pytest.raises(workflow.WorkflowError, match="1 处严重用词问题需要填写理由"):
        workflow.approve(notice, reviewer)
    with pytest.raises(workflow.WorkflowError, match="必须填写"):
        services.resolve(finding, reviewer, "  ")
    services.resolve(finding, reviewer, "引用原文件标题，不能改动")
    workflow.approve(notice, reviewer)
    finding.refresh_from_db()
    assert finding.reason == "引用原文件标题，不能改动"
    recorded = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Finding), object_pk=str(finding.pk)
    )
    assert any("引用原文件标题" in str(event.changes) for event in recorded)


def test_warnings_do_not_hold_an_approval(notice_in, reviewer):
    notice = submitted(notice_in, "<p>其它事项另行通知。</p>")
    [finding] = findings(notice)
    assert finding.severity == "warning" and not finding.needs_resolution
    assert workflow.approve(notice, reviewer).status == Notice.Status.PUBLISHED


def test_a_clean_notice_is_approved_as_before(notice_in, reviewer):
    notice = notice_in("published")
    assert notice.status == Notice.Status.PUBLISHED
    assert services.latest_run(notice).findings.count() == 0


def test_word_list_changes_apply_to_the_next_check(notice_in, reviewer):
    WordRule.objects.create(wrong="新区管委", correct="新区管委会", severity="serious")
    notice = submitted(notice_in, "<p>兰州新区管委印发。</p>")
    assert [f.text for f in findings(notice)] == ["新区管委"]
    WordRule.objects.filter(wrong="新区管委").update(active=False)
    services.recheck(notice, reviewer)
    assert findings(notice) == []


def test_leaders_title_is_checked_against_the_list(notice_in):
    Leader.objects.create(name="王小明", post="省长")
    Leader.objects.create(name="李建华", post="副省长、省公安厅厅长")
    notice = submitted(notice_in, "<p>副省长王小明出席。省公安厅厅长李建华讲话。</p>")
    assert [(f.kind, f.text, f.suggestion) for f in findings(notice)] == [
        ("leader_title", "副省长王小明", "省长王小明")
    ]


def test_leaders_of_the_organs_pages_are_checked_too(notice_in, organ):
    profile = OrganProfile.objects.create(organ=organ, functions="负责政务公开工作。")
    profile.leaders.create(name="赵文明", post="厅长")
    profile.leaders.create(name="钱立新", post="副厅长")
    notice = submitted(notice_in, "<p>副厅长赵文明出席，副厅长钱立新主持。</p>")
    assert [(f.kind, f.text, f.suggestion) for f in findings(notice)] == [
        ("leader_title", "副厅长赵文明", "厅长赵文明")
    ]


def test_a_leader_on_two_organs_pages_has_both_titles_and_the_wrong_forms_of_either(
    notice_in, organ, other_organ
):
    for where, post, wrong in ((organ, "副省长", "李建化"), (other_organ, "厅长", "李健华")):
        profile = OrganProfile.objects.create(organ=where, functions="负责政务公开工作。")
        profile.leaders.create(name="李建华", post=post, wrong_forms=wrong)
    notice = submitted(notice_in, "<p>副省长李建华、厅长李建华出席，李建化、李健华讲话。</p>")
    assert sorted((f.kind, f.text) for f in findings(notice)) == [
        ("leader_name", "李健华"),
        ("leader_name", "李建化"),
    ]


def test_a_former_leader_is_no_longer_checked(notice_in, reviewer):
    leader = Leader.objects.create(name="王小明", post="省长", wrong_forms="王晓明")
    Leader.objects.create(name="李建华", post="副省长")
    notice = submitted(notice_in, "<p>副省长王小明出席，王晓明讲话。</p>")
    assert len(findings(notice)) == 2
    leader.current = False
    leader.save()
    services.recheck(notice, reviewer)
    assert findings(notice) == []


@pytest.mark.parametrize("who", ["editor", "other_reviewer", "auditor", "second_editor"])
def test_only_a_reviewer_of_the_organ_may_confirm(notice_in, who, request):
    notice = submitted(notice_in, "<p>手机13812345678</p>")
    [finding] = findings(notice)
    with pytest.raises(PermissionDenied):
        services.resolve(finding, request.getfixturevalue(who))
    finding.refresh_from_db()
    assert finding.resolved_at is None


@pytest.mark.parametrize("who", ["reviewer", "site_admin"])
def test_whoever_may_approve_may_confirm(notice_in, who, request):
    notice = submitted(notice_in, "<p>手机13812345678</p>")
    [finding] = findings(notice)
    user = request.getfixturevalue(who)
    assert workflow.APPROVE in workflow.available_transitions(user, notice)
    services.resolve(finding, user)
    assert workflow.approve(notice, user).status == Notice.Status.PUBLISHED


def test_the_last_editor_cannot_confirm_even_as_a_reviewer(organ, reviewer):
    both = factories.make_user(roles.EDITOR, [organ])
    both.groups.add(*factories.make_reviewer(organ).groups.all())
    both = type(both).objects.get(pk=both.pk)
    notice = factories.make_notice(
        organ, both, reviewer, "in_review", body="<p>手机13812345678</p>"
    )
    [finding] = findings(notice)
    with pytest.raises(PermissionDenied):
        services.resolve(finding, both)
    services.resolve(finding, reviewer)


def test_a_finding_of_an_older_check_cannot_be_confirmed(notice_in, reviewer):
    notice = submitted(notice_in, "<p>手机13812345678</p>")
    [old] = findings(notice)
    services.recheck(notice, reviewer)
    with pytest.raises(workflow.WorkflowError, match="已过期"):
        services.resolve(old, reviewer)


def test_resubmitting_unchanged_text_keeps_the_confirmations(notice_in, editor, reviewer):
    notice = submitted(notice_in, "<p>办公电话0931-8928517</p>")
    [finding] = findings(notice)
    services.resolve(finding, reviewer, "单位办公电话")
    workflow.send_back(notice, reviewer, "请补充附件")
    notice = workflow.submit(Notice.objects.get(pk=notice.pk), editor)
    [again] = findings(notice)
    assert again.pk != finding.pk
    assert (again.resolved_by, again.reason) == (reviewer, "单位办公电话")
    workflow.approve(notice, reviewer)


def test_attachments_are_read_for_personal_data(notice_in, editor, reviewer):
    notice = notice_in("draft", body="<p>名单见附件。</p>")
    number = synthetic.resident_id(RNG)
    card = synthetic.bank_card(RNG)
    factories.make_attachment(
        notice, "名单", synthetic.docx_bytes("公示名单", f"张三 {number}"), "list.docx"
    )
    factories.make_attachment(notice, "明细", synthetic.xlsx_bytes([["账号", card]]), "detail.xlsx")
    factories.make_attachment(
        notice, "回执", synthetic.pdf_bytes("contact: li.si@example.com"), "reply.pdf"
    )
    factories.make_attachment(notice, "扫描件", factories.PDF_BYTES, "scan.pdf")
    notice = workflow.submit(Notice.objects.get(pk=notice.pk), editor)
    assert {(f.part, f.kind, f.text) for f in findings(notice)} == {
        ("附件：名单", "resident_id", number),
        ("附件：明细", "bank_card", card),
        ("附件：回执", "email", "li.si@example.com"),
    }
    assert "扫描件" in services.latest_run(notice).unread


def test_a_notice_in_review_without_a_check_is_checked_at_approval(notice_in, reviewer):
    clean = submitted(notice_in, "<p>正文。</p>")
    CheckRun.objects.filter(notice=clean).delete()
    assert workflow.approve(clean, reviewer).status == Notice.Status.PUBLISHED
    assert services.latest_run(clean) is not None

    risky = submitted(notice_in, "<p>手机13812345678</p>")
    CheckRun.objects.filter(notice=risky).delete()
    with pytest.raises(workflow.WorkflowError, match="重新检查"):
        workflow.approve(risky, reviewer)


def test_a_corrections_checks_stay_with_the_original(notice_in, editor, reviewer):
    original = notice_in("published")
    correction = workflow.start_correction(original, editor)
    correction.body = "<p>更正：联系电话0931-8928517。</p>"
    correction.change_note = "补充联系电话"
    correction = workflow.save_draft(correction, editor)
    correction = workflow.submit(correction, editor)
    [finding] = findings(correction)
    services.resolve(finding, reviewer)
    workflow.approve(correction, reviewer)
    assert Finding.objects.get(pk=finding.pk).run.notice_id == original.pk


def test_editors_may_check_their_drafts_and_reviewers_notices_in_review(
    notice_in, editor, reviewer, other_editor
):
    draft = notice_in("draft", body="<p>手机13812345678</p>")
    assert services.recheck(draft, editor).findings.count() == 1
    with pytest.raises(PermissionDenied):
        services.recheck(draft, reviewer)
    with pytest.raises(PermissionDenied):
        services.recheck(draft, other_editor)
    in_review = submitted(notice_in, "<p>正文</p>")
    services.recheck(in_review, reviewer)
    with pytest.raises(PermissionDenied):
        services.recheck(in_review, editor)

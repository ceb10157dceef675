import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from notices import workflow
from notices.models import Notice, WorkflowEvent
from tests import factories

Status = Notice.Status


def test_submit_then_approve_publishes_and_records_who_did_it(organ, editor, reviewer):
    notice = factories.make_draft(organ, editor)
    workflow.submit(notice, editor, "请审核")
    published = workflow.approve(notice, reviewer, "同意")

    assert published.status == Status.PUBLISHED
    assert published.is_live()
    actions = list(
        WorkflowEvent.objects.filter(notice=published)
        .order_by("created_at", "pk")
        .values_list("action", "actor", "comment")
    )
    assert actions == [
        ("created", editor.pk, ""),
        ("submitted", editor.pk, "请审核"),
        ("published", reviewer.pk, "同意"),
    ]
    assert published.versions.count() == 1


def test_author_cannot_approve_own_notice(organ):
    both = factories.make_user("编辑", [organ])
    both.groups.add(*factories.make_reviewer(organ).groups.all())
    both = type(both).objects.get(pk=both.pk)
    notice = factories.make_draft(organ, both)
    workflow.submit(notice, both)

    with pytest.raises(PermissionDenied, match="不能审核自己的修改"):
        workflow.approve(notice, both)
    notice.refresh_from_db()
    assert notice.status == Status.IN_REVIEW
    assert workflow.APPROVE not in workflow.available_transitions(both, notice)


def test_reviewer_who_last_edited_cannot_approve_but_another_can(organ, editor, reviewer):
    second_reviewer = factories.make_reviewer(organ)
    notice = factories.make_draft(organ, editor)
    Notice.objects.filter(pk=notice.pk).update(last_edited_by=reviewer)
    notice.refresh_from_db()
    workflow.submit(notice, editor)

    with pytest.raises(PermissionDenied):
        workflow.approve(notice, reviewer)
    assert workflow.approve(notice, second_reviewer).status == Status.PUBLISHED


def test_send_back_requires_a_comment_and_returns_to_draft(notice_in, reviewer):
    notice = notice_in("in_review")
    with pytest.raises(workflow.WorkflowError, match="必须填写"):
        workflow.send_back(notice, reviewer, "  ")
    notice = workflow.send_back(notice, reviewer, "请补充附件")
    assert notice.status == Status.DRAFT
    assert notice.events.filter(action="sent_back", comment="请补充附件").exists()


def test_editor_cannot_approve(notice_in, editor):
    notice = notice_in("in_review")
    with pytest.raises(PermissionDenied):
        workflow.approve(notice, editor)


def test_reviewer_of_another_organ_cannot_approve_or_send_back(notice_in, other_reviewer):
    notice = notice_in("in_review")
    with pytest.raises(PermissionDenied):
        workflow.approve(notice, other_reviewer)
    with pytest.raises(PermissionDenied):
        workflow.send_back(notice, other_reviewer, "不行")


def test_approving_twice_publishes_once(notice_in, reviewer):
    notice = notice_in("in_review")
    workflow.approve(notice, reviewer)
    with pytest.raises(workflow.WorkflowError):
        workflow.approve(notice, reviewer)
    assert Notice.objects.get(pk=notice.pk).versions.count() == 1


def test_index_number_assigned_on_first_publication_and_never_changed(notice_in, reviewer, editor):
    notice = notice_in("in_review", published_at=timezone.now() - datetime.timedelta(minutes=1))
    assert notice.index_number is None
    notice = workflow.approve(notice, reviewer)
    year = timezone.localtime(notice.published_at).year
    assert notice.index_number == f"000014349/{year}-00001"

    correction = workflow.start_correction(notice, editor)
    correction.title = "更正后的标题"
    correction.change_note = "更正了标题中的错字"
    workflow.save_draft(correction, editor)
    workflow.submit(correction, editor)
    corrected = workflow.approve(correction, reviewer)
    assert corrected.pk == notice.pk
    assert corrected.index_number == notice.index_number
    assert notice_in().index_number == f"000014349/{timezone.localdate().year}-00002"


def test_scheduled_notice_appears_when_its_time_comes(notice_in):
    notice = notice_in("scheduled")
    assert notice.status == Status.PUBLISHED
    assert not Notice.objects.published().filter(pk=notice.pk).exists()
    assert Notice.objects.scheduled().filter(pk=notice.pk).exists()
    later = notice.published_at + datetime.timedelta(seconds=1)
    assert Notice.objects.published(at=later).filter(pk=notice.pk).exists()
    assert notice.events.filter(action="scheduled").exists()


def test_scheduled_notice_can_be_unscheduled_back_to_draft(notice_in, reviewer):
    notice = notice_in("scheduled")
    notice = workflow.unschedule(notice, reviewer, "发布时间需调整")
    assert notice.status == Status.DRAFT


def test_withdrawal_needs_a_reason_and_keeps_the_record(notice_in, reviewer):
    notice = notice_in("published")
    with pytest.raises(workflow.WorkflowError):
        workflow.withdraw(notice, reviewer, "")
    notice = workflow.withdraw(notice, reviewer, "已被新文件替代")
    assert notice.status == Status.WITHDRAWN
    assert notice.withdrawal_reason == "已被新文件替代"
    assert notice.withdrawn_at is not None
    assert not Notice.objects.published().filter(pk=notice.pk).exists()
    assert Notice.objects.public_pages().filter(pk=notice.pk).exists()


def test_drafts_cannot_be_withdrawn(notice_in, reviewer):
    with pytest.raises(workflow.WorkflowError):
        workflow.withdraw(notice_in("draft"), reviewer, "原因")


def test_published_notice_cannot_be_edited_directly(notice_in, editor):
    notice = notice_in("published")
    notice.title = "直接修改"
    with pytest.raises(PermissionDenied):
        workflow.save_draft(notice, editor)


def test_correction_goes_through_review_and_keeps_earlier_versions(
    notice_in, editor, reviewer, organ
):
    notice = notice_in("published", title="原标题")
    factories.make_attachment(notice, "原附件")
    correction = workflow.start_correction(notice, editor)
    assert workflow.start_correction(notice, editor).pk == correction.pk
    assert correction.attachments.count() == 1

    correction.title = "新标题"
    workflow.save_draft(correction, editor)
    with pytest.raises(workflow.WorkflowError, match="更正说明"):
        workflow.submit(correction, editor)
    correction.change_note = "更正标题"
    workflow.save_draft(correction, editor)
    workflow.submit(correction, editor)

    live = Notice.objects.get(pk=notice.pk)
    assert live.title == "原标题", "the public keeps the published text while in review"

    corrected = workflow.approve(correction, reviewer)
    assert corrected.title == "新标题"
    assert corrected.change_note == "更正标题"
    assert not Notice.objects.filter(pk=correction.pk).exists()
    assert [a.title for a in corrected.attachments.all()] == ["原附件"]
    versions = list(corrected.versions.order_by("number"))
    assert [v.content["title"] for v in versions] == ["原标题", "新标题"]
    assert versions[1].change_note == "更正标题"
    assert corrected.events.filter(action="corrected").exists()


def test_correction_cannot_take_a_document_number_already_used(notice_in, editor):
    notice_in("published", document_number="甘政办发〔2017〕1号")
    second = notice_in("published", document_number="甘政办发〔2017〕2号")
    correction = workflow.start_correction(second, editor)
    correction.document_number = "甘政办发[2017]1号"
    correction.change_note = "更正文号"
    with pytest.raises(Exception, match="文号"):
        workflow.save_draft(correction, editor)


def test_only_never_published_drafts_can_be_deleted(notice_in, editor):
    draft = notice_in("draft")
    workflow.delete_draft(draft, editor)
    assert not Notice.objects.filter(pk=draft.pk).exists()
    with pytest.raises(PermissionDenied):
        workflow.delete_draft(notice_in("published"), editor)


def test_stale_save_is_refused_with_a_conflict_message(notice_in, editor, second_editor):
    notice = notice_in("draft")
    first_copy = Notice.objects.get(pk=notice.pk)
    second_copy = Notice.objects.get(pk=notice.pk)
    first_copy.title = "第一位编辑的标题"
    workflow.save_draft(first_copy, editor)
    second_copy.title = "第二位编辑的标题"
    with pytest.raises(workflow.WorkflowError, match="保存冲突"):
        workflow.save_draft(second_copy, second_editor)
    assert Notice.objects.get(pk=notice.pk).title == "第一位编辑的标题"


@pytest.mark.parametrize("who", ["other_editor", "other_reviewer", "auditor"])
def test_people_outside_the_organ_cannot_move_its_notices(request, notice_in, who):
    outsider = request.getfixturevalue(who)
    draft = notice_in("draft")
    published = notice_in("published")
    draft.title = "越权修改"
    attempts = [
        lambda: workflow.save_draft(draft, outsider),
        lambda: workflow.submit(draft, outsider),
        lambda: workflow.delete_draft(draft, outsider),
        lambda: workflow.start_correction(published, outsider),
        lambda: workflow.withdraw(published, outsider, "原因"),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert workflow.available_transitions(outsider, draft) == []
    assert workflow.available_transitions(outsider, published) == []


def test_site_admin_acts_on_every_organ(notice_in, site_admin):
    published = notice_in("published")
    assert workflow.withdraw(published, site_admin, "管理员撤回").status == Status.WITHDRAWN


def test_anonymous_user_can_do_nothing(notice_in):
    with pytest.raises(PermissionDenied):
        workflow.submit(notice_in("draft"), AnonymousUser())


def test_correction_keeps_download_links_of_unchanged_attachments(notice_in, editor, reviewer):
    notice = notice_in("published")
    kept = factories.make_attachment(notice, "保留的附件")
    dropped = factories.make_attachment(notice, "删除的附件")
    correction = workflow.start_correction(notice, editor)
    correction.attachments.get(title="删除的附件").delete()
    copy = correction.attachments.get(title="保留的附件")
    copy.title = "改名后的附件"
    copy.save()
    added = factories.make_attachment(correction, "新增的附件")
    correction.change_note = "调整附件"
    workflow.save_draft(correction, editor)
    workflow.submit(correction, editor)
    workflow.approve(correction, reviewer)

    attachments = {a.pk: a.title for a in notice.attachments.all()}
    assert attachments == {kept.pk: "改名后的附件", added.pk: "新增的附件"}
    assert dropped.pk not in attachments

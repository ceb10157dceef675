"""Issue 27 (editors and reviewers): genres as data, 公开属性 decided at drafting, a visibly
sent-back notice, attachments kept across a failed save, and the notice list at 1280 px."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from notices import staging, workflow
from notices.models import Attachment, Genre, Notice
from tests import factories
from tests.notices.test_admin import change_url, form_data, workflow_url

ADD = reverse("admin:notices_notice_add")
CHANGELIST = reverse("admin:notices_notice_changelist")
SEEDED = [
    *["令", "规章", "决定", "命令", "公报", "公告", "通告", "意见", "通知", "通报", "报告", "请示"],
    *["批复", "议案", "函", "纪要", "规定", "办法", "方案", "规划", "解读", "年度报告", "其他"],
]


# ---------------------------------------------------------------- genres


@pytest.mark.django_db
def test_the_genres_are_seeded_in_order_with_the_former_codes_kept():
    assert list(Genre.objects.values_list("name", flat=True)) == SEEDED
    assert Genre.objects.labels()["circular"] == "通报"
    assert Genre.objects.labels()["notice"] == "通知"


def test_a_genre_added_by_the_site_admin_is_offered_on_the_form_and_the_portal(
    client, site_admin, editor, notice_in
):
    client.force_login(site_admin)
    response = client.post(
        reverse("admin:notices_genre_add"),
        {"name": "白皮书", "code": "whitepaper", "position": "300", "active": "on"},
    )
    assert response.status_code == 302
    notice_in("published", genre="whitepaper", title="白皮书一份")
    client.force_login(editor)
    assert '<option value="whitepaper">白皮书</option>' in client.get(ADD).content.decode()
    client.logout()
    catalogue = client.get(reverse("notices:notice-list") + "?genre=whitepaper")
    assert "白皮书一份" in catalogue.content.decode()


def test_a_retired_genre_stays_on_its_notices_and_is_offered_to_no_other(client, editor, notice_in):
    kept = notice_in("draft", genre="minutes")
    Genre.objects.filter(code="minutes").update(active=False)
    client.force_login(editor)
    assert '<option value="minutes">纪要</option>' not in client.get(ADD).content.decode()
    assert 'value="minutes" selected>纪要</option>' in client.get(change_url(kept)).content.decode()


def test_a_genre_code_cannot_be_changed_and_an_editor_cannot_edit_genres(
    client, site_admin, editor
):
    genre = Genre.objects.get(code="notice")
    client.force_login(site_admin)
    page = client.get(reverse("admin:notices_genre_change", args=[genre.pk])).content.decode()
    assert 'name="code"' not in page
    client.force_login(editor)
    change = reverse("admin:notices_genre_change", args=[genre.pk])
    response = client.post(change, {"name": "通知书", "position": "1", "active": "on"})
    assert response.status_code == 403
    assert Genre.objects.get(pk=genre.pk).name == "通知"


@pytest.mark.django_db
@pytest.mark.postgres
def test_a_notice_refers_to_an_existing_genre_only(organ):
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as at commit
        Notice.objects.create(organ=organ, title="无体裁", genre_id="nonexistent")


def test_the_importer_maps_a_genre_name_to_its_code(organ, editor):
    from importer.saving import Genre as ImporterGenre

    assert ImporterGenre.objects.filter(name="令").values_list("code", flat=True).first() == "order"


# ---------------------------------------------------------------- 公开属性


@pytest.mark.parametrize("disclosure", ["on_request", "withheld"])
def test_a_restricted_disclosure_needs_a_reason(organ, editor, disclosure):
    draft = Notice(organ=organ, title="依申请", genre_id="notice", disclosure=disclosure)
    with pytest.raises(ValidationError) as caught:
        workflow.save_draft(draft, editor)
    assert "必须填写不主动公开的理由" in caught.value.message_dict["withheld_reason"][0]


@pytest.mark.django_db
def test_the_database_refuses_on_request_without_a_reason(organ):
    with pytest.raises(IntegrityError), transaction.atomic():
        Notice.objects.create(organ=organ, title="x", genre_id="notice", disclosure="on_request")


def test_the_form_names_the_missing_reason_in_chinese(client, editor, notice_in):
    draft = notice_in("draft")
    client.force_login(editor)
    response = client.post(change_url(draft), form_data(draft, disclosure="on_request"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "必须填写不主动公开的理由" in page
    assert 'href="#id_withheld_reason"' in page, "the error summary links to the field"


def test_only_a_proactive_notice_can_be_approved(editor, reviewer, notice_in):
    notice = notice_in("in_review", disclosure="on_request", withheld_reason="涉及第三方权益")
    assert workflow.APPROVE not in workflow.available_transitions(reviewer, notice)
    with pytest.raises(workflow.WorkflowError) as caught:
        workflow.approve(notice, reviewer)
    assert "只有“主动公开”的信息可以发布" in str(caught.value)
    assert Notice.objects.get(pk=notice.pk).status == Notice.Status.IN_REVIEW


def test_a_correction_cannot_turn_a_published_notice_into_a_restricted_one(
    editor, reviewer, notice_in
):
    published = notice_in("published")
    correction = workflow.start_correction(published, editor)
    correction.disclosure, correction.withheld_reason = "withheld", "涉密"
    correction.change_note = "改为不予公开"
    correction = workflow.save_draft(correction, editor)
    workflow.submit(correction, editor)
    with pytest.raises(workflow.WorkflowError):
        workflow.approve(correction, reviewer)
    assert Notice.objects.published().filter(pk=published.pk).exists()


def test_an_on_request_notice_stored_as_published_is_not_on_the_portal(client, notice_in):
    notice = notice_in("published", disclosure="on_request", withheld_reason="依申请")
    assert not Notice.objects.published().filter(pk=notice.pk).exists()
    assert client.get(notice.get_absolute_url()).status_code == 404


def test_the_reviewer_sees_the_disclosure_and_its_reason(client, reviewer, notice_in):
    notice = notice_in("in_review", disclosure="on_request", withheld_reason="涉及第三方合法权益")
    client.force_login(reviewer)
    page = client.get(change_url(notice)).content.decode()
    assert "公开属性：依申请公开（不发布到网站，也不列入网上的信息公开目录）" in page
    assert "涉及第三方合法权益" in page


@pytest.mark.parametrize(
    ("disclosure", "said"),
    [("on_request", "可通过依申请公开渠道提出申请"), ("withheld", "不向公众提供")],
)
def test_the_review_panel_says_plainly_what_happens_to_a_notice_not_disclosed_online(
    client, reviewer, notice_in, disclosure, said
):
    notice = notice_in("in_review", disclosure=disclosure, withheld_reason="涉及第三方合法权益")
    client.force_login(reviewer)
    page = client.get(change_url(notice)).content.decode()
    assert "这条信息不会发布到网站——没有公开页面，不列入网上的信息公开目录" in page
    assert said in page
    # What the panel says is what the code does: no approval, and nowhere on the portal.
    assert 'value="approve"' not in page
    assert "公众只能看到目录信息" not in page
    client.logout()
    catalogue = client.get(reverse("notices:notice-list")).content.decode()
    assert notice.get_absolute_url() not in catalogue


# ---------------------------------------------------------------- sent back


def test_sending_back_flags_the_notice_and_tells_the_reviewer_to_whom(
    client, editor, reviewer, notice_in
):
    notice = notice_in("in_review")
    client.force_login(reviewer)
    response = client.post(
        workflow_url(notice), {"transition": "send_back", "comment": "请补充附件"}, follow=True
    )
    page = response.content.decode()
    assert f"已退回给 {editor.get_username()}" in page
    assert "已完成：草稿" not in page
    notice.refresh_from_db()
    assert notice.is_sent_back and notice.sent_back_to == editor
    assert notice.state_label == "已退回"


def test_the_editor_sees_the_comment_on_top_and_in_the_dashboard_box(
    client, editor, second_editor, reviewer, notice_in
):
    notice = notice_in("in_review", title="待修改的通知")
    workflow.send_back(notice, reviewer, "第二段数字有误")
    client.force_login(editor)
    page = client.get(change_url(notice)).content.decode()
    assert page.index("第二段数字有误") < page.index('id="notice_form"')
    assert "已退回给" in page
    home = client.get(reverse("admin:index")).content.decode()
    assert "退回给我的" in home and "待修改的通知" in home
    client.force_login(second_editor)
    assert "待修改的通知" not in client.get(reverse("admin:index")).content.decode()


def test_the_list_filters_sent_back_notices(client, editor, reviewer, notice_in):
    sent_back = notice_in("in_review", title="被退回的")
    workflow.send_back(sent_back, reviewer, "重写")
    notice_in("draft", title="普通草稿")
    client.force_login(editor)
    page = client.get(CHANGELIST + "?sent_back=mine").content.decode()
    assert "被退回的" in page and "普通草稿" not in page
    assert "已退回" in page


def test_submitting_again_clears_the_flag(editor, reviewer, notice_in):
    notice = notice_in("in_review")
    notice = workflow.send_back(notice, reviewer, "重写")
    notice = workflow.submit(notice, editor)
    assert not notice.is_sent_back and notice.sent_back_to is None


def test_an_editor_cannot_send_back(editor, notice_in):
    with pytest.raises(PermissionDenied):
        workflow.send_back(notice_in("in_review"), editor, "自己退回")


def test_a_reviewer_of_another_organ_cannot_send_back(other_reviewer, notice_in):
    with pytest.raises(PermissionDenied):
        workflow.send_back(notice_in("in_review"), other_reviewer, "越权")


# ---------------------------------------------------------------- staged attachments


def attachment_row(upload=None, title="考核成绩表", **extra):
    data = {
        "attachments-TOTAL_FORMS": "1",
        "attachments-0-position": "1",
        "attachments-0-title": title,
        **extra,
    }
    files = {"attachments-0-file": upload} if upload is not None else {}
    return data, files


def post_with_attachment(client, notice, data_overrides, upload=None, **extra):
    data = form_data(notice, **data_overrides)
    rows, files = attachment_row(upload, **extra)
    data.update(rows)
    return client.post(change_url(notice), {**data, **files})


def test_an_attachment_chosen_before_a_failed_save_is_kept_and_attached_on_the_next(
    client, editor, notice_in
):
    draft = notice_in("draft")
    client.force_login(editor)
    pdf = SimpleUploadedFile("成绩表.pdf", factories.PDF_BYTES)
    failed = post_with_attachment(client, draft, {"title": ""}, pdf)
    assert failed.status_code == 200
    page = failed.content.decode()
    assert "已暂存的附件" in page and "成绩表.pdf" in page
    staged = staging.StagedUpload.objects.get(user=editor)
    assert staged.file.storage.exists(staged.file.name), "kept in the configured storage"
    assert f'name="attachments-0-file-staged" value="{staged.token}"' in page

    data = form_data(draft)
    rows, _ = attachment_row()
    data.update(rows)
    data["attachments-0-file-staged"] = str(staged.token)
    data["lock_version"] = Notice.objects.get(pk=draft.pk).lock_version
    saved = client.post(change_url(draft), data)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    [attachment] = Attachment.objects.filter(notice=draft)
    assert attachment.original_name == "成绩表.pdf" and attachment.sha256
    assert not staging.StagedUpload.objects.exists()


def test_an_attachment_chosen_on_a_new_notice_survives_its_failed_first_save(client, editor, organ):
    # The add form's sending is undone when it creates nothing (notices.submissions.once), but
    # the file it staged must stay for the corrected sending.
    client.force_login(editor)
    add = reverse("admin:notices_notice_add")
    token = client.get(add).context["adminform"].form["submission_token"].value()
    draft = Notice(organ=organ, title="新通知", genre_id="notice", body="<p>正文。</p>")
    data = {**form_data(draft, title=""), "lock_version": "", "submission_token": token}
    rows, files = attachment_row(SimpleUploadedFile("成绩表.pdf", factories.PDF_BYTES))
    failed = client.post(add, {**data, **rows, **files})
    assert failed.status_code == 200 and "已暂存的附件" in failed.content.decode()
    staged = staging.StagedUpload.objects.get(user=editor)
    rows, _ = attachment_row()
    rows["attachments-0-file-staged"] = str(staged.token)
    saved = client.post(add, {**data, "title": "新通知", **rows})
    assert saved.status_code == 302, saved.content.decode()[:2000]
    created = Notice.objects.get(title="新通知")
    assert created.attachments.get().original_name == "成绩表.pdf"
    assert not staging.StagedUpload.objects.exists()
    # The token is spent once something was created: the same sending again creates nothing.
    again = client.post(add, {**data, "title": "新通知", **rows})
    assert again.status_code == 302 and Notice.objects.filter(title="新通知").count() == 1


def test_a_removed_staged_attachment_is_not_attached(client, editor, notice_in):
    draft = notice_in("draft")
    client.force_login(editor)
    post_with_attachment(
        client, draft, {"title": ""}, SimpleUploadedFile("a.pdf", factories.PDF_BYTES)
    )
    staged = staging.StagedUpload.objects.get(user=editor)
    data = form_data(draft)
    rows, _ = attachment_row()
    data.update(rows)
    data["attachments-0-file-staged"] = str(staged.token)
    data["attachments-0-file-staged-remove"] = "1"
    assert client.post(change_url(draft), data).status_code == 302
    assert not Attachment.objects.filter(notice=draft).exists()


def test_a_file_failing_the_content_checks_is_not_staged(client, editor, notice_in):
    draft = notice_in("draft")
    client.force_login(editor)
    fake = SimpleUploadedFile("伪装.pdf", b"<html><script>alert(1)</script></html>")
    response = post_with_attachment(client, draft, {"title": ""}, fake)
    assert response.status_code == 200
    assert not staging.StagedUpload.objects.exists()


def test_anothers_staged_file_cannot_be_claimed(client, editor, second_editor, notice_in):
    draft = notice_in("draft")
    client.force_login(editor)
    post_with_attachment(
        client, draft, {"title": ""}, SimpleUploadedFile("a.pdf", factories.PDF_BYTES)
    )
    staged = staging.StagedUpload.objects.get(user=editor)
    assert staging.find(str(staged.token), second_editor) is None
    assert staging.find("not-a-token", editor) is None
    assert staging.find(str(staged.token), editor) == staged


# ---------------------------------------------------------------- the list at 1280 px


def test_the_list_leaves_technical_columns_to_the_change_page(client, editor, notice_in):
    notice_in("published")
    client.force_login(editor)
    page = client.get(CHANGELIST).content.decode()
    assert "column-index_number" not in page and "column-updated_at" not in page
    assert "css/admin-notice-list.css" in page


def test_checksums_are_folded_into_a_details_element(client, editor, notice_in):
    draft = notice_in("draft")
    factories.make_attachment(draft)
    client.force_login(editor)
    page = client.get(change_url(draft)).content.decode()
    assert '<details class="file-facts">' in page
    assert (
        "unsaved-changes.js" in page
        and "<script>" not in page.split("unsaved-changes.js")[0][-200:]
    )


# ---------------------------------------------------------------- the other roles' side


def test_an_auditor_sees_no_sent_back_box_and_cannot_send_back(client, auditor, notice_in):
    notice = notice_in("in_review")
    client.force_login(auditor)
    assert "退回给我的" not in client.get(reverse("admin:index")).content.decode()
    response = client.post(workflow_url(notice), {"transition": "send_back", "comment": "x"})
    assert response.status_code in (302, 403)
    assert Notice.objects.get(pk=notice.pk).status == Notice.Status.IN_REVIEW


def test_an_editor_of_another_organ_does_not_see_a_sent_back_notice(
    client, other_editor, reviewer, notice_in
):
    notice = notice_in("in_review", title="本机构退回的")
    workflow.send_back(notice, reviewer, "重写")
    client.force_login(other_editor)
    assert "本机构退回的" not in client.get(CHANGELIST + "?sent_back=all").content.decode()


def test_an_auditor_cannot_add_a_genre(client, auditor):
    client.force_login(auditor)
    response = client.post(
        reverse("admin:notices_genre_add"), {"name": "白皮书", "code": "whitepaper"}
    )
    assert response.status_code == 403
    assert not Genre.objects.filter(code="whitepaper").exists()


@pytest.mark.django_db
def test_a_genre_code_must_be_lowercase_letters_and_digits():
    with pytest.raises(ValidationError) as caught:
        Genre(name="白皮书", code="White Paper").full_clean()
    assert "小写英文字母和数字" in caught.value.message_dict["code"][0]


def test_staged_files_nobody_came_back_for_are_removed(editor):
    import datetime

    from django.utils import timezone

    old = staging.stage(SimpleUploadedFile("old.pdf", factories.PDF_BYTES), editor)
    fresh = staging.stage(SimpleUploadedFile("new.pdf", factories.PDF_BYTES), editor)
    staging.StagedUpload.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=staging.STAGED_UPLOAD_HOURS + 1)
    )
    assert staging.prune() == 1
    assert list(staging.StagedUpload.objects.all()) == [fresh]

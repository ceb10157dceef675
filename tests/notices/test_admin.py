"""The admin, role by role: who sees, changes and moves which notices."""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from notices.models import Notice
from tests import factories

CHANGELIST = reverse("admin:notices_notice_changelist")
ADD = reverse("admin:notices_notice_add")


def change_url(notice):
    return reverse("admin:notices_notice_change", args=[notice.pk])


def workflow_url(notice):
    return reverse("admin:notices_notice_workflow", args=[notice.pk])


def form_data(notice, **overrides):
    data = {
        "organ": notice.organ_id,
        "title": notice.title,
        "document_number": notice.document_number,
        "genre": notice.genre_id,
        "keywords": notice.keywords,
        "summary": notice.summary,
        "addressees": notice.addressees,
        "signed_on": "",
        "published_at_0": "",
        "published_at_1": "",
        "disclosure": notice.disclosure,
        "withheld_reason": notice.withheld_reason,
        "validity": notice.validity,
        "validity_changed_on": "",
        "body": notice.body,
        "change_note": notice.change_note,
        "lock_version": notice.lock_version,
    }
    for prefix in ("attachments", "citations"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update(overrides)
    return data


@pytest.fixture
def notices_of_both_organs(notice_in, other_organ, other_editor, other_reviewer):
    mine = notice_in("draft", title="本机构草稿")
    theirs = factories.make_notice(
        other_organ, other_editor, other_reviewer, "draft", title="他机构草稿"
    )
    return mine, theirs


@pytest.mark.parametrize(
    ("who", "sees_mine", "sees_theirs"),
    [
        ("editor", True, False),
        ("other_editor", False, True),
        ("reviewer", True, False),
        ("auditor", True, True),
        ("site_admin", True, True),
    ],
)
def test_changelist_shows_only_the_organs_a_role_may_see(
    client, request, notices_of_both_organs, who, sees_mine, sees_theirs
):
    client.force_login(request.getfixturevalue(who))
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    content = response.content.decode()
    assert ("本机构草稿" in content) is sees_mine
    assert ("他机构草稿" in content) is sees_theirs


def test_anonymous_is_sent_to_login(client, notices_of_both_organs):
    mine, _ = notices_of_both_organs
    for url in (CHANGELIST, change_url(mine), workflow_url(mine)):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]


def test_public_user_without_staff_flag_cannot_enter_admin(client, db):
    client.force_login(factories.make_user())
    assert client.get(CHANGELIST).status_code == 302


def test_editor_cannot_open_another_organs_notice(client, other_editor, notices_of_both_organs):
    mine, _ = notices_of_both_organs
    client.force_login(other_editor)
    response = client.get(change_url(mine))
    assert response.status_code == 302
    response = client.post(change_url(mine), form_data(mine, title="篡改"))
    assert Notice.objects.get(pk=mine.pk).title == "本机构草稿"


def test_editor_changes_own_draft_through_the_admin(client, editor, notices_of_both_organs):
    mine, _ = notices_of_both_organs
    client.force_login(editor)
    response = client.post(change_url(mine), form_data(mine, title="修改后的标题"))
    assert response.status_code == 302, response.content.decode()[:2000]
    mine.refresh_from_db()
    assert mine.title == "修改后的标题"
    assert mine.last_edited_by == editor
    assert mine.events.filter(action="edited", actor=editor).exists()


def test_editor_cannot_create_a_notice_for_another_organ(client, editor, other_organ, organ):
    client.force_login(editor)
    draft = Notice(organ=other_organ, title="越权新建", genre_id="notice", body="<p>x</p>")
    response = client.post(ADD, form_data(draft))
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not Notice.objects.filter(title="越权新建").exists()


def test_editor_creates_a_draft_and_body_is_sanitized(client, editor, organ):
    client.force_login(editor)
    draft = Notice(organ=organ, title="新的通知", genre_id="notice", body="")
    body = '<p onclick="steal()">正文</p><script>alert(1)</script>'
    response = client.post(ADD, form_data(draft, body=body, document_number="甘政办发[2024]3号"))
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Notice.objects.get(title="新的通知")
    assert created.status == Notice.Status.DRAFT
    assert created.body == "<p>正文</p>"
    assert created.document_number == "甘政办发〔2024〕3号"
    assert created.created_by == editor


def test_control_characters_pasted_into_the_admin_are_not_stored(client, editor, organ):
    client.force_login(editor)
    draft = Notice(
        organ=organ, title="粘贴\x0b的标题\x85", genre_id="notice", body="<p>正\x0c文</p>"
    )
    data = form_data(draft, summary="第一行\x0b\r\n\t第二行\x1b", keywords="甲\t乙")
    response = client.post(ADD, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Notice.objects.get(organ=organ)
    assert created.title == "粘贴的标题"
    assert created.summary == "第一行\r\n\t第二行"
    assert created.keywords == "甲乙"
    assert created.body == "<p>正文</p>"


def test_a_new_notice_is_saved_from_the_add_form_as_a_browser_posts_it(client, editor, organ):
    client.force_login(editor)
    draft = Notice(organ=organ, title="浏览器新建", genre_id="notice", body="<p>正文</p>")
    # The add form renders the hidden edit-conflict field without a value.
    response = client.post(ADD, form_data(draft, lock_version=""))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Notice.objects.get(title="浏览器新建").lock_version == 0


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("甘肃省人民政府令第150号", "甘肃省人民政府令第150号"),
        ("国务院令 第711号", "国务院令第711号"),
        ("2024年第3号公告", "2024年第3号公告"),
        ("甘政办发[2017]136号", "甘政办发〔2017〕136号"),
    ],
)
def test_the_add_form_takes_every_kind_of_document_number(client, editor, organ, typed, stored):
    client.force_login(editor)
    draft = Notice(organ=organ, title="令和公告", genre_id="order", body="<p>正文</p>")
    response = client.post(ADD, form_data(draft, lock_version="", document_number=typed))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Notice.objects.get(title="令和公告").document_number == stored


def test_invalid_document_number_gets_a_chinese_message(client, editor, organ):
    client.force_login(editor)
    draft = Notice(organ=organ, title="文号错误", genre_id="notice", body="<p>x</p>")
    response = client.post(ADD, form_data(draft, document_number="2024-3"))
    assert response.status_code == 200
    assert "文号格式不正确" in response.content.decode()


def test_second_editor_saving_a_stale_form_gets_a_conflict_and_keeps_their_text(
    client, editor, second_editor, notice_in
):
    notice = notice_in("draft", title="原标题")
    stale = form_data(notice)
    client.force_login(editor)
    assert client.post(change_url(notice), {**stale, "title": "编辑甲的标题"}).status_code == 302

    client.force_login(second_editor)
    response = client.post(change_url(notice), {**stale, "title": "编辑乙的标题"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "保存冲突" in content
    assert "编辑乙的标题" in content, "the second editor's text stays in the form"
    assert Notice.objects.get(pk=notice.pk).title == "编辑甲的标题"


def test_auditor_reads_everything_and_changes_nothing(client, auditor, notices_of_both_organs):
    mine, theirs = notices_of_both_organs
    client.force_login(auditor)
    for notice in (mine, theirs):
        response = client.get(change_url(notice))
        assert response.status_code == 200
        assert 'name="_save"' not in response.content.decode()
        response = client.post(change_url(notice), form_data(notice, title="审计修改"))
        assert response.status_code == 403
        assert Notice.objects.get(pk=notice.pk).title != "审计修改"
    assert client.get(ADD).status_code == 403
    client.post(workflow_url(mine), {"transition": "submit"})
    assert Notice.objects.get(pk=mine.pk).status == Notice.Status.DRAFT


def test_reviewer_sees_review_queue_and_approves_with_the_button(
    client, editor, reviewer, notice_in
):
    waiting = notice_in("in_review", title="等待审核的通知")
    client.force_login(reviewer)
    queue = client.get(CHANGELIST + "?queue=mine").content.decode()
    assert "等待审核的通知" in queue
    page = client.get(change_url(waiting)).content.decode()
    assert 'value="approve"' in page
    response = client.post(workflow_url(waiting), {"transition": "approve", "comment": "同意"})
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == Notice.Status.PUBLISHED
    assert waiting.events.filter(action="published", actor=reviewer, comment="同意").exists()


def test_review_queue_leaves_out_what_the_reviewer_edited_last(client, organ, editor, reviewer):
    notice = factories.make_notice(organ, editor, reviewer, "in_review", title="自己改过的")
    Notice.objects.filter(pk=notice.pk).update(last_edited_by=reviewer)
    client.force_login(reviewer)
    assert "自己改过的" not in client.get(CHANGELIST + "?queue=mine").content.decode()
    page = client.get(change_url(notice)).content.decode()
    assert 'value="approve"' not in page
    client.post(workflow_url(notice), {"transition": "approve"})
    assert Notice.objects.get(pk=notice.pk).status == Notice.Status.IN_REVIEW


def test_reviewer_of_another_organ_cannot_approve_through_the_admin(
    client, other_reviewer, notice_in
):
    waiting = notice_in("in_review")
    client.force_login(other_reviewer)
    client.post(workflow_url(waiting), {"transition": "approve"})
    assert Notice.objects.get(pk=waiting.pk).status == Notice.Status.IN_REVIEW


def test_send_back_without_comment_shows_a_message_and_changes_nothing(client, reviewer, notice_in):
    waiting = notice_in("in_review")
    client.force_login(reviewer)
    response = client.post(workflow_url(waiting), {"transition": "send_back"}, follow=True)
    assert "必须填写意见或原因" in response.content.decode()
    assert Notice.objects.get(pk=waiting.pk).status == Notice.Status.IN_REVIEW


def test_unknown_transition_is_refused_with_a_message(client, reviewer, notice_in):
    waiting = notice_in("in_review")
    client.force_login(reviewer)
    response = client.post(workflow_url(waiting), {"transition": "delete_all"}, follow=True)
    assert "未知的操作" in response.content.decode()


def test_editor_starts_a_correction_from_the_published_notice(client, editor, notice_in):
    published = notice_in("published")
    client.force_login(editor)
    response = client.post(workflow_url(published), {"transition": "start_correction"})
    correction = Notice.objects.get(correction_of=published)
    assert response["Location"] == change_url(correction)
    page = client.get(change_url(correction)).content.decode()
    assert "更正稿" in page
    assert 'name="change_note"' in page


def test_editor_cannot_edit_a_published_notice_in_place(client, editor, notice_in):
    published = notice_in("published", title="已发布标题")
    client.force_login(editor)
    response = client.post(change_url(published), form_data(published, title="直接改"))
    assert response.status_code == 403
    assert Notice.objects.get(pk=published.pk).title == "已发布标题"


def test_bulk_delete_removes_only_drafts(client, site_admin, notice_in):
    draft = notice_in("draft")
    published = notice_in("published")
    client.force_login(site_admin)
    client.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [draft.pk, published.pk], "post": "yes"},
    )
    assert Notice.objects.filter(pk=published.pk).exists()
    client.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [draft.pk], "post": "yes"},
    )
    assert not Notice.objects.filter(pk=draft.pk).exists()


def test_admin_filters_do_not_break_on_bad_values(client, site_admin, notice_in):
    notice_in("published")
    client.force_login(site_admin)
    for query in ("?year=abc", "?organ=xyz", "?year=2017", "?status=published&genre=notice"):
        assert client.get(CHANGELIST + query).status_code in (200, 302)


def test_admin_home_tells_a_reviewer_how_many_notices_wait(client, reviewer, notice_in, editor):
    notice_in("in_review")
    notice_in("in_review")
    client.force_login(reviewer)
    page = client.get(reverse("admin:index")).content.decode()
    assert "有 <strong>2</strong> 条信息等待您审核" in page
    client.force_login(editor)
    assert "待我审核" not in client.get(reverse("admin:index")).content.decode()


def test_body_is_edited_with_the_rich_text_editor(client, editor, notice_in):
    client.force_login(editor)
    page = client.get(change_url(notice_in("draft"))).content.decode()
    assert "ckeditor/ckeditor-init.js" in page
    assert 'data-type="ckeditortype"' in page


def test_view_on_site_link_only_for_public_notices(client, editor, notice_in):
    client.force_login(editor)
    draft_page = client.get(change_url(notice_in("draft"))).content.decode()
    assert "viewsitelink" not in draft_page
    published = notice_in("published")
    assert "viewsitelink" in client.get(change_url(published)).content.decode()


def test_notice_list_counts_no_further_than_its_cap(client, site_admin, notice_in, monkeypatch):
    monkeypatch.setattr("core.pagination.COUNT_CAP", 3)
    for _ in range(5):
        notice_in("draft")
    client.force_login(site_admin)
    response = client.get(CHANGELIST)
    assert response.context["cl"].paginator.count == 4
    assert "超过 3 条公告" in response.content.decode()


def test_the_notice_lists_checkboxes_are_djangos(notice_in):
    notice = notice_in("published", title="<b>标题</b>")
    model_admin = admin.site._registry[Notice]
    ours = model_admin.action_checkbox(notice)
    assert ours == admin.ModelAdmin.action_checkbox(model_admin, notice)
    assert "&lt;b&gt;标题&lt;/b&gt;" in ours


def test_a_page_far_down_the_notice_list_shows_the_notices_in_order(
    client, site_admin, notice_in, monkeypatch
):
    monkeypatch.setattr(admin.site._registry[Notice], "list_per_page", 2)
    drafts = [notice_in("draft") for _ in range(5)]
    client.force_login(site_admin)
    response = client.get(CHANGELIST + "?p=2")
    shown = [notice.pk for notice in response.context["cl"].result_list]
    assert shown == [drafts[2].pk, drafts[1].pk]


def test_the_list_and_the_save_message_use_plain_chinese_not_djangos_stock_phrasing(
    client, editor, notices_of_both_organs
):
    """Django's own translation reads "选择 公告 来修改" and "…已成功修改"; the site's wording
    (locale/zh_Hans) replaces it."""
    mine, _ = notices_of_both_organs
    client.force_login(editor)
    listing = client.get(CHANGELIST).content.decode()
    name = str(Notice._meta.verbose_name)
    assert f"选择要修改的{name}" in listing
    assert "来修改" not in listing
    response = client.post(change_url(mine), form_data(mine), follow=True)
    messages = [strip_tags(str(message)) for message in response.context["messages"]]
    assert messages == [f"已保存对{name}“{mine.title}”的修改。"]
    assert "成功" not in response.content.decode()


def test_a_save_conflict_heads_the_error_summary_and_the_form_counts_as_unsaved(
    client, editor, second_editor, notice_in
):
    notice = notice_in("draft", title="原标题")
    stale = form_data(notice)
    client.force_login(editor)
    client.post(change_url(notice), {**stale, "title": "编辑甲的标题"})

    client.force_login(second_editor)
    content = client.post(change_url(notice), {**stale, "title": "编辑乙的标题"}).content.decode()
    summary = content[
        content.index('id="error-summary"') : content.index(
            "</section>", content.index('id="error-summary"')
        )
    ]
    assert "有 1 处需要修改" in summary
    assert f"<li>保存冲突：在您编辑期间，{editor.get_username()} 已于" in summary
    assert 'data-unsaved="1"' in content, "leaving the page warns: the text is not saved"


def transition(client, notice, action, comment=""):
    response = client.post(
        workflow_url(notice), {"transition": action, "comment": comment}, follow=True
    )
    return [strip_tags(str(message)) for message in response.context["messages"]]


def test_each_workflow_button_says_what_happened_not_a_bare_state(
    client, editor, reviewer, notice_in
):
    draft = notice_in("draft")
    client.force_login(editor)
    assert transition(client, draft, "submit") == ["已提交审核，等待本机构的其他审核人员审核。"]
    client.force_login(reviewer)
    assert transition(client, draft, "approve") == ["审核通过，已发布到网站。"]

    client.force_login(editor)
    said = transition(client, draft, "start_correction")
    assert said == ["已创建更正稿：请修改后提交审核；审核通过前，公众看到的仍是原来的内容。"]
    correction = Notice.objects.get(correction_of=draft)
    correction.change_note = "更正错字"
    correction.save()
    transition(client, correction, "submit")
    client.force_login(reviewer)
    said = transition(client, correction, "approve")
    assert said == ["更正已发布：公开页面已换成更正后的内容，并显示更正说明。"]
    said = transition(client, draft, "withdraw", comment="内容已过时")
    assert said == ["已撤回这条信息，撤回原因已记入流程记录。"]


def test_a_scheduled_approval_says_when_the_notice_goes_out(client, reviewer, notice_in):
    moment = timezone.now() + datetime.timedelta(days=2)
    notice = notice_in("in_review", published_at=moment)
    client.force_login(reviewer)
    local = timezone.localtime(moment)
    assert transition(client, notice, "approve") == [
        f"审核通过，已排期：将于 {local:%Y-%m-%d %H:%M} 自动发布到网站。"
    ]
    assert transition(client, notice, "unschedule", comment="等待发布会后再发布") == [
        "已取消定时发布，这条信息回到草稿。"
    ]

"""Editors compare published versions side by side and restore one as a draft for review."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from notices import workflow
from notices.models import Notice
from notices.versions import body_lines
from tests import factories


def correct(notice, editor, reviewer, **changes):
    correction = workflow.start_correction(notice, editor)
    for field, value in changes.items():
        setattr(correction, field, value)
    correction.change_note = correction.change_note or "更正"
    workflow.save_draft(correction, editor)
    workflow.submit(correction, editor)
    return workflow.approve(correction, reviewer)


@pytest.fixture
def corrected(notice_in, editor, reviewer):
    notice = notice_in(
        "in_review",
        title="第一版标题",
        body="<h2>一、总体情况</h2><p>原来的段落。</p><p>不变的段落。</p>",
    )
    factories.make_attachment(notice, "成绩表")
    notice = workflow.approve(notice, reviewer)
    return correct(
        notice,
        editor,
        reviewer,
        title="第二版标题",
        body="<h2>一、总体情况</h2><p>改过的段落。</p><p>不变的段落。</p>",
        change_note="更正标题和第一段",
    )


def versions_url(notice, **query):
    url = reverse("admin:notices_notice_versions", args=[notice.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_body_lines_follow_paragraphs_not_tags():
    assert body_lines(
        "<h2>标题</h2><p>第一段&amp;<strong>加粗</strong></p><ul><li>一项</li></ul>"
    ) == [
        "标题",
        "第一段&加粗",
        "一项",
    ]


def test_editor_sees_two_versions_side_by_side(client, editor, corrected):
    client.force_login(editor)
    page = client.get(versions_url(corrected)).content.decode()
    assert "第 1 版 → 第 2 版" in page
    assert "第一版标题" in page and "第二版标题" in page
    assert "标题（有改动）" in page
    assert "文号（有改动）" not in page
    assert "原来的段落" in page and "改过的段落" in page
    assert 'class="diff_chg"' in page or 'class="diff_sub"' in page


def test_unknown_version_number_gives_a_message_not_an_error(client, editor, corrected):
    client.force_login(editor)
    response = client.get(versions_url(corrected, a=99, b="x"))
    assert response.status_code == 200
    assert "没有这个版本" in response.content.decode()


def test_editor_of_another_organ_cannot_see_versions(client, other_editor, corrected):
    client.force_login(other_editor)
    assert client.get(versions_url(corrected)).status_code == 404


def test_restore_opens_a_correction_that_goes_through_review(client, editor, reviewer, corrected):
    client.force_login(editor)
    url = reverse("admin:notices_notice_restore", args=[corrected.pk, 1])
    response = client.post(url)
    correction = Notice.objects.get(correction_of=corrected)
    assert response["Location"] == reverse("admin:notices_notice_change", args=[correction.pk])
    assert correction.title == "第一版标题"
    assert "原来的段落" in correction.body
    assert correction.status == Notice.Status.DRAFT
    assert [a.title for a in correction.attachments.all()] == ["成绩表"]
    assert Notice.objects.get(pk=corrected.pk).title == "第二版标题", "live until reviewed"

    workflow.submit(correction, editor)
    restored = workflow.approve(correction, reviewer)
    assert restored.title == "第一版标题"
    assert restored.versions.count() == 3
    assert restored.versions.get(number=3).change_note == "恢复为第 1 版的内容"


def test_restore_refuses_while_another_correction_is_open(editor, corrected):
    workflow.start_correction(corrected, editor)
    with pytest.raises(workflow.WorkflowError, match="更正稿"):
        workflow.restore_version(corrected, corrected.versions.get(number=1), editor)


@pytest.mark.parametrize("who", ["reviewer", "auditor", "other_editor"])
def test_only_editors_of_the_organ_restore(request, corrected, who):
    with pytest.raises(PermissionDenied):
        workflow.restore_version(
            corrected, corrected.versions.get(number=1), request.getfixturevalue(who)
        )
    assert not Notice.objects.filter(correction_of=corrected).exists()

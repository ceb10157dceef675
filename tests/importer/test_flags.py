"""Import flags on the draft itself: who sees and resolves them (both sides of every boundary),
who and when is kept, and a draft with open flags cannot be submitted or approved."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from importer import flags, saving
from importer.models import ImportFlag
from importer.report import Status
from notices import workflow
from notices.models import Notice
from tests import factories
from tests.importer.helpers import corpus_bytes

pytestmark = pytest.mark.django_db


def imported(organ, editor, data=None, name="page.html"):
    result = saving.import_file(data or corpus_bytes("inspection-page.html"), name, organ, editor)
    assert result.status == Status.IMPORTED, result.reason
    return Notice.objects.get(pk=result.notice_id)


def open_flags(notice):
    return ImportFlag.objects.filter(source__notice=notice, resolved=False)


def resolve_all(notice, user):
    for flag in open_flags(notice):
        flags.resolve(flag, user, "已核对")


def login(client, user):
    client.login(username=user.username, password=factories.PASSWORD)
    return client


def test_draft_with_open_flags_cannot_be_submitted(organ, editor):
    notice = imported(organ, editor)
    assert open_flags(notice).exists()
    with pytest.raises(workflow.WorkflowError, match="待核对"):
        workflow.submit(notice, editor)
    notice.refresh_from_db()
    assert notice.status == Notice.Status.DRAFT


def test_draft_with_every_flag_resolved_can_be_submitted(organ, editor):
    notice = imported(organ, editor)
    resolve_all(notice, editor)
    assert workflow.submit(notice, editor).status == Notice.Status.IN_REVIEW


def test_a_reopened_flag_stops_approval(organ, editor, reviewer):
    notice = imported(organ, editor)
    resolve_all(notice, editor)
    workflow.submit(notice, editor)
    flags.reopen(open_flags(notice).model.objects.filter(source__notice=notice).first(), reviewer)
    with pytest.raises(workflow.WorkflowError, match="待核对"):
        workflow.approve(notice, reviewer)


def test_resolution_keeps_who_when_and_how(organ, editor):
    notice = imported(organ, editor)
    flag = open_flags(notice).first()
    flags.resolve(flag, editor, "已对照原件改正")
    flag.refresh_from_db()
    assert flag.resolved and flag.resolved_by == editor and flag.resolved_at is not None
    assert flag.resolution == "已对照原件改正"
    with pytest.raises(workflow.WorkflowError, match="处理过"):
        flags.resolve(flag, editor)


def test_resolution_is_in_the_audit_history(organ, editor):
    from audit.context import acting
    from audit.models import AuditEvent

    notice = imported(organ, editor)
    flag = open_flags(notice).first()
    with acting(actor=editor, source="测试"):
        flags.resolve(flag, editor)
    entry = AuditEvent.objects.filter(content_type__model="importflag", object_pk=str(flag.pk))
    entry = entry.latest("sequence")
    assert entry.actor == editor and "resolved" in entry.changes_dict


@pytest.mark.parametrize(
    "who, allowed",
    [
        ("editor", True),
        ("reviewer", True),
        ("other_editor", False),
        ("other_reviewer", False),
        ("auditor", False),
        ("site_admin", True),
    ],
)
def test_who_may_resolve_a_flag(request, organ, editor, who, allowed):
    notice = imported(organ, editor)
    user = request.getfixturevalue(who)
    flag = open_flags(notice).first()
    assert flags.can_resolve(user, notice) is allowed
    if allowed:
        flags.resolve(flag, user)
    else:
        with pytest.raises(PermissionDenied):
            flags.resolve(flag, user)


def test_editor_cannot_resolve_once_in_review_but_the_reviewer_can(organ, editor, reviewer):
    notice = imported(organ, editor)
    resolve_all(notice, editor)
    workflow.submit(notice, editor)
    flag = ImportFlag.objects.filter(source__notice=notice).first()
    flags.reopen(flag, reviewer)
    with pytest.raises(PermissionDenied):
        flags.resolve(flag, editor)
    flags.resolve(flag, reviewer)


def test_flags_and_removed_lines_show_on_the_draft_page(client, organ, editor, reviewer):
    notice = imported(organ, editor)
    url = reverse("admin:notices_notice_change", args=[notice.pk])
    for user in (editor, reviewer):
        content = login(client, user).get(url).content.decode()
        assert "导入时标出的待核对之处" in content
        assert "已核对" in content  # the button
        assert "导入时去除的内容" in content and "版权所有" in content
        client.logout()


def test_resolving_through_the_page(client, organ, editor):
    notice = imported(organ, editor)
    flag = open_flags(notice).first()
    url = reverse("admin:importer_importflag_resolve", args=[flag.pk])
    response = login(client, editor).post(url, {"note": "核对无误"})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.resolved and flag.resolution == "核对无误" and flag.resolved_by == editor
    content = client.get(reverse("admin:notices_notice_change", args=[notice.pk])).content
    assert "核对无误" in content.decode()


def test_the_organs_reviewer_resolves_through_the_page(client, organ, editor, reviewer):
    flag = open_flags(imported(organ, editor)).first()
    url = reverse("admin:importer_importflag_resolve", args=[flag.pk])
    assert login(client, reviewer).post(url).status_code == 302
    flag.refresh_from_db()
    assert flag.resolved and flag.resolved_by == reviewer


def test_an_auditor_sees_the_flags_but_cannot_resolve_them(client, organ, editor, auditor):
    notice = imported(organ, editor)
    flag = open_flags(notice).first()
    page = login(client, auditor).get(reverse("admin:notices_notice_change", args=[notice.pk]))
    content = page.content.decode()
    assert "导入时标出的待核对之处" in content and "已核对</button>" not in content
    client.post(reverse("admin:importer_importflag_resolve", args=[flag.pk]))
    flag.refresh_from_db()
    assert not flag.resolved


def test_another_organs_editor_cannot_find_the_flag(client, organ, editor, other_editor):
    notice = imported(organ, editor)
    flag = open_flags(notice).first()
    url = reverse("admin:importer_importflag_resolve", args=[flag.pk])
    assert login(client, other_editor).post(url).status_code == 404
    flag.refresh_from_db()
    assert not flag.resolved


def test_anonymous_is_sent_to_login(client, organ, editor):
    flag = open_flags(imported(organ, editor)).first()
    response = client.post(reverse("admin:importer_importflag_resolve", args=[flag.pk]))
    assert response.status_code == 302 and "login" in response["Location"]
    flag.refresh_from_db()
    assert not flag.resolved


def test_auditor_sees_no_button(client, organ, editor):
    notice = imported(organ, editor)
    assert not flags.can_resolve(factories.make_user("审计"), notice)


def test_a_file_without_a_title_imports_under_its_file_name(organ, editor):
    text = "今天上午，全县政务公开工作会议召开，会议传达了上级文件精神，部署了下一步工作。"
    result = saving.import_file(text.encode(), "会议简讯.txt", organ, editor)
    assert result.status == Status.IMPORTED, result.reason
    notice = Notice.objects.get(pk=result.notice_id)
    assert notice.title
    assert ImportFlag.objects.filter(source__notice=notice, location="标题").exists()


def test_a_refusal_names_the_field_in_plain_words():
    from django.core.exceptions import ValidationError

    error = ValidationError({"title": ["此字段不能为空。"], "signed_on": ["日期格式不对。"]})
    reason = saving.validation_reason(error)
    assert "。。" not in reason
    assert "标题为空" in reason and "日期格式不对" in reason

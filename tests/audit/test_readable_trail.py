"""An auditor reads the history as people write: Chinese field names, local times, values shown
as a reader would, and the details of logins and exports labelled."""

import datetime
import re

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from audit import readable
from audit.context import acting
from audit.models import AuditEvent
from audit.signals import record_access
from notices import workflow
from notices.models import Notice
from tests import factories


def last_event(instance) -> AuditEvent:
    return (
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(instance), object_pk=str(instance.pk)
        )
        .order_by("-sequence")
        .first()
    )


def text_of(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def test_changed_fields_are_named_and_shown_as_a_reader_writes_them(organ, other_organ, editor):
    with acting(editor):
        notice = factories.make_draft(organ, editor, signed_on=datetime.date(2017, 11, 8))
        notice.signed_on = datetime.date(2017, 11, 9)
        # The genre by its stored code, whether the field holds the code or points at it.
        setattr(notice, Notice._meta.get_field("genre").attname, "circular")
        notice.organ = other_organ
        notice.published_at = datetime.datetime(2017, 11, 10, 2, 30, tzinfo=datetime.UTC)
        workflow.save_draft(notice, editor)
    changes = {change.label: change for change in readable.changes(last_event(notice))}
    assert (changes["成文日期"].old, changes["成文日期"].new) == ("2017年11月8日", "2017年11月9日")
    assert (changes["体裁"].old, changes["体裁"].new) == ("通知", "通报")
    assert (changes["发布机构"].old, changes["发布机构"].new) == (
        "甘肃省人民政府办公厅",
        "甘肃省民政厅",
    )
    assert changes["发布日期"].new == "2017-11-10 10:30:00", "in Asia/Shanghai"


def test_rich_text_is_shown_as_its_paragraphs_with_the_changed_words_marked(organ, editor):
    with acting(editor):
        notice = factories.make_draft(organ, editor, body="<p>于2026年底前报送。</p><p>其二。</p>")
        notice.body = '<p>于2027年底前报送。</p><p class="text-right">其二。</p>'
        workflow.save_draft(notice, editor)
    (body,) = [change for change in readable.changes(last_event(notice)) if change.label == "正文"]
    assert (body.old, body.new) == ("于2026年底前报送。\n其二。", "于2027年底前报送。\n其二。")
    old, new = body.segments
    assert [s.text for s in old if s.change] == ["2026"]
    assert [s.text for s in new if s.change] == ["2027"]


def test_auditor_reads_an_event_page_in_chinese(client, auditor, organ, editor):
    with acting(editor):
        notice = factories.make_draft(organ, editor, title="原标题")
        notice.title = "新标题"
        workflow.save_draft(notice, editor)
    event = last_event(notice)
    client.force_login(auditor)
    page = client.get(reverse("admin:audit_auditevent_change", args=[event.pk])).content.decode()
    text = text_of(page)
    assert "操作: 修改" in text or "操作 修改" in text
    assert "<del>原</del>标题" in page and "<ins>新</ins>标题" in page
    assert "对象类型: 公告" in text and "对象: 新标题" in text
    assert readable.local_time(event.timestamp) in text
    assert '"title"' not in page, "no JSON"
    assert "content type" not in text.lower() and "object pk" not in text.lower()


def test_history_list_has_chinese_columns_filters_and_actions(client, auditor, organ, editor):
    with acting(editor):
        factories.make_draft(organ, editor)
    client.force_login(auditor)
    text = text_of(client.get(reverse("admin:audit_auditevent_changelist")).content.decode())
    for header in ("序号", "时间", "操作", "对象类型", "对象", "操作人", "来源", "IP 地址"):
        assert header in text
    assert "新增" in text and "公告" in text
    assert "create" not in text and "By action" not in text


def test_login_and_export_details_are_labelled(db):
    user = factories.make_user("审计")
    login = record_access("login_failed", None, username="nobody")
    assert readable.action_label(login) == "登录失败"
    assert [(d.label, d.value) for d in readable.details(login)] == [
        ("事件", "登录失败"),
        ("登录名", "nobody"),
    ]
    export = record_access(
        "export",
        user,
        dataset="history",
        format="xlsx",
        filters={"since": "2024-01-01", "organ": None},
        rows=3,
        sha256={"history.xlsx": "ab" * 32},
        completed=False,
    )
    shown = {d.label: d.value for d in readable.details(export)}
    assert shown["数据集"] == "审计记录"
    assert shown["筛选条件"] == "起始日期：2024-01-01"
    assert shown["文件校验值（SHA-256）"] == "history.xlsx：" + "ab" * 32
    assert shown["是否完成"] == "否"


def test_a_password_change_is_never_shown(site_admin):
    with acting(site_admin):
        site_admin.set_password("another-long-password-1")
        site_admin.save()
    changes = {change.label: change for change in readable.changes(last_event(site_admin))}
    assert changes["密码"].new == readable.MASKED

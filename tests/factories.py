"""Small factories with unique defaults. Notices reach their states through the real workflow."""

import datetime
import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from notices import roles, workflow
from notices.models import Attachment, Notice, Organ, Topic

_serial = itertools.count(1)
PASSWORD = "correct-horse-battery"
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def next_serial() -> int:
    return next(_serial)


def make_organ(**fields) -> Organ:
    n = next(_serial)
    fields.setdefault("name", f"测试机构{n}")
    fields.setdefault("code", f"9{n:08d}")
    return Organ.objects.create(**fields)


def make_topic(name: str | None = None, parent: Topic | None = None) -> Topic:
    return Topic.objects.create(name=name or f"主题{next(_serial)}", parent=parent)


def make_user(role: str | None = None, organs=(), **fields):
    n = next(_serial)
    fields.setdefault("username", f"user{n}")
    fields.setdefault("is_staff", role is not None)
    user = get_user_model().objects.create_user(password=PASSWORD, **fields)
    if role:
        user.groups.add(Group.objects.get(name=role))
    if organs:
        user.organs.set(organs)
    return get_user_model().objects.get(pk=user.pk)


# Genre codes seeded by notices' migrations, for tests that spread notices over genres.
GENRE_CODES = [
    "notice",
    "circular",
    "opinion",
    "decision",
    "announcement",
    "report",
    "reply",
    "plan",
]


def make_editor(*organs):
    return make_user(roles.EDITOR, organs)


def make_reviewer(*organs):
    return make_user(roles.REVIEWER, organs)


def make_draft(organ: Organ, editor, **fields) -> Notice:
    n = next(_serial)
    fields.setdefault("title", f"关于测试事项的通知（{n}）")
    fields.setdefault("genre_id", fields.pop("genre", "notice"))
    fields.setdefault("body", f"<p>测试正文{n}。</p>")
    notice = Notice(organ=organ, **fields)
    return workflow.save_draft(notice, editor)


def make_notice(organ: Organ, editor, reviewer, state: str = "published", **fields) -> Notice:
    """A notice in one of: draft, in_review, published, scheduled, withdrawn."""
    if state == "scheduled":
        fields.setdefault("published_at", timezone.now() + datetime.timedelta(days=3))
    # Only 主动公开 notices can be approved: a published notice of another disclosure is one
    # stored before that rule (or changed behind the workflow's back), made here as such.
    restricted = {}
    if state not in ("draft", "in_review") and fields.get("disclosure", "proactive") != "proactive":
        restricted = {"disclosure": fields.pop("disclosure")}
        restricted["withheld_reason"] = fields.pop("withheld_reason", "") or "涉及国家秘密"
    notice = make_draft(organ, editor, **fields)
    if state == "draft":
        return notice
    notice = workflow.submit(notice, editor)
    if state == "in_review":
        return notice
    notice = workflow.approve(notice, reviewer)
    if state == "withdrawn":
        notice = workflow.withdraw(notice, reviewer, "内容已被新文件替代")
    if restricted:
        for field, value in restricted.items():
            setattr(notice, field, value)
        # A plain save, so that whatever follows saves (the search index) sees the change.
        notice.save(update_fields=[*restricted])
    return notice


def make_attachment(notice: Notice, title: str = "附件", content: bytes = PDF_BYTES, name="a.pdf"):
    attachment = Attachment(notice=notice, title=title, position=notice.attachments.count() + 1)
    attachment.file = SimpleUploadedFile(name, content)
    attachment.full_clean()
    attachment.save()
    return attachment

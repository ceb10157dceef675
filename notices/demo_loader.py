"""Load the demo organs, topics, notices and one account per role, through the real workflow."""

import datetime
import json
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from notices import roles, workflow
from notices.models import Attachment, CitedDocument, Notice, Organ, Topic

DEMO_DIR = Path(__file__).resolve().parent / "demo"
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - printed to the user; demo accounts only


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    description: str
    all_organs: bool = False


ACCOUNTS = [
    DemoAccount("editor", roles.EDITOR, "编辑（省政府办公厅、省民政厅）"),
    DemoAccount("editor2", roles.EDITOR, "编辑（省财政厅、省教育厅）"),
    DemoAccount("reviewer", roles.REVIEWER, "审核（省政府办公厅、省民政厅）"),
    DemoAccount("reviewer2", roles.REVIEWER, "审核（省财政厅、省教育厅）"),
    DemoAccount("auditor", roles.AUDITOR, "审计（所有机构，只读）", all_organs=True),
    DemoAccount("siteadmin", roles.SITE_ADMIN, "管理员（所有机构）", all_organs=True),
]
FIRST_ORGANS = ["000014349", "000014350"]


def load() -> list[DemoAccount]:
    data = json.loads((DEMO_DIR / "notices.json").read_text(encoding="utf-8"))
    with transaction.atomic():
        organs = {item["code"]: _organ(item) for item in data["organs"]}
        topics: dict[str, Topic] = {}
        for position, item in enumerate(data["topics"], start=1):
            _topic(item, position, None, "", topics)
        users = {account.username: _account(account, organs) for account in ACCOUNTS}
        notices: dict[str, Notice] = {}
        for item in data["notices"]:
            notices[item["key"]] = _notice(item, organs, topics, users, notices)
    return ACCOUNTS


def _organ(item: dict) -> Organ:
    organ, _ = Organ.objects.update_or_create(
        code=item["code"],
        defaults={
            "name": item["name"],
            "short_name": item["short_name"],
            "kind": item["kind"],
        },
    )
    return organ


def _topic(
    item: dict, position: int, parent: Topic | None, prefix: str, found: dict[str, Topic]
) -> None:
    """The topic and its children, each placed as the demo lists them (the tree's order)."""
    topic, _ = Topic.objects.update_or_create(
        name=item["name"], parent=parent, defaults={"position": position}
    )
    path = f"{prefix}{item['name']}"
    found[path] = topic
    for child_position, child in enumerate(item.get("children", []), start=1):
        _topic(child, child_position, topic, f"{path}/", found)


def _account(account: DemoAccount, organs: dict[str, Organ]):
    user, _ = get_user_model().objects.get_or_create(username=account.username)
    if not (user.is_staff and user.check_password(DEMO_PASSWORD)):
        user.is_staff = True
        user.set_password(DEMO_PASSWORD)
        user.save()
    user.groups.set([Group.objects.get(name=account.role)])
    if not account.all_organs:
        first = account.username in {"editor", "reviewer"}
        codes = FIRST_ORGANS if first else [code for code in organs if code not in FIRST_ORGANS]
        user.organs.set([organs[code] for code in codes])
    return get_user_model().objects.get(pk=user.pk)


def _users_for(organ_code: str, users: dict) -> tuple:
    if organ_code in FIRST_ORGANS:
        return users["editor"], users["reviewer"]
    return users["editor2"], users["reviewer2"]


def _notice(item: dict, organs, topics, users, done: dict[str, Notice]) -> Notice:
    organ = organs[item["organ"]]
    existing = Notice.objects.originals().filter(organ=organ, title=item["title"]).first()
    if existing is not None:
        return existing
    editor, reviewer = _users_for(item["organ"], users)
    body = item.get("body") or (DEMO_DIR / item["body_file"]).read_text(encoding="utf-8")
    notice = Notice(
        organ=organ,
        title=item["title"],
        document_number=item["document_number"],
        genre_id=item["genre"],
        keywords=item["keywords"],
        summary=item["summary"],
        addressees=item["addressees"],
        signed_on=_date(item["signed_on"]),
        disclosure=item["disclosure"],
        withheld_reason=item.get("withheld_reason", ""),
        validity=item["validity"],
        validity_changed_on=_date(item.get("validity_changed_on")),
        interprets=done.get(item.get("interprets", "")),
        interpretation_form=item.get("interpretation_form", ""),
        video_url=item.get("video_url", ""),
        body=body,
    )
    state = item["state"]
    if state == "scheduled":
        notice.published_at = timezone.now() + datetime.timedelta(days=7)
    elif state in {"published", "withdrawn"}:
        notice.published_at = _morning(item["published_on"])
    workflow.save_draft(notice, editor)
    notice.topics.set(topics[path] for path in item["topics"])
    for position, attachment in enumerate(item["attachments"], start=1):
        _attach(notice, position, attachment)
    for position, cited in enumerate(item["cited"], start=1):
        target = done.get(cited["key"]) if cited.get("key") else None
        CitedDocument.objects.create(
            notice=notice,
            position=position,
            target=target,
            title="" if target else cited["title"],
            document_number="" if target else cited["document_number"],
        )
    if state == "draft":
        return notice
    workflow.submit(notice, editor)
    if state == "in_review":
        return notice
    notice = workflow.approve(notice, reviewer, "演示数据：审核通过")
    if state == "withdrawn":
        notice = workflow.withdraw(notice, reviewer, item["withdrawal_reason"])
    Notice.objects.filter(pk=notice.pk).update(view_count=item.get("view_count", 0))
    return notice


def _attach(notice: Notice, position: int, item: dict) -> None:
    path = DEMO_DIR / item["file"]
    with path.open("rb") as handle:
        attachment = Attachment(notice=notice, position=position, title=item["title"])
        attachment.file.save(path.name, File(handle), save=False)
        attachment.full_clean()
        attachment.save()


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _morning(value: str) -> datetime.datetime:
    day = datetime.date.fromisoformat(value)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))


def describe(base_url: str) -> list[str]:
    """The demo accounts, for the console."""
    return [
        f"演示账号（密码均为 {DEMO_PASSWORD}）：",
        *(f"  {account.username:<10} {account.description}" for account in ACCOUNTS),
    ]

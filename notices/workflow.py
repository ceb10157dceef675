"""The editorial workflow: every state change of a notice goes through these functions.

Each checks permission, runs in one transaction on a locked row, records a WorkflowEvent and
returns the notice. The admin, the views and the management commands all call them.

    draft ──submit──▶ in review ──approve──▶ published (scheduled while its time is ahead)
      ▲                  │                        │
      └────send back─────┘                        ├──withdraw──▶ withdrawn
                                                  └──start correction──▶ a correction draft,
                                                     which on approval replaces the content
"""

import datetime
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from notices import access
from notices.models import (
    Attachment,
    CitedDocument,
    IndexSequence,
    Notice,
    NoticeVersion,
    Organ,
    Topic,
    WorkflowEvent,
)

Action = WorkflowEvent.Action
Status = Notice.Status
REVIEW_PERMISSION = "notices.review_notice"
CONTENT_FIELDS = [
    "title",
    "document_number",
    "genre",
    "document_category",
    "keywords",
    "summary",
    "addressees",
    "signed_on",
    "disclosure",
    "withheld_reason",
    "validity",
    "validity_changed_on",
    "interprets",
    "interpretation_form",
    "video_url",
    "body",
]


def _attname(field: str) -> str:
    """The attribute holding a content field's value: genre_id (the genre's code) for the
    genre, which is what snapshots have always stored."""
    return Notice._meta.get_field(field).attname


class WorkflowError(Exception):
    """A transition that the notice's current state does not allow; the message is for people."""


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    needs_comment: bool = False


SUBMIT = Transition("submit", "提交审核")
APPROVE = Transition("approve", "审核通过并发布")
SEND_BACK = Transition("send_back", "退回修改", needs_comment=True)
WITHDRAW = Transition("withdraw", "撤回", needs_comment=True)
UNSCHEDULE = Transition("unschedule", "取消定时发布", needs_comment=True)
START_CORRECTION = Transition("start_correction", "更正")


def _is_staff(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_staff


def can_edit(user, notice: Notice) -> bool:
    """Editors change drafts of their own organs; anything published is changed by correction."""
    return (
        _is_staff(user)
        and user.has_perm("notices.change_notice")
        and access.can_access_organ(user, notice.organ_id)
        and notice.status == Status.DRAFT
    )


def can_create(user, organ_id: int | None = None) -> bool:
    return (
        _is_staff(user)
        and user.has_perm("notices.add_notice")
        and (organ_id is None or access.can_access_organ(user, organ_id))
    )


def can_delete(user, notice: Notice) -> bool:
    return (
        _is_staff(user)
        and user.has_perm("notices.delete_notice")
        and access.can_access_organ(user, notice.organ_id)
        and notice.status == Status.DRAFT
        and notice.index_number is None
    )


def can_review(user, notice: Notice) -> bool:
    return (
        _is_staff(user)
        and user.has_perm(REVIEW_PERMISSION)
        and access.can_access_organ(user, notice.organ_id)
    )


def available_transitions(user, notice: Notice) -> list[Transition]:
    """What this user may do to this notice now, for buttons in the admin."""
    found = []
    if notice.status == Status.DRAFT and can_edit(user, notice):
        found.append(SUBMIT)
    if notice.status == Status.IN_REVIEW and can_review(user, notice):
        if notice.last_edited_by_id != user.pk and notice.is_proactive:
            found.append(APPROVE)
        found.append(SEND_BACK)
    if notice.is_live() and not notice.is_correction:
        if user.has_perm("notices.add_notice") and access.can_access_organ(user, notice.organ_id):
            found.append(START_CORRECTION)
        if can_review(user, notice):
            found.append(WITHDRAW)
    if notice.is_scheduled() and can_review(user, notice):
        found.append(UNSCHEDULE)
    return found


def _locked(notice: Notice) -> Notice:
    """Re-read the notice under a row lock, so that concurrent transitions serialize."""
    return Notice.objects.select_for_update(of=("self",)).select_related("organ").get(pk=notice.pk)


def _record(notice: Notice, action: str, user, comment: str = "") -> WorkflowEvent:
    return WorkflowEvent.objects.create(
        notice=notice, action=action, actor=user, comment=comment.strip()
    )


def require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def require_state(condition: bool, message: str) -> None:
    if not condition:
        raise WorkflowError(message)


def require_comment(comment: str, what: str) -> str:
    comment = (comment or "").strip()
    if not comment:
        raise WorkflowError(f"{what}必须填写意见或原因。")
    return comment


@transaction.atomic
def save_draft(notice: Notice, user) -> Notice:
    """Save an editor's change to a draft, or a new draft; the caller saves m2m and inlines."""
    is_new = notice.pk is None
    if is_new:
        require(can_create(user, notice.organ_id), "您无权为该机构新建信息。")
        notice.created_by = user
        notice.status = Status.DRAFT
        # Whatever the form posted (the admin's add form posts an empty version field).
        notice.lock_version = 0
    else:
        current = _locked(notice)
        require(
            can_edit(user, current),
            "只有本机构的编辑可以修改草稿；已提交或已发布的信息不能直接修改。",
        )
        if current.lock_version != notice.lock_version:
            raise WorkflowError(edit_conflict_message(current))
        notice.status = current.status
        notice.correction_of_id = current.correction_of_id
        notice.index_number = current.index_number
        notice.lock_version = current.lock_version + 1
    notice.last_edited_by = user
    if notice.document_number and notice.organ_id:
        hold_document_numbers(notice.organ_id)
    # The acting user, just set, is not looked up again; the model's constraints (a unique 文号
    # or 索引号, a reason where one is required) are checked by the database as the row is
    # written, and explained below by validate_constraints() only when it refuses: a query
    # (and a savepoint) less for each constraint on every save.
    exclude = ["topics", "created_by", "last_edited_by"]
    try:
        notice.full_clean(exclude=exclude, validate_constraints=False)
    except ValidationError:
        notice.full_clean(exclude=exclude)  # every message at once, the constraints' too
        raise
    try:
        with transaction.atomic(), _no_dependents_yet(notice, is_new):
            notice.save()
    except IntegrityError:
        # A constraint refused the row (another transaction may have taken the same 文号 after
        # the lock above): the same message as a form's check of the constraint.
        notice.validate_constraints(exclude=exclude)
        raise
    _record(notice, Action.CREATED if is_new else Action.EDITED, user)
    return notice


@contextmanager
def _no_dependents_yet(notice: Notice, is_new: bool):
    """While a new notice is first saved, nothing can hang from it by a one-to-one key yet (its
    assessment, its search entry, …): say so, so that what runs on its save (the audit history
    compares every field, these included) does not ask the database for each. Forgotten after
    the save, so that a row made from its id later is found."""
    empty = [r for r in Notice._meta.related_objects if r.one_to_one] if is_new else []
    for relation in empty:
        relation.set_cached_value(notice, None)
    try:
        yield
    finally:
        for relation in empty:
            if relation.is_cached(notice) and relation.get_cached_value(notice) is None:
                relation.delete_cached_value(notice)


def hold_document_numbers(organ_id: int) -> None:
    """Until the transaction ends, let no other save of a numbered notice of this organ past
    this point, so that the check of the 文号 that follows sees one being saved right now."""
    Organ.objects.select_for_update(no_key=True).filter(pk=organ_id).first()


def edit_conflict_message(current: Notice) -> str:
    who = current.last_edited_by.get_username() if current.last_edited_by else "其他人"
    when = timezone.localtime(current.updated_at).strftime("%Y-%m-%d %H:%M:%S")
    return (
        f"保存冲突：在您编辑期间，{who} 已于 {when} 保存了这条信息。"
        "您的修改尚未保存，仍保留在下面的表单中；请打开新窗口查看对方的版本，合并后再保存。"
    )


def check_complete(notice: Notice) -> None:
    problems = []
    if not notice.title.strip():
        problems.append("标题")
    if not notice.body.strip() and not notice.attachments.exists():
        problems.append("正文或附件")
    if notice.is_correction and not notice.change_note.strip():
        problems.append("更正说明")
    if problems:
        raise WorkflowError("提交审核前请填写：" + "、".join(problems) + "。")
    try:
        notice.full_clean(exclude=["topics"])
    except ValidationError as error:
        raise WorkflowError("信息不完整或有误：" + "；".join(error.messages)) from error


SUBMIT_CHECKS: list = []


def register_submit_check(check) -> None:
    """Another app's rule for submission and approval: ``check(notice)`` returns why the notice
    cannot go on yet, or "" (the importer's open flags; notices does not import the importer)."""
    if check not in SUBMIT_CHECKS:
        SUBMIT_CHECKS.append(check)


# What other apps do once a notice is in review, and their rules for approval alone (the checks
# before publication of editorial_checks: what they find goes to the reviewer, it does not stop
# a submission). ``on_submit(notice, user)`` runs in the submission's transaction once the
# notice is in review; ``before_approval(notice, user)`` runs in the approval's transaction
# before anything is published, and stops it by raising WorkflowError.
ON_SUBMIT: list = []
BEFORE_APPROVAL: list = []


def register_review_hooks(on_submit=None, before_approval=None) -> None:
    if on_submit is not None and on_submit not in ON_SUBMIT:
        ON_SUBMIT.append(on_submit)
    if before_approval is not None and before_approval not in BEFORE_APPROVAL:
        BEFORE_APPROVAL.append(before_approval)


def require_checks_pass(notice: Notice) -> None:
    for check in SUBMIT_CHECKS:
        problem = check(notice)
        require_state(not problem, problem)


@transaction.atomic
def submit(notice: Notice, user, comment: str = "") -> Notice:
    notice = _locked(notice)
    require(can_edit(user, notice), "只有本机构的编辑可以提交审核。")
    require_state(notice.status == Status.DRAFT, "只有草稿可以提交审核。")
    check_complete(notice)
    require_checks_pass(notice)
    notice.status = Status.IN_REVIEW
    notice.sent_back_at, notice.sent_back_to = None, None
    notice.save(update_fields=["status", "sent_back_at", "sent_back_to", "updated_at"])
    _record(notice, Action.SUBMITTED, user, comment)
    for hook in ON_SUBMIT:
        hook(notice, user)
    return notice


@transaction.atomic
def send_back(notice: Notice, user, comment: str) -> Notice:
    comment = require_comment(comment, "退回修改")
    notice = _locked(notice)
    require(can_review(user, notice), "只有本机构的审核人员可以退回。")
    require_state(notice.status == Status.IN_REVIEW, "这条信息不在待审核状态，不能退回。")
    notice.status = Status.DRAFT
    notice.sent_back_at = timezone.now()
    notice.sent_back_to = submitter(notice)
    notice.save(update_fields=["status", "sent_back_at", "sent_back_to", "updated_at"])
    _record(notice, Action.SENT_BACK, user, comment)
    return notice


def submitter(notice: Notice):
    """Who submitted the notice for review last (its last editor if no submission is recorded):
    the person a sent-back notice goes back to."""
    event = notice.events.filter(action=Action.SUBMITTED).select_related("actor").first()
    if event is not None and event.actor is not None:
        return event.actor
    return notice.last_edited_by


def sent_back_comment(notice: Notice) -> WorkflowEvent | None:
    """The reviewer's comment that sent a notice back, while it is still sent back."""
    if not notice.is_sent_back:
        return None
    return notice.events.filter(action=Action.SENT_BACK).select_related("actor").first()


def require_publishable(notice: Notice) -> None:
    """Only 主动公开 information goes on the portal (国办发〔2016〕80号, 条例 §19–20)."""
    require_state(
        notice.is_proactive,
        f"公开属性为“{notice.get_disclosure_display()}”的信息不能发布到网站，只有“主动公开”的信息可以发布。"
        "如公开属性有误，请退回编辑修改。",
    )


@transaction.atomic
def approve(notice: Notice, user, comment: str = "") -> Notice:
    """Publish (or schedule) a notice in review; for a correction, replace the live content."""
    notice = _locked(notice)
    require(can_review(user, notice), "只有本机构的审核人员可以审核发布。")
    require_state(
        notice.status == Status.IN_REVIEW, "这条信息不在待审核状态（可能已被其他审核人员处理）。"
    )
    require(
        notice.last_edited_by_id != user.pk,
        "您是这条信息的最后编辑人，不能审核自己的修改，请由其他审核人员审核。",
    )
    check_complete(notice)
    require_checks_pass(notice)
    require_publishable(notice)
    for check in BEFORE_APPROVAL:
        check(notice, user)
    if notice.is_correction:
        return _apply_correction(notice, user, comment)
    now = timezone.now()
    if notice.published_at is None:
        notice.published_at = now
    notice.status = Status.PUBLISHED
    if notice.index_number is None:
        notice.index_number = next_index_number(notice)
    notice.save(update_fields=["status", "published_at", "index_number", "updated_at"])
    _snapshot(notice, approved_by=user, change_note="")
    action = Action.SCHEDULED if notice.published_at > now else Action.PUBLISHED
    _record(notice, action, user, comment)
    return notice


@transaction.atomic
def unschedule(notice: Notice, user, comment: str) -> Notice:
    comment = require_comment(comment, "取消定时发布")
    notice = _locked(notice)
    require(can_review(user, notice), "只有本机构的审核人员可以取消定时发布。")
    require_state(notice.is_scheduled(), "只有尚未到发布时间的信息可以取消定时发布。")
    notice.status = Status.DRAFT
    notice.save(update_fields=["status", "updated_at"])
    _record(notice, Action.UNSCHEDULED, user, comment)
    return notice


@transaction.atomic
def withdraw(notice: Notice, user, reason: str) -> Notice:
    reason = require_comment(reason, "撤回")
    notice = _locked(notice)
    require(can_review(user, notice), "只有本机构的审核人员可以撤回信息。")
    require_state(notice.is_live() and not notice.is_correction, "只有已经发布的信息可以撤回。")
    notice.status = Status.WITHDRAWN
    notice.withdrawn_at = timezone.now()
    notice.withdrawal_reason = reason
    notice.save(update_fields=["status", "withdrawn_at", "withdrawal_reason", "updated_at"])
    notice.corrections.all().delete()
    _record(notice, Action.WITHDRAWN, user, reason)
    return notice


@transaction.atomic
def start_correction(notice: Notice, user) -> Notice:
    """Open a correction draft of a published notice (or return the one already open)."""
    notice = _locked(notice)
    require(can_create(user, notice.organ_id), "只有本机构的编辑可以更正这条信息。")
    require_state(notice.is_live() and not notice.is_correction, "只有已经发布的信息可以更正。")
    existing = notice.corrections.first()
    if existing is not None:
        return existing
    correction = Notice(correction_of=notice, organ=notice.organ, created_by=user)
    for field in CONTENT_FIELDS:
        setattr(correction, _attname(field), getattr(notice, _attname(field)))
    correction.published_at = notice.published_at
    correction.superseded_by_id = notice.superseded_by_id
    correction.superseded_by_title = notice.superseded_by_title
    correction.status = Status.DRAFT
    correction.last_edited_by = user
    correction.save()
    correction.topics.set(notice.topics.all())
    _copy_children(source=notice, target=correction)
    _record(notice, Action.CORRECTION_STARTED, user)
    _record(correction, Action.CREATED, user)
    return correction


def _copy_children(source: Notice, target: Notice) -> None:
    # One save per row (not bulk_create) so that the audit history sees each copy.
    for item in source.attachments.all():
        item.pk, item.notice = None, target
        item.save()
    for item in source.citations.all():
        item.pk, item.notice = None, target
        item.save()


@transaction.atomic
def restore_version(notice: Notice, version: NoticeVersion, user) -> Notice:
    """Open a correction whose content is an earlier published version; it goes through review
    like any other correction."""
    require_state(version.notice_id == notice.pk, "这个版本不属于这条信息。")
    require_state(
        not notice.corrections.exists(),
        "这条信息已有一份正在处理的更正稿，请先完成或删除它再恢复历史版本。",
    )
    correction = start_correction(notice, user)
    content = version.content
    for field in CONTENT_FIELDS:
        setattr(correction, _attname(field), content.get(field, getattr(notice, _attname(field))))
    for field in ("signed_on", "validity_changed_on"):
        value = content.get(field)
        setattr(correction, field, datetime.date.fromisoformat(value) if value else None)
    # 有效性 is changed by validity changes only (notices/validity.py), never by a restore.
    correction.validity = notice.validity
    correction.validity_changed_on = notice.validity_changed_on
    correction.change_note = f"恢复为第 {version.number} 版的内容"
    correction.last_edited_by = user
    correction.full_clean(exclude=["topics"])
    correction.save()
    paths = set(content.get("topics", []))
    correction.topics.set(topic for topic in Topic.objects.all() if topic.path in paths)
    for item in correction.attachments.all():
        item.delete()
    for position, item in enumerate(content.get("attachments", []), start=1):
        Attachment.objects.create(
            notice=correction,
            position=item.get("position", position),
            title=item["title"],
            file=item["file"],
            original_name=item.get("original_name", ""),
            content_type=item.get("content_type", ""),
            size=item.get("size", 0),
            sha256=item.get("sha256", ""),
            body_image=item.get("body_image", False),
        )
    for item in correction.citations.all():
        item.delete()
    live_targets = set(
        Notice.objects.filter(
            pk__in=[c["target"] for c in content.get("citations", []) if c.get("target")]
        ).values_list("pk", flat=True)
    )
    for position, item in enumerate(content.get("citations", []), start=1):
        CitedDocument.objects.create(
            notice=correction,
            position=position,
            target_id=item["target"] if item.get("target") in live_targets else None,
            title=item["title"],
            document_number=item["document_number"],
        )
    _record(correction, Action.RESTORED, user, f"恢复第 {version.number} 版")
    return correction


def _apply_correction(correction: Notice, user, comment: str) -> Notice:
    original = _locked(correction.correction_of)
    require_state(original.is_live(), "原信息已不在发布状态，不能发布更正。")
    for field in CONTENT_FIELDS:
        setattr(original, _attname(field), getattr(correction, _attname(field)))
    # 有效性 is the original's (a validity change approved meanwhile updated the correction too).
    original.superseded_by_id = correction.superseded_by_id
    original.superseded_by_title = correction.superseded_by_title
    original.change_note = correction.change_note
    original.last_edited_by = correction.last_edited_by
    original.lock_version += 1
    original.save()
    original.topics.set(correction.topics.all())
    _replace_attachments(original, correction)
    original.citations.all().delete()
    for citation in correction.citations.all():
        citation.notice = original
        citation.save(update_fields=["notice"])
    correction.events.update(notice=original)
    _snapshot(original, approved_by=user, change_note=correction.change_note)
    _record(original, Action.CORRECTED, user, comment or correction.change_note)
    correction.delete()
    return original


def _replace_attachments(original: Notice, correction: Notice) -> None:
    """Give the original the correction's attachments, keeping the rows (and so the public
    download links) of files that the correction kept."""
    kept = {item.file.name: item for item in original.attachments.all()}
    for item in correction.attachments.all():
        existing = kept.pop(item.file.name, None)
        if existing is None:
            item.notice = original
            item.save(update_fields=["notice"])
        else:
            existing.title, existing.position = item.title, item.position
            existing.body_image = item.body_image
            existing.save(update_fields=["title", "position", "body_image"])
    Attachment.objects.filter(pk__in=[item.pk for item in kept.values()]).delete()


def snapshot_content(notice: Notice) -> dict:
    content = {field: getattr(notice, _attname(field)) for field in CONTENT_FIELDS}
    for field in ("signed_on", "validity_changed_on"):
        content[field] = content[field].isoformat() if content[field] else None
    content["published_at"] = notice.published_at.isoformat() if notice.published_at else None
    content["topics"] = [topic.path for topic in notice.topics.all()]
    content["attachments"] = [
        {
            "position": item.position,
            "title": item.title,
            "file": item.file.name,
            "original_name": item.original_name,
            "content_type": item.content_type,
            "size": item.size,
            "sha256": item.sha256,
            "body_image": item.body_image,
        }
        for item in notice.attachments.all()
    ]
    content["citations"] = [
        {
            "title": item.display_title,
            "document_number": item.display_number,
            "target": item.target_id,
        }
        for item in notice.citations.select_related("target")
    ]
    return content


def _snapshot(notice: Notice, approved_by, change_note: str) -> NoticeVersion:
    last = notice.versions.aggregate(last=Max("number"))["last"] or 0
    return NoticeVersion.objects.create(
        notice=notice,
        number=last + 1,
        content=snapshot_content(notice),
        change_note=change_note,
        edited_by=notice.last_edited_by,
        approved_by=approved_by,
    )


def next_index_number(notice: Notice) -> str:
    """Hand out the next 索引号 ``{organ code}/{year}-{serial:05d}`` under a row lock."""
    year = timezone.localtime(notice.published_at).year
    # get_or_create retries the read if a concurrent transaction created the row first.
    sequence, _ = IndexSequence.objects.select_for_update().get_or_create(
        organ=notice.organ, year=year
    )
    sequence.last_serial += 1
    sequence.save(update_fields=["last_serial"])
    return f"{notice.organ.code}/{year}-{sequence.last_serial:05d}"


@transaction.atomic
def delete_draft(notice: Notice, user) -> None:
    notice = _locked(notice)
    require(can_delete(user, notice), "只能删除本机构从未发布过的草稿。")
    notice.delete()


TRANSITIONS = {
    SUBMIT.name: lambda notice, user, comment: submit(notice, user, comment),
    APPROVE.name: lambda notice, user, comment: approve(notice, user, comment),
    SEND_BACK.name: lambda notice, user, comment: send_back(notice, user, comment),
    WITHDRAW.name: lambda notice, user, comment: withdraw(notice, user, comment),
    UNSCHEDULE.name: lambda notice, user, comment: unschedule(notice, user, comment),
    START_CORRECTION.name: lambda notice, user, comment: start_correction(notice, user),
}

"""Changes of a published notice's 有效性 (国办发〔2017〕47号): an editor of the organ proposes
有效 → 失效 / 废止 / 已修改 with the date and the document that abolishes or amends it, a
reviewer of the organ who did not propose it approves or rejects. Approval writes the outcome
onto the notice (its public page then says so, the catalogue and the search index follow the
notice's save) and records a WorkflowEvent; every row is in the audit history.

The date may not be later than today: the catalogue filters on the notice's 有效性 as stored,
so a change takes effect when it is approved.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from notices import workflow
from notices.models import Notice, ValidityChange, WorkflowEvent
from notices.workflow import WorkflowError, require, require_comment, require_state

Status = ValidityChange.Status


def can_propose(user, notice: Notice) -> bool:
    """Editors of the notice's organ (those who may draft its notices)."""
    return workflow.can_create(user, notice.organ_id)


def can_decide(user, change: ValidityChange) -> bool:
    """Reviewers of the notice's organ, other than the one who proposed the change."""
    return (
        change.status == Status.PROPOSED
        and workflow.can_review(user, change.notice)
        and change.proposed_by_id != user.pk
    )


def _check_target(notice: Notice) -> None:
    require_state(
        notice.is_live() and not notice.is_correction,
        "只有已经发布的信息可以变更有效性。",
    )
    require_state(
        notice.validity == Notice.Validity.VALID,
        f"这份文件的有效性已是“{notice.get_validity_display()}”，不能再次变更。",
    )


def _check_by_notice(change: ValidityChange) -> None:
    if change.by_notice_id is None:
        return
    require_state(change.by_notice_id != change.notice_id, "文件不能废止或修改它自己。")
    require_state(
        Notice.objects.published().filter(pk=change.by_notice_id).exists(),
        "所选的废止或修改文件尚未在本网站发布，请选择已发布的文件，或在“其他”中填写其名称和文号。",
    )


@transaction.atomic
def propose(
    notice: Notice,
    user,
    *,
    validity: str,
    effective_on: datetime.date,
    by_notice: Notice | None = None,
    by_document: str = "",
    reason: str = "",
) -> ValidityChange:
    notice = Notice.objects.select_for_update(of=("self",)).get(pk=notice.pk)
    require(can_propose(user, notice), "只有本机构的编辑可以申请变更有效性。")
    _check_target(notice)
    require_state(
        not notice.validity_changes.filter(status=Status.PROPOSED).exists(),
        "这份文件已有一项待审核的有效性变更，请等待审核。",
    )
    require_state(
        effective_on <= timezone.localdate(),
        "生效日期不能晚于今天：请到生效之日再申请变更。",
    )
    published_on = timezone.localdate(notice.published_at)
    require_state(
        effective_on >= published_on,
        f"生效日期不能早于文件的发布日期（{published_on:%Y年%m月%d日}）。",
    )
    change = ValidityChange(
        notice=notice,
        validity=validity,
        effective_on=effective_on,
        by_notice=by_notice,
        by_document=(by_document or "").strip(),
        reason=(reason or "").strip(),
        proposed_by=user,
    )
    try:
        change.full_clean(exclude=["proposed_by"])
    except ValidationError as error:
        raise WorkflowError("；".join(error.messages)) from error
    _check_by_notice(change)
    try:
        with transaction.atomic():
            change.save()
    except IntegrityError as error:
        raise WorkflowError("这份文件已有一项待审核的有效性变更，请等待审核。") from error
    return change


def _locked(change: ValidityChange) -> ValidityChange:
    return (
        ValidityChange.objects.select_for_update(of=("self",))
        .select_related("notice", "by_notice")
        .get(pk=change.pk)
    )


@transaction.atomic
def approve(change: ValidityChange, user, comment: str = "") -> Notice:
    change = _locked(change)
    notice = Notice.objects.select_for_update(of=("self",)).get(pk=change.notice_id)
    require(workflow.can_review(user, notice), "只有本机构的审核人员可以审核有效性变更。")
    require(
        change.proposed_by_id != user.pk,
        "这项变更是您申请的，不能审核自己的申请，请由其他审核人员审核。",
    )
    require_state(
        change.status == Status.PROPOSED, "这项变更已经审核过（可能已被其他审核人员处理）。"
    )
    _check_target(notice)
    _check_by_notice(change)
    now = timezone.now()
    change.status, change.decided_by, change.decided_at = Status.APPROVED, user, now
    change.decision_comment = (comment or "").strip()
    change.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    notice.validity = change.validity
    notice.validity_changed_on = change.effective_on
    notice.superseded_by = change.by_notice
    notice.superseded_by_title = change.by_title
    notice.save(
        update_fields=[
            "validity",
            "validity_changed_on",
            "superseded_by",
            "superseded_by_title",
            "updated_at",
        ]
    )
    # A correction in progress carries the outcome too, so that publishing it keeps it.
    notice.corrections.update(
        validity=notice.validity,
        validity_changed_on=notice.validity_changed_on,
        superseded_by=notice.superseded_by,
        superseded_by_title=notice.superseded_by_title,
    )
    note = f"{change.effective_on:%Y年%m月%d日}{change.get_validity_display()}"
    if change.by_title:
        note += f"（{change.by_title}）"
    WorkflowEvent.objects.create(
        notice=notice, action=WorkflowEvent.Action.VALIDITY_CHANGED, actor=user, comment=note
    )
    return notice


@transaction.atomic
def reject(change: ValidityChange, user, comment: str) -> ValidityChange:
    comment = require_comment(comment, "驳回有效性变更")
    change = _locked(change)
    require(workflow.can_review(user, change.notice), "只有本机构的审核人员可以审核有效性变更。")
    require(
        change.proposed_by_id != user.pk,
        "这项变更是您申请的，不能审核自己的申请，请由其他审核人员审核。",
    )
    require_state(
        change.status == Status.PROPOSED, "这项变更已经审核过（可能已被其他审核人员处理）。"
    )
    change.status, change.decided_by, change.decided_at = Status.REJECTED, user, timezone.now()
    change.decision_comment = comment
    change.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    return change

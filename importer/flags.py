"""The places an import flagged, resolved on the draft by the people who answer for it: the
organ's editors while it is a draft, its reviewers while it is a draft or in review. Who and when
is kept on the flag (and in the audit history, which follows ImportFlag). A draft with open flags
cannot be submitted for review: ``unresolved_message`` is registered with notices.workflow."""

from django.db import transaction
from django.utils import timezone

from importer.models import ImportFlag
from notices import workflow
from notices.models import Notice


def can_resolve(user, notice: Notice) -> bool:
    if workflow.can_edit(user, notice):
        return True
    return notice.status in (Notice.Status.DRAFT, Notice.Status.IN_REVIEW) and (
        workflow.can_review(user, notice)
    )


def _locked(flag: ImportFlag) -> ImportFlag:
    return (
        ImportFlag.objects.select_for_update(of=("self",))
        .select_related("source__notice", "resolved_by")
        .get(pk=flag.pk)
    )


@transaction.atomic
def resolve(flag: ImportFlag, user, note: str = "") -> ImportFlag:
    """Mark one flag as handled, saying by whom, when and (optionally) how."""
    flag = _locked(flag)
    workflow.require(
        can_resolve(user, flag.source.notice),
        "只有本机构的编辑（草稿阶段）或审核人员可以处理导入时标出的待核对之处。",
    )
    if flag.resolved:
        who = flag.resolved_by.get_username() if flag.resolved_by else "其他人"
        when = timezone.localtime(flag.resolved_at).strftime("%Y-%m-%d %H:%M")
        raise workflow.WorkflowError(f"这一处已由 {who} 于 {when} 处理过。")
    flag.resolved, flag.resolved_by, flag.resolved_at = True, user, timezone.now()
    flag.resolution = (note or "").strip()[:1000]
    flag.save(update_fields=["resolved", "resolved_by", "resolved_at", "resolution"])
    return flag


@transaction.atomic
def reopen(flag: ImportFlag, user) -> ImportFlag:
    """Undo a resolution that was wrong; the history keeps both."""
    flag = _locked(flag)
    workflow.require(
        can_resolve(user, flag.source.notice),
        "只有本机构的编辑（草稿阶段）或审核人员可以重新打开待核对之处。",
    )
    if not flag.resolved:
        raise workflow.WorkflowError("这一处尚未处理，无需重新打开。")
    flag.resolved, flag.resolved_by, flag.resolved_at, flag.resolution = False, None, None, ""
    flag.save(update_fields=["resolved", "resolved_by", "resolved_at", "resolution"])
    return flag


def unresolved_message(notice: Notice) -> str:
    """Why the notice cannot be submitted yet, or ""."""
    count = ImportFlag.objects.filter(source__notice=notice, resolved=False).count()
    if not count:
        return ""
    return (
        f"这条草稿是导入的，还有 {count} 处待核对（见页面上的“导入时标出的待核对之处”），"
        "请逐条核对处理后再提交审核。"
    )

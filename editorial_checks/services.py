"""The checks before publication as the workflow uses them: a check of the notice on submission
(stored with the content version it read), the reviewer's confirmation of each finding, and
the rule that stops an approval while a finding that needs it is unresolved.

Who may do what: a finding is resolved by a reviewer of the notice's organ who is not its last
editor (the same person who may approve it, notices.workflow.approve); an editor cannot confirm
on a reviewer's behalf. Personal data is confirmed (“已核实，可以公开”), a serious wording
finding needs a written reason; warnings only inform."""

import threading

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from editorial_checks import scanning, texts
from editorial_checks.models import CheckRun, Finding, WordRule
from notices import workflow
from notices.models import Notice
from portal.models import Leader

Status = Notice.Status
TEXT_LIMIT = 200

_cache_lock = threading.Lock()
_cache: dict = {"version": None, "words": scanning.WordList()}


def word_list() -> scanning.WordList:
    """The site's active word rules and current leaders (portal.Leader, which the organs'
    机构信息 pages list too), compiled once per change of the lists (two small queries tell
    whether they changed). A leader listed under several organs has the titles of all."""
    rules = WordRule.objects.filter(active=True)
    version = (
        tuple(rules.aggregate(n=Count("pk"), last=Max("updated_at")).values()),
        tuple(Leader.objects.aggregate(n=Count("pk"), last=Max("updated_at")).values()),
    )
    with _cache_lock:
        if _cache["version"] == version:
            return _cache["words"]
    titles: dict[str, list[str]] = {}
    wrong: dict[str, list[str]] = {}
    for leader in Leader.objects.current().order_by("pk"):
        titles.setdefault(leader.name, []).extend(leader.titles())
        wrong.setdefault(leader.name, []).extend(leader.wrong_names())
    words = scanning.WordList(
        [
            scanning.Rule(rule.wrong, rule.correct, rule.kind, rule.severity, rule.note)
            for rule in rules
        ],
        [
            scanning.LeaderEntry(
                name, tuple(dict.fromkeys(found)), tuple(dict.fromkeys(wrong[name]))
            )
            for name, found in titles.items()
        ],
    )
    with _cache_lock:
        _cache["version"], _cache["words"] = version, words
    return words


def find(parts: list[texts.Part], words: scanning.WordList) -> list[Finding]:
    """Unsaved findings for the parts of a notice."""
    found = []
    for part in parts:
        for hit in [*words.find(part.text), *scanning.personal_data(part.text)]:
            before, after, line = scanning.around(part.text, hit.start, hit.end)
            found.append(
                Finding(
                    category=hit.category,
                    kind=hit.kind,
                    severity=hit.severity,
                    part=part.name,
                    paragraph=line,
                    offset=hit.start,
                    text=hit.text[:TEXT_LIMIT],
                    suggestion=hit.suggestion[:TEXT_LIMIT],
                    before=before,
                    after=after,
                )
            )
    return found


def run_checks(notice: Notice, user) -> CheckRun:
    """Check a notice's content now and store what was found. A finding that a previous check
    of the notice also found, and that was resolved then, stays resolved (same who, when and
    reason): a notice sent back and resubmitted is not confirmed twice for the same text."""
    parts, unread = texts.notice_parts(notice)
    found = find(parts, word_list())
    previous = latest_run(notice)
    resolved = {}
    if previous is not None:
        resolved = {
            finding.key: finding for finding in previous.findings.filter(resolved_at__isnull=False)
        }
    run = CheckRun.objects.create(
        notice=notice, lock_version=notice.lock_version, checked_by=user, unread="\n".join(unread)
    )
    for finding in found:
        finding.run = run
        earlier = resolved.get(finding.key)
        if earlier is not None:
            finding.resolved_by_id = earlier.resolved_by_id
            finding.resolved_at = earlier.resolved_at
            finding.reason = earlier.reason
        # One save per row (not bulk_create) so that the audit history sees each finding.
        finding.save()
    return run


def latest_run(notice: Notice) -> CheckRun | None:
    return notice.check_runs.order_by("-checked_at", "-pk").first()


def current_run(notice: Notice) -> CheckRun | None:
    """The check of the notice's content as it is now (None if it changed since)."""
    run = latest_run(notice)
    if run is None or run.lock_version != notice.lock_version:
        return None
    return run


def on_submit(notice: Notice, user) -> None:
    run_checks(notice, user)


def unresolved(run: CheckRun) -> list[Finding]:
    return [f for f in run.findings.all() if f.needs_resolution and f.resolved_at is None]


def before_approval(notice: Notice, user) -> None:
    """Stop an approval while the current check has unresolved findings (or there is none
    that is current and a check now finds something)."""
    run = current_run(notice)
    if run is None:
        parts, _unread = texts.notice_parts(notice)
        found = [f for f in find(parts, word_list()) if f.needs_resolution]
        if found:
            raise workflow.WorkflowError(
                f"这条信息的内容在最近一次发布前检查之后有变化，重新检查发现 {len(found)} 处问题。"
                "请点击“重新检查”查看并逐条处理，或退回修改。"
            )
        run = run_checks(notice, user)
    waiting = unresolved(run)
    if waiting:
        personal = sum(1 for f in waiting if f.category == Finding.Category.PERSONAL)
        wording = len(waiting) - personal
        pieces = []
        if personal:
            pieces.append(f"{personal} 处个人信息需要逐条确认可以公开")
        if wording:
            pieces.append(f"{wording} 处严重用词问题需要填写理由")
        raise workflow.WorkflowError(
            "发布前检查尚未处理完：" + "，".join(pieces) + "。不能公开的，请退回修改。"
        )
    if notice.is_correction:
        # The correction is deleted once applied: its checks (and who confirmed what) stay
        # with the original, as its workflow events do.
        notice.check_runs.update(notice_id=notice.correction_of_id)


def can_resolve(user, notice: Notice) -> bool:
    """The reviewers who may approve the notice: of its organ, and not its last editor."""
    return (
        workflow.can_review(user, notice)
        and notice.status == Status.IN_REVIEW
        and notice.last_edited_by_id != user.pk
    )


def can_run(user, notice: Notice) -> bool:
    """Who may check a notice again: its editors while it is a draft, its reviewers in review."""
    return workflow.can_edit(user, notice) or (
        workflow.can_review(user, notice) and notice.status == Status.IN_REVIEW
    )


@transaction.atomic
def resolve(finding: Finding, user, reason: str = "") -> Finding:
    """Record that a reviewer confirmed a finding (personal data may be published; a serious
    wording is right here, for the reason given)."""
    finding = (
        Finding.objects.select_for_update(of=("self",))
        .select_related("run__notice")
        .get(pk=finding.pk)
    )
    notice = finding.run.notice
    if not can_resolve(user, notice):
        raise PermissionDenied(
            "只有本机构的审核人员（且不是这条信息的最后编辑人）可以确认检查结果。"
        )
    if current_run(notice) != finding.run:
        raise workflow.WorkflowError("这条检查结果已过期，请查看最新一次检查。")
    if finding.resolved_at is not None:
        raise workflow.WorkflowError("这条检查结果已经确认过了。")
    reason = (reason or "").strip()
    if finding.needs_reason and not reason:
        raise workflow.WorkflowError("严重用词问题必须填写保留原文的理由。")
    finding.resolved_by = user
    finding.resolved_at = timezone.now()
    finding.reason = reason
    finding.save(update_fields=["resolved_by", "resolved_at", "reason"])
    return finding


@transaction.atomic
def recheck(notice: Notice, user) -> CheckRun:
    notice = Notice.objects.select_for_update(of=("self",)).get(pk=notice.pk)
    if not can_run(user, notice):
        raise PermissionDenied("只有本机构的编辑（草稿）或审核人员（待审核）可以重新检查。")
    return run_checks(notice, user)

"""State changes of assessments: editing scores, review and publication, rectification.

Like notices/workflow.py, each function checks permission, runs in one transaction and is what
the admin, the import and the commands call.
"""

import copy
import datetime
from dataclasses import dataclass
from decimal import Decimal

from auditlog.context import disable_auditlog
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assessments.models import (
    DEFAULT_GRADE_BANDS,
    AssessedUnit,
    Assessment,
    GradeBand,
    Indicator,
    RectificationReport,
    Requirement,
    Score,
)
from audit import models as audit_models
from core.text import clean_text_before_save
from notices import access
from notices.workflow import Transition, WorkflowError, require, require_comment, require_state

Status = Assessment.Status
EDIT_REFUSED = "只有本机构的编辑可以修改准备中的考核。"
REVIEW_PERMISSION = "assessments.review_assessment"
# Rows per statement when scores are written in bulk.
BATCH = 1000


def _is_staff(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_staff


def can_edit(user, assessment: Assessment) -> bool:
    """Editors of the assessing organ change an assessment while it is in preparation."""
    return (
        _is_staff(user)
        and user.has_perm("assessments.change_assessment")
        and access.can_access_organ(user, assessment.organ_id)
        and assessment.status == Status.PREPARING
    )


def can_review(user, assessment: Assessment) -> bool:
    return (
        _is_staff(user)
        and user.has_perm(REVIEW_PERMISSION)
        and access.can_access_organ(user, assessment.organ_id)
    )


def can_report(user, unit: AssessedUnit) -> bool:
    """A unit's own editors report its rectification; so may the assessing organ's editors."""
    return (
        _is_staff(user)
        and user.has_perm("assessments.add_rectificationreport")
        and (
            access.can_access_organ(user, unit.organ_id)
            or access.can_access_organ(user, unit.assessment.organ_id)
        )
    )


SUBMIT = Transition("submit", "提交审核")
PUBLISH = Transition("publish", "审核发布")
SEND_BACK = Transition("send_back", "退回修改", needs_comment=True)


def available_transitions(user, assessment: Assessment) -> list[Transition]:
    """What this user may do to this assessment now, for buttons in the admin."""
    found = []
    if can_edit(user, assessment):
        found.append(SUBMIT)
    if assessment.status == Status.IN_REVIEW and can_review(user, assessment):
        if assessment.last_edited_by_id != user.pk:
            found.append(PUBLISH)
        found.append(SEND_BACK)
    return found


def lock_for_editing(user, assessment_id: int) -> Assessment:
    """Lock an assessment for the rest of the caller's transaction and check that the user may
    change it (or its groups, units, indicators, findings…) now."""
    assessment = Assessment.objects.select_for_update(of=("self",)).get(pk=assessment_id)
    require(can_edit(user, assessment), EDIT_REFUSED)
    return assessment


def _locked(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_for_update(of=("self",)).get(pk=assessment.pk)


@transaction.atomic
def create_assessment(user, **fields) -> Assessment:
    assessment = Assessment(**fields)
    require(
        _is_staff(user)
        and user.has_perm("assessments.add_assessment")
        and access.can_access_organ(user, assessment.organ_id),
        "您无权为该机构新建考核。",
    )
    return save_assessment(assessment, user, is_new=True)


@transaction.atomic
def save_assessment(assessment: Assessment, user, *, is_new: bool = False) -> Assessment:
    """Save an assessment being prepared; a new one gets the usual grade bands."""
    if not is_new:
        require(can_edit(user, _locked(assessment)), EDIT_REFUSED)
    assessment.last_edited_by = user
    assessment.full_clean()
    assessment.save()
    if is_new and not assessment.grade_bands.exists():
        GradeBand.objects.bulk_create(
            GradeBand(assessment=assessment, name=name, min_total=threshold)
            for name, threshold in DEFAULT_GRADE_BANDS
        )
    return assessment


def mark_edited(assessment: Assessment, user) -> None:
    """Record that the user changed something of a prepared assessment (scores, findings…)."""
    Assessment.objects.filter(pk=assessment.pk).update(
        last_edited_by=user, updated_at=timezone.now()
    )
    assessment.last_edited_by = user


@dataclass(frozen=True)
class ScoreChange:
    unit: AssessedUnit
    indicator: Indicator
    old: Decimal | None
    new: Decimal | None
    remark: str = ""
    # The score as it is stored now, if there is one.
    current: Score | None = None


def validate_scores(
    assessment: Assessment, entries: dict[tuple[int, int], tuple[Decimal | None, str]]
) -> tuple[list[ScoreChange], list[str]]:
    """What saving these (unit, indicator) → (value, remark) entries would change, and why not.

    A value of None clears the score. Nothing is written.
    """
    units = {unit.pk: unit for unit in assessment.units.select_related("organ")}
    indicators = {indicator.pk: indicator for indicator in assessment.indicators.all()}
    parents = {indicator.parent_id for indicator in indicators.values()}
    existing = {
        (score.unit_id, score.indicator_id): score
        for score in Score.objects.filter(unit__assessment=assessment)
    }
    for score in existing.values():
        # What the history names them by, without a query per score.
        score.unit, score.indicator = units.get(score.unit_id), indicators.get(score.indicator_id)
    changes, errors = [], []
    for (unit_id, indicator_id), (value, remark) in entries.items():
        unit, indicator = units.get(unit_id), indicators.get(indicator_id)
        if unit is None or indicator is None:
            errors.append("单位或指标不属于这次考核。")
            continue
        where = f"{unit.organ.name}「{indicator.code} {indicator.name}」"
        if indicator.pk in parents:
            errors.append(f"{where}：只能为末级指标打分。")
            continue
        if indicator.group_id not in (None, unit.group_id):
            errors.append(f"{where}：该指标不适用于此单位所在分组。")
            continue
        if value is not None and not (0 <= value <= indicator.max_score):
            errors.append(f"{where}：得分 {value} 超出范围，应在 0 到 {indicator.max_score} 之间。")
            continue
        current = existing.get((unit_id, indicator_id))
        old = current.value if current else None
        old_remark = current.remark if current else ""
        if old != value or (value is not None and old_remark != remark):
            changes.append(ScoreChange(unit, indicator, old, value, remark, current))
    return changes, errors


class ScoreConflict(ValidationError):
    """Scores the editor was about to overwrite were changed by someone else since loaded.

    `current` holds their (unit, indicator) → (value, remark) as found, under the lock.
    """

    def __init__(self, messages: list[str], current: dict[tuple[int, int], tuple]):
        super().__init__(messages)
        self.current = current


@transaction.atomic
def save_scores(
    assessment: Assessment,
    user,
    entries: dict[tuple[int, int], tuple[Decimal | None, str]],
    expected: dict[tuple[int, int], tuple[Decimal | None, str | None]] | None = None,
) -> list[ScoreChange]:
    """Apply score entries all together, or none of them.

    `expected` gives, for some entries, the (value, remark) the editor saw when loading them; a
    remark of None is not checked. If such a score has changed since and is not what is being
    saved anyway, ScoreConflict names it and nothing is saved.
    """
    assessment = _locked(assessment)
    require(can_edit(user, assessment), "只有本机构的编辑可以在考核准备阶段录入成绩。")
    conflicts, current = [], {}
    if expected := {key: seen for key, seen in (expected or {}).items() if key in entries}:
        scores = {
            (score.unit_id, score.indicator_id): score
            for score in Score.objects.filter(unit__assessment=assessment).select_related(
                "unit__organ", "indicator"
            )
        }
        units = indicators = None
        for key, (seen_value, seen_remark) in expected.items():
            value, remark = entries[key]
            score = scores.get(key)
            now_value, now_remark = (score.value, score.remark) if score else (None, "")
            found = []
            if now_value != seen_value and now_value != value:
                now = "清除" if now_value is None else f"改为 {format(now_value.normalize(), 'f')}"
                before = "空" if seen_value is None else f" {format(seen_value.normalize(), 'f')}"
                found.append(("得分", now, before))
            if (
                seen_remark is not None
                and value is not None
                and now_remark.strip() not in (seen_remark.strip(), remark.strip())
            ):
                now = f"改为“{now_remark}”" if now_remark else "清除"
                found.append(("备注", now, f"“{seen_remark}”" if seen_remark else "空"))
            if not found:
                continue
            if score is None and units is None:
                units = assessment.units.select_related("organ").in_bulk()
                indicators = assessment.indicators.in_bulk()
            unit = score.unit if score else units.get(key[0])
            indicator = score.indicator if score else indicators.get(key[1])
            if unit is None or indicator is None:
                continue  # Not part of the assessment: validate_scores says so.
            current[key] = (now_value, now_remark)
            conflicts += [
                f"{unit.organ.name}「{indicator.code}」的{what}已被他人{now}"
                f"（您打开时为{before}），请核对后再保存。"
                for what, now, before in found
            ]
    changes, errors = validate_scores(assessment, entries)
    if conflicts:
        raise ScoreConflict(conflicts + errors, current)
    if errors:
        raise ValidationError(errors)
    write_scores(changes)
    if changes:
        mark_edited(assessment, user)
    return changes


def write_scores(changes: list[ScoreChange]) -> None:
    """Write score changes in a few statements, whatever their number, each one recorded in the
    audit history as saving the scores one by one would record it.

    Called inside save_scores' transaction, on the locked assessment.
    """
    created, changed, deleted = [], [], []
    for change in changes:
        if change.new is None:
            deleted.append(change.current)
        elif change.current is None:
            created.append(
                Score(
                    unit=change.unit,
                    indicator=change.indicator,
                    value=change.new,
                    remark=change.remark,
                )
            )
        else:
            now = copy.copy(change.current)
            now.value, now.remark = change.new, change.remark
            changed.append((change.current, now))
    # Bulk writes send no pre_save: their remarks are cleaned as every save's text is.
    for score in [*created, *(now for _, now in changed)]:
        clean_text_before_save(sender=Score, instance=score)
    with disable_auditlog():
        Score.objects.filter(pk__in=[score.pk for score in deleted]).delete()
        Score.objects.bulk_create(created, batch_size=BATCH)
        Score.objects.bulk_update(
            [now for _, now in changed], ["value", "remark"], batch_size=BATCH
        )
    audit_models.append(audit_models.changed_rows(created, changed, deleted))


@transaction.atomic
def submit(assessment: Assessment, user) -> Assessment:
    assessment = _locked(assessment)
    require(can_edit(user, assessment), "只有本机构的编辑可以提交审核。")
    require_state(
        assessment.units.exists()
        or assessment.findings.exists()
        or assessment.requirements.exists(),
        "请先录入考核对象、主要特点和问题或整改要求，再提交审核。",
    )
    assessment.status = Status.IN_REVIEW
    assessment.save(update_fields=["status", "updated_at"])
    return assessment


@transaction.atomic
def send_back(assessment: Assessment, user, comment: str) -> Assessment:
    require_comment(comment, "退回修改")
    assessment = _locked(assessment)
    require(can_review(user, assessment), "只有本机构的审核人员可以退回。")
    require_state(assessment.status == Status.IN_REVIEW, "这次考核不在待审核状态。")
    assessment.status = Status.PREPARING
    assessment.review_note = comment.strip()
    assessment.save(update_fields=["status", "review_note", "updated_at"])
    return assessment


@transaction.atomic
def publish(
    assessment: Assessment, user, published_at: datetime.datetime | None = None
) -> Assessment:
    """Make the results public; the last editor cannot be the one who publishes.

    ``published_at`` records when results entered after the fact were really published."""
    assessment = _locked(assessment)
    require(can_review(user, assessment), "只有本机构的审核人员可以发布考核结果。")
    require_state(assessment.status == Status.IN_REVIEW, "这次考核不在待审核状态。")
    require(
        assessment.last_edited_by_id != user.pk,
        "您是这次考核的最后编辑人，不能审核自己的修改，请由其他审核人员发布。",
    )
    assessment.status = Status.PUBLISHED
    assessment.published_at = published_at or timezone.now()
    assessment.published_by = user
    assessment.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    return assessment


@transaction.atomic
def report_rectification(
    requirement: Requirement, unit: AssessedUnit, user, progress: str, text: str
) -> RectificationReport:
    require(can_report(user, unit), "只有该单位或考核机构的编辑可以报送整改情况。")
    assessment = Assessment.objects.get(pk=requirement.assessment_id)
    require_state(
        requirement.assessment_id == unit.assessment_id and assessment.is_published,
        "只能就已发布考核的整改要求报送整改情况。",
    )
    responsible = requirement.units.all()
    require_state(
        not responsible.exists() or responsible.filter(pk=unit.pk).exists(),
        "该单位不是这项整改要求的责任单位。",
    )
    if not (text or "").strip():
        raise WorkflowError("请填写整改情况。")
    report = RectificationReport(
        requirement=requirement, unit=unit, progress=progress, text=text.strip(), submitted_by=user
    )
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def verify_rectification(
    report: RectificationReport, user, accepted: bool, note: str = ""
) -> RectificationReport:
    report = RectificationReport.objects.select_for_update(of=("self",)).get(pk=report.pk)
    assessment = report.requirement.assessment
    require(can_review(user, assessment), "只有考核机构的审核人员可以核验整改情况。")
    require(report.submitted_by_id != user.pk, "不能核验自己报送的整改情况。")
    require_state(
        report.verification == RectificationReport.Verification.PENDING, "这份整改报告已经核验过。"
    )
    if not accepted:
        note = require_comment(note, "退回整改报告")
    report.verification = (
        RectificationReport.Verification.ACCEPTED
        if accepted
        else RectificationReport.Verification.RETURNED
    )
    report.verified_by = user
    report.verified_at = timezone.now()
    report.verification_note = (note or "").strip()
    report.save(update_fields=["verification", "verified_by", "verified_at", "verification_note"])
    return report


TRANSITIONS = {
    SUBMIT.name: lambda assessment, user, comment: submit(assessment, user),
    PUBLISH.name: lambda assessment, user, comment: publish(assessment, user),
    SEND_BACK.name: lambda assessment, user, comment: send_back(assessment, user, comment),
}

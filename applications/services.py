"""Every state change of an application, one function each.

Each checks permission, runs in one transaction on the locked row, refuses what the
regulation forbids with a message for people (ApplicationError), records an ApplicationEvent
and returns the application. The audit history records every saved row (django-auditlog,
registered in applications/audit_registration.py). The admin, the public form and the
commands all call these.

    待登记 ─register─▶ 已受理 ─ask_correction─▶ 需补正 ─record_correction─▶ 已补正
                         │                        └─deem_abandoned─▶ 视为放弃 ─archive─▶ 已归档
                         ├─start_consultation─▶ 征求意见 ─finish_consultation─▶ (back)
                         ├─extend─▶ 延期
                         └─answer / decline─▶ 已答复 ─archive─▶ 已归档
"""

import datetime
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from applications import clock, retention
from applications.models import (
    CATEGORY,
    Application,
    ApplicationEvent,
    ApplicationSequence,
    Consultation,
    CorrectionRequest,
    Extension,
    Outcome,
    OutcomeCategory,
    State,
    number_for,
)
from applications.roles import HANDLE_PERMISSION
from notices import access
from notices.models import Organ

Action = ApplicationEvent.Action
VIEW_PERMISSION = "applications.view_application"
LOOKUP_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LOOKUP_LENGTH = 10
WORKING_STATES = [State.ACCEPTED, State.CORRECTED, State.EXTENDED]
CONSULTING_STATES = [State.CONSULTING_THIRD_PARTY, State.CONSULTING_ORGAN]
ANSWERABLE_STATES = WORKING_STATES


class ApplicationError(Exception):
    """A step the law or the application's state does not allow; the message is for people."""


def is_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def can_view(user, application: Application) -> bool:
    """Handlers of the organ asked, auditors and site admins; this includes the applicant's
    personal data, which nobody else sees."""
    return (
        is_staff(user)
        and user.has_perm(VIEW_PERMISSION)
        and access.can_access_organ(user, application.organ_id)
    )


def can_handle(user, organ_id: int) -> bool:
    return (
        is_staff(user)
        and user.has_perm(HANDLE_PERMISSION)
        and access.can_access_organ(user, organ_id)
    )


def require_handler(user, organ_id: int) -> None:
    if not can_handle(user, organ_id):
        raise PermissionDenied("只有受理机关的申请办理人可以办理此申请。")


def locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("organ")
        .get(pk=application.pk)
    )


def _require_state(application: Application, states, message: str) -> None:
    if application.state not in states:
        raise ApplicationError(f"{message}（当前状态：{application.get_state_display()}）")


def chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def not_after_today(value: datetime.date | None, label: str) -> datetime.date:
    today = timezone.localdate()
    value = value or today
    if value > today:
        raise ApplicationError(f"{label}不能晚于今天。")
    return value


def record_event(application, action, from_state, user, comment: str = "") -> ApplicationEvent:
    return ApplicationEvent.objects.create(
        application=application,
        action=action,
        from_state=from_state,
        to_state=application.state,
        actor=user if user is not None and user.is_authenticated else None,
        comment=(comment or "").strip(),
    )


def _save(application: Application, calendar=None) -> None:
    clock.refresh(application, calendar or clock.working_calendar())
    try:
        application.full_clean(exclude=["organ"])
    except ValidationError as error:
        raise ApplicationError("；".join(error.messages)) from error
    application.save()


def _next_number(year: int) -> str:
    sequence, _ = ApplicationSequence.objects.select_for_update().get_or_create(year=year)
    sequence.last_serial += 1
    sequence.save(update_fields=["last_serial"])
    return number_for(year, sequence.last_serial)


def new_lookup_code() -> str:
    return "".join(secrets.choice(LOOKUP_ALPHABET) for _ in range(LOOKUP_LENGTH))


@transaction.atomic
def submit(organ: Organ, *, channel: str, actor=None, **fields) -> tuple[Application, str]:
    """A new application, from the public form (no actor) or entered by a handler from a
    letter or a visit. Returns it with its lookup code, which is shown once and stored only as
    a hash."""
    if actor is not None:
        require_handler(actor, organ.pk)
    elif channel != Application.Channel.ONLINE:
        raise ApplicationError("信函和当面提交的申请须由申请办理人登记。")
    application = Application(organ=organ, channel=channel, **fields)
    try:
        application.full_clean(exclude=["number", "lookup_code_hash"])
    except ValidationError as error:
        raise ApplicationError("；".join(error.messages)) from error
    application.number = _next_number(timezone.localdate().year)
    code = new_lookup_code()
    application.set_lookup_code(code)
    application.save()
    record_event(application, Action.SUBMITTED, "", actor)
    return application, code


@transaction.atomic
def register(
    application: Application, user, *, received_on: datetime.date | None = None, comment=""
) -> Application:
    """登记受理. ``received_on`` is the date of receipt under §31: in person the day handed in,
    by post the day signed for, online the day both sides confirm (by default today)."""
    require_handler(user, application.organ_id)
    application = locked(application)
    _require_state(application, [State.SUBMITTED], "只有待登记的申请可以登记受理")
    received_on = not_after_today(received_on, "收到申请日期")
    submitted_on = timezone.localdate(application.submitted_at)
    if application.channel == Application.Channel.ONLINE and received_on < submitted_on:
        raise ApplicationError("网上申请的收到日期不能早于提交日期。")
    calendar = clock.working_calendar()
    application.received_on = received_on
    application.state = State.ACCEPTED
    _save(application, calendar)
    record_event(application, Action.REGISTERED, State.SUBMITTED, user, comment)
    return application


@transaction.atomic
def ask_correction(
    application: Application,
    user,
    *,
    what: str,
    reply_by: datetime.date,
    asked_on: datetime.date | None = None,
) -> Application:
    """告知补正 (§30): once, all at once, within 7 working days of receipt; the clock stops."""
    require_handler(user, application.organ_id)
    application = locked(application)
    if CorrectionRequest.objects.filter(application=application).exists():
        raise ApplicationError("补正只能要求一次（条例第三十条：一次性告知需要补正的事项）。")
    _require_state(application, [State.ACCEPTED], "只有已受理、尚未办理的申请可以要求补正")
    asked_on = not_after_today(asked_on, "告知补正日期")
    calendar = clock.working_calendar()
    deadline = clock.correction_deadline(application, calendar)
    if asked_on > deadline:
        raise ApplicationError(
            f"补正须在收到申请之日起7个工作日内一次性告知（条例第三十条），"
            f"本申请的期限为{chinese_date(deadline)}，已过。"
        )
    if not (what or "").strip():
        raise ApplicationError("须写明需要补正的事项。")
    if reply_by is None or reply_by <= asked_on:
        raise ApplicationError("补正期限须晚于告知补正日期。")
    CorrectionRequest.objects.create(
        application=application, asked_on=asked_on, what=what.strip(), reply_by=reply_by
    )
    application.state = State.AWAITING_CORRECTION
    _save(application, calendar)
    record_event(application, Action.CORRECTION_ASKED, State.ACCEPTED, user, what)
    return application


@transaction.atomic
def record_correction(
    application: Application, user, *, content: str, received_on: datetime.date | None = None
) -> Application:
    """收到补正: the 20 working days start again from the day the correction is received."""
    require_handler(user, application.organ_id)
    application = locked(application)
    _require_state(application, [State.AWAITING_CORRECTION], "只有需补正的申请可以登记补正")
    correction = CorrectionRequest.objects.select_for_update().get(application=application)
    received_on = not_after_today(received_on, "收到补正日期")
    if received_on < correction.asked_on:
        raise ApplicationError("收到补正日期不能早于告知补正日期。")
    correction.received_on = received_on
    correction.content = (content or "").strip()
    correction.save(update_fields=["received_on", "content"])
    application.state = State.CORRECTED
    _save(application)
    record_event(application, Action.CORRECTION_RECEIVED, State.AWAITING_CORRECTION, user, content)
    return application


@transaction.atomic
def deem_abandoned(application: Application, user, *, comment: str = "") -> Application:
    """视为放弃 (§30): the applicant did not correct within the period given."""
    require_handler(user, application.organ_id)
    application = locked(application)
    _require_state(application, [State.AWAITING_CORRECTION], "只有需补正的申请可以视为放弃")
    correction = application.correction
    today = timezone.localdate()
    if today <= correction.reply_by:
        raise ApplicationError(
            f"补正期限{chinese_date(correction.reply_by)}届满前，不能视为放弃申请。"
        )
    application.state = State.ABANDONED
    application.outcome = Outcome.NO_CORRECTION
    application.answered_on = today
    application.legal_basis = "《中华人民共和国政府信息公开条例》第三十条"
    _save(application)
    record_event(application, Action.ABANDONED, State.AWAITING_CORRECTION, user, comment)
    return application


@transaction.atomic
def start_consultation(
    application: Application,
    user,
    *,
    kind: str,
    party: str,
    started_on: datetime.date | None = None,
) -> Application:
    """征求第三方意见 (§32) or 征求其他机关意见 (§34): up to 15 working days, not counted."""
    require_handler(user, application.organ_id)
    application = locked(application)
    _require_state(application, WORKING_STATES, "只有办理中的申请可以征求意见")
    if not (party or "").strip():
        raise ApplicationError("须写明征求意见的对象。")
    started_on = not_after_today(started_on, "征求意见日期")
    if started_on < application.clock_started_on:
        raise ApplicationError("征求意见日期不能早于起算日。")
    calendar = clock.working_calendar()
    from_state = application.state
    Consultation.objects.create(
        application=application,
        kind=kind,
        party=party.strip(),
        started_on=started_on,
        reply_by=clock.consultation_reply_by(started_on, calendar),
        resume_state=from_state,
    )
    application.state = (
        State.CONSULTING_THIRD_PARTY
        if kind == Consultation.Kind.THIRD_PARTY
        else State.CONSULTING_ORGAN
    )
    _save(application, calendar)
    record_event(application, Action.CONSULTATION_STARTED, from_state, user, party)
    return application


@transaction.atomic
def finish_consultation(
    application: Application,
    user,
    *,
    opinion: str = "",
    finished_on: datetime.date | None = None,
) -> Application:
    """The reply arrived (or the 15 working days ran out): the clock runs again."""
    require_handler(user, application.organ_id)
    application = locked(application)
    _require_state(application, CONSULTING_STATES, "该申请没有进行中的征求意见")
    consultation = Consultation.objects.select_for_update().get(
        application=application, finished_on__isnull=True
    )
    finished_on = not_after_today(finished_on, "征求意见结束日期")
    if finished_on < consultation.started_on:
        raise ApplicationError("征求意见结束日期不能早于发出日期。")
    consultation.finished_on = finished_on
    consultation.opinion = (opinion or "").strip()
    consultation.save(update_fields=["finished_on", "opinion"])
    from_state = application.state
    application.state = consultation.resume_state
    _save(application)
    record_event(application, Action.CONSULTATION_FINISHED, from_state, user, opinion)
    return application


@transaction.atomic
def extend(
    application: Application,
    user,
    *,
    days: int,
    reason: str,
    approved_by: str,
    approved_on: datetime.date | None = None,
) -> Application:
    """延期答复 (§33): once, at most 20 working days, with the 负责人's approval recorded."""
    require_handler(user, application.organ_id)
    application = locked(application)
    if Extension.objects.filter(application=application).exists():
        raise ApplicationError("答复期限只能延长一次（条例第三十三条）。")
    _require_state(application, [State.ACCEPTED, State.CORRECTED], "只有办理中的申请可以延期")
    if not isinstance(days, int) or days < 1 or days > clock.MAX_EXTENSION_DAYS:
        raise ApplicationError("延长的期限最长不得超过20个工作日（条例第三十三条）。")
    if not (approved_by or "").strip():
        raise ApplicationError(
            "延期须经政府信息公开工作机构负责人同意（条例第三十三条），请填写批准的负责人。"
        )
    if not (reason or "").strip():
        raise ApplicationError("须写明延期理由。")
    approved_on = not_after_today(approved_on, "批准日期")
    if application.due_on is not None and approved_on > application.due_on:
        raise ApplicationError(
            f"延期须在答复期限（{chinese_date(application.due_on)}）届满前决定。"
        )
    Extension.objects.create(
        application=application,
        days=days,
        reason=reason.strip(),
        approved_by=approved_by.strip(),
        approved_on=approved_on,
    )
    from_state = application.state
    application.state = State.EXTENDED
    _save(application)
    record_event(application, Action.EXTENDED, from_state, user, reason)
    return application


@transaction.atomic
def answer(
    application: Application,
    user,
    *,
    outcome: str,
    legal_basis: str,
    summary: str = "",
    withheld: str = "",
    answered_on: datetime.date | None = None,
) -> Application:
    """答复 with one outcome of the annual report's table 3."""
    require_handler(user, application.organ_id)
    application = locked(application)
    if application.state == State.ABANDONED:
        raise ApplicationError("申请已视为放弃（逾期未补正），不能再作答复。")
    if application.state in CONSULTING_STATES:
        raise ApplicationError("征求意见尚未结束，请先登记征求意见结果。")
    _require_state(application, ANSWERABLE_STATES, "只有办理中的申请可以答复")
    if outcome not in CATEGORY:
        raise ApplicationError("请选择办理结果。")
    if outcome == Outcome.NO_CORRECTION:
        raise ApplicationError("逾期未补正的申请请使用“视为放弃”办理。")
    if outcome == Outcome.STILL_UNCLEAR and application.state != State.CORRECTED:
        raise ApplicationError("“补正后申请内容仍不明确”只适用于已补正的申请。")
    if not (legal_basis or "").strip():
        raise ApplicationError("答复须写明法律依据。")
    if outcome == Outcome.PARTIAL and not (withheld or "").strip():
        raise ApplicationError("部分公开须写明不予公开的部分及理由（条例第三十七条）。")
    answered_on = not_after_today(answered_on, "答复日期")
    if answered_on < application.received_on:
        raise ApplicationError("答复日期不能早于收到申请日期。")
    from_state = application.state
    application.state = State.ANSWERED
    application.outcome = outcome
    application.legal_basis = legal_basis.strip()
    application.answer_summary = (summary or "").strip()
    application.withheld = (withheld or "").strip() if outcome == Outcome.PARTIAL else ""
    application.answered_on = answered_on
    _save(application)
    record_event(application, Action.ANSWERED, from_state, user, application.get_outcome_display())
    return application


def decline(application: Application, user, *, outcome: str, legal_basis: str, summary=""):
    """不予处理 (§35–§39, §36(七)): an answer whose outcome is one of the five 不予处理 rows."""
    if CATEGORY.get(outcome) != OutcomeCategory.NOT_PROCESSED:
        raise ApplicationError("不予处理须选择“不予处理”的一种情形。")
    return answer(application, user, outcome=outcome, legal_basis=legal_basis, summary=summary)


@transaction.atomic
def archive(application: Application, user, *, archived_on=None, comment="") -> Application:
    """归档 (§45)."""
    require_handler(user, application.organ_id)
    application = locked(application)
    _require_state(
        application, [State.ANSWERED, State.ABANDONED], "只有已答复或视为放弃的申请可以归档"
    )
    archived_on = not_after_today(archived_on, "归档日期")
    from_state = application.state
    application.state = State.ARCHIVED
    application.archived_on = archived_on
    _save(application)
    record_event(application, Action.ARCHIVED, from_state, user, comment)
    retention.schedule(application)
    return application

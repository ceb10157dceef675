"""行政复议 and 行政诉讼 arising from an application, recorded against it because the annual
report's table 4 counts them. Same rules as services.py: permission, lock, event."""

import datetime

from django.db import transaction

from applications.models import AdministrativeReview, Application, Lawsuit, ReviewOutcome, State
from applications.services import (
    Action,
    ApplicationError,
    locked,
    not_after_today,
    record_event,
    require_handler,
)

APPEALABLE_STATES = [State.ANSWERED, State.ABANDONED, State.ARCHIVED]


def _check_decision(outcome: str, decided_on: datetime.date | None, filed_on: datetime.date):
    if outcome not in ReviewOutcome.values:
        raise ApplicationError("请选择结果。")
    if outcome == ReviewOutcome.PENDING:
        if decided_on is not None:
            raise ApplicationError("尚未审结的不填写决定日期。")
        return None
    decided_on = not_after_today(decided_on, "决定日期")
    if decided_on < filed_on:
        raise ApplicationError("决定日期不能早于申请日期。")
    return decided_on


@transaction.atomic
def record_review(
    application: Application, user, *, filed_on: datetime.date, body: str, note: str = ""
) -> AdministrativeReview:
    require_handler(user, application.organ_id)
    application = locked(application)
    if application.state not in APPEALABLE_STATES:
        raise ApplicationError("申请尚未答复，不能登记行政复议。")
    filed_on = not_after_today(filed_on, "申请复议日期")
    if not (body or "").strip():
        raise ApplicationError("须写明复议机关。")
    review = AdministrativeReview.objects.create(
        application=application, filed_on=filed_on, body=body.strip(), note=note
    )
    record_event(application, Action.REVIEW_RECORDED, application.state, user, body)
    return review


@transaction.atomic
def decide_review(
    review: AdministrativeReview, user, *, outcome: str, decided_on=None
) -> AdministrativeReview:
    require_handler(user, review.application.organ_id)
    review = AdministrativeReview.objects.select_for_update().get(pk=review.pk)
    review.decided_on = _check_decision(outcome, decided_on, review.filed_on)
    review.outcome = outcome
    review.save(update_fields=["outcome", "decided_on"])
    record_event(
        review.application,
        Action.REVIEW_RECORDED,
        review.application.state,
        user,
        review.get_outcome_display(),
    )
    return review


@transaction.atomic
def record_lawsuit(
    application: Application,
    user,
    *,
    filed_on: datetime.date,
    court: str,
    review: AdministrativeReview | None = None,
    note: str = "",
) -> Lawsuit:
    """A lawsuit after the given review (复议后起诉), or brought directly (未经复议直接起诉)."""
    require_handler(user, application.organ_id)
    application = locked(application)
    if application.state not in APPEALABLE_STATES:
        raise ApplicationError("申请尚未答复，不能登记行政诉讼。")
    if review is not None and review.application_id != application.pk:
        raise ApplicationError("所选行政复议不属于本申请。")
    filed_on = not_after_today(filed_on, "起诉日期")
    if not (court or "").strip():
        raise ApplicationError("须写明受理法院。")
    lawsuit = Lawsuit.objects.create(
        application=application,
        route=Lawsuit.Route.AFTER_REVIEW if review else Lawsuit.Route.DIRECT,
        review=review,
        filed_on=filed_on,
        court=court.strip(),
        note=note,
    )
    record_event(application, Action.LAWSUIT_RECORDED, application.state, user, court)
    return lawsuit


@transaction.atomic
def decide_lawsuit(lawsuit: Lawsuit, user, *, outcome: str, decided_on=None) -> Lawsuit:
    require_handler(user, lawsuit.application.organ_id)
    lawsuit = Lawsuit.objects.select_for_update().get(pk=lawsuit.pk)
    lawsuit.decided_on = _check_decision(outcome, decided_on, lawsuit.filed_on)
    lawsuit.outcome = outcome
    lawsuit.save(update_fields=["outcome", "decided_on"])
    record_event(
        lawsuit.application,
        Action.LAWSUIT_RECORDED,
        lawsuit.application.state,
        user,
        lawsuit.get_outcome_display(),
    )
    return lawsuit

"""Applications, appeals and reports built for the annual report's counts. Applications are
written with the dates a test needs (the service functions refuse dates in the past that the
statutory clock would not allow); one test goes through the services to show they agree."""

import datetime
import itertools

from annual_reports import services
from applications.models import AdministrativeReview, Application, Lawsuit, State

_serial = itertools.count(1)


def application(
    organ,
    received_on: datetime.date | None,
    outcome: str = "",
    answered_on: datetime.date | None = None,
    kind: str = "",
    is_example: bool = False,
) -> Application:
    n = next(_serial)
    if received_on is None:
        state = State.SUBMITTED
    elif answered_on is None:
        state = State.ACCEPTED
    else:
        state = State.ANSWERED
    return Application.objects.create(
        number=f"9{n:03d}-{n:06d}",
        organ=organ,
        state=state,
        channel=Application.Channel.ONLINE,
        applicant_type=(
            Application.ApplicantType.ORGANIZATION
            if kind
            else Application.ApplicantType.NATURAL_PERSON
        ),
        organization_kind=kind,
        applicant_name=f"统计测试申请人{n}",
        id_type=Application.IdType.OTHER,
        id_number=f"T{n:08d}",
        phone="010-00000000",
        description=f"统计测试事项{n}",
        delivery=Application.Delivery.EMAIL,
        medium=Application.Medium.ELECTRONIC,
        received_on=received_on,
        clock_started_on=received_on,
        outcome=outcome,
        withheld="涉及第三方" if outcome == "partial" else "",
        answered_on=answered_on,
        is_example=is_example,
    )


def review(app, filed_on, outcome="pending", decided_on=None) -> AdministrativeReview:
    return AdministrativeReview.objects.create(
        application=app,
        filed_on=filed_on,
        body="省人民政府",
        outcome=outcome,
        decided_on=decided_on,
    )


def lawsuit(app, filed_on, outcome="pending", decided_on=None, after=None) -> Lawsuit:
    return Lawsuit.objects.create(
        application=app,
        route="after_review" if after else "direct",
        review=after,
        filed_on=filed_on,
        court="某市中级人民法院",
        outcome=outcome,
        decided_on=decided_on,
    )


def report(organ, editor, year=2025, **fields):
    made = services.create_report(organ, year, editor)
    for field, value in fields.items():
        setattr(made, field, value)
    if fields:
        made = services.save_report(made, editor)
    return made

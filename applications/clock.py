"""The statutory clock of an application, computed in one place (条例 §30–§33).

- Receipt (§31): ``received_on``; a day that is not a working day counts from the next working
  day (``clock_started_on``).
- 补正 (§30): asked within 7 working days of receipt; the clock stops while the applicant
  corrects and starts again from the day the correction is received.
- Consultation (§32, §34): the time taken, at most 15 working days each, is not counted; while
  one is open the due date assumes it takes the full 15.
- Answer (§33): 20 working days after the start, plus an approved extension (at most 20).

Services call ``refresh`` inside their transaction; the queue reads the stored ``due_on``.
"""

import datetime

from django.utils import timezone

from applications.calendar import (
    WorkingCalendar,
    add_working_days,
    working_day_on_or_after,
    working_days_between,
)
from applications.models import (
    OPEN_STATES,
    Application,
    CalendarDay,
    CorrectionRequest,
    Extension,
)

ANSWER_DAYS = 20
CORRECTION_ASK_DAYS = 7
CONSULTATION_DAYS = 15
MAX_EXTENSION_DAYS = 20
DUE_SOON_DAYS = 3
CLOCK_STATES = [*OPEN_STATES, Application.State.AWAITING_CORRECTION]


def working_calendar() -> WorkingCalendar:
    return CalendarDay.objects.working_calendar()


def clock_start(received_on: datetime.date, calendar: WorkingCalendar) -> datetime.date:
    return working_day_on_or_after(received_on, calendar)


def correction_deadline(application: Application, calendar: WorkingCalendar) -> datetime.date:
    """The last day on which 补正 may be asked: 7 working days after receipt."""
    return add_working_days(application.clock_started_on, CORRECTION_ASK_DAYS, calendar)


def consultation_reply_by(started_on: datetime.date, calendar: WorkingCalendar) -> datetime.date:
    return add_working_days(started_on, CONSULTATION_DAYS, calendar)


def excluded_days(application: Application, calendar: WorkingCalendar) -> int:
    total = 0
    for consultation in application.consultations.all():
        end = consultation.finished_on or consultation.reply_by
        taken = working_days_between(consultation.started_on, end, calendar)
        total += max(0, min(CONSULTATION_DAYS, taken))
    return total


def extension_days(application: Application) -> int:
    # Asked of the database, not of the instance, whose cache may predate the extension.
    days = Extension.objects.filter(application_id=application.pk).values_list("days", flat=True)
    return (days.first() or 0) if application.pk else 0


def due_on(application: Application, calendar: WorkingCalendar) -> datetime.date | None:
    """When the answer is due; None while the clock is stopped (not yet registered, or
    waiting for the applicant's correction)."""
    if application.clock_started_on is None:
        return None
    if application.state == Application.State.AWAITING_CORRECTION:
        return None
    days = ANSWER_DAYS + extension_days(application) + application.excluded_days
    return add_working_days(application.clock_started_on, days, calendar)


def start_base(application: Application) -> datetime.date | None:
    """The day the 20 working days count from: receipt, or the correction's receipt (§30)."""
    if application.state in (Application.State.ACCEPTED, Application.State.AWAITING_CORRECTION):
        return application.received_on
    corrected = CorrectionRequest.objects.filter(application_id=application.pk).values_list(
        "received_on", flat=True
    )
    return corrected.first() or application.received_on


def refresh(application: Application, calendar: WorkingCalendar) -> None:
    """Recompute the stored clock fields of an application whose clock runs (not saved here).
    A closed application keeps the dates it had, so reports can tell answers given late."""
    if application.state not in CLOCK_STATES:
        return
    base = start_base(application)
    application.clock_started_on = clock_start(base, calendar) if base else None
    application.excluded_days = excluded_days(application, calendar)
    application.due_on = due_on(application, calendar)


def days_left(
    application: Application, calendar: WorkingCalendar, today: datetime.date | None = None
) -> int | None:
    """Working days until the answer is due (0: due today; negative: overdue by so many);
    None when no answer is owed or the clock is stopped."""
    if application.state not in OPEN_STATES or application.due_on is None:
        return None
    return working_days_between(today or timezone.localdate(), application.due_on, calendar)


def due_soon_limit(calendar: WorkingCalendar, today: datetime.date | None = None) -> datetime.date:
    """The last due date that counts as "due within 3 working days"."""
    return add_working_days(today or timezone.localdate(), DUE_SOON_DAYS, calendar)

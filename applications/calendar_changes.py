"""When a site admin adds, changes or removes a day of the calendar, the stored due dates of
the applications whose period spans that day are recomputed, in the same transaction, and the
changes are written to the audit history as one batch."""

import copy

from applications import clock
from applications.models import Application, CalendarDay
from audit import models as audit_models


def recompute_due_dates(day) -> int:
    """Recompute the clock of every application whose clock runs and whose period may include
    ``day``; returns how many changed."""
    calendar = clock.working_calendar()
    rows = (
        Application.objects.filter(state__in=clock.CLOCK_STATES, received_on__lte=day)
        .exclude(due_on__lt=day)
        .select_for_update(of=("self",))
        .prefetch_related("consultations")
    )
    changed = []
    for application in rows:
        before = copy.copy(application)
        clock.refresh(application, calendar)
        if (application.clock_started_on, application.excluded_days, application.due_on) != (
            before.clock_started_on,
            before.excluded_days,
            before.due_on,
        ):
            changed.append((before, application))
    if changed:
        Application.objects.bulk_update(
            [new for _, new in changed], ["clock_started_on", "excluded_days", "due_on"]
        )
        audit_models.append(audit_models.changed_rows(changed=changed))
    return len(changed)


def day_changed(sender, instance: CalendarDay, **kwargs) -> None:
    recompute_due_dates(instance.day)

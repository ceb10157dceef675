"""The deadlines panel for the admin's home page (``admin/applications/deadlines_panel.html``:
``{% load applications_admin %}{% application_deadlines request.user %}``)."""

from django import template
from django.utils import timezone

from applications import clock
from applications.models import Application
from notices import access

register = template.Library()

# The panel lists at most this many applications, the most urgent first; the counts and the
# links to the filtered queue cover the rest.
LISTED = 20


@register.inclusion_tag("admin/applications/deadlines.html")
def application_deadlines(user) -> dict:
    """For the applications of the user's organs: the counts (to register, open, overdue, due
    within 3 working days) and the overdue and due-soon ones by due date, with the working
    days left. Nothing for users who may not read applications."""
    if not (user.is_authenticated and user.has_perm("applications.view_application")):
        return {"counts": None}
    today = timezone.localdate()
    calendar = clock.working_calendar()
    limit = clock.due_soon_limit(calendar, today)
    scoped = access.scope_to_user(Application.objects.all(), user)
    counts = scoped.deadlines(today, limit)
    rows = []
    if counts["overdue"] or counts["due_soon"]:
        urgent = (
            scoped.open()
            .filter(due_on__lte=limit)
            .select_related("organ")
            .only("pk", "number", "description", "due_on", "state", "organ__name")
            .order_by("due_on", "pk")[:LISTED]
        )
        for application in urgent:
            left = clock.days_left(application, calendar, today)
            rows.append({"application": application, "days_left": left, "late_by": -left})
    return {
        "counts": counts,
        "rows": rows,
        "more": counts["overdue"] + counts["due_soon"] - len(rows),
    }

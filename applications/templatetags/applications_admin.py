"""The deadlines panel for the admin's home page: ``{% load applications_admin %}
{% application_deadlines request.user %}``."""

from django import template
from django.utils import timezone

from applications import clock
from applications.models import Application
from notices import access

register = template.Library()


@register.inclusion_tag("admin/applications/deadlines.html")
def application_deadlines(user) -> dict:
    """Counts of the applications in the user's organs: to register, open, overdue, due within
    3 working days. Nothing for users who may not read applications."""
    if not (user.is_authenticated and user.has_perm("applications.view_application")):
        return {"counts": None}
    today = timezone.localdate()
    limit = clock.due_soon_limit(clock.working_calendar(), today)
    counts = access.scope_to_user(Application.objects.all(), user).deadlines(today, limit)
    return {"counts": counts}

"""The annual reports' deadlines for the admin's home page: ``{% load annual_reports_admin %}
{% annual_report_deadlines request.user %}``."""

from django import template
from django.utils import timezone

from annual_reports import deadlines
from annual_reports.services import VIEW_PERMISSION

register = template.Library()


@register.inclusion_tag("admin/annual_reports/deadlines.html")
def annual_report_deadlines(user) -> dict:
    """Which of the user's organs have not yet published last year's report, and how long is
    left. Nothing for users who may not read reports."""
    if not (user.is_authenticated and user.is_staff and user.has_perm(VIEW_PERMISSION)):
        return {"rows": None}
    return {"rows": deadlines.outstanding(user, timezone.localdate())}

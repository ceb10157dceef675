"""The deadlines panel on the admin's home page: the handler's overdue applications in red and
those due within 3 working days, for their organs only."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from applications import calendar, clock
from applications.models import Application
from tests.applications import factories

pytestmark = pytest.mark.django_db


def due_in(application, working_days: int) -> Application:
    """Set the stored due date relative to today (the clock itself is tested elsewhere)."""
    days = clock.working_calendar()
    today = timezone.localdate()
    if working_days >= 0:
        due = calendar.add_working_days(today, working_days, days)
    else:
        due = today
        while calendar.working_days_between(due, today, days) < -working_days:
            due -= datetime.timedelta(days=1)
    Application.objects.filter(pk=application.pk).update(due_on=due)
    return application


def dashboard(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response.content.decode()


def panel(html: str) -> str:
    start = html.index('id="application-deadlines"')
    return html[start : html.index("\n</div>", start)]  # the panel's own closing tag


def test_handler_sees_overdue_in_red_and_due_soon_for_their_organ(
    client, organ, other_organ, handler, other_handler
):
    late = due_in(factories.accepted(organ, handler), -2)
    soon = due_in(factories.accepted(organ, handler), 2)
    later = due_in(factories.accepted(organ, handler), 10)
    elsewhere = due_in(factories.accepted(other_organ, other_handler), -1)

    shown = panel(dashboard(client, handler))

    assert '<tr class="deadline-overdue">' in shown
    late_row = shown[shown.index(late.number) - 200 : shown.index(late.number)]
    assert "deadline-overdue" in late_row
    assert "已逾期 2 个工作日" in shown
    assert soon.number in shown and "2 个工作日" in shown
    assert shown.index(late.number) < shown.index(soon.number)  # most urgent first
    assert later.number not in shown
    assert elsewhere.number not in shown
    assert "已逾期：<strong>1</strong>" in shown
    assert "3个工作日内到期：<strong>1</strong>" in shown


def test_other_organs_handler_sees_only_their_own(
    client, organ, other_organ, handler, other_handler
):
    mine = due_in(factories.accepted(organ, handler), -1)
    shown = panel(dashboard(client, other_handler))
    assert mine.number not in shown
    assert "已逾期：<strong>0</strong>" in shown


def test_auditor_sees_every_organ(client, organ, other_organ, handler, other_handler, auditor):
    one = due_in(factories.accepted(organ, handler), -1)
    two = due_in(factories.accepted(other_organ, other_handler), 1)
    shown = panel(dashboard(client, auditor))
    assert one.number in shown and two.number in shown


@pytest.mark.parametrize("who", ["editor", "reviewer"])
def test_no_panel_for_users_without_the_applications(client, request, organ, handler, who):
    due_in(factories.accepted(organ, handler), -1)
    assert 'id="application-deadlines"' not in dashboard(client, request.getfixturevalue(who))


def test_nothing_urgent_says_so(client, organ, handler):
    due_in(factories.accepted(organ, handler), 10)
    shown = panel(dashboard(client, handler))
    assert "没有已逾期或3个工作日内到期的申请" in shown
    assert "<table" not in shown


def test_the_panel_costs_three_queries_however_many_are_due(
    organ, handler, django_assert_num_queries
):
    from django.template import Context, Template

    for days in (-3, -1, 0, 1, 2):
        due_in(factories.accepted(organ, handler), days)
    template = Template("{% load applications_admin %}{% application_deadlines user %}")
    handler.has_perm("applications.view_application")  # the admin page has read them already
    with django_assert_num_queries(3):  # the calendar, the counts, the listed rows
        html = template.render(Context({"user": handler}))
    assert html.count("<tr class=") == 5


def test_a_long_list_is_cut_with_a_link_to_the_queue(client, organ, handler, monkeypatch):
    from applications.templatetags import applications_admin

    for _ in range(3):
        due_in(factories.accepted(organ, handler), -1)
    monkeypatch.setattr(applications_admin, "LISTED", 2)
    shown = panel(dashboard(client, handler))
    assert shown.count('<tr class="deadline-overdue">') == 2
    assert "另有 1 件" in shown

"""Deadlines of the annual report (条例 §49) on the admin's home page."""

import datetime

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.urls import reverse

from annual_reports import deadlines, services
from notices.models import Organ
from tests import factories
from tests.annual_reports.factories import report

pytestmark = pytest.mark.django_db
D = datetime.date


def test_departments_by_31_january_governments_by_31_march():
    assert deadlines.due_on(Organ.Kind.DEPARTMENT, 2025) == D(2026, 1, 31)
    assert deadlines.due_on(Organ.Kind.GOVERNMENT, 2025) == D(2026, 3, 31)


def test_outstanding_lists_unpublished_organs_in_scope_most_urgent_first(
    organ, other_organ, editor, reviewer, auditor
):
    other_organ.kind = Organ.Kind.GOVERNMENT
    other_organ.save()
    rows = deadlines.outstanding(auditor, D(2026, 2, 10))
    assert [(r["organ"], r["days_left"]) for r in rows] == [(organ, -10), (other_organ, 49)]
    assert [r["organ"] for r in deadlines.outstanding(editor, D(2026, 2, 10))] == [organ]
    made = report(organ, editor)
    services.submit(made, editor)
    services.approve(made, reviewer)
    assert [r["organ"] for r in deadlines.outstanding(auditor, D(2026, 2, 10))] == [other_organ]


def test_the_panel_lists_the_users_organs_and_shows_overdue_in_red(organ, editor, auditor):
    html = Template("{% load annual_reports_admin %}{% annual_report_deadlines user %}").render(
        Context({"user": editor})
    )
    assert "年度报告发布期限" in html
    assert organ.name in html
    rows = deadlines.outstanding(auditor, D(2026, 2, 3))
    panel = render_to_string("admin/annual_reports/deadlines.html", {"rows": rows})
    assert '<strong class="annual-deadlines__late">已逾期3天</strong>' in panel


def test_the_admin_home_page_shows_the_panel_to_staff_who_read_reports(client, organ, editor):
    client.force_login(editor)
    page = client.get(reverse("admin:index")).content.decode()
    assert 'id="annual-deadlines-heading"' in page
    assert organ.name in page


def test_the_admin_home_page_has_no_panel_for_staff_without_reports(client, organ):
    client.force_login(factories.make_user(is_staff=True))
    page = client.get(reverse("admin:index")).content.decode()
    assert "年度报告发布期限" not in page

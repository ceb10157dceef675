"""Reports and adjustments are in the audit history; counting does not grow with the data."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType

from annual_reports import content, services
from annual_reports.models import Adjustment, AnnualReport
from audit.models import AuditEvent
from tests.annual_reports.factories import application, report, review

pytestmark = pytest.mark.django_db
D = datetime.date


def events_of(model, pk):
    content_type = ContentType.objects.get_for_model(model)
    return AuditEvent.objects.filter(content_type=content_type, object_pk=str(pk))


def test_report_and_adjustment_changes_are_in_the_audit_history(organ, editor):
    made = report(organ, editor, overview="<p>总体</p>")
    adjustment = services.set_adjustment(made, editor, "4", "review", "upheld", 2, "补录")
    assert events_of(AnnualReport, made.pk).count() >= 2  # created, edited
    assert events_of(Adjustment, adjustment.pk).count() == 1
    assert all("review_content" not in (e.changes or {}) for e in events_of(AnnualReport, made.pk))


def test_building_a_report_takes_the_same_queries_for_3_or_60_applications(
    organ, editor, django_assert_max_num_queries
):
    made = report(organ, editor)

    def add(n):
        for i in range(n):
            answered = i % 2 == 1
            app = application(
                organ,
                D(2025, 1 + i % 12, 1),
                "disclosed" if answered else "",
                D(2025, 12, 1) if answered else None,
                kind=["", "commercial", "research"][i % 3],
            )
            if i % 5 == 0:
                review(app, D(2025, 6, 1))

    add(3)
    with django_assert_max_num_queries(8) as small:
        content.build(made)
    add(57)
    with django_assert_max_num_queries(len(small.captured_queries)):
        built = content.build(made)
    assert built["tables"]["3"]["new"]["total"] == 60

"""A day added to the calendar moves the due dates of the applications it falls in."""

import datetime

from django.contrib.contenttypes.models import ContentType

from applications import services
from applications.models import Application, CalendarDay, Outcome
from audit.models import AuditEvent
from tests.applications import factories

D = datetime.date


def test_a_new_holiday_moves_open_due_dates_and_is_audited(organ, handler):
    open_one = factories.accepted(organ, handler)  # received 2 March 2026, due 30 March
    answered = factories.accepted(organ, handler)
    services.answer(answered, handler, outcome=Outcome.DISCLOSED, legal_basis="第二十七条")
    later = factories.accepted(organ, handler, received_on=D(2026, 3, 20))
    before_events = AuditEvent.objects.count()

    CalendarDay.objects.create(day=D(2026, 3, 16), kind=CalendarDay.Kind.HOLIDAY, name="示例")

    open_one.refresh_from_db()
    answered.refresh_from_db()
    later.refresh_from_db()
    assert open_one.due_on == D(2026, 3, 31)
    assert answered.due_on == D(2026, 3, 30)  # closed: kept as it was
    assert later.due_on == D(2026, 4, 20)  # received after the day: unchanged (清明 6 April)
    content_type = ContentType.objects.get_for_model(Application)
    latest = AuditEvent.objects.filter(content_type=content_type, object_pk=str(open_one.pk))
    assert "due_on" in latest.order_by("-sequence").first().changes
    assert AuditEvent.objects.count() > before_events


def test_a_receipt_on_a_day_that_becomes_a_working_day_starts_there(organ, handler):
    application = factories.accepted(organ, handler, received_on=D(2026, 3, 7))  # Saturday
    assert application.clock_started_on == D(2026, 3, 9)
    CalendarDay.objects.create(day=D(2026, 3, 7), kind=CalendarDay.Kind.WORKDAY, name="示例")
    application.refresh_from_db()
    assert application.clock_started_on == D(2026, 3, 7)
    CalendarDay.objects.get(day=D(2026, 3, 7)).delete()
    application.refresh_from_db()
    assert application.clock_started_on == D(2026, 3, 9)

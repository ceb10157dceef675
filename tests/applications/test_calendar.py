"""Working-day arithmetic against hand-checked cases of the 2025 and 2026 arrangements."""

import datetime

import pytest

from applications.calendar import (
    WorkingCalendar,
    add_working_days,
    next_working_day,
    working_day_on_or_after,
    working_days_between,
)
from applications.holidays import package_days
from applications.models import CalendarDay

D = datetime.date


@pytest.fixture
def calendar(db):
    return CalendarDay.objects.working_calendar()


def test_seeded_days_match_the_package_for_2025_and_2026(db):
    seeded = set(CalendarDay.objects.filter(day__year__in=[2025, 2026]).values_list("day", "kind"))
    expected = {(day, kind) for year in (2025, 2026) for day, kind, _ in package_days(year)}
    assert seeded == expected


def test_calendar_covers_2025_and_2026(calendar):
    assert calendar.covers(D(2025, 6, 1)) and calendar.covers(D(2026, 12, 31))
    assert not calendar.covers(D(2027, 1, 4))


def test_make_up_saturdays_are_working_days_and_holiday_weekdays_are_not(calendar):
    assert calendar.is_working_day(D(2026, 2, 14))  # Saturday, 春节 调休
    assert calendar.is_working_day(D(2026, 2, 28))  # Saturday, 春节 调休
    assert calendar.is_working_day(D(2025, 9, 28))  # Sunday, 国庆 调休
    assert not calendar.is_working_day(D(2026, 2, 16))  # Monday of 春节
    assert not calendar.is_working_day(D(2025, 10, 8))  # Wednesday, 国庆、中秋
    assert not calendar.is_working_day(D(2026, 3, 7))  # an ordinary Saturday


def test_received_just_before_national_day_2025(calendar):
    # Fri 26 Sep; 28 Sep (Sun) is worked; 1–8 Oct off; 11 Oct (Sat) is worked.
    assert add_working_days(D(2025, 9, 26), 1, calendar) == D(2025, 9, 28)
    assert add_working_days(D(2025, 9, 26), 4, calendar) == D(2025, 10, 9)
    assert add_working_days(D(2025, 9, 26), 7, calendar) == D(2025, 10, 13)
    assert add_working_days(D(2025, 9, 26), 20, calendar) == D(2025, 10, 30)


def test_received_just_before_national_day_2026(calendar):
    # Tue 29 Sep; 1–7 Oct off; 10 Oct (Sat) is worked.
    assert add_working_days(D(2026, 9, 29), 2, calendar) == D(2026, 10, 8)
    assert add_working_days(D(2026, 9, 29), 4, calendar) == D(2026, 10, 10)
    assert add_working_days(D(2026, 9, 29), 20, calendar) == D(2026, 11, 2)


def test_received_across_spring_festival_2026_with_its_make_up_saturdays(calendar):
    # Fri 13 Feb; 14 Feb (Sat) worked; 15–23 Feb off; 28 Feb (Sat) worked.
    assert add_working_days(D(2026, 2, 13), 1, calendar) == D(2026, 2, 14)
    assert add_working_days(D(2026, 2, 13), 2, calendar) == D(2026, 2, 24)
    assert add_working_days(D(2026, 2, 13), 6, calendar) == D(2026, 2, 28)
    assert add_working_days(D(2026, 2, 13), 20, calendar) == D(2026, 3, 19)
    assert working_days_between(D(2026, 2, 13), D(2026, 3, 19), calendar) == 20


def test_holiday_submission_counts_from_the_next_working_day(calendar):
    start = working_day_on_or_after(D(2026, 10, 3), calendar)  # Saturday in 国庆
    assert start == D(2026, 10, 8)
    assert add_working_days(start, 20, calendar) == D(2026, 11, 4)
    # A make-up Saturday is itself a working day.
    assert working_day_on_or_after(D(2026, 2, 14), calendar) == D(2026, 2, 14)
    # An ordinary weekend.
    assert working_day_on_or_after(D(2026, 3, 7), calendar) == D(2026, 3, 9)


def test_next_working_day_skips_the_whole_holiday(calendar):
    assert next_working_day(D(2026, 2, 14), calendar) == D(2026, 2, 24)
    assert next_working_day(D(2025, 1, 27), calendar) == D(2025, 2, 5)


def test_working_days_between_is_signed_and_excludes_the_start():
    calendar = WorkingCalendar()
    monday, friday = D(2026, 3, 2), D(2026, 3, 6)
    assert working_days_between(monday, friday, calendar) == 4
    assert working_days_between(friday, monday, calendar) == -4
    assert working_days_between(monday, monday, calendar) == 0


def test_zero_days_is_the_start_and_negative_is_refused():
    calendar = WorkingCalendar()
    assert add_working_days(D(2026, 3, 7), 0, calendar) == D(2026, 3, 7)
    with pytest.raises(ValueError):
        add_working_days(D(2026, 3, 7), -1, calendar)


def test_a_day_entered_by_an_admin_changes_the_arithmetic(db):
    CalendarDay.objects.create(day=D(2027, 1, 1), kind=CalendarDay.Kind.HOLIDAY, name="元旦")
    calendar = CalendarDay.objects.working_calendar()
    assert next_working_day(D(2026, 12, 31), calendar) == D(2027, 1, 4)

"""Working-day arithmetic, pure: no database, no clock. The calendar is passed in.

A working day is Monday to Friday, except the public holidays, plus the weekend days the State
Council declares as make-up working days (调休). ``WorkingCalendar.overrides`` holds the days
that differ from the weekday rule's default (True: a working day; False: a day off); it is read
from ``CalendarDay`` rows (``CalendarDay.objects.working_calendar()``).

Periods are counted as 《民法典》 §201 and the regulation count them: the start day is not
counted, the first working day after it is day 1.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class WorkingCalendar:
    overrides: Mapping[datetime.date, bool] = field(default_factory=dict)
    years: frozenset[int] = frozenset()

    def is_working_day(self, day: datetime.date) -> bool:
        found = self.overrides.get(day)
        if found is not None:
            return found
        return day.weekday() < 5

    def covers(self, day: datetime.date) -> bool:
        """Whether the holiday arrangement of the day's year has been entered."""
        return day.year in self.years


def is_working_day(day: datetime.date, calendar: WorkingCalendar) -> bool:
    return calendar.is_working_day(day)


def next_working_day(day: datetime.date, calendar: WorkingCalendar) -> datetime.date:
    """The first working day strictly after ``day``."""
    day += ONE_DAY
    while not calendar.is_working_day(day):
        day += ONE_DAY
    return day


def working_day_on_or_after(day: datetime.date, calendar: WorkingCalendar) -> datetime.date:
    """``day`` itself if it is a working day, otherwise the next one: an application received
    on a weekend or a holiday counts from the next working day."""
    return day if calendar.is_working_day(day) else next_working_day(day, calendar)


def add_working_days(start: datetime.date, days: int, calendar: WorkingCalendar) -> datetime.date:
    """The day on which a period of ``days`` working days that starts on ``start`` ends
    (``start`` not counted). Zero days: ``start`` itself."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    for _ in range(days):
        day = next_working_day(day, calendar)
    return day


def working_days_between(
    start: datetime.date, end: datetime.date, calendar: WorkingCalendar
) -> int:
    """How many working days lie after ``start`` up to and including ``end``; negative (the
    working days after ``end`` up to and including ``start``) when ``end`` is earlier."""
    if end < start:
        return -working_days_between(end, start, calendar)
    count = 0
    day = start + ONE_DAY
    while day <= end:
        if calendar.is_working_day(day):
            count += 1
        day += ONE_DAY
    return count

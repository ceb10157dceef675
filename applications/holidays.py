"""Holiday arrangements from the maintained ``chinesecalendar`` package, as CalendarDay rows.

The package follows the State Council's yearly notice (国务院办公厅关于××年部分节假日安排的
通知); a site admin runs ``manage.py seed_holidays YEAR`` once the package has the new year,
or enters the days by hand in the admin (节假日安排)."""

import datetime

from django.db import transaction

from applications.models import CalendarDay

NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def package_days(year: int) -> list[tuple[datetime.date, str, str]]:
    """(day, kind, name) for every holiday and make-up working day of the year in the package;
    an empty list when the package does not know the year yet."""
    from chinese_calendar import constants

    found = []
    for day, name in sorted(constants.holidays.items()):
        if day.year == year:
            found.append((day, CalendarDay.Kind.HOLIDAY, NAMES.get(name, name)))
    for day, name in sorted(constants.workdays.items()):
        if day.year == year:
            found.append((day, CalendarDay.Kind.WORKDAY, NAMES.get(name, name)))
    return sorted(found)


@transaction.atomic
def seed_year(year: int) -> int:
    """Add the year's days that are not yet entered; days already entered (perhaps corrected
    by hand) are kept. Returns how many were added."""
    added = 0
    for day, kind, name in package_days(year):
        _, created = CalendarDay.objects.get_or_create(
            day=day, defaults={"kind": kind, "name": name}
        )
        added += created
    return added

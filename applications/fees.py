"""信息处理费 under 《政府信息公开信息处理费管理办法》 (国办函〔2020〕109号), both standards as
excess-progressive bands, each result with the lines that show how it was computed.

按件计收 (第四条), per applicant per calendar month: the 1st to 10th application free; the
11th to 30th 100 元 each; from the 31st, every further band of 10 applications costs 100 元 more
each (31st–40th 200 元, 41st–50th 300 元, …).

按量计收 (第五条), per application by pages: up to 30 pages free; the 31st to 100th page 10 元
each; the 101st to 200th 20 元 each; from the 201st 40 元 each.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from applications import identity
from applications.models import Application

FREE_APPLICATIONS = 10
SECOND_BAND_LAST = 30
SECOND_BAND_PRICE = 100
BAND_SIZE = 10
BAND_STEP = 100
# (first page, last page or None for no end, price per page)
PAGE_BANDS = [(1, 30, 0), (31, 100, 10), (101, 200, 20), (201, None, 40)]


@dataclass(frozen=True)
class FeeLine:
    label: str
    count: int
    unit: str
    price: int

    @property
    def amount(self) -> int:
        return self.count * self.price


@dataclass(frozen=True)
class Fee:
    basis: str
    lines: tuple[FeeLine, ...]

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)


def price_of_nth_application(nth: int) -> int:
    """What the nth application of one applicant in one calendar month costs under 按件计收."""
    if nth <= FREE_APPLICATIONS:
        return 0
    if nth <= SECOND_BAND_LAST:
        return SECOND_BAND_PRICE
    bands_above = (nth - SECOND_BAND_LAST - 1) // BAND_SIZE + 1
    return SECOND_BAND_PRICE + BAND_STEP * bands_above


def by_count(nth: int) -> Fee:
    """The fee of one application, the nth of its applicant this month (按件计收)."""
    price = price_of_nth_application(nth)
    label = f"本月第{nth}件申请"
    return Fee("按件计收", (FeeLine(label, 1, "件", price),))


def by_pages(pages: int) -> Fee:
    """The fee of one application whose information runs to ``pages`` pages (按量计收)."""
    lines = []
    for first, last, price in PAGE_BANDS:
        if pages < first:
            break
        upper = pages if last is None else min(pages, last)
        span = f"第{first}页及以上" if last is None else f"第{first}—{last}页"
        lines.append(FeeLine(span, upper - first + 1, "页", price))
    return Fee("按量计收", tuple(lines))


def month_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = day.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following


def position_in_month(application: Application) -> int:
    """Which application of this applicant (same 证件) to the same organ it is in the calendar
    month of its submission, counting in order of submission."""
    submitted_on = timezone.localdate(application.submitted_at)
    first, following = month_bounds(submitted_on)
    same = Application.objects.filter(
        organ_id=application.organ_id,
        id_type=application.id_type,
        id_number=identity.normalized(application.id_number),
        submitted_at__date__gte=first,
        submitted_at__date__lt=following,
    )
    earlier = same.filter(submitted_at__lt=application.submitted_at).count()
    tied = same.filter(submitted_at=application.submitted_at, pk__lte=application.pk).count()
    return earlier + max(tied, 1)


def fee_for(application: Application) -> Fee:
    """The 按件计收 fee of an application, from its place among the applicant's this month."""
    return by_count(position_in_month(application))

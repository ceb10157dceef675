"""The working-day calendar as data: the days that differ from "Monday to Friday work"."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.calendar import WorkingCalendar


class CalendarDayQuerySet(models.QuerySet):
    def working_calendar(self) -> WorkingCalendar:
        """The whole calendar in memory (a few dozen rows a year)."""
        rows = self.values_list("day", "kind")
        overrides = {day: kind == CalendarDay.Kind.WORKDAY for day, kind in rows}
        # A year is entered when it has any day (every year has holidays): read off the rows.
        return WorkingCalendar(overrides=overrides, years=frozenset(day.year for day in overrides))


class CalendarDay(models.Model):
    """A public holiday (放假) or a weekend make-up working day (调休上班), as the State Council
    publishes them each year. A site admin adds the next year's days when they are published
    (or runs ``manage.py seed_holidays YEAR``)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("放假")
        WORKDAY = "workday", _("调休上班")

    day = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("节日"), max_length=20, help_text=_("例如：春节、国庆节。"))

    objects = CalendarDayQuerySet.as_manager()

    class Meta:
        ordering = ["day"]
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.name}{self.get_kind_display()}"

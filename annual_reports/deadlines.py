"""When each organ's annual report is due (条例 §49): a department (政府部门) by 31 January, a
people's government at county level and above (人民政府) by 31 March of the following year."""

import datetime

from annual_reports.models import AnnualReport
from notices import access
from notices.models import Organ


def due_on(organ_kind: str, year: int) -> datetime.date:
    """The last day to publish the report of ``year``."""
    if organ_kind == Organ.Kind.GOVERNMENT:
        return datetime.date(year + 1, 3, 31)
    return datetime.date(year + 1, 1, 31)


def outstanding(user, today: datetime.date) -> list[dict]:
    """The organs in the user's scope that have not published last year's report: due date and
    days left (negative when late), most urgent first. Two queries."""
    year = today.year - 1
    published = set(
        AnnualReport.objects.published().filter(year=year).values_list("organ_id", flat=True)
    )
    organs = access.scope_to_user(Organ.objects.all(), user, organ_field="pk")
    rows = []
    for organ in organs.exclude(pk__in=published).only("pk", "name", "kind"):
        due = due_on(organ.kind, year)
        days_left = (due - today).days
        rows.append(
            {"organ": organ, "year": year, "due": due, "days_left": days_left, "late": -days_left}
        )
    return sorted(rows, key=lambda row: (row["days_left"], row["organ"].name))

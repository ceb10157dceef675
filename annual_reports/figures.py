"""The figures of the annual report (国办公开办函〔2021〕30号), counted from the platform's data.

Every count is one aggregate query grouped by the few values the tables split on (applicant
type and kind, outcome; review route and outcome), so the work does not grow with the number
of applications or notices beyond what PostgreSQL does in the query itself.

Tables are plain dicts ``{row key: {column key: int}}``; the layout (labels, order, grouping)
is in ``annual_reports/layout.py``.

Year boundaries for table 3 (one year ``Y`` of one organ):
- 一 本年新收: received (登记, 条例 §31) in ``Y``;
- 二 上年结转: received before ``Y`` and not answered before ``Y``;
- 三 办理结果: answered (or treated as abandoned) in ``Y``, by outcome;
- 四 结转下年度: received by the end of ``Y`` and not answered by then.
So 一 + 二 = 三(七) + 四 holds for the counted figures; it fails only after hand adjustments.
"""

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from annual_reports import layout
from applications.models import AdministrativeReview, Application, Lawsuit, Outcome, ReviewOutcome
from notices.models import Notice

Table = dict[str, dict[str, int]]

# Table 2's rows by the notices' 文件类别.
CATEGORY_ROWS = {
    Notice.Category.RULES: layout.RULES,
    Notice.Category.NORMATIVE: layout.NORMATIVE,
}


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def empty_table(rows: list[str], columns: list[str]) -> Table:
    return {row: dict.fromkeys(columns, 0) for row in rows}


def applications_of(organ_id: int, is_example: bool = False):
    """The applications a report counts: the organ's, real ones (or, for an example report,
    the examples only, so demo data never mixes with real figures)."""
    return Application.objects.filter(organ_id=organ_id, is_example=is_example)


def requests_table(organ_id: int, year: int, is_example: bool = False) -> Table:
    """Table 3 (收到和处理政府信息公开申请情况) as counted, with every 总计."""
    first, last = year_bounds(year)
    answered_in_year = Q(answered_on__gte=first, answered_on__lte=last)
    rows = (
        applications_of(organ_id, is_example)
        .filter(received_on__isnull=False, received_on__lte=last)
        .values("applicant_type", "organization_kind", "outcome")
        .annotate(
            new=Count("pk", filter=Q(received_on__gte=first)),
            carried_in=Count(
                "pk",
                filter=Q(received_on__lt=first)
                & (Q(answered_on__isnull=True) | Q(answered_on__gte=first)),
            ),
            concluded=Count("pk", filter=answered_in_year & ~Q(outcome="")),
            carried_out=Count("pk", filter=Q(answered_on__isnull=True) | Q(answered_on__gt=last)),
        )
        .order_by()
    )
    table = empty_table(layout.TABLE3_ROW_KEYS, layout.TABLE3_COLUMN_KEYS)
    for group in rows:  # one row per (type, kind, outcome): at most a few dozen
        column = (
            layout.NATURAL_PERSON
            if group["applicant_type"] == Application.ApplicantType.NATURAL_PERSON
            else group["organization_kind"] or Application.OrganizationKind.OTHER
        )
        table[layout.NEW][column] += group["new"]
        table[layout.CARRIED_IN][column] += group["carried_in"]
        table[layout.CARRIED_OUT][column] += group["carried_out"]
        if group["concluded"] and group["outcome"] in Outcome.values:
            table[group["outcome"]][column] += group["concluded"]
    return add_request_totals(table)


def add_request_totals(table: Table) -> Table:
    """Table 3's 总计 column (each row's parts) and （七）总计 row (the outcomes), in place."""
    for row in layout.TABLE3_ROW_KEYS:
        if row == layout.RESULTS_TOTAL:
            continue
        cells = table[row]
        cells[layout.TOTAL] = sum(cells[column] for column in layout.TABLE3_PART_COLUMNS)
    for column in layout.TABLE3_COLUMN_KEYS:
        table[layout.RESULTS_TOTAL][column] = sum(
            table[outcome][column] for outcome in layout.OUTCOME_ROWS
        )
    return table


def add_appeal_totals(table: Table) -> Table:
    """Table 4's 总计 of each group, in place."""
    for cells in table.values():
        cells[layout.TOTAL] = sum(cells[column] for column in layout.TABLE4_PART_COLUMNS)
    return table


def add_totals(tables: dict[str, Table]) -> dict[str, Table]:
    """Every 总计 of tables 3 and 4 from its parts, for counted and adjusted figures alike: a
    total is never set by hand, so only the template's balance (一 + 二 = 三 + 四) can fail."""
    add_request_totals(tables["3"])
    add_appeal_totals(tables["4"])
    return tables


def appeals_table(organ_id: int, year: int, is_example: bool = False) -> Table:
    """Table 4 (行政复议、行政诉讼): the cases filed by the end of the year and not decided
    before it; a case decided after the year counts as 尚未审结."""
    first, last = year_bounds(year)
    table = empty_table(layout.TABLE4_ROW_KEYS, layout.TABLE4_COLUMN_KEYS)
    sources = [
        (AdministrativeReview.objects, None),
        (Lawsuit.objects, "route"),
    ]
    for manager, route_field in sources:
        group_by = ["outcome"] + ([route_field] if route_field else [])
        rows = (
            manager.filter(
                application__organ_id=organ_id,
                application__is_example=is_example,
                filed_on__lte=last,
            )
            .exclude(decided_on__lt=first)
            .values(*group_by)
            .annotate(
                decided=Count("pk", filter=Q(decided_on__lte=last)),
                pending=Count("pk", filter=Q(decided_on__isnull=True) | Q(decided_on__gt=last)),
            )
            .order_by()
        )
        for group in rows:
            row = group[route_field] if route_field else layout.REVIEW
            if group["outcome"] != ReviewOutcome.PENDING:
                table[row][group["outcome"]] += group["decided"]
            table[row][ReviewOutcome.PENDING] += group["pending"]
    return add_appeal_totals(table)


def documents_table(organ_id: int, year: int) -> Table:
    """Table 2's 规章 and 行政规范性文件 rows by the notices' 文件类别, in one query: 本年制发
    counts the notices published (publicly) in the year; 本年废止 those whose 有效性 became 废止
    on a date in the year; 现行有效 those published by the year's end and in force then (有效,
    or their change dated after the year). A notice withdrawn since is not counted.
    Counting a column of the partial index notice_public_documents (not the id) and filtering
    on its columns only, PostgreSQL reads the index alone."""
    first, last = year_bounds(year)
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min)
    )
    rows = (
        Notice.objects.published(at=end)
        .filter(organ_id=organ_id, document_category__in=list(CATEGORY_ROWS))
        .values("document_category")
        .annotate(
            issued=Count("document_category", filter=Q(published_at__gte=start)),
            repealed=Count(
                "document_category",
                filter=Q(
                    validity=Notice.Validity.REPEALED,
                    validity_changed_on__gte=first,
                    validity_changed_on__lte=last,
                ),
            ),
            in_force=Count(
                "document_category",
                filter=Q(validity=Notice.Validity.VALID) | Q(validity_changed_on__gt=last),
            ),
        )
        .order_by()
    )
    table = empty_table(list(CATEGORY_ROWS.values()), ["issued", "repealed", "in_force"])
    for group in rows:
        cells = table[CATEGORY_ROWS[group["document_category"]]]
        for column in cells:
            cells[column] = group[column]
    return table


def computed_tables(organ_id: int, year: int, is_example: bool = False) -> dict[str, Table]:
    """Every counted table of one organ's report, keyed by table number."""
    return {
        "2": documents_table(organ_id, year),
        "3": requests_table(organ_id, year, is_example),
        "4": appeals_table(organ_id, year, is_example),
    }

"""Which rows each dataset exports, and to whom: the tables of notices, of assessments and of the
audit history, within the organs the user sees."""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Expression, QuerySet
from django.utils import timezone

from assessments.models import Assessment, Finding, RectificationReport, Requirement, Score
from audit.models import AuditEvent, canonical_json
from exports.columns import (
    ASSESSMENT_SPEC,
    FINDING_SPEC,
    HISTORY_FIELDS,
    HISTORY_SPEC,
    NOTICE_SPEC,
    REPORT_SPEC,
    REQUIREMENT_SPEC,
    SCORE_SPEC,
    Column,
)
from notices import access
from notices.models import Notice

if TYPE_CHECKING:
    from exports.export import Selection

FETCH_CHUNK = 1000


def scoped(queryset: QuerySet, user, organ_field: str = "organ") -> QuerySet:
    """The organ rule of every export. None is the command line, which runs with the server's
    own rights; anyone else sees the organs notices.access gives them."""
    if user is None:
        return queryset
    return access.scope_to_user(queryset, user, organ_field)


def sees_history(user) -> bool:
    """The history spans every organ and cannot be scoped to some, so it is all or nothing."""
    return user is None or access.organ_ids(user) is None


@dataclass
class Table:
    """One data file: its columns and the rows, fetched as ``fields`` in batches.

    Without ``shape`` the fields are the columns, in order. With it, each fetched batch is turned
    into rows in column order, e.g. to add many-to-many names looked up for the batch's ids.
    """

    name: str
    label: str
    columns: list[Column]
    queryset: QuerySet
    fields: Sequence[str]
    shape: Callable[[list[tuple]], list[Sequence]] | None = None

    def batches(self, chunk_size: int, batch_rows: int) -> Iterator[list[Sequence]]:
        """The rows, fetched ``chunk_size`` at a time, in lists of ``batch_rows``."""
        rows = self.queryset.values_list(*self.fields).iterator(chunk_size=chunk_size)
        while batch := list(islice(rows, batch_rows)):
            yield self.shape(batch) if self.shape else batch

    def sql(self, form: str) -> list[tuple[Column, Expression]] | None:
        """Each column with its expression of ``form`` ("table_sql" or "json_sql"), or None
        when PostgreSQL cannot write every column itself."""
        if self.shape is not None or not all(getattr(c, form) for c in self.columns):
            return None
        return [
            (column, getattr(column, form)(field))
            for column, field in zip(self.columns, self.fields, strict=True)
        ]

    def copy_statement(self, expressions: list[Expression], copy_format: str) -> bytes:
        """``COPY (…) TO STDOUT`` of the expressions for the rows, in order."""
        queryset = self.queryset.values_list(*expressions)
        sql, params = queryset.query.get_compiler(queryset.db).as_sql()
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            return cursor.mogrify(f"COPY ({sql}) TO STDOUT WITH (FORMAT {copy_format})", params)


def table(name, label, queryset, spec, shape=None, also=()) -> Table:
    """A Table from (column, field) pairs; columns without a field come from ``shape``, fields
    in ``also`` are fetched for it without being columns."""
    columns = [column for column, _ in spec]
    fields = [field for _, field in spec if field] + list(also)
    return Table(name, label, columns, queryset, fields, shape)


def _related_names(*lookups: tuple[type, str, str]) -> Callable:
    """A shape that appends, per lookup (through model, owner field, value field), the list of
    related values of each row, found with one query per batch on the rows' ids (column 0)."""

    def shape(batch: list[tuple]) -> list[tuple]:
        ids = [row[0] for row in batch]
        found = []
        for through, owner, value in lookups:
            names = defaultdict(list)
            pairs = through.objects.filter(**{f"{owner}__in": ids}).order_by(owner, "pk")
            for owner_id, name in pairs.values_list(owner, value):
                names[owner_id].append(name)
            found.append(names)
        return [(*row, *(names.get(row[0], []) for names in found)) for row in batch]

    return shape


def between(
    queryset: QuerySet,
    date_field: str,
    since: datetime.date | None,
    until: datetime.date | None,
    year: int | None = None,
) -> QuerySet:
    """A date range and a year as a range of local days on a datetime, so that indexes apply."""
    starts, ends = [], []
    if since:
        starts.append(since)
    if until and until < datetime.date.max:
        ends.append(until + datetime.timedelta(days=1))
    if year:
        starts.append(datetime.date(year, 1, 1))
        ends.append(datetime.date(year + 1, 1, 1))
    tz = timezone.get_default_timezone()
    if starts:
        start = datetime.datetime.combine(max(starts), datetime.time.min, tzinfo=tz)
        queryset = queryset.filter(**{f"{date_field}__gte": start})
    if ends:
        end = datetime.datetime.combine(min(ends), datetime.time.min, tzinfo=tz)
        queryset = queryset.filter(**{f"{date_field}__lt": end})
    return queryset


def notice_tables(selection: "Selection", user) -> list[Table]:
    notices = scoped(Notice.objects.all(), user)
    if selection.organ:
        notices = notices.filter(organ=selection.organ)
    if selection.status:
        notices = notices.filter(status=selection.status)
    notices = between(notices, "published_at", selection.since, selection.until, selection.year)
    return [table("notices", "公告", notices.order_by("pk"), NOTICE_SPEC)]


def assessment_tables(selection: "Selection", user) -> list[Table]:
    """The assessments, then their scores, findings, requirements and rectification reports."""
    assessments = scoped(Assessment.objects.all(), user)
    if selection.organ:
        assessments = assessments.filter(organ=selection.organ)
    if selection.status:
        assessments = assessments.filter(status=selection.status)
    if selection.year:
        assessments = assessments.filter(year=selection.year)
    # An assessment's year is its own field; the date range is its publication.
    assessments = between(assessments, "published_at", selection.since, selection.until)
    ids = assessments.values("pk")
    scores = Score.objects.filter(unit__assessment__in=ids).order_by(
        "unit__assessment_id", "unit__group__position", "unit__position", "unit_id",
        "indicator__position", "indicator__code",
    )  # fmt: skip
    findings = Finding.objects.filter(assessment__in=ids).order_by("assessment_id", "pk")
    requirements = Requirement.objects.filter(assessment__in=ids).order_by("assessment_id", "pk")
    reports = RectificationReport.objects.filter(requirement__assessment__in=ids).order_by(
        "requirement__assessment_id", "requirement_id", "unit_id", "submitted_at", "pk"
    )
    units = "assessedunit__organ__name"
    return [
        table("assessments", "考核", assessments.order_by("pk"), ASSESSMENT_SPEC),
        table("scores", "成绩", scores, SCORE_SPEC),
        table(
            "findings",
            "特点和问题",
            findings,
            FINDING_SPEC,
            _related_names((Finding.units.through, "finding_id", units)),
        ),
        table(
            "requirements",
            "整改要求",
            requirements,
            REQUIREMENT_SPEC,
            _related_names(
                (Requirement.units.through, "requirement_id", units),
                (Requirement.problems.through, "requirement_id", "finding__title"),
            ),
        ),
        table("rectification_reports", "整改报告", reports, REPORT_SPEC),
    ]


def _with_hashed_payload(batch: list[tuple]) -> list[tuple]:
    """Add the exact text each event's hash covers, so that the chain can be checked offline with
    nothing but SHA-256: hash = sha256(previous_hash + "\\n" + payload)."""
    rows = []
    for row in batch:
        values = dict(zip(HISTORY_FIELDS, row, strict=True))
        event = AuditEvent(
            sequence=values["sequence"],
            timestamp=values["timestamp"],
            content_type=ContentType.objects.get_for_id(values["content_type_id"]),
            object_pk=values["object_pk"],
            object_repr=values["object_repr"],
            action=values["action"],
            changes=values["changes"],
            changes_text=values["changes_text"],
            actor_id=values["actor_id"],
            remote_addr=values["remote_addr"],
            additional_data=values["additional_data"],
            source=values["source"],
            object_id=values["object_id"],
            serialized_data=values["serialized_data"],
            cid=values["cid"],
            actor_email=values["actor_email"],
            remote_port=values["remote_port"],
            hash_version=values["hash_version"],
        )
        rows.append((*row[:-1], canonical_json(event.payload())))
    return rows


def history_tables(selection: "Selection", user, head_sequence: int) -> list[Table]:
    """Every event up to the chain head the manifest names, in sequence."""
    events = AuditEvent.objects.filter(sequence__lte=head_sequence)
    if not sees_history(user):
        events = events.none()
    events = between(events, "timestamp", selection.since, selection.until, selection.year)
    return [
        table(
            "history",
            "审计记录",
            events.order_by("sequence"),
            HISTORY_SPEC,
            _with_hashed_payload,
            also=["changes_text"],
        )
    ]

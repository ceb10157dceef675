"""Exports for auditors: notices, assessments or the audit history, as one ZIP per export.

An export streams. Rows come from ``values_list(...).iterator()`` in batches, are formatted and
written into a ZIP opened on a non-seekable pipe, which the generator empties chunk by chunk; XLSX
goes through a temporary file first. On PostgreSQL, CSV and JSON files whose every column
PostgreSQL can write come from ``COPY (…) TO STDOUT`` instead (audit/pgcopy.py), several times
faster and byte for byte the same. Memory therefore stays flat however many rows there are.

The ZIP ends with manifest.json: what was asked, who asked and when, the rows, size and SHA-256 of
every data file (computed while it is written), and the head of the audit chain when the export
began. The export is itself recorded in the audit history, from the web and from the command line.

The web page, the command and the benchmark all go through ``Export``; ``can_export`` says who may.
"""

import datetime
import hashlib
import json
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from itertools import islice

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Case, Expression, F, Func, QuerySet, TextField, Value, When
from django.db.models.functions import Cast, Concat, NullIf, Substr
from django.db.models.lookups import In
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from assessments.models import (
    Assessment,
    Finding,
    Indicator,
    RectificationReport,
    Requirement,
    Score,
)
from audit import chain, checkpoints, context, keys
from audit.models import AuditEvent, canonical_json
from audit.pgcopy import CopyOut
from audit.signals import record_access
from config.text import FORMULA_START, formula_guarded
from notices import access
from notices.models import Notice, Organ

DATASETS = {
    "notices": "公告",
    "assessments": "考核（成绩、问题与整改）",
    "history": "审计记录",
}
FORMATS = {"csv": "CSV", "xlsx": "Excel（XLSX）", "json": "JSON"}
FILTERS = ("organ", "since", "until", "status", "year")
# Which filters mean something for which dataset, and which date the range and year apply to.
APPLICABLE_FILTERS = {
    "notices": set(FILTERS),
    "assessments": set(FILTERS),
    "history": {"since", "until", "year"},
}
DATE_FIELDS = {"notices": "发布日期", "assessments": "发布时间", "history": "时间"}
STATUSES = {"notices": Notice.Status, "assessments": Assessment.Status}

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_CELL_CHARS = 32_767
FETCH_CHUNK = 1000
WRITE_BATCH = 500
STREAM_CHUNK_BYTES = 256 * 1024
COPY_CHUNK_BYTES = 1024 * 1024
# Data files are stored in the ZIP as they are unless compression is asked for: deflate, even at
# level 1 (a fraction of the CPU of the default 6, for files only slightly larger), is the largest
# single cost of a CSV or JSON export and halves its speed (see bench/README.md). The manifest,
# a few kilobytes, is always deflated.
DEFLATE_LEVEL = 1
LIST_SEPARATOR = "；"


class ExportError(Exception):
    """What was asked cannot be exported as asked; the messages are for people."""

    def __init__(self, messages: list[str]):
        super().__init__("；".join(messages))
        self.messages = messages


def can_export(user) -> bool:
    """Auditors and site admins: active staff who see every organ."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and access.sees_all_organs(user)
    )


def scoped(queryset: QuerySet, user, organ_field: str = "organ") -> QuerySet:
    """The organ rule of every export. None is the command line, which runs with the server's
    own rights; anyone else sees the organs notices.access gives them."""
    if user is None:
        return queryset
    return access.scope_to_user(queryset, user, organ_field)


def sees_history(user) -> bool:
    """The history spans every organ and cannot be scoped to some, so it is all or nothing."""
    return user is None or access.organ_ids(user) is None


@dataclass(frozen=True)
class Selection:
    """What to export: a dataset, a format and the filters."""

    dataset: str
    format: str = "csv"
    organ: Organ | None = None
    since: datetime.date | None = None
    until: datetime.date | None = None
    status: str = ""
    year: int | None = None

    def errors(self) -> list[str]:
        if self.dataset not in DATASETS:
            return [f"没有“{self.dataset}”这类数据，可选：{'、'.join(DATASETS)}。"]
        found = []
        if self.format not in FORMATS:
            found.append(f"不支持“{self.format}”格式，可选：{'、'.join(FORMATS)}。")
        name = DATASETS[self.dataset]
        labels = {"organ": "机构", "since": "起始日期", "until": "截止日期", "status": "状态"}
        labels["year"] = "年度"
        for key in FILTERS:
            if key not in APPLICABLE_FILTERS[self.dataset] and getattr(self, key) not in ("", None):
                found.append(f"{name}不能按{labels[key]}筛选。")
        if self.since and self.until and self.since > self.until:
            found.append("起始日期不能晚于截止日期。")
        if self.year is not None and not 1900 <= self.year <= 9998:
            found.append("年度应在 1900 到 9998 之间。")
        statuses = STATUSES.get(self.dataset)
        if self.status and statuses is not None and self.status not in statuses.values:
            options = "、".join(f"{value}（{label}）" for value, label in statuses.choices)
            found.append(f"{name}没有“{self.status}”这个状态，可选：{options}。")
        return found

    def filters(self) -> dict:
        """The filters as the manifest and the history record them."""
        organ = {"code": self.organ.code, "name": self.organ.name} if self.organ else None
        return {
            "organ": organ,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "status": self.status or None,
            "year": self.year,
        }

    def describe(self) -> str:
        parts = []
        if self.organ:
            parts.append(f"机构：{self.organ.name}（{self.organ.code}）")
        if self.since or self.until:
            since = self.since.isoformat() if self.since else "最早"
            until = self.until.isoformat() if self.until else "最新"
            parts.append(f"{DATE_FIELDS[self.dataset]}：{since} 至 {until}")
        if self.year:
            parts.append(f"年度：{self.year}")
        if self.status:
            parts.append(f"状态：{STATUSES[self.dataset](self.status).label}")
        return "；".join(parts) or "全部"


@dataclass(frozen=True)
class Column:
    """One column: the Chinese header of CSV/XLSX, the stable key of JSON, and how values look.

    ``table`` and ``json`` turn a fetched value (never None) into what each kind of file holds;
    None keeps it as fetched. ``table_sql`` and ``json_sql`` make, from the field's name, the
    expression with which PostgreSQL writes the same: the text ``table`` gives, and a value that
    to_json writes as json.dumps writes what ``json`` gives (None: only Python can). ``text``
    marks every column but numbers, dates and flags: a spreadsheet reads its cells as text, so
    none may start a formula there (``formula_guarded``; ``_sql_formula_guarded`` in PostgreSQL).
    """

    key: str
    label: str
    table: Callable | None = None
    json: Callable | None = None
    text: bool = True
    table_sql: Callable[[str], Expression] | None = None
    json_sql: Callable[[str], Expression] | None = None


def _iso(value) -> str:
    return value.isoformat()


def _local_iso(value: datetime.datetime) -> str:
    return value.astimezone(timezone.get_default_timezone()).isoformat()


def _json_text(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _joined(values: list) -> str:
    return LIST_SEPARATOR.join(str(value) for value in values)


def _sql_text(field: str) -> Expression:
    """The value as text, empty text as NULL: Python writes both as nothing."""
    return NullIf(Cast(field, TextField()), Value(""), output_field=TextField())


def _sql_day(field: str) -> Expression:
    return Func(F(field), Value("YYYY-MM-DD"), function="to_char", output_field=TextField())


class _SqlLocalIso(Func):
    """A time as ``datetime.isoformat()`` writes it in the session's time zone, which is
    TIME_ZONE while the export copies (``_site_time_zone``): microseconds only when there are
    some, and the offset's seconds only when it has some (local mean time before 1901)."""

    output_field = TextField()

    def as_sql(self, compiler, connection, **extra_context):
        value, params = compiler.compile(self.get_source_expressions()[0])
        offset = f"date_part('timezone', {value})::int"
        sql = (
            f"CASE WHEN date_trunc('second', {value}) = {value}"
            f" THEN to_char({value}, 'YYYY-MM-DD\"T\"HH24:MI:SSTZH:TZM')"
            f" ELSE to_char({value}, 'YYYY-MM-DD\"T\"HH24:MI:SS.USTZH:TZM') END"
            f" || CASE WHEN mod({offset}, 60) = 0 THEN ''"
            f" ELSE ':' || to_char(abs(mod({offset}, 60)), 'FM00') END"
        )
        return sql, (*params, *params, *params, *params, *params, *params)


def _sql_labels(labels: dict) -> Callable[[str], Expression]:
    def sql(field: str) -> Expression:
        whens = [When(**{field: value}, then=Value(label)) for value, label in labels.items()]
        return Case(*whens, default=_sql_text(field), output_field=TextField())

    return sql


class _SqlJsonObject(Func):
    """A row as ``json.dumps(dict, ensure_ascii=False)`` writes it: the keys in column order,
    ", " and ": " between, the values as to_json writes them (it escapes text as Python does)."""

    output_field = TextField()

    def __init__(self, copied: list[tuple[Column, Expression]]):
        self.keys = [column.key for column, _ in copied]
        super().__init__(*[expression for _, expression in copied])

    def as_sql(self, compiler, connection, **extra_context):
        parts, params, opening = [], [], "{"
        for key, expression in zip(self.keys, self.get_source_expressions(), strict=True):
            value, value_params = compiler.compile(expression)
            parts.append(f"%s || coalesce(to_json({value})::text, 'null')")
            params += [f"{opening}{json.dumps(key)}: ", *value_params]
            opening = ", "
        return "(" + " || ".join(parts) + " || '}')", params


def _sql_formula_guarded(expression: Expression) -> Expression:
    """``formula_guarded`` in PostgreSQL, for what ``_csv_cell`` guards: an apostrophe before
    a text that starts with a character of FORMULA_START.
    (substr, unlike left, decompresses only the start of a long stored text.)"""
    return Case(
        When(
            In(Substr(expression, 1, 1), sorted(FORMULA_START)),
            then=Concat(Value("'"), expression, output_field=TextField()),
        ),
        default=expression,
        output_field=TextField(),
    )


def text(key: str, label: str) -> Column:
    """Text: free text, names, codes; its cells never start a formula in CSV."""
    return Column(key, label, table_sql=_sql_text, json_sql=F)


def integer(key: str, label: str) -> Column:
    """A whole number (an id, a count), as it is."""
    return Column(key, label, text=False, table_sql=_sql_text, json_sql=F)


def day(key: str, label: str) -> Column:
    return Column(
        key, label, table=_iso, json=_iso, text=False, table_sql=_sql_day, json_sql=_sql_day
    )


def moment(key: str, label: str) -> Column:
    return Column(
        key,
        label,
        table=_local_iso,
        json=_local_iso,
        text=False,
        table_sql=_SqlLocalIso,
        json_sql=_SqlLocalIso,
    )


def number(key: str, label: str) -> Column:
    """A decimal: a number in spreadsheets (a minus is its sign), an exact string in JSON."""
    return Column(key, label, json=str, text=False, table_sql=_sql_text, json_sql=_sql_text)


def flag(key: str, label: str) -> Column:
    labels = {True: "是", False: "否"}
    return Column(
        key, label, table=labels.get, text=False, table_sql=_sql_labels(labels), json_sql=F
    )


def choice(key: str, label: str, choices, codes: dict | None = None) -> Column:
    """Chinese labels in CSV/XLSX; the stored code in JSON (or codes[value] when given)."""
    labels = {value: str(name) for value, name in choices}
    return Column(
        key,
        label,
        table=lambda v: labels.get(v, v),
        json=codes.get if codes else None,
        table_sql=_sql_labels(labels),
        json_sql=None if codes else F,
    )


def listing(key: str, label: str) -> Column:
    """Names of related records: joined with ；in CSV/XLSX, a list in JSON."""
    return Column(key, label, table=_joined)


def data(key: str, label: str) -> Column:
    """A JSON value: its text in CSV/XLSX, as it is in JSON."""
    return Column(key, label, table=_json_text)


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

    def batches(self, chunk_size: int) -> Iterator[list[Sequence]]:
        rows = self.queryset.values_list(*self.fields).iterator(chunk_size=chunk_size)
        while batch := list(islice(rows, WRITE_BATCH)):
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


def _between(
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


NOTICE_SPEC = [
    (integer("id", "系统编号"), "id"),
    (text("index_number", "索引号"), "index_number"),
    (text("title", "标题"), "title"),
    (text("document_number", "文号"), "document_number"),
    (text("organ", "发布机构"), "organ__name"),
    (text("organ_code", "机构代码"), "organ__code"),
    (choice("genre", "体裁", Notice.Genre.choices), "genre"),
    (choice("status", "状态", Notice.Status.choices), "status"),
    (day("signed_on", "成文日期"), "signed_on"),
    (moment("published_at", "发布日期"), "published_at"),
    (choice("validity", "有效性", Notice.Validity.choices), "validity"),
    (day("validity_changed_on", "失效或废止日期"), "validity_changed_on"),
    (choice("disclosure", "公开属性", Notice.Disclosure.choices), "disclosure"),
    (text("withheld_reason", "不予公开理由"), "withheld_reason"),
    (text("keywords", "主题词"), "keywords"),
    (text("summary", "内容概述"), "summary"),
    (text("addressees", "主送机关"), "addressees"),
    (integer("correction_of", "更正的公告"), "correction_of_id"),
    (text("change_note", "更正说明"), "change_note"),
    (moment("withdrawn_at", "撤回时间"), "withdrawn_at"),
    (text("withdrawal_reason", "撤回原因"), "withdrawal_reason"),
    (text("created_by", "创建人"), "created_by__username"),
    (moment("created_at", "创建时间"), "created_at"),
    (text("last_edited_by", "最后编辑人"), "last_edited_by__username"),
    (moment("updated_at", "最后修改时间"), "updated_at"),
    (integer("view_count", "浏览次数"), "view_count"),
    (text("body", "正文"), "body"),
]


def notice_tables(selection: Selection, user) -> list[Table]:
    notices = scoped(Notice.objects.all(), user)
    if selection.organ:
        notices = notices.filter(organ=selection.organ)
    if selection.status:
        notices = notices.filter(status=selection.status)
    notices = _between(notices, "published_at", selection.since, selection.until, selection.year)
    return [table("notices", "公告", notices.order_by("pk"), NOTICE_SPEC)]


def _in_assessment(prefix: str) -> list:
    return [
        (integer("assessment_id", "考核编号"), f"{prefix}assessment_id"),
        (text("assessment", "考核"), f"{prefix}assessment__title"),
    ]


ASSESSMENT_SPEC = [
    (integer("id", "系统编号"), "id"),
    (integer("year", "考核年度"), "year"),
    (text("title", "标题"), "title"),
    (text("organ", "组织考核的机构"), "organ__name"),
    (text("organ_code", "机构代码"), "organ__code"),
    (choice("status", "状态", Assessment.Status.choices), "status"),
    (moment("published_at", "发布时间"), "published_at"),
    (text("notice_index_number", "发布通报索引号"), "notice__index_number"),
    (text("notice_title", "发布通报"), "notice__title"),
    (text("basis", "考核依据"), "basis"),
    (text("summary", "总体情况"), "summary"),
    (flag("is_example", "示例数据"), "is_example"),
    (text("last_edited_by", "最后编辑人"), "last_edited_by__username"),
    (moment("updated_at", "最后修改时间"), "updated_at"),
]
SCORE_SPEC = [
    *_in_assessment("unit__"),
    (text("group", "分组"), "unit__group__name"),
    (text("unit", "单位"), "unit__organ__name"),
    (text("unit_code", "机构代码"), "unit__organ__code"),
    (text("indicator_code", "指标编号"), "indicator__code"),
    (text("indicator", "指标名称"), "indicator__name"),
    (choice("indicator_kind", "指标类型", Indicator.Kind.choices), "indicator__kind"),
    (number("points", "分值"), "indicator__points"),
    (number("value", "得分"), "value"),
    (text("remark", "备注"), "remark"),
]
FINDING_SPEC = [
    (integer("id", "系统编号"), "id"),
    *_in_assessment(""),
    (choice("kind", "类型", Finding.Kind.choices), "kind"),
    (integer("position", "序号"), "position"),
    (text("title", "标题"), "title"),
    (text("text", "内容"), "text"),
    (listing("units", "涉及单位"), None),
]
REQUIREMENT_SPEC = [
    (integer("id", "系统编号"), "id"),
    *_in_assessment(""),
    (integer("position", "序号"), "position"),
    (text("title", "标题"), "title"),
    (text("text", "内容"), "text"),
    (day("deadline", "整改期限"), "deadline"),
    (listing("units", "责任单位"), None),
    (listing("problems", "针对的问题"), None),
]
REPORT_SPEC = [
    (integer("id", "系统编号"), "id"),
    *_in_assessment("requirement__"),
    (integer("requirement_id", "整改要求编号"), "requirement_id"),
    (text("requirement", "整改要求"), "requirement__title"),
    (text("unit", "单位"), "unit__organ__name"),
    (text("unit_code", "机构代码"), "unit__organ__code"),
    (choice("progress", "整改进度", RectificationReport.Progress.choices), "progress"),
    (text("text", "整改情况"), "text"),
    (text("submitted_by", "报送人"), "submitted_by__username"),
    (moment("submitted_at", "报送时间"), "submitted_at"),
    (choice("verification", "核验", RectificationReport.Verification.choices), "verification"),
    (text("verified_by", "核验人"), "verified_by__username"),
    (moment("verified_at", "核验时间"), "verified_at"),
    (text("verification_note", "核验意见"), "verification_note"),
]


def assessment_tables(selection: Selection, user) -> list[Table]:
    """The assessments, then their scores, findings, requirements and rectification reports."""
    assessments = scoped(Assessment.objects.all(), user)
    if selection.organ:
        assessments = assessments.filter(organ=selection.organ)
    if selection.status:
        assessments = assessments.filter(status=selection.status)
    if selection.year:
        assessments = assessments.filter(year=selection.year)
    # An assessment's year is its own field; the date range is its publication.
    assessments = _between(assessments, "published_at", selection.since, selection.until)
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


ACTIONS = {
    AuditEvent.Action.CREATE: ("新增", "create"),
    AuditEvent.Action.UPDATE: ("修改", "update"),
    AuditEvent.Action.DELETE: ("删除", "delete"),
    AuditEvent.Action.ACCESS: ("访问", "access"),
}


def _content_type(content_type_id: int) -> str:
    content_type = ContentType.objects.get_for_id(content_type_id)  # cached after the first
    return f"{content_type.app_label}.{content_type.model}"


HISTORY_SPEC = [
    (integer("sequence", "序号"), "sequence"),
    (moment("timestamp", "时间"), "timestamp"),
    (text("actor", "操作人"), "actor__username"),
    (integer("actor_id", "操作人编号"), "actor_id"),
    (text("source", "来源"), "source"),
    (text("remote_addr", "IP 地址"), "remote_addr"),
    (
        Column("content_type", "对象类型", table=_content_type, json=_content_type),
        "content_type_id",
    ),
    (text("object_pk", "对象主键"), "object_pk"),
    (text("object_repr", "对象"), "object_repr"),
    (
        choice(
            "action",
            "操作",
            [(action, label) for action, (label, _) in ACTIONS.items()],
            {action: code for action, (_, code) in ACTIONS.items()},
        ),
        "action",
    ),
    (data("changes", "变更内容"), "changes"),
    (data("additional_data", "附加信息"), "additional_data"),
    (integer("object_id", "对象编号"), "object_id"),
    (data("serialized_data", "对象快照"), "serialized_data"),
    (text("cid", "关联编号"), "cid"),
    (text("actor_email", "操作人邮箱"), "actor_email"),
    (integer("remote_port", "端口"), "remote_port"),
    (integer("hash_version", "哈希版本"), "hash_version"),
    (text("previous_hash", "上一条的哈希"), "previous_hash"),
    (text("hash", "哈希"), "hash"),
    (text("seal", "封印"), "seal"),
    (text("payload", "哈希原文"), None),
]
HISTORY_FIELDS = [field for _, field in HISTORY_SPEC if field] + ["changes_text"]


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


def history_tables(selection: Selection, user, head_sequence: int) -> list[Table]:
    """Every event up to the chain head the manifest names, in sequence."""
    events = AuditEvent.objects.filter(sequence__lte=head_sequence)
    if not sees_history(user):
        events = events.none()
    events = _between(events, "timestamp", selection.since, selection.until, selection.year)
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


class _Pipe:
    """A write-only, non-seekable file: the ZIP writes into it, the generator empties it."""

    def __init__(self):
        self._chunks: list[bytes] = []
        self.size = 0

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        self.size = 0
        return data


class _Member:
    """One file in the ZIP, hashed and measured as it is written.

    ``level`` 0 stores the file as it is, as for XLSX files, which are compressed already.
    """

    def __init__(self, archive: zipfile.ZipFile, name: str, level: int, when: datetime.datetime):
        info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED if level else zipfile.ZIP_STORED
        # Python 3.13 names it compress_level and keeps this name as an alias.
        info._compresslevel = level or None
        self._file = archive.open(info, "w", force_zip64=True)
        self.name = name
        self.sha256 = hashlib.sha256()
        self.bytes = 0

    def write(self, data: bytes) -> None:
        self.sha256.update(data)
        self.bytes += len(data)
        self._file.write(data)

    def close(self) -> None:
        self._file.close()


@dataclass
class FileReport:
    name: str
    table: Table
    rows: int = 0
    bytes: int = 0
    sha256: str = ""
    extra: dict = field(default_factory=dict)

    def manifest(self) -> dict:
        return {
            "name": self.name,
            "rows": self.rows,
            "bytes": self.bytes,
            "sha256": self.sha256,
            **self.extra,
            "columns": [{"key": c.key, "label": c.label} for c in self.table.columns],
        }


def _converter(pairs: list[tuple[int, Callable]]) -> Callable[[Sequence], Sequence]:
    """A function applying each (column index, function) to a row's non-None values."""
    if not pairs:
        return lambda row: row

    def convert(row: Sequence) -> list:
        row = list(row)
        for index, function in pairs:
            value = row[index]
            if value is not None:
                row[index] = function(value)
        return row

    return convert


def _csv_quoted(value: str) -> str:
    """A field as the csv module's excel dialect quotes it, only much faster on long Chinese
    text, which the module walks through character by character."""
    if '"' in value:
        return '"' + value.replace('"', '""') + '"'
    if "," in value or "\n" in value or "\r" in value:
        return '"' + value + '"'
    return value


def _csv_cell(column: Column) -> Callable[[object], str]:
    convert, guard = column.table, column.text

    def cell(value) -> str:
        if value is None:
            return ""
        if convert is not None:
            value = convert(value)
        if not isinstance(value, str):
            return str(value)
        if guard:
            value = formula_guarded(value)
        return _csv_quoted(value)

    return cell


def _csv_copied(
    table: Table, copied: list[tuple[Column, Expression]]
) -> Iterator[tuple[bytes, int]]:
    """The CSV lines as PostgreSQL writes them, in batches, with their number: the same bytes
    as ``_csv_formatted``, except that COPY ends lines with LF, which become CRLF here."""
    cells = [_sql_formula_guarded(sql) if column.text else sql for column, sql in copied]
    statement = table.copy_statement(cells, "csv")
    with _site_time_zone(), _copy_out(statement) as batches:
        for lines in batches:
            lines.append(b"")
            yield b"\r\n".join(lines), len(lines) - 1


def _json_copied(
    table: Table, copied: list[tuple[Column, Expression]]
) -> Iterator[tuple[bytes, int]]:
    """The JSON objects as PostgreSQL writes them, one a line, the same bytes as
    ``_json_formatted``: one text column copied in binary format, which leaves it as it is."""
    statement = table.copy_statement([_SqlJsonObject(copied)], "binary")
    with _site_time_zone(), _copy_out(statement, binary=True) as batches:
        for lines in batches:
            yield b",\n".join(lines), len(lines)


def _copy_out(statement: bytes, binary: bool = False) -> CopyOut:
    return CopyOut(connection.connection, statement, binary=binary, batch_rows=WRITE_BATCH)


@contextmanager
def _site_time_zone():
    """Within the export's transaction, make PostgreSQL's session time zone TIME_ZONE, in which
    the copies write local times, and put it back with a savepoint whatever happens: Django
    reads times right only in the zone it set itself."""
    savepoint = transaction.savepoint()
    try:
        with connection.cursor() as cursor:
            name = timezone.get_default_timezone_name()
            cursor.execute("SELECT set_config('TimeZone', %s, true)", [name])
        yield
    finally:
        transaction.savepoint_rollback(savepoint)


class Export:
    """One export: call ``stream()`` and send or save the bytes it yields, in order.

    ``user`` None is the command line. ``request``, when given, supplies the address recorded
    in the history. ``sheet_rows`` is the most rows a worksheet holds, header included.
    ``compress`` deflates the CSV and JSON files. ``use_copy`` lets PostgreSQL write the files it
    can (COPY); False formats every row in Python, as on SQLite. Both write the same bytes.
    """

    def __init__(
        self,
        selection: Selection,
        user=None,
        *,
        request=None,
        sheet_rows: int = EXCEL_MAX_ROWS,
        chunk_size: int = FETCH_CHUNK,
        compress: bool = False,
        use_copy: bool = True,
    ):
        if user is not None and not can_export(user):
            raise PermissionDenied("只有审计人员和管理员可以导出数据。")
        if isinstance(user, SimpleLazyObject):
            # A request's user is a lazy proxy; the history needs the user's own model.
            user = user.__class__._default_manager.get(pk=user.pk)
        errors = selection.errors()
        if errors:
            raise ExportError(errors)
        if sheet_rows < 2:
            raise ValueError("sheet_rows must leave room for the header and one row")
        self.selection = selection
        self.user = user
        self.request = request
        self.sheet_rows = sheet_rows
        self.chunk_size = chunk_size
        self.compress_level = DEFLATE_LEVEL if compress else 0
        self.use_copy = use_copy
        self.generated_at = timezone.now()
        # Streaming outlives the request's middleware: the history gets this context back.
        self.audit_context = context.current()
        self.files: list[FileReport] = []
        self.manifest: dict | None = None

    @property
    def filename(self) -> str:
        stamp = timezone.localtime(self.generated_at, timezone.get_default_timezone())
        return f"{self.selection.dataset}-{stamp:%Y%m%d-%H%M%S}.zip"

    def tables(self, head_sequence: int) -> list[Table]:
        dataset = self.selection.dataset
        if dataset == "notices":
            return notice_tables(self.selection, self.user)
        if dataset == "assessments":
            return assessment_tables(self.selection, self.user)
        return history_tables(self.selection, self.user, head_sequence)

    def stream(self) -> Iterator[bytes]:
        pipe = _Pipe()
        archive = zipfile.ZipFile(pipe, "w")
        try:
            try:
                previous_checkpoint = checkpoints.latest()
            except checkpoints.CheckpointError as error:
                previous_checkpoint = error
            with chain.snapshot():
                head = chain.head()
                checkpoint = self._checkpoint(previous_checkpoint)
                for table in self.tables(head[0]):
                    yield from self._write(table, archive, pipe)
            self.manifest = self._manifest(head, checkpoint)
            text = json.dumps(self.manifest, ensure_ascii=False, indent=2) + "\n"
            member = self._member(archive, "manifest.json", level=DEFLATE_LEVEL)
            member.write(text.encode())
            member.close()
            archive.close()
        except BaseException:
            # Cut short (a closed download, an error): what was sent has left all the same.
            self._record(completed=False)
            raise
        self._record(completed=True, manifest_sha256=member.sha256.hexdigest())
        yield pipe.drain()

    def _write(self, table: Table, archive, pipe: _Pipe) -> Iterator[bytes]:
        writer = {"csv": self._csv, "json": self._json, "xlsx": self._xlsx}[self.selection.format]
        report = FileReport(f"{table.name}.{self.selection.format}", table)
        self.files.append(report)
        # Closed on the way out, however it is left, so that a COPY stops before anything else
        # uses the connection.
        with closing(writer(table, archive, report)) as steps:
            for _ in steps:
                if pipe.size >= STREAM_CHUNK_BYTES:
                    yield pipe.drain()

    def _csv(self, table: Table, archive, report: FileReport) -> Iterator[None]:
        member = self._member(archive, report.name)
        header = ",".join(_csv_quoted(column.label) for column in table.columns)
        # The byte-order mark tells Excel the file is UTF-8.
        member.write(f"\ufeff{header}\r\n".encode())
        copied = self._copied(table, "table_sql")
        lines = _csv_copied(table, copied) if copied else self._csv_formatted(table)
        with closing(lines):
            for text, rows in lines:
                member.write(text)
                report.rows += rows
                yield
        self._finish(member, report)

    def _copied(self, table: Table, form: str) -> list[tuple[Column, Expression]] | None:
        """The columns' SQL when PostgreSQL is to write the file (see Table.sql)."""
        if self.use_copy and connection.vendor == "postgresql":
            return table.sql(form)
        return None

    def _csv_formatted(self, table: Table) -> Iterator[tuple[bytes, int]]:
        """The CSV lines formatted here, in batches, with their number."""
        cells = [_csv_cell(column) for column in table.columns]
        for batch in table.batches(self.chunk_size):
            lines = [
                ",".join([cell(value) for cell, value in zip(cells, row, strict=True)])
                for row in batch
            ]
            lines.append("")
            yield "\r\n".join(lines).encode(), len(batch)

    def _json(self, table: Table, archive, report: FileReport) -> Iterator[None]:
        member = self._member(archive, report.name)
        copied = self._copied(table, "json_sql")
        lines = _json_copied(table, copied) if copied else self._json_formatted(table)
        separator = b"[\n"
        with closing(lines):
            for text, rows in lines:
                member.write(separator)
                member.write(text)
                separator = b",\n"
                report.rows += rows
                yield
        member.write(b"[\n]\n" if report.rows == 0 else b"\n]\n")
        self._finish(member, report)

    def _json_formatted(self, table: Table) -> Iterator[tuple[bytes, int]]:
        """The JSON objects, one a line, made here, in batches, with their number."""
        convert = _converter(
            [(index, column.json) for index, column in enumerate(table.columns) if column.json]
        )
        keys = [column.key for column in table.columns]
        for batch in table.batches(self.chunk_size):
            lines = [
                json.dumps(dict(zip(keys, convert(row), strict=True)), ensure_ascii=False)
                for row in batch
            ]
            yield ",\n".join(lines).encode(), len(batch)

    def _xlsx(self, table: Table, archive, report: FileReport) -> Iterator[None]:
        convert = _converter(
            [(index, column.table) for index, column in enumerate(table.columns) if column.table]
        )
        workbook = Workbook(write_only=True)
        sheets, sheet, sheet_rows, truncated = 0, None, 0, 0

        def new_sheet():
            nonlocal sheets, sheet, sheet_rows
            sheets += 1
            title = table.label if sheets == 1 else f"{table.label}（{sheets}）"
            sheet = workbook.create_sheet(title)
            sheet.freeze_panes = "A2"
            header = []
            for column in table.columns:
                cell = WriteOnlyCell(sheet, column.label)
                cell.font = Font(bold=True)
                header.append(cell)
            sheet.append(header)
            sheet_rows = 1

        with tempfile.NamedTemporaryFile(suffix=".xlsx") as spool:
            for batch in table.batches(self.chunk_size):
                for fetched in batch:
                    if sheet is None or sheet_rows >= self.sheet_rows:
                        new_sheet()
                    row = list(convert(fetched))
                    for index, value in enumerate(row):
                        if value and isinstance(value, str):
                            row[index], cut = _excel_text(value, sheet)
                            truncated += cut
                    sheet.append(row)
                    sheet_rows += 1
                report.rows += len(batch)
                yield
            if sheet is None:
                new_sheet()
            workbook.save(spool)
            spool.seek(0)
            member = self._member(archive, report.name, level=0)
            while chunk := spool.read(COPY_CHUNK_BYTES):
                member.write(chunk)
                yield
        report.extra = {"sheets": sheets}
        if truncated:
            report.extra["truncated_cells"] = truncated
        self._finish(member, report)

    def _member(self, archive, name: str, level: int | None = None) -> _Member:
        when = timezone.localtime(self.generated_at, timezone.get_default_timezone())
        return _Member(archive, name, self.compress_level if level is None else level, when)

    def _finish(self, member: _Member, report: FileReport) -> None:
        member.close()
        report.bytes = member.bytes
        report.sha256 = member.sha256.hexdigest()

    def _checkpoint(self, previous: checkpoints.Checkpoint | Exception | None) -> dict:
        """The history's head signed at the export's moment, written to the checkpoint store
        too; or why it was refused (a history that no longer extends the last checkpoint, or a
        last checkpoint that cannot be read)."""
        if isinstance(previous, Exception):
            return {"refused": str(previous)}
        try:
            checkpoint = chain.sign_head(previous)
        except checkpoints.CheckpointError as error:
            return {"refused": str(error)}
        checkpoints.write_quietly(checkpoint)
        return {**checkpoint.as_dict(), "public_key": keys.public_key_base64()}

    def _manifest(self, head: tuple[int, str], checkpoint: dict) -> dict:
        user = self.user
        notes = []
        if self.selection.format == "csv":
            notes.append(
                "CSV 为带 BOM 的 UTF-8；以 = + - @、制表符或回车开头的文本前加了英文单引号，"
                "以免表格软件当作公式执行。"
            )
        if self.selection.format == "xlsx":
            notes.append(f"Excel 单元格最多 {EXCEL_MAX_CELL_CHARS} 个字符，超出部分未写入。")
        if self.selection.dataset == "history":
            notes.append(
                "每条记录的哈希 = SHA-256(上一条的哈希 + 换行 + 哈希原文)；"
                "第 1 条的上一条哈希为 64 个 0。封印为平台密钥的 HMAC，由平台核验。"
            )
        notes.append(
            "checkpoint 为导出时审计链头的签名检查点（Ed25519）：其签名覆盖除 signature 外"
            "各字段按键排序、无空格的 JSON，可用本站公开的公钥离线核验；"
            "请以从可信渠道取得的公钥核对 public_key。"
        )
        return {
            "dataset": self.selection.dataset,
            "dataset_label": DATASETS[self.selection.dataset],
            "format": self.selection.format,
            "filters": self.selection.filters(),
            "filters_text": self.selection.describe(),
            "generated_at": _local_iso(self.generated_at),
            "generated_by": (
                {"id": user.pk, "username": user.get_username(), "name": user.get_full_name()}
                if user is not None
                else None
            ),
            "source": self.audit_context.source,
            "time_zone": str(timezone.get_default_timezone()),
            "chain_head": {"sequence": head[0], "hash": head[1]},
            "checkpoint": checkpoint,
            "rows": sum(report.rows for report in self.files),
            "files": [report.manifest() for report in self.files],
            "notes": notes,
        }

    def _record(self, completed: bool, manifest_sha256: str = "") -> None:
        details = {
            "dataset": self.selection.dataset,
            "format": self.selection.format,
            "filters": self.selection.filters(),
            "rows": sum(report.rows for report in self.files),
            "sha256": {report.name: report.sha256 for report in self.files if report.sha256},
        }
        if manifest_sha256:
            details["sha256"]["manifest.json"] = manifest_sha256
        if not completed:
            details["completed"] = False
        acting = self.audit_context
        with context.acting(acting.actor, acting.remote_addr, acting.source):
            record_access("export", self.user, self.request, **details)


def _excel_text(value: str, sheet) -> tuple[object, int]:
    """Text as Excel can hold it: no control characters, at most 32,767 characters, and never
    read as a formula or an error code. Returns the value or cell, and 1 if it was cut."""
    cut = 0
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if len(value) > EXCEL_MAX_CELL_CHARS:
        value, cut = value[:EXCEL_MAX_CELL_CHARS], 1
    if value.startswith("=") or value in ERROR_CODES:
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"
        return cell, cut
    return value, cut

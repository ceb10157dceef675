"""The columns of the exported files: what each is called, how its values are written, and the
column specs of every dataset's tables (which field fills which column)."""

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Expression, F, Func, TextField, Value, When
from django.db.models.functions import Cast, NullIf
from django.utils import timezone

from assessments.models import Assessment, Finding, Indicator, RectificationReport
from audit.models import AuditEvent
from notices.models import Notice

LIST_SEPARATOR = "；"


@dataclass(frozen=True)
class Column:
    """One column: the Chinese header of CSV/XLSX, the stable key of JSON, and how values look.

    ``table`` and ``json`` turn a fetched value (never None) into what each kind of file holds;
    None keeps it as fetched. ``table_sql`` and ``json_sql`` make, from the field's name, the
    expression with which PostgreSQL writes the same: the text ``table`` gives, and a value that
    to_json writes as json.dumps writes what ``json`` gives (None: only Python can). ``text``
    marks every column but numbers, dates and flags: a spreadsheet reads its cells as text, so
    none may start a formula there (``formula_guarded``; its SQL twin in writers.py).
    """

    key: str
    label: str
    table: Callable | None = None
    json: Callable | None = None
    text: bool = True
    table_sql: Callable[[str], Expression] | None = None
    json_sql: Callable[[str], Expression] | None = None
    # XLSX holds dates and times as what they are (cells a spreadsheet sorts, filters and
    # computes with), in this number format; ``table`` still writes them as text for CSV.
    excel: Callable | None = None
    excel_format: str = ""


def _iso(value) -> str:
    return value.isoformat()


def local_iso(value: datetime.datetime) -> str:
    return value.astimezone(timezone.get_default_timezone()).isoformat()


def local_naive(value: datetime.datetime) -> datetime.datetime:
    """A moment in TIME_ZONE without its offset, to the millisecond: Excel's times have no zone
    (the manifest names it) and no finer precision."""
    return excel_precision(value.astimezone(timezone.get_default_timezone()).replace(tzinfo=None))


def excel_precision(value: datetime.datetime) -> datetime.datetime:
    milliseconds = round(value.microsecond / 1000)
    return value.replace(microsecond=0) + datetime.timedelta(milliseconds=milliseconds)


def _same(value):
    return value


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
    TIME_ZONE while the export copies (writers.py sets it): microseconds only when there are
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


def text(key: str, label: str) -> Column:
    """Text: free text, names, codes; its cells never start a formula in CSV."""
    return Column(key, label, table_sql=_sql_text, json_sql=F)


def integer(key: str, label: str) -> Column:
    """A whole number (an id, a count), as it is."""
    return Column(key, label, text=False, table_sql=_sql_text, json_sql=F)


def day(key: str, label: str) -> Column:
    return Column(
        key,
        label,
        table=_iso,
        json=_iso,
        text=False,
        table_sql=_sql_day,
        json_sql=_sql_day,
        excel=_same,
        excel_format="yyyy-mm-dd",
    )


def moment(key: str, label: str) -> Column:
    return Column(
        key,
        label,
        table=local_iso,
        json=local_iso,
        text=False,
        table_sql=_SqlLocalIso,
        json_sql=_SqlLocalIso,
        excel=local_naive,
        excel_format="yyyy-mm-dd hh:mm:ss",
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


NOTICE_SPEC = [
    (integer("id", "系统编号"), "id"),
    (text("index_number", "索引号"), "index_number"),
    (text("title", "标题"), "title"),
    (text("document_number", "文号"), "document_number"),
    (text("organ", "发布机构"), "organ__name"),
    (text("organ_code", "机构代码"), "organ__code"),
    # A genre is data a site admin keeps: shown by its name, as the organ is.
    (text("genre", "体裁"), "genre__name"),
    (choice("status", "状态", Notice.Status.choices), "status"),
    (day("signed_on", "成文日期"), "signed_on"),
    (moment("published_at", "发布日期"), "published_at"),
    (choice("document_category", "文件类别", Notice.Category.choices), "document_category"),
    (choice("validity", "有效性", Notice.Validity.choices), "validity"),
    (day("validity_changed_on", "失效或废止日期"), "validity_changed_on"),
    (choice("disclosure", "公开属性", Notice.Disclosure.choices), "disclosure"),
    (text("withheld_reason", "不主动公开的理由"), "withheld_reason"),
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

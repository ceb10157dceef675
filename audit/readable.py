"""An audit event as a person reads it: what was done, to what, which fields changed from what to
what (Chinese field names, choices' labels, dates, times in the site's time zone, related
records by name), and the details of logins and exports. Plain data for the admin's templates
(templates/admin/audit/auditevent/); the stored event itself is never changed.
"""

import datetime
import json
from dataclasses import dataclass

from auditlog.registry import auditlog
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from audit.models import ACTION_LABELS, AuditEvent
from core.text_diff import Segment, body_lines, inline_diff

EMPTY = "—"
ACTIONS = ACTION_LABELS
ACCESS_EVENTS = {
    "login": "登录",
    "logout": "退出登录",
    "login_failed": "登录失败",
    "export": "导出数据",
}
DETAIL_LABELS = {
    "event": "事件",
    "username": "登录名",
    "dataset": "数据集",
    "format": "文件格式",
    "filters": "筛选条件",
    "rows": "行数",
    "sha256": "文件校验值（SHA-256）",
    "completed": "是否完成",
    "personal_data": "含个人信息",
    "reason": "理由",
}
FILTER_LABELS = {
    "organ": "发布机构",
    "since": "起始日期",
    "until": "截止日期",
    "status": "状态",
    "year": "年度",
}
M2M_OPERATIONS = {"add": "添加", "delete": "移除", "clear": "清空"}
MASKED = "（已更改，内容不显示）"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class Change:
    """A changed field: its values before and after, as text and as segments with the changed
    words marked (core.text_diff.inline_diff)."""

    label: str
    old: str
    new: str

    @property
    def segments(self) -> tuple:
        if self.old in ("", EMPTY) or self.new in ("", EMPTY) or MASKED in (self.old, self.new):
            return ((Segment(self.old),), (Segment(self.new),))
        return inline_diff(self.old, self.new)


@dataclass(frozen=True)
class Detail:
    label: str
    value: str


def local_time(moment: datetime.datetime | None) -> str:
    """A moment in the site's time zone (TIME_ZONE), to the second."""
    if moment is None:
        return EMPTY
    return timezone.localtime(moment).strftime(TIME_FORMAT)


def action_label(event: AuditEvent) -> str:
    if event.action == AuditEvent.Action.ACCESS:
        kind = (event.additional_data or {}).get("event")
        if kind in ACCESS_EVENTS:
            return ACCESS_EVENTS[kind]
    return ACTIONS.get(event.action, str(event.action))


def object_type(event: AuditEvent) -> str:
    model = event.content_type.model_class() if event.content_type_id else None
    return str(model._meta.verbose_name) if model is not None else event.content_type.model


def changes(event: AuditEvent) -> list[Change]:
    """Each changed field: its Chinese name, and its values before and after as a reader would
    write them."""
    model = event.content_type.model_class() if event.content_type_id else None
    found = []
    for name, values in (event.changes or {}).items():
        field = _field(model, name)
        label = str(field.verbose_name) if field is not None else name
        if isinstance(values, dict) and values.get("type") == "m2m":
            operation = M2M_OPERATIONS.get(values.get("operation"), values.get("operation"))
            objects = "；".join(str(item) for item in values.get("objects", [])) or EMPTY
            found.append(Change(label, "", f"{operation}：{objects}"))
            continue
        old, new = [*values, None, None][:2] if isinstance(values, list) else (None, None)
        if name in _masked_fields(model):
            found.append(Change(label, EMPTY if old is None else MASKED, MASKED))
            continue
        found.append(Change(label, display(field, old), display(field, new)))
    return found


def details(event: AuditEvent) -> list[Detail]:
    """What a login, a failed login or an export recorded beside the event."""
    data = event.additional_data or {}
    if not isinstance(data, dict):
        return [Detail("附加信息", _text(data))]
    found = []
    for key, value in data.items():
        label = DETAIL_LABELS.get(key, key)
        if key == "event":
            value = ACCESS_EVENTS.get(value, value)
        elif key == "dataset":
            value = _dataset_label(value)
        elif key == "filters" and isinstance(value, dict):
            value = "；".join(
                f"{FILTER_LABELS.get(name, name)}：{_text(item)}"
                for name, item in value.items()
                if item not in (None, "", [])
            )
        elif key == "sha256" and isinstance(value, dict):
            value = "；".join(f"{name}：{digest}" for name, digest in value.items())
        elif isinstance(value, bool):
            value = "是" if value else "否"
        found.append(Detail(label, _text(value)))
    return found


def display(field: models.Field | None, value) -> str:
    """A stored value as a reader would write it."""
    if value is None or value == "" or value == "None":
        return EMPTY
    if field is None:
        return _text(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if getattr(field, "holds_html", False):
        return "\n".join(body_lines(str(value)))  # rich text as its paragraphs read
    if isinstance(field, models.ForeignKey):
        return _related_name(field, value)
    if isinstance(field, models.BooleanField):
        return {True: "是", False: "否", "True": "是", "False": "否"}.get(value, _text(value))
    if isinstance(field, models.DateTimeField):
        moment = parse_datetime(str(value))
        if moment is not None:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment, datetime.UTC)
            return local_time(moment)
    elif isinstance(field, models.DateField):
        day = parse_date(str(value)[:10])
        if day is not None:
            return f"{day.year}年{day.month}月{day.day}日"
    return _text(value)


def _related_name(field: models.ForeignKey, value) -> str:
    related = field.related_model._base_manager.filter(**{field.target_field.name: value}).first()
    if related is None:
        return f"编号 {value}（已删除）"
    return str(related)


def _field(model, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _masked_fields(model) -> set[str]:
    """Fields whose values the history keeps only masked (a password's hash)."""
    if model is None or not auditlog.contains(model):
        return set()
    return set(auditlog.get_model_fields(model)["mask_fields"])


# The Chinese names of the datasets an export may hold, filled by the exports app when it is
# installed (ExportsConfig.ready), so that this app need not import it.
DATASET_LABELS: dict[str, str] = {}


def _dataset_label(value) -> str:
    return DATASET_LABELS.get(value, value)


def _text(value) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)

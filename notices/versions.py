"""Comparing two published versions of a notice, for people: field by field, body by paragraph."""

import difflib
import html
import re
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

from notices.models import Notice, NoticeVersion

FIELD_LABELS = {
    "title": "标题",
    "document_number": "文号",
    "genre": "体裁",
    "topics": "主题分类",
    "keywords": "主题词",
    "summary": "内容概述",
    "addressees": "主送机关",
    "signed_on": "成文日期",
    "published_at": "发布日期",
    "disclosure": "公开属性",
    "withheld_reason": "不予公开理由",
    "validity": "有效性",
    "validity_changed_on": "失效或废止日期",
    "attachments": "附件",
    "citations": "引用文件",
}
CHOICES = {
    "genre": dict(Notice.Genre.choices),
    "disclosure": dict(Notice.Disclosure.choices),
    "validity": dict(Notice.Validity.choices),
}
BLOCK_END = re.compile(r"</(p|h[1-6]|li|tr|blockquote|pre)>|<br\s*/?>", re.IGNORECASE)
TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str

    @property
    def changed(self) -> bool:
        return self.old != self.new


def _display(field: str, value) -> str:
    if value in (None, "", []):
        return "—"
    if field in CHOICES:
        return str(CHOICES[field].get(value, value))
    if field == "topics":
        return "；".join(value)
    if field == "attachments":
        return "；".join(f"{item['title']}（{item.get('sha256', '')[:12]}）" for item in value)
    if field == "citations":
        return "；".join(f"《{item['title']}》{item['document_number']}".strip() for item in value)
    return str(value)


def body_lines(body_html: str) -> list[str]:
    """The body as the reader sees it: one line per paragraph, heading or list item."""
    text = BLOCK_END.sub("\n", body_html or "")
    text = html.unescape(TAG.sub("", text))
    return [line.strip() for line in text.splitlines() if line.strip()]


def compare(old: NoticeVersion, new: NoticeVersion) -> tuple[list[FieldChange], SafeString]:
    fields = [
        FieldChange(
            label, _display(name, old.content.get(name)), _display(name, new.content.get(name))
        )
        for name, label in FIELD_LABELS.items()
    ]
    table = difflib.HtmlDiff(wrapcolumn=40).make_table(
        body_lines(old.content.get("body", "")),
        body_lines(new.content.get("body", "")),
        fromdesc=f"第 {old.number} 版",
        todesc=f"第 {new.number} 版",
    )
    # HtmlDiff escapes the compared text itself; its markup is a fixed table.
    return fields, mark_safe(table)  # noqa: S308

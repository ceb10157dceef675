"""The report of an import, per file: what was recognized, what needs an editor, what failed."""

from dataclasses import dataclass, field

from importer.parsed import FlagKind, ParsedNotice


class Status:
    IMPORTED = "imported"
    SKIPPED = "skipped"
    FAILED = "failed"
    LABELS = {IMPORTED: "已导入为草稿", SKIPPED: "未重复导入", FAILED: "导入失败"}


@dataclass
class FileResult:
    name: str
    status: str = Status.FAILED
    reason: str = ""
    notice_id: int | None = None
    notice_title: str = ""
    assessment_id: int | None = None
    recognized: list[tuple[str, str]] = field(default_factory=list)
    flags: list[dict] = field(default_factory=list)
    chrome: list[str] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return Status.LABELS[self.status]

    @property
    def ok(self) -> bool:
        return self.status != Status.FAILED

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "status": self.status,
            "reason": self.reason,
            "notice_id": self.notice_id,
            "notice_title": self.notice_title,
            "assessment_id": self.assessment_id,
            "recognized": [list(pair) for pair in self.recognized],
            "flags": self.flags,
            "chrome": self.chrome,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "FileResult":
        """The result as_dict wrote (a job's report), back as a FileResult."""
        return cls(
            name=data.get("name", ""),
            status=data.get("status", Status.FAILED),
            reason=data.get("reason", ""),
            notice_id=data.get("notice_id"),
            notice_title=data.get("notice_title", ""),
            assessment_id=data.get("assessment_id"),
            recognized=[tuple(pair) for pair in data.get("recognized", [])],
            flags=data.get("flags", []),
            chrome=data.get("chrome", []),
        )

    def as_text(self) -> str:
        lines = [f"【{self.status_label}】{self.name}"]
        if self.reason:
            lines.append(f"  原因：{self.reason}")
        if self.notice_id:
            lines.append(f"  草稿：#{self.notice_id} {self.notice_title}")
        for label, value in self.recognized:
            lines.append(f"  识别 · {label}：{value}")
        for flag in self.flags:
            line = f"  待核对 · {flag['location']}：{flag['message']}"
            if flag.get("raw"):
                line += f" 原文片段：{flag['raw']!r}"
            if flag.get("suggestion"):
                line += f" 建议：{flag['suggestion']}"
            lines.append(line)
        if self.chrome:
            lines.append(
                f"  已去除网站栏目、页眉页脚 {len(self.chrome)} 处：" + "｜".join(self.chrome)
            )
        return "\n".join(lines)


@dataclass
class ImportReport:
    files: list[FileResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for result in self.files if result.status == status)

    @property
    def summary(self) -> str:
        flags = sum(len(result.flags) for result in self.files if result.status == Status.IMPORTED)
        return (
            f"共 {len(self.files)} 个文件：导入 {self.count(Status.IMPORTED)} 个，"
            f"未重复导入 {self.count(Status.SKIPPED)} 个，失败 {self.count(Status.FAILED)} 个；"
            f"待核对 {flags} 处。"
        )

    def as_text(self) -> str:
        return "\n\n".join([*(result.as_text() for result in self.files), self.summary])


def recognized(parsed: ParsedNotice) -> list[tuple[str, str]]:
    """What the parser found, in words, for the report."""
    found = [("标题", parsed.title)]
    if parsed.document_number:
        found.append(("文号", parsed.document_number))
    if parsed.issuer:
        source = {"signature": "落款", "title": "标题", "page": "网页信息"}[parsed.issuer_source]
        found.append(("发文机关", f"{parsed.issuer}（据{source}）"))
    found.append(("体裁", parsed.genre))
    if parsed.signed_on:
        found.append(("成文日期", parsed.signed_on.isoformat()))
    if parsed.published_on:
        found.append(("原网站发布日期", parsed.published_on.isoformat()))
    if parsed.view_count is not None:
        found.append(("原网站点击数", str(parsed.view_count)))
    if parsed.source_name:
        found.append(("原网站来源", parsed.source_name))
    if parsed.addressees:
        found.append(("主送机关", "，".join(parsed.addressees)))
    for citation in parsed.citations:
        found.append(("引用文件", f"《{citation.title}》（{citation.document_number}）"))
    for section in parsed.sections:
        head = f"{section.number}、{section.title}" if section.number else "（未分章节）"
        numbers = [item.label for item in section.items]
        damaged = sum(1 for item in section.items if item.damaged)
        detail = f"{len(numbers)} 项 {''.join(numbers)}" if numbers else "无编号条目"
        if damaged:
            detail += f"，其中 {damaged} 项标题有乱码"
        found.append(("章节", f"{head}：{detail}"))
    for title in parsed.attachments:
        found.append(("附件", title))
    if parsed.statistics:
        found.append(("统计数据", f"{len(parsed.statistics)} 项"))
    if parsed.pinyin_removed:
        found.append(("清理", f"去除拼音注音 {parsed.pinyin_removed} 处；繁体已转为简体"))
    return found


def flag_dicts(parsed: ParsedNotice) -> list[dict]:
    return [
        {**flag.as_dict(), "label": FlagKind.LABELS.get(flag.kind, flag.kind)}
        for flag in parsed.flags
    ]

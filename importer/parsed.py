"""What parsing a legacy notice finds (ParsedNotice: metadata, sections, items, citations,
statistics) and the places an editor must check (Flag). Plain data; no parsing here."""

import datetime
import re
from dataclasses import dataclass, field


class NotANotice(Exception):
    """The text is readable but is not a notice; the message is for people."""


@dataclass
class Flag:
    """A place an editor must look at: what, where, the exact raw text, and a suggestion."""

    kind: str
    location: str
    message: str
    raw: str = ""
    suggestion: str = ""
    section: str = ""
    item: str = ""

    def as_dict(self) -> dict:
        return dict(self.__dict__)


class FlagKind:
    DAMAGED_HEADING = "damaged_heading"
    DAMAGED_TEXT = "damaged_text"
    NUMBERING = "numbering"
    MISSING = "missing"
    STATISTICS = "statistics"
    ATTACHMENT = "attachment"
    CHECK = "check"
    SPAM = "spam"

    LABELS = {
        DAMAGED_HEADING: "标题乱码",
        DAMAGED_TEXT: "正文乱码",
        NUMBERING: "编号",
        MISSING: "缺少信息",
        STATISTICS: "统计数据",
        ATTACHMENT: "附件",
        CHECK: "请核对",
        SPAM: "疑似广告",
    }


@dataclass
class Item:
    number: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    style: str = "paren"  # "paren": （一）; "arabic": 1.
    damaged: bool = False
    raw_fragment: str = ""
    suggested_title: str = ""
    children: list["Item"] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"（{self.number}）" if self.style == "paren" else f"{self.number}."

    @property
    def text(self) -> str:
        parts = list(self.paragraphs)
        for child in self.children:
            head = f"{child.label}{child.title}"
            parts.append("。".join(p for p in [head, *child.paragraphs] if p))
        return "\n".join(parts)

    def as_dict(self) -> dict:
        return {
            "number": self.number,
            "style": self.style,
            "title": self.title,
            "damaged": self.damaged,
            "raw_fragment": self.raw_fragment,
            "suggested_title": self.suggested_title,
            "paragraphs": self.paragraphs,
            "children": [child.as_dict() for child in self.children],
        }


class SectionKind:
    HIGHLIGHTS = "highlights"
    PROBLEMS = "problems"
    RECTIFICATIONS = "rectifications"


SECTION_KINDS = [
    (SectionKind.HIGHLIGHTS, re.compile(r"主要特点|工作亮点|主要成效|主要做法|特点和亮点|亮点")),
    (SectionKind.PROBLEMS, re.compile(r"问题|不足")),
    (SectionKind.RECTIFICATIONS, re.compile(r"整改|工作要求|下一步|有关要求|改进")),
]


@dataclass
class Section:
    number: str
    title: str
    kind: str = ""
    paragraphs: list[str] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    damaged: bool = False
    raw_fragment: str = ""

    def as_dict(self) -> dict:
        return {
            "number": self.number,
            "title": self.title,
            "kind": self.kind,
            "damaged": self.damaged,
            "raw_fragment": self.raw_fragment,
            "paragraphs": self.paragraphs,
            "items": [item.as_dict() for item in self.items],
        }


@dataclass
class Citation:
    title: str
    document_number: str


@dataclass
class ParsedNotice:
    title: str = ""
    document_number: str = ""
    issuer: str = ""
    issuer_source: str = ""  # "signature", "title" or "page"
    genre: str = ""  # the Chinese label, e.g. 通报
    signed_on: datetime.date | None = None
    published_on: datetime.date | None = None
    view_count: int | None = None
    source_name: str = ""
    source_issuer: str = ""  # a page's 发布机构, or an organ's line under the title
    source_signed_on: datetime.date | None = None  # a page's 成文日期/发文日期
    header_issuer: str = ""
    addressees: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    before_title: list[str] = field(default_factory=list)
    preamble: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    signature: list[str] = field(default_factory=list)
    after_signature: list[str] = field(default_factory=list)
    statistics: dict[str, int] = field(default_factory=dict)
    growth_percent: float | None = None
    assessment_year: int | None = None
    flags: list[Flag] = field(default_factory=list)
    chrome: list[str] = field(default_factory=list)
    # Every line left out of the body, with why: {"text": …, "reason": …}.
    removed: list[dict] = field(default_factory=list)
    page_metadata: dict[str, str] = field(default_factory=dict)
    pinyin_removed: int = 0

    @property
    def is_assessment(self) -> bool:
        """An assessment notice: 考核/评估 in the title, and findings or requirements sections."""
        kinds = {section.kind for section in self.sections}
        return bool(re.search(r"考核|评估|测评", self.title)) and bool(
            kinds & {SectionKind.HIGHLIGHTS, SectionKind.PROBLEMS, SectionKind.RECTIFICATIONS}
        )

    def remove(self, text: str, reason: str) -> None:
        self.chrome.append(text)
        self.removed.append({"text": text, "reason": reason})

    def section_of(self, kind: str) -> Section | None:
        return next((section for section in self.sections if section.kind == kind), None)

    def flag(self, kind: str, location: str, message: str, **extra) -> Flag:
        found = Flag(kind, location, message, **extra)
        self.flags.append(found)
        return found

    @property
    def damaged_items(self) -> list[tuple[Section, Item]]:
        return [(s, i) for s in self.sections for i in s.items if i.damaged]

"""Comparing two states of a notice, for people: every metadata field, and the body paragraph by
paragraph, with the changed words marked.

Tables in the body (an annual report's, a score sheet) are compared as tables: rows matched to
rows and each cell to the cell in its place, so that a reviewer sees which figure of which row
changed. The text is cut into the units a reader sees (core.text_diff.tokens): one token per CJK
character, one per run of digits (with its decimal point or thousands separators), one per Latin
word, so that a changed year shows as 2016 → 2017 and never as "于2" / "027年". Everything here
returns plain data; templates/admin/notices/notice/includes/review_*.html draw it.
"""

import difflib
from dataclasses import dataclass
from datetime import date, datetime
from html.parser import HTMLParser

from django.utils import timezone

from core.text_diff import Segment, body_lines, inline_diff
from notices.models import Notice, NoticeVersion
from notices.workflow import snapshot_content

# The fields a version records, in the order of the notice's form. Attachments and citations are
# lists of related rows; the others are fields of Notice.
FIELD_ORDER = [
    "title",
    "document_number",
    "genre",
    "document_category",
    "topics",
    "keywords",
    "summary",
    "addressees",
    "signed_on",
    "published_at",
    "disclosure",
    "withheld_reason",
    "validity",
    "validity_changed_on",
    "interprets",
    "interpretation_form",
    "video_url",
    "attachments",
    "citations",
]
# Rows left out where neither side has a value: the 解读's own fields, empty on other notices.
ONLY_WHEN_SET = {"interprets", "interpretation_form", "video_url"}
EMPTY = "—"


@dataclass(frozen=True)
class Row:
    """One line of a side-by-side comparison: a field, or a paragraph of the body."""

    old: tuple[Segment, ...]
    new: tuple[Segment, ...]
    label: str = ""

    @property
    def changed(self) -> bool:
        return any(segment.change for segment in (*self.old, *self.new)) or (
            not self.old or not self.new
        )

    @property
    def old_text(self) -> str:
        return "".join(segment.text for segment in self.old)

    @property
    def new_text(self) -> str:
        return "".join(segment.text for segment in self.new)

    is_table = False


Cells = tuple[tuple[Segment, ...], ...]


@dataclass(frozen=True)
class TableRow:
    """A row of a compared table: its cells on each side (None where the side lacks the row)."""

    old: Cells | None
    new: Cells | None

    @property
    def changed(self) -> bool:
        if self.old is None or self.new is None:
            return True
        return any(segment.change for cell in (*self.old, *self.new) for segment in cell)


@dataclass(frozen=True)
class TableDiff:
    """A table of the body on both sides, row by row and cell by cell."""

    rows: tuple[TableRow, ...]
    is_table = True

    @property
    def changed(self) -> bool:
        return any(row.changed for row in self.rows)

    @property
    def old_side(self) -> list[tuple[Cells | None, bool]]:
        """Each row's old cells (None where the old table lacks it) and whether it changed."""
        return [(row.old, row.changed) for row in self.rows]

    @property
    def new_side(self) -> list[tuple[Cells | None, bool]]:
        return [(row.new, row.changed) for row in self.rows]

    @property
    def width(self) -> int:
        """The most cells of any row, on either side."""
        sides = [side for row in self.rows for side in (row.old, row.new) if side is not None]
        return max((len(side) for side in sides), default=1)


@dataclass(frozen=True)
class Comparison:
    old_label: str
    new_label: str
    fields: list[Row]
    body: list  # Row for a paragraph, TableDiff for a table

    @property
    def changed_fields(self) -> list[Row]:
        return [row for row in self.fields if row.changed]

    @property
    def body_changed(self) -> bool:
        return any(row.changed for row in self.body)

    @property
    def has_changes(self) -> bool:
        return self.body_changed or bool(self.changed_fields)


def compare_lines(old: list[str], new: list[str]) -> list[Row]:
    """Paragraphs side by side: unchanged ones facing each other, changed ones with their words
    marked, removed and added ones against an empty side."""
    rows: list[Row] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            rows += [Row((Segment(line),), (Segment(line),)) for line in old[i1:i2]]
            continue
        removed, added = old[i1:i2], new[j1:j2]
        paired = min(len(removed), len(added))
        rows += [Row(*inline_diff(removed[k], added[k])) for k in range(paired)]
        rows += [Row((Segment(line, "del"),), ()) for line in removed[paired:]]
        rows += [Row((), (Segment(line, "ins"),)) for line in added[paired:]]
    return rows


class _Blocks(HTMLParser):
    """The body as blocks: a paragraph's text (str), or a table as rows of cell texts."""

    BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "div"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list = []
        self.text: list[str] = []
        self.tables: list[list[list[str]]] = []  # the tables open, innermost last
        self.cell: list[str] | None = None
        self.caption: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            if not self.tables:
                self.end_paragraph()
            self.tables.append([])
        elif self.tables and len(self.tables) == 1 and tag == "tr":
            self.tables[0].append([])
        elif self.tables and len(self.tables) == 1 and tag in ("td", "th"):
            if not self.tables[0]:
                self.tables[0].append([])
            self.cell = []
        elif self.tables and len(self.tables) == 1 and tag == "caption":
            self.caption = []
        elif tag == "br":
            if self.tables:
                self.handle_data(" ")
            else:
                self.end_paragraph()

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "table" and self.tables:
            table = self.tables.pop()
            if not self.tables:
                rows = [row for row in table if any(cell for cell in row)]
                if rows:
                    self.blocks.append(rows)
        elif self.tables and len(self.tables) == 1 and tag in ("td", "th"):
            self.end_cell()
        elif self.caption is not None and tag == "caption":
            # The table's name, as the paragraph before it.
            caption = " ".join("".join(self.caption).split())
            self.caption = None
            if caption:
                self.blocks.append(caption)
        elif not self.tables and tag in self.BLOCKS:
            self.end_paragraph()

    def handle_data(self, data):
        if self.tables and self.cell is not None:
            self.cell.append(data)
        elif self.caption is not None:
            self.caption.append(data)
        elif not self.tables:
            self.text.append(data)

    def end_cell(self):
        if self.cell is not None:
            self.tables[0][-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def end_paragraph(self):
        line = "".join(self.text).strip()
        self.text = []
        if line:
            self.blocks.append(line)

    def close(self):
        super().close()
        self.end_paragraph()


def body_blocks(body_html: str) -> list:
    """The body as a reader sees it: each paragraph, heading or list item as its text, each
    table as its rows of cell texts."""
    parser = _Blocks()
    parser.feed(body_html or "")
    parser.close()
    return parser.blocks


def _block_key(block) -> tuple:
    if isinstance(block, str):
        return ("text", block)
    return ("table", tuple(tuple(row) for row in block))


def _cells(cells: list[str], change: str) -> Cells:
    return tuple((Segment(cell, change),) if cell else () for cell in cells)


def compare_tables(old: list[list[str]], new: list[list[str]]) -> TableDiff:
    """Two tables row by row (rows matched by their text), each pair of rows cell by cell."""
    rows: list[TableRow] = []
    matcher = difflib.SequenceMatcher(None, [tuple(r) for r in old], [tuple(r) for r in new])
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            rows += [TableRow(_cells(row, ""), _cells(row, "")) for row in old[i1:i2]]
            continue
        removed, added = old[i1:i2], new[j1:j2]
        for before, after in zip(removed, added, strict=False):
            width = max(len(before), len(after))
            before = before + [""] * (width - len(before))
            after = after + [""] * (width - len(after))
            pairs = [inline_diff(a, b) for a, b in zip(before, after, strict=True)]
            rows.append(TableRow(tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)))
        paired = min(len(removed), len(added))
        rows += [TableRow(_cells(row, "del"), None) for row in removed[paired:]]
        rows += [TableRow(None, _cells(row, "ins")) for row in added[paired:]]
    return TableDiff(tuple(rows))


def _runs(blocks: list) -> list[tuple[bool, list]]:
    """Consecutive blocks of one kind together: (is a table, the blocks)."""
    runs: list[tuple[bool, list]] = []
    for block in blocks:
        is_table = not isinstance(block, str)
        if runs and runs[-1][0] == is_table:
            runs[-1][1].append(block)
        else:
            runs.append((is_table, [block]))
    return runs


def _compared_run(before: tuple | None, after: tuple | None) -> list:
    """Two runs of the same kind compared (either may be missing)."""
    is_table = (before or after)[0]
    old, new = (before[1] if before else []), (after[1] if after else [])
    if not is_table:
        return compare_lines(old, new)
    return [
        compare_tables(old[i] if i < len(old) else [], new[i] if i < len(new) else [])
        for i in range(max(len(old), len(new)))
    ]


def compare_body(old_html: str, new_html: str) -> list:
    """Two bodies block by block: paragraphs as compare_lines does, tables cell by cell."""
    old, new = body_blocks(old_html), body_blocks(new_html)
    compared: list = []
    matcher = difflib.SequenceMatcher(
        None, [_block_key(b) for b in old], [_block_key(b) for b in new], autojunk=False
    )
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = old[i1:i2], new[j1:j2]
        if op == "equal":
            for block in removed:
                if isinstance(block, str):
                    compared.append(Row((Segment(block),), (Segment(block),)))
                else:
                    compared.append(compare_tables(block, block))
            continue
        # Runs of paragraphs against runs of paragraphs (as compare_lines), tables against
        # tables in their order; a run with nothing of its kind facing it is removed or added.
        old_runs, new_runs = _runs(removed), _runs(added)
        for index in range(max(len(old_runs), len(new_runs))):
            before = old_runs[index] if index < len(old_runs) else None
            after = new_runs[index] if index < len(new_runs) else None
            if before is not None and after is not None and before[0] != after[0]:
                compared += _compared_run(before, None) + _compared_run(None, after)
            else:
                compared += _compared_run(before, after)
    return compared


def field_label(name: str) -> str:
    if name == "attachments":
        return str(Notice.attachments.rel.related_model._meta.verbose_name)
    if name == "citations":
        return str(Notice.citations.rel.related_model._meta.verbose_name)
    return str(Notice._meta.get_field(name).verbose_name)


def display(name: str, value) -> str:
    """A recorded value as a reader would write it: labels of choices, dates in Chinese,
    times in the site's time zone, lists joined."""
    if value in (None, "", []):
        return EMPTY
    if name == "topics":
        return "；".join(value)
    if name == "attachments":
        return "；".join(
            f"{item['title']}（{item.get('original_name') or item.get('file', '')}"
            f"{'，正文图片' if item.get('body_image') else ''}）"
            for item in value
        )
    if name == "citations":
        return "；".join(
            f"《{item['title']}》{item.get('document_number') or ''}".strip() for item in value
        )
    field = Notice._meta.get_field(name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:  # the genre, recorded by its code
        found = field.related_model.objects.filter(**{field.target_field.name: value}).first()
        return str(found or value)
    if field.get_internal_type() == "DateTimeField":
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        moment = timezone.localtime(moment)
        return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"
    if field.get_internal_type() == "DateField":
        day = date.fromisoformat(value) if isinstance(value, str) else value
        return f"{day.year}年{day.month}月{day.day}日"
    return str(value)


def content_rows(content: dict) -> list[tuple[str, str]]:
    """A recorded version as a reader reads it: each field's label and value, then the body's
    paragraphs."""
    rows = [
        (field_label(name), display(name, content.get(name)))
        for name in FIELD_ORDER
        if name not in ONLY_WHEN_SET or content.get(name)
    ]
    rows.append(
        (
            str(Notice._meta.get_field("body").verbose_name),
            "\n".join(body_lines(content.get("body", ""))),
        )
    )
    return rows


def compare_content(old: dict, new: dict, old_label: str, new_label: str) -> Comparison:
    """Two recorded contents (NoticeVersion.content's shape) compared field by field and
    paragraph by paragraph."""
    fields = []
    for name in FIELD_ORDER:
        if name in ONLY_WHEN_SET and not (old.get(name) or new.get(name)):
            continue
        before, after = display(name, old.get(name)), display(name, new.get(name))
        fields.append(Row(*inline_diff(before, after), label=field_label(name)))
    body = compare_body(old.get("body", ""), new.get("body", ""))
    return Comparison(old_label, new_label, fields, body)


def compare(old: NoticeVersion, new: NoticeVersion) -> tuple[list[Row], list]:
    """Two published versions: the rows of their fields and of their bodies."""
    comparison = compare_content(
        old.content, new.content, f"第 {old.number} 版", f"第 {new.number} 版"
    )
    return comparison.fields, comparison.body


def correction_comparison(correction: Notice) -> Comparison | None:
    """A correction against what the public reads now: its original's latest published version
    (or, for an original published before versions were kept, its current content)."""
    if not correction.is_correction:
        return None
    original = correction.correction_of
    published = original.versions.order_by("-number").first()
    if published is not None:
        old_content, old_label = published.content, f"已发布（第 {published.number} 版）"
    else:
        old_content, old_label = snapshot_content(original), "已发布"
    return compare_content(old_content, snapshot_content(correction), old_label, "更正稿")

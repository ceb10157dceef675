"""Score tables (考核成绩表) in and out: CSV and XLSX files, one table per unit group.

The layout is the one the general office circulates as an attachment: a header row with a unit
column (单位 or 单位名称) and one column per leaf indicator, named by its code ("A1.2" or
"A1.2 指标名称"); then one row per unit, named by the organ's full name or short name. Rows above
the header (a title such as 附件1 …成绩表) are ignored, and so are columns such as 序号, 总分 and
等次 that the office adds for readers. A column "A1.2 备注" carries remarks for that indicator.

These are plain functions: parse_table reads a file into rows, build_entries checks the rows
against an assessment and returns entries for workflow.save_scores, export_csv and export_xlsx
write the template pre-filled with the current scores. Nothing here writes to the database.
"""

import csv
import io
import re
import time
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import openpyxl
from openpyxl.styles import Font

from assessments.models import AssessedUnit, Assessment, Indicator, Score, UnitGroup
from core import office_files
from core.text import FORMULA_START, formula_guarded

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 1000
MAX_COLUMNS = 200
# Blank rows are skipped, but only this many are looked at: a file of millions of empty rows is
# refused rather than read to its end.
MAX_SCANNED_ROWS = 20 * MAX_ROWS
# Cells read up to each row's last filled one, over every sheet: as many as MAX_ROWS units by
# 100 indicators, far more than a score table has.
MAX_CELLS = 100 * MAX_ROWS
MAX_SHEETS = 20
# A workbook is read in the request: its zip and XML are checked first (core/office_files.py),
# and reading stops with a message past this many seconds, well inside a worker's timeout. A
# sheet of MAX_CELLS cells is about 3 MB of XML.
READ_SECONDS = 15
XLSX_LIMITS = office_files.Limits(
    max_members=500, max_member_bytes=8 * 1024 * 1024, max_total_bytes=12 * 1024 * 1024,
    parse_xml=True,
)  # fmt: skip
HEADER_SEARCH_ROWS = 10
REMARK_MAX_LENGTH = Score._meta.get_field("remark").max_length
UNIT_HEADERS = ("单位", "单位名称")
REMARK_HEADER = "备注"
# Columns the office adds for readers; they are derived or free text and never imported.
IGNORED_HEADERS = ("序号", "总分", "合计", "得分合计", "排名", "名次", "等次", REMARK_HEADER)

Entries = dict[tuple[int, int], tuple[Decimal | None, str]]


class TableError(Exception):
    """The file cannot be read as a table at all; the message is for people."""


@dataclass(frozen=True)
class Row:
    number: int
    """The row number a spreadsheet shows, counting from 1."""
    cells: list[str]

    def cell(self, index: int) -> str:
        return self.cells[index] if index < len(self.cells) else ""

    @property
    def is_blank(self) -> bool:
        return not any(self.cells)


def normalize(text: str) -> str:
    """Compare names and codes as people mean them: full-width forms and spaces do not count."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def plain_number(value: Decimal) -> str:
    """40.00 → "40", 38.50 → "38.5"."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def parse_points(text: str) -> Decimal:
    """A score as typed in a cell; ValueError with a message for people if it is not one."""
    cleaned = normalize(text)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"“{text.strip()}”不是数字。") from None
    if not value.is_finite() or "e" in cleaned.lower():
        raise ValueError(f"“{text.strip()}”不是数字。")
    if value.normalize().as_tuple().exponent < -2:
        raise ValueError(f"得分 {cleaned} 最多保留两位小数。")
    return value


def range_error(indicator: Indicator, value: Decimal) -> str | None:
    if 0 <= value <= indicator.max_score:
        return None
    return f"得分 {plain_number(value)} 超出范围（0–{plain_number(indicator.max_score)}）。"


def _natural_key(code: str) -> list[tuple[int, int | str]]:
    """A1.2 before A1.10: digits compare as numbers."""
    return [(0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", code)]


def tree_order(indicators: list[Indicator]) -> list[Indicator]:
    """Indicators depth first, siblings by position then code, as the indicator table reads."""
    ids = {indicator.pk for indicator in indicators}
    children: dict[int | None, list[Indicator]] = {}
    for indicator in indicators:
        parent = indicator.parent_id if indicator.parent_id in ids else None
        children.setdefault(parent, []).append(indicator)
    for siblings in children.values():
        siblings.sort(key=lambda i: (i.position, _natural_key(i.code)))
    ordered, seen = [], set()

    def visit(parent_id: int | None) -> None:
        for indicator in children.get(parent_id, []):
            if indicator.pk not in seen:
                seen.add(indicator.pk)
                ordered.append(indicator)
                visit(indicator.pk)

    visit(None)
    return ordered


def sheet_columns(indicators: list[Indicator], group: UnitGroup) -> list[Indicator]:
    """The leaf indicators scored on this group's sheet, in tree order."""
    parents = {indicator.parent_id for indicator in indicators}
    return [
        indicator
        for indicator in tree_order(indicators)
        if indicator.pk not in parents and indicator.group_id in (None, group.pk)
    ]


def parse_table(file) -> list[Row]:
    """Read an uploaded CSV or XLSX file (recognized by content, not by name) into rows."""
    data = file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise TableError(f"文件超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB，请检查是否选错了文件。")
    if not data.strip():
        raise TableError("文件是空的。")
    if data.startswith(b"PK\x03\x04"):
        rows = _read_xlsx(data)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise TableError(
            "不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 CSV 后再上传。"
        )
    else:
        rows = _read_csv(data)
    return rows


def _read_csv(data: bytes) -> list[Row]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TableError(
            "文件是 UTF-16 编码（Excel 的“Unicode 文本”），请另存为“CSV UTF-8”或 XLSX。"
        )
    if b"\x00" in data:
        raise TableError("文件不是 CSV 或 XLSX 格式。")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TableError("无法识别文件编码，请将成绩表保存为 UTF-8 或 GB18030（GBK）编码的 CSV。")
    if any(unicodedata.category(char) == "Cc" and char not in "\t\r\n" for char in text):
        raise TableError("文件不是 CSV 或 XLSX 格式。")
    first_line = text.split("\n", 1)[0]
    dialect = csv.excel_tab if first_line.count("\t") > first_line.count(",") else csv.excel
    try:
        lines = csv.reader(io.StringIO(text), dialect)
        return _rows((cell for cell in cells[: MAX_COLUMNS + 1]) for cells in lines)
    except csv.Error as error:
        raise TableError(f"CSV 文件格式有误：{error}") from error


def _read_xlsx(data: bytes) -> list[Row]:
    deadline = time.monotonic() + READ_SECONDS
    try:
        office_files.check_zip(data, XLSX_LIMITS, deadline=deadline)
    except office_files.UnsafeFile as error:
        raise TableError(f"无法读取 XLSX 文件：{error}") from error
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            if len(workbook.worksheets) > MAX_SHEETS:
                raise TableError(f"XLSX 文件的工作表超过 {MAX_SHEETS} 个，请只保留成绩表。")
            budget = _Budget(deadline)
            first, *others = workbook.worksheets
            if any(_sheet_rows(sheet, budget) for sheet in others):
                raise TableError("XLSX 文件只能有一个工作表有数据，请每次导入一个分组的成绩表。")
            return _sheet_rows(first, budget)
        finally:
            workbook.close()
    except TableError:
        raise
    except Exception as error:
        # A damaged workbook fails deep in zipfile, zlib, the XML parser or openpyxl, each with
        # exceptions of its own; for the person uploading it, it is one problem.
        raise TableError("无法读取 XLSX 文件，文件可能已损坏。") from error


@dataclass
class _Budget:
    """Cells and time left for reading one file."""

    deadline: float
    cells: int = 0

    def spend(self, cells: int) -> None:
        self.cells += cells
        if self.cells > MAX_CELLS:
            raise TableError(
                f"文件超过 {MAX_CELLS} 个单元格，请删除多余的行和列，或按分组分别导入。"
            )
        if time.monotonic() > self.deadline:
            raise TableError("读取文件超时，表格可能过大或过于复杂，请只保留成绩表后再上传。")


def _sheet_rows(sheet, budget: _Budget) -> list[Row]:
    values = sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True)
    return _rows(((_cell_text(value) for value in row) for row in values), budget)


def _rows(lines, budget: _Budget | None = None) -> list[Row]:
    """Number the lines as a spreadsheet does and keep the ones with something in them."""
    budget = budget or _Budget(time.monotonic() + READ_SECONDS)
    rows = []
    for number, line in enumerate(lines, start=1):
        if number > MAX_SCANNED_ROWS:
            raise TableError(f"文件超过 {MAX_SCANNED_ROWS} 行（含空行），请删除多余的行。")
        cells = [_clean_text(cell) for cell in line]
        while cells and not cells[-1]:
            cells.pop()
        budget.spend(len(cells))
        if cells:
            if len(rows) >= MAX_ROWS:
                raise TableError(f"文件超过 {MAX_ROWS} 行，请按分组分别导入。")
            rows.append(Row(number, cells))
    return rows


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # repr is the shortest text that reads back as the same float: 38.5, not 38.499999…
        return repr(value)
    return str(value)


def _clean_text(text: str) -> str:
    """Strip spaces, and the quote that export puts before a formula-like text."""
    text = text.strip()
    if text.startswith("'") and text[1:2] in FORMULA_START:
        return text[1:]
    return text


@dataclass(frozen=True)
class Column:
    index: int
    header: str
    indicator: Indicator
    is_remark: bool


def build_entries(assessment: Assessment, rows: list[Row]) -> tuple[Entries, list[str]]:
    """Check the rows against the assessment; entries for workflow.save_scores, or errors.

    Every error names the row and the column. An empty cell is an error: to leave an indicator
    unchanged, leave its column out. Remarks stay as they are unless a remark column is present.
    """
    rows = [row for row in rows if not row.is_blank]
    if not rows:
        return {}, ["文件中没有数据。"]
    header = next(
        (
            row
            for row in rows[:HEADER_SEARCH_ROWS]
            if any(normalize(cell) in UNIT_HEADERS for cell in row.cells)
        ),
        None,
    )
    if header is None:
        return {}, ["找不到表头：表头应有“单位名称”（或“单位”）列，其后每列一个指标编号。"]
    data_rows = [row for row in rows if row.number > header.number]

    indicators = list(assessment.indicators.all())
    unit_column, columns, errors = _read_header(header, indicators, data_rows)
    if unit_column is None:
        return {}, errors
    if not any(not column.is_remark for column in columns) and not errors:
        errors.append(f"第 {header.number} 行：表头中没有指标列，列名应为指标编号，例如 A1。")

    units = list(assessment.units.select_related("organ", "group"))
    existing = {
        (unit_id, indicator_id): remark
        for unit_id, indicator_id, remark in Score.objects.filter(
            unit__assessment=assessment
        ).values_list("unit_id", "indicator_id", "remark")
    }
    find_unit = _unit_finder(units)
    entries: Entries = {}
    seen_units: dict[int, int] = {}
    unit_header = header.cell(unit_column)
    for row in data_rows:
        name = row.cell(unit_column)
        where = f"第 {row.number} 行「{unit_header}」列"
        if not name:
            errors.append(f"{where}：单位名称为空。")
            continue
        unit = find_unit(name)
        if unit is None:
            errors.append(f"{where}：“{name}”不是这次考核的考核对象，请核对单位全称。")
            continue
        if unit.pk in seen_units:
            errors.append(f"{where}：“{name}”与第 {seen_units[unit.pk]} 行是同一单位，重复了。")
            continue
        seen_units[unit.pk] = row.number
        _read_cells(row, unit, columns, existing, entries, errors)
    return entries, errors


def _read_header(
    header: Row, indicators: list[Indicator], data_rows: list[Row]
) -> tuple[int | None, list[Column], list[str]]:
    by_code = {normalize(indicator.code): indicator for indicator in indicators}
    parents = {indicator.parent_id for indicator in indicators}
    unit_column, columns, errors = None, [], []
    taken: dict[tuple[int, bool], str] = {}
    width = max(len(row.cells) for row in [header, *data_rows])
    for index in range(width):
        text = header.cell(index)
        where = f"第 {header.number} 行「{text}」列"
        if index >= MAX_COLUMNS:
            errors.append(f"第 {header.number} 行：列数超过 {MAX_COLUMNS}，请删除多余的列。")
            break
        name = normalize(text)
        if name in UNIT_HEADERS:
            if unit_column is not None:
                errors.append(f"{where}：单位列重复。")
            else:
                unit_column = index
            continue
        if not name:
            if any(row.cell(index) for row in data_rows):
                errors.append(f"第 {header.number} 行第 {index + 1} 列：有数据但缺少列名。")
            continue
        if name in IGNORED_HEADERS:
            continue
        indicator, rest = _match_code(name, by_code)
        if indicator is None:
            errors.append(f"{where}：这次考核没有编号为“{_leading_code(text)}”的指标。")
            continue
        if indicator.pk in parents:
            errors.append(f"{where}：{indicator.code} 是上级指标，只能为末级指标打分，请删除该列。")
            continue
        column = Column(index, text, indicator, is_remark=rest == REMARK_HEADER)
        key = (indicator.pk, column.is_remark)
        if key in taken:
            errors.append(f"{where}：与「{taken[key]}」列重复，同一指标只能有一列。")
            continue
        taken[key] = text
        columns.append(column)
    return unit_column, columns, errors


def _match_code(name: str, by_code: dict[str, Indicator]) -> tuple[Indicator | None, str]:
    """The indicator whose code begins the (normalized) header, and the rest of the header."""
    candidates = [
        code
        for code in by_code
        if name.startswith(code) and not re.match(r"[A-Za-z0-9.]", name[len(code) : len(code) + 1])
    ]
    if not candidates:
        return None, ""
    code = max(candidates, key=len)
    return by_code[code], name[len(code) :]


def _leading_code(text: str) -> str:
    match = re.match(r"[A-Za-z0-9.]+", normalize(text))
    return match.group(0) if match else text.strip()


def _unit_finder(units: list[AssessedUnit]):
    by_name = {normalize(unit.organ.name): unit for unit in units}
    by_short: dict[str, list[AssessedUnit]] = {}
    for unit in units:
        if unit.organ.short_name:
            by_short.setdefault(normalize(unit.organ.short_name), []).append(unit)

    def find(name: str) -> AssessedUnit | None:
        key = normalize(name)
        if key in by_name:
            return by_name[key]
        matches = by_short.get(key, [])
        return matches[0] if len(matches) == 1 else None

    return find


def _read_cells(
    row: Row,
    unit: AssessedUnit,
    columns: list[Column],
    existing: dict[tuple[int, int], str],
    entries: Entries,
    errors: list[str],
) -> None:
    remarks = {c.indicator.pk: row.cell(c.index) for c in columns if c.is_remark}
    for column in columns:
        indicator, text = column.indicator, row.cell(column.index)
        where = f"第 {row.number} 行「{column.header}」列"
        if indicator.group_id not in (None, unit.group_id):
            if text:
                errors.append(
                    f"{where}：指标 {indicator.code} 不适用于“{unit.organ.name}”"
                    f"所在的分组“{unit.group.name}”。"
                )
            continue
        if column.is_remark:
            if len(text) > REMARK_MAX_LENGTH:
                errors.append(f"{where}：备注超过 {REMARK_MAX_LENGTH} 字。")
            continue
        if not text:
            errors.append(f"{where}：得分为空。不修改的指标请删除整列。")
            continue
        try:
            value = parse_points(text)
        except ValueError as error:
            errors.append(f"{where}：{error}")
            continue
        problem = range_error(indicator, value)
        if problem:
            errors.append(f"{where}：{problem}")
            continue
        key = (unit.pk, indicator.pk)
        remark = remarks.get(indicator.pk, existing.get(key, ""))
        entries[key] = (value, remark[:REMARK_MAX_LENGTH])


def sheet(assessment: Assessment, group: UnitGroup) -> tuple[list[str], list[list]]:
    """The group's score table: the header and one row per unit with its current scores."""
    columns = sheet_columns(list(assessment.indicators.all()), group)
    units = list(group.units.select_related("organ").order_by("position", "pk"))
    scores = {
        (unit_id, indicator_id): value
        for unit_id, indicator_id, value in Score.objects.filter(unit__group=group).values_list(
            "unit_id", "indicator_id", "value"
        )
    }
    header = [UNIT_HEADERS[1], *(f"{i.code} {i.name}" for i in columns)]
    rows = [[unit.organ.name, *(scores.get((unit.pk, i.pk)) for i in columns)] for unit in units]
    return header, rows


def export_csv(assessment: Assessment, group: UnitGroup) -> bytes:
    """The score table as CSV in UTF-8 with a BOM, which Excel opens without garbling."""
    header, rows = sheet(assessment, group)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([formula_guarded(text) for text in header])
    for name, *values in rows:
        numbers = ("" if v is None else plain_number(v) for v in values)
        writer.writerow([formula_guarded(name), *numbers])
    return out.getvalue().encode("utf-8-sig")


def export_xlsx(assessment: Assessment, group: UnitGroup) -> bytes:
    header, rows = sheet(assessment, group)
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = re.sub(r"[\[\]:*?/\\]", "", group.name)[:31] or "成绩表"
    worksheet.append([formula_guarded(text) for text in header])
    for name, *values in rows:
        worksheet.append([formula_guarded(name), *values])
    for cell in worksheet[1]:
        cell.font = Font(bold=True)
    worksheet.freeze_panes = "B2"
    worksheet.column_dimensions["A"].width = 30
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

"""A published report's tables as CSV and as .xlsx in the template's layout (merged header
cells as in the official form). Every text cell passes core.text.formula_guarded."""

import csv
import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from annual_reports import layout
from core.text import formula_guarded

TABLE3_HEAD_COLUMNS = 3  # the row labels take three columns: part, category, item


def _text(value) -> str:
    return formula_guarded(str(value))


def table_rows(content: dict) -> list[list]:
    """Every figure of tables 2–4 as flat rows: 表, 项目, 列, 数值 (CSV)."""
    rows: list[list] = [["表格", "项目", "列", "数值"]]
    tables = content["tables"]
    for key, label in layout.TABLE2_DOCUMENT_ROWS:
        for column, heading in layout.TABLE2_DOCUMENT_COLUMNS:
            rows.append(["二", label, heading, tables["2"][key][column]])
    for field, label, heading in layout.TABLE2_ENTERED:
        value = content["entered"].get(field)
        rows.append(["二", label, heading, "" if value is None else value])
    for row in layout.TABLE3_ROW_KEYS:
        for column in layout.TABLE3_COLUMN_KEYS:
            rows.append(
                [
                    "三",
                    layout.row_label("3", row),
                    layout.column_label("3", column),
                    tables["3"][row][column],
                ]
            )
    for row in layout.TABLE4_ROW_KEYS:
        for column in layout.TABLE4_COLUMN_KEYS:
            rows.append(
                [
                    "四",
                    layout.row_label("4", row),
                    layout.column_label("4", column),
                    tables["4"][row][column],
                ]
            )
    return [[_text(v) if isinstance(v, str) else v for v in row] for row in rows]


def csv_bytes(content: dict) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(table_rows(content))
    # With a BOM, so that spreadsheet programs read the Chinese text as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _header(sheet, row: int, column: int, value: str, rows: int = 1, columns: int = 1) -> None:
    sheet.cell(row=row, column=column, value=_text(value)).font = Font(bold=True)
    sheet.cell(row=row, column=column).alignment = Alignment(
        horizontal="center", vertical="center", wrap_text=True
    )
    if rows > 1 or columns > 1:
        sheet.merge_cells(
            start_row=row,
            start_column=column,
            end_row=row + rows - 1,
            end_column=column + columns - 1,
        )


def _table2(sheet, content: dict) -> None:
    """The template's table 2: 第二十条第（一）项 with its three columns, then the entered
    figures under 第（五）、（六）、（八）项, each value merged across those columns."""
    tables = content["tables"]["2"]
    _header(sheet, 1, 1, f"{content['title']}  二、主动公开政府信息情况", columns=4)
    _header(sheet, 2, 1, str(layout.TABLE2_DOCUMENTS_ITEM), columns=4)
    _header(sheet, 3, 1, "信息内容")
    for offset, (_key, heading) in enumerate(layout.TABLE2_DOCUMENT_COLUMNS):
        _header(sheet, 3, 2 + offset, heading)
    line = 4
    for key, label in layout.TABLE2_DOCUMENT_ROWS:
        sheet.cell(row=line, column=1, value=_text(label))
        for offset, (column, _heading) in enumerate(layout.TABLE2_DOCUMENT_COLUMNS):
            sheet.cell(row=line, column=2 + offset, value=tables[key][column])
        line += 1
    for section in layout.entered_sections():
        _header(sheet, line, 1, str(section["item"]), columns=4)
        _header(sheet, line + 1, 1, "信息内容")
        _header(sheet, line + 1, 2, str(section["heading"]), columns=3)
        line += 2
        for field, label in section["rows"]:
            value = content["entered"].get(field)
            sheet.cell(row=line, column=1, value=_text(label))
            sheet.cell(row=line, column=2, value=None if value is None else Decimal(value))
            sheet.merge_cells(start_row=line, start_column=2, end_row=line, end_column=4)
            line += 1
    sheet.column_dimensions["A"].width = 24


def _table3(sheet, content: dict) -> None:
    table = content["tables"]["3"]
    parts = len(layout.ORGANIZATION_COLUMNS)
    width = TABLE3_HEAD_COLUMNS + 1 + parts + 1
    _header(sheet, 1, 1, f"{content['title']}  三、收到和处理政府信息公开申请情况", columns=width)
    _header(
        sheet, 2, 1, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
        rows=3, columns=TABLE3_HEAD_COLUMNS,
    )  # fmt: skip
    _header(sheet, 2, TABLE3_HEAD_COLUMNS + 1, "申请人情况", columns=1 + parts + 1)
    _header(sheet, 3, TABLE3_HEAD_COLUMNS + 1, "自然人", rows=2)
    _header(sheet, 3, TABLE3_HEAD_COLUMNS + 2, "法人或其他组织", columns=parts)
    for offset, (_key, label) in enumerate(layout.ORGANIZATION_COLUMNS):
        _header(sheet, 4, TABLE3_HEAD_COLUMNS + 2 + offset, str(label))
    _header(sheet, 3, TABLE3_HEAD_COLUMNS + 2 + parts, "总计", rows=2)
    line = 5

    def figures(row_key: str) -> None:
        for offset, column in enumerate(layout.TABLE3_COLUMN_KEYS):
            sheet.cell(
                row=line, column=TABLE3_HEAD_COLUMNS + 1 + offset, value=table[row_key][column]
            )

    for key in (layout.NEW, layout.CARRIED_IN):
        _header(sheet, line, 1, str(layout.TOP_ROW_LABELS[key]), columns=TABLE3_HEAD_COLUMNS)
        figures(key)
        line += 1
    groups = layout.result_groups()
    results_rows = sum(len(group["rows"]) for group in groups) + 1
    _header(sheet, line, 1, str(layout.TOP_ROW_LABELS["results"]), rows=results_rows)
    for group in groups:
        if group["single"]:
            _header(sheet, line, 2, group["label"], columns=2)
            figures(group["rows"][0]["key"])
            line += 1
            continue
        _header(sheet, line, 2, group["label"], rows=len(group["rows"]))
        for item in group["rows"]:
            sheet.cell(row=line, column=3, value=_text(f"{item['number']}.{item['label']}"))
            figures(item["key"])
            line += 1
    _header(sheet, line, 2, str(layout.RESULTS_TOTAL_LABEL), columns=2)
    figures(layout.RESULTS_TOTAL)
    line += 1
    _header(
        sheet, line, 1, str(layout.TOP_ROW_LABELS[layout.CARRIED_OUT]), columns=TABLE3_HEAD_COLUMNS
    )
    figures(layout.CARRIED_OUT)
    for letter, size in (("A", 14), ("B", 16), ("C", 40)):
        sheet.column_dimensions[letter].width = size


def _table4(sheet, content: dict) -> None:
    table = content["tables"]["4"]
    _header(sheet, 1, 1, f"{content['title']}  四、政府信息公开行政复议、行政诉讼情况", columns=15)
    # As the form has it: 行政复议 over its five results, each of those over two rows; 行政诉讼
    # over its two kinds, each over its five results.
    _header(sheet, 2, 1, "行政复议", columns=5)
    _header(sheet, 2, 6, "行政诉讼", columns=10)
    _header(sheet, 3, 6, "未经复议直接起诉", columns=5)
    _header(sheet, 3, 11, "复议后起诉", columns=5)
    for block, row_key in enumerate(layout.TABLE4_ROW_KEYS):
        for offset, column in enumerate(layout.TABLE4_COLUMN_KEYS):
            position = 1 + block * 5 + offset
            label = str(layout.TABLE4_COLUMN_LABELS[column])
            if block == 0:
                _header(sheet, 3, position, label, rows=2)
            else:
                _header(sheet, 4, position, label)
            sheet.cell(row=5, column=position, value=table[row_key][column])


def xlsx_bytes(content: dict) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "二、主动公开"
    _table2(sheet, content)
    _table3(workbook.create_sheet("三、依申请公开"), content)
    _table4(workbook.create_sheet("四、复议诉讼"), content)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

"""The template's own consistency rules (国办公开办函〔2021〕30号), checked on the figures a
report will publish (counted, with hand adjustments), each failure said in plain Chinese.

- Table 3: in every column, 一 本年新收 + 二 上年结转 = 三（七）总计 + 四 结转下年度; in every
  row, 总计 = 自然人 + the five kinds of 法人或其他组织; （七）总计 = the sum of (一)–(六).
- Table 4: each 总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结."""

from annual_reports import layout

Table = dict[str, dict[str, int]]


def _cell(table: Table, row: str, column: str) -> int:
    return int(table.get(row, {}).get(column, 0))


def requests_findings(table: Table) -> list[str]:
    findings = []
    label = layout.column_label
    for row in layout.TABLE3_ROW_KEYS:
        parts = sum(_cell(table, row, column) for column in layout.TABLE3_PART_COLUMNS)
        total = _cell(table, row, layout.TOTAL)
        if parts != total:
            findings.append(
                f"表三「{layout.row_label('3', row)}」的总计为{total}件，"
                f"但自然人与法人或其他组织各列相加为{parts}件，相差{abs(total - parts)}件。"
            )
    for column in layout.TABLE3_COLUMN_KEYS:
        outcomes = sum(_cell(table, outcome, column) for outcome in layout.OUTCOME_ROWS)
        total = _cell(table, layout.RESULTS_TOTAL, column)
        if outcomes != total:
            findings.append(
                f"表三「{label('3', column)}」列：「（七）总计」为{total}件，"
                f"但（一）至（六）各项办理结果相加为{outcomes}件，相差{abs(total - outcomes)}件。"
            )
    for column in layout.TABLE3_COLUMN_KEYS:
        new = _cell(table, layout.NEW, column)
        carried_in = _cell(table, layout.CARRIED_IN, column)
        results = _cell(table, layout.RESULTS_TOTAL, column)
        carried_out = _cell(table, layout.CARRIED_OUT, column)
        if new + carried_in != results + carried_out:
            findings.append(
                f"表三「{label('3', column)}」列：本年新收{new}件加上年结转{carried_in}件"
                f"共{new + carried_in}件，应等于办理结果总计{results}件加结转下年度"
                f"{carried_out}件共{results + carried_out}件，"
                f"相差{abs(new + carried_in - results - carried_out)}件。"
            )
    return findings


def appeals_findings(table: Table) -> list[str]:
    findings = []
    for row in layout.TABLE4_ROW_KEYS:
        parts = sum(_cell(table, row, column) for column in layout.TABLE4_PART_COLUMNS)
        total = _cell(table, row, layout.TOTAL)
        if parts != total:
            findings.append(
                f"表四「{layout.row_label('4', row)}」的总计为{total}件，但结果维持、结果纠正、"
                f"其他结果、尚未审结相加为{parts}件，相差{abs(total - parts)}件。"
            )
    return findings


def findings(tables: dict[str, Table]) -> list[str]:
    """Every rule that fails on these tables, in the template's order; empty when all hold."""
    return requests_findings(tables["3"]) + appeals_findings(tables["4"])

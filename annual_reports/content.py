"""A report's content as one plain dict: its texts, entered figures, the tables as counted and
as published (with the hand adjustments applied) and the checks' findings. A draft's content is
built from the data each time; on submission it is frozen (``AnnualReport.review_content``) and
on publication kept as published (``published_content``), so later data never changes it.

``rows_for_display`` turns a content dict into the rows the report's template draws."""

import copy
from decimal import Decimal

from annual_reports import checks, figures, layout
from annual_reports.models import AnnualReport

ENTERED_FIELDS = [field for field, _label, _heading in layout.TABLE2_ENTERED]


def entered_values(report: AnnualReport | None) -> dict[str, str | None]:
    if report is None:
        return dict.fromkeys(ENTERED_FIELDS)
    values = {}
    for field in ENTERED_FIELDS:
        value = getattr(report, field)
        if isinstance(value, Decimal):
            value = format(value.normalize(), "f")
        values[field] = None if value is None else str(value)
    return values


def previous_report(report: AnnualReport) -> AnnualReport | None:
    return AnnualReport.objects.filter(organ_id=report.organ_id, year=report.year - 1).first()


def build(report: AnnualReport) -> dict:
    """The report's content now: counted from the data, adjusted, checked."""
    computed = figures.computed_tables(report.organ_id, report.year, report.is_example)
    tables = copy.deepcopy(computed)
    adjustments = []
    for adjustment in report.adjustments.all().order_by("table", "pk"):
        if not layout.is_adjustable(adjustment.table, adjustment.row, adjustment.column):
            continue
        cells = tables[adjustment.table][adjustment.row]
        adjustments.append(
            {
                "table": adjustment.table,
                "row": adjustment.row,
                "column": adjustment.column,
                "cell": adjustment.cell_label,
                "computed": computed[adjustment.table][adjustment.row][adjustment.column],
                "value": adjustment.value,
                "reason": adjustment.reason,
            }
        )
        cells[adjustment.column] = adjustment.value
    figures.add_totals(tables)
    return {
        "title": report.title,
        "organ": report.organ.name,
        "year": report.year,
        "texts": {
            "overview": report.overview,
            "problems": report.problems,
            "other_matters": report.other_matters,
        },
        "entered": entered_values(report),
        "computed": computed,
        "tables": tables,
        "adjustments": adjustments,
        "findings": checks.findings(tables),
        "change_note": report.change_note,
    }


def current(report: AnnualReport) -> dict:
    """What the report shows now: frozen once submitted, counted while a draft."""
    if report.state == AnnualReport.State.DRAFT or report.review_content is None:
        return build(report)
    return report.review_content


def _adjusted_cells(content: dict) -> dict[tuple[str, str, str], dict]:
    return {(a["table"], a["row"], a["column"]): a for a in content.get("adjustments", [])}


def _cells(content: dict, table: str, row: str, columns: list[str]) -> list[dict]:
    adjusted = _adjusted_cells(content)
    values = content["tables"][table][row]
    return [
        {
            "column": column,
            "value": values[column],
            "adjustment": adjusted.get((table, row, column)),
        }
        for column in columns
    ]


def rows_for_display(content: dict) -> dict:
    """Tables 2–4 as rows of cells (value, and the adjustment where there is one)."""
    t2_columns = [key for key, _label in layout.TABLE2_DOCUMENT_COLUMNS]
    table2 = [
        {"label": label, "cells": _cells(content, "2", key, t2_columns)}
        for key, label in layout.TABLE2_DOCUMENT_ROWS
    ]
    entered = [
        {"label": label, "heading": heading, "value": content["entered"].get(field)}
        for field, label, heading in layout.TABLE2_ENTERED
    ]
    entered_sections = [
        {
            "item": section["item"],
            "heading": section["heading"],
            "rows": [
                {"label": label, "value": content["entered"].get(field)}
                for field, label in section["rows"]
            ],
        }
        for section in layout.entered_sections()
    ]
    columns = layout.TABLE3_COLUMN_KEYS

    def row3(key: str, label: str, number: str = "") -> dict:
        return {
            "key": key,
            "label": label,
            "number": number,
            "cells": _cells(content, "3", key, columns),
        }

    groups = []
    for group in layout.result_groups():
        if group["single"]:
            groups.append({"label": group["label"], "rows": [row3(group["rows"][0]["key"], "")]})
        else:
            groups.append(
                {
                    "label": group["label"],
                    "rows": [row3(r["key"], r["label"], r["number"]) for r in group["rows"]],
                }
            )
    table3 = {
        "new": row3(layout.NEW, layout.TOP_ROW_LABELS[layout.NEW]),
        "carried_in": row3(layout.CARRIED_IN, layout.TOP_ROW_LABELS[layout.CARRIED_IN]),
        "results_label": layout.TOP_ROW_LABELS["results"],
        "groups": groups,
        "results_total": row3(layout.RESULTS_TOTAL, layout.RESULTS_TOTAL_LABEL),
        "carried_out": row3(layout.CARRIED_OUT, layout.TOP_ROW_LABELS[layout.CARRIED_OUT]),
        "result_rows": 1 + sum(len(g["rows"]) for g in groups) + 1,
    }
    table4 = {
        "review": _cells(content, "4", layout.REVIEW, layout.TABLE4_COLUMN_KEYS),
        "direct": _cells(content, "4", "direct", layout.TABLE4_COLUMN_KEYS),
        "after_review": _cells(content, "4", "after_review", layout.TABLE4_COLUMN_KEYS),
    }
    return {
        "table2": table2,
        "table2_columns": [label for _key, label in layout.TABLE2_DOCUMENT_COLUMNS],
        "table2_item": layout.TABLE2_DOCUMENTS_ITEM,
        "entered": entered,
        "entered_sections": entered_sections,
        "table3": table3,
        "organization_columns": [label for _key, label in layout.ORGANIZATION_COLUMNS],
        "table4": table4,
        "table4_columns": [layout.TABLE4_COLUMN_LABELS[key] for key in layout.TABLE4_COLUMN_KEYS],
    }


def context(content: dict) -> dict:
    """The context of templates/annual_reports/report_body.html."""
    return {"content": content, "display": rows_for_display(content)}


def _add_entered(values: list[str | None]) -> str | None:
    present = [Decimal(value) for value in values if value is not None]
    return format(sum(present, Decimal(0)).normalize(), "f") if present else None


def summarize(contents: list[dict], title: str) -> dict:
    """Several published reports added up, table by table and cell by cell, with the same
    checks on the sums (a province's or the platform's summary of one year)."""
    tables = {
        table: {row: dict.fromkeys(columns, 0) for row in rows}
        for table, (rows, columns) in layout.CELLS.items()
    }
    for item in contents:
        for table, rows in tables.items():
            for row, cells in rows.items():
                for column in cells:
                    cells[column] += int(item["tables"][table][row][column])
    return {
        "title": title,
        "texts": {},
        "entered": {
            field: _add_entered([item["entered"].get(field) for item in contents])
            for field in ENTERED_FIELDS
        },
        "computed": tables,
        "tables": tables,
        "adjustments": [],
        "findings": checks.findings(tables),
        "change_note": "",
    }

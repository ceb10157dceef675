"""The layout of the annual report's tables (国办公开办函〔2021〕30号): row and column keys,
their labels in the template's words, and the grouping the rendered tables and the .xlsx
show. Table 3's result rows are the applications app's outcomes, in their order, so the
report and the applications never translate between two lists."""

from django.utils.translation import gettext_lazy as _

from applications.models import Application, Outcome, OutcomeCategory, ReviewOutcome, outcomes_of

TOTAL = "total"

# Table 2
RULES = "rules"
NORMATIVE = "normative"
TABLE2_DOCUMENT_ROWS = [(RULES, _("规章")), (NORMATIVE, _("行政规范性文件"))]
TABLE2_DOCUMENT_COLUMNS = [
    ("issued", _("本年制发件数")),
    ("repealed", _("本年废止件数")),
    ("in_force", _("现行有效件数")),
]
# Entered by the organ: (field on AnnualReport, label, column heading).
TABLE2_ENTERED = [
    ("licensing_decisions", _("行政许可"), _("本年处理决定数量")),
    ("penalty_decisions", _("行政处罚"), _("本年处理决定数量")),
    ("coercion_decisions", _("行政强制"), _("本年处理决定数量")),
    ("fee_amount", _("行政事业性收费"), _("本年收费金额（单位：万元）")),
]
TABLE2_DOCUMENTS_ITEM = _("第二十条第（一）项")
# The item of 条例 第二十条 each entered figure falls under, as the template groups them.
TABLE2_ENTERED_ITEMS = {
    "licensing_decisions": _("第二十条第（五）项"),
    "penalty_decisions": _("第二十条第（六）项"),
    "coercion_decisions": _("第二十条第（六）项"),
    "fee_amount": _("第二十条第（八）项"),
}


def entered_sections() -> list[dict]:
    """Table 2's entered figures under their items, in the template's order: each item with
    its column heading and its rows (field, label)."""
    sections: list[dict] = []
    for field, label, heading in TABLE2_ENTERED:
        item = TABLE2_ENTERED_ITEMS[field]
        if not sections or sections[-1]["item"] != item:
            sections.append({"item": item, "heading": heading, "rows": []})
        sections[-1]["rows"].append((field, label))
    return sections


# Table 3
NATURAL_PERSON = Application.ApplicantType.NATURAL_PERSON.value
ORGANIZATION_COLUMNS = [(kind.value, kind.label) for kind in Application.OrganizationKind]
TABLE3_PART_COLUMNS = [NATURAL_PERSON] + [key for key, _label in ORGANIZATION_COLUMNS]
TABLE3_COLUMN_KEYS = [*TABLE3_PART_COLUMNS, TOTAL]
TABLE3_COLUMN_LABELS = {
    NATURAL_PERSON: Application.ApplicantType.NATURAL_PERSON.label,
    **dict(ORGANIZATION_COLUMNS),
    TOTAL: _("总计"),
}

NEW = "new"
CARRIED_IN = "carried_in"
RESULTS_TOTAL = "results_total"
CARRIED_OUT = "carried_out"
OUTCOME_ROWS = list(Outcome.values)
TABLE3_ROW_KEYS = [NEW, CARRIED_IN, *OUTCOME_ROWS, RESULTS_TOTAL, CARRIED_OUT]

CATEGORY_NUMBERS = ["（一）", "（二）", "（三）", "（四）", "（五）", "（六）"]
RESULTS_TOTAL_LABEL = _("（七）总计")
TOP_ROW_LABELS = {
    NEW: _("一、本年新收政府信息公开申请数量"),
    CARRIED_IN: _("二、上年结转政府信息公开申请数量"),
    "results": _("三、本年度办理结果"),
    CARRIED_OUT: _("四、结转下年度继续办理"),
}


# The template's own wording where the applications' label of the outcome is shorter.
TEMPLATE_OUTCOME_LABELS = {
    Outcome.PARTIAL.value: _("部分公开（区分处理的，只计这一情形，不计其他情形）"),
}


def outcome_label(outcome: str) -> str:
    """The outcome's own row name: the part after the category, as the template prints it."""
    if outcome in TEMPLATE_OUTCOME_LABELS:
        return str(TEMPLATE_OUTCOME_LABELS[outcome])
    label = str(Outcome(outcome).label)
    return label.split("：", 1)[1] if "：" in label else label


def result_groups() -> list[dict]:
    """Table 3's 三 rows: per category its number and name, and its outcomes (numbered when the
    category has more than one, as 1 属于国家秘密 …)."""
    groups = []
    for number, category in zip(CATEGORY_NUMBERS, OutcomeCategory, strict=True):
        outcomes = outcomes_of(category)
        single = len(outcomes) == 1
        groups.append(
            {
                "label": f"{number}{outcome_label(outcomes[0]) if single else category.label}",
                "single": single,
                "rows": [
                    {
                        "key": outcome,
                        "label": outcome_label(outcome) if not single else "",
                        "number": "" if single else str(position),
                    }
                    for position, outcome in enumerate(outcomes, start=1)
                ],
            }
        )
    return groups


def outcome_row_label(outcome: str) -> str:
    """An outcome's row as the template numbers it, e.g. （三）不予公开 1.属于国家秘密."""
    for group in result_groups():
        for row in group["rows"]:
            if row["key"] == outcome:
                return (
                    group["label"]
                    if group["single"]
                    else f"{group['label']} {row['number']}.{row['label']}"
                )
    return str(Outcome(outcome).label)


TABLE_NUMBERS = {"2": "二", "3": "三", "4": "四"}


def row_label(table: str, row: str) -> str:
    """A row's full name, for findings and adjustments."""
    if table == "3":
        if row in TOP_ROW_LABELS:
            return str(TOP_ROW_LABELS[row])
        if row == RESULTS_TOTAL:
            return str(RESULTS_TOTAL_LABEL)
        return outcome_row_label(row)
    if table == "4":
        return str(dict(TABLE4_ROWS)[row])
    return str(dict(TABLE2_DOCUMENT_ROWS)[row])


def column_label(table: str, column: str) -> str:
    if table == "3":
        return str(TABLE3_COLUMN_LABELS[column])
    if table == "4":
        return str(TABLE4_COLUMN_LABELS[column])
    return str(dict(TABLE2_DOCUMENT_COLUMNS)[column])


# Table 4
REVIEW = "review"
TABLE4_ROWS = [
    (REVIEW, _("行政复议")),
    ("direct", _("行政诉讼：未经复议直接起诉")),
    ("after_review", _("行政诉讼：复议后起诉")),
]
TABLE4_ROW_KEYS = [key for key, _label in TABLE4_ROWS]
TABLE4_PART_COLUMNS = [
    ReviewOutcome.UPHELD.value,
    ReviewOutcome.CORRECTED.value,
    ReviewOutcome.OTHER.value,
    ReviewOutcome.PENDING.value,
]
TABLE4_COLUMN_KEYS = [*TABLE4_PART_COLUMNS, TOTAL]
TABLE4_COLUMN_LABELS = {
    **{key: ReviewOutcome(key).label for key in TABLE4_PART_COLUMNS},
    TOTAL: _("总计"),
}

CELLS = {
    "2": ([key for key, _label in TABLE2_DOCUMENT_ROWS], [k for k, _l in TABLE2_DOCUMENT_COLUMNS]),
    "3": (TABLE3_ROW_KEYS, TABLE3_COLUMN_KEYS),
    "4": (TABLE4_ROW_KEYS, TABLE4_COLUMN_KEYS),
}


def is_cell(table: str, row: str, column: str) -> bool:
    rows, columns = CELLS.get(table, ([], []))
    return row in rows and column in columns


def is_total(table: str, row: str, column: str) -> bool:
    """A 总计 cell: the sum of its parts (figures.add_totals), never set by hand."""
    return table in ("3", "4") and (column == TOTAL or row == RESULTS_TOTAL)


def is_adjustable(table: str, row: str, column: str) -> bool:
    return is_cell(table, row, column) and not is_total(table, row, column)

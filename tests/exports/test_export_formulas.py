"""Auditor exports: no cell of any column of any dataset can be run as a spreadsheet formula,
whether Python or PostgreSQL writes the CSV."""

import codecs
import csv
import datetime
import io
import zipfile
from decimal import Decimal, InvalidOperation

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat

from assessments import workflow as assessment_workflow
from assessments.models import (
    AssessedUnit,
    Assessment,
    Finding,
    Indicator,
    RectificationReport,
    Requirement,
    Score,
    UnitGroup,
)
from audit.context import acting
from audit.models import AuditEvent
from core.text import FORMULA_START
from exports.columns import Column
from exports.export import Export, Selection
from exports.tables import assessment_tables, history_tables, notice_tables
from notices.models import Genre, Notice, Organ
from tests.assessments import factories as af

STARTS = sorted(FORMULA_START)
SEEDED_MODELS = [
    Notice,
    Organ,
    get_user_model(),
    Assessment,
    UnitGroup,
    AssessedUnit,
    Indicator,
    Score,
    Finding,
    Requirement,
    RectificationReport,
]
# Text columns that cannot hold a formula's first character: a constraint keeps them to their
# choices, or only the platform writes them (the history cannot be changed after the fact).
CANNOT_HOLD_A_FORMULA = {
    # 公开属性 other than 主动公开 needs a reason, which the formula-like text would not have.
    "notices": {"validity", "disclosure"},
    "history": {
        "content_type", "object_pk", "action", "changes", "additional_data", "serialized_data",
        "cid", "remote_addr", "previous_hash", "hash", "seal", "payload",
    },
}  # fmt: skip


def formulas_everywhere() -> None:
    """Every text field of every exported model starts with a formula's first character,
    written around save() as an export must take whatever is stored; fields that a constraint
    keeps from that are left as they are."""
    n = 0
    for model in SEEDED_MODELS:
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField):
                continue
            start = STARTS[n % len(STARTS)]
            n += 1
            try:
                with transaction.atomic():
                    model.objects.update(**{field.attname: Concat(Value(start), F(field.attname))})
            except DatabaseError:
                pass


@pytest.fixture
def everything(organ, editor, reviewer, notice_in):
    assessment = af.make_assessment(organ, editor, year=2017)
    group = af.make_group(assessment)
    unit = af.make_unit(group, position=1)
    indicator = af.make_indicator(assessment, "A1", 60)
    assessment_workflow.save_scores(
        assessment, editor, {(unit.pk, indicator.pk): (Decimal("55.5"), "备注")}
    )
    problem = Finding.objects.create(
        assessment=assessment, kind=Finding.Kind.PROBLEM, position=1, title="问题"
    )
    problem.units.set([unit])
    requirement = Requirement.objects.create(
        assessment=assessment, position=1, title="要求", deadline=datetime.date(2018, 3, 31)
    )
    requirement.units.set([unit])
    requirement.problems.set([problem])
    assessment_workflow.submit(assessment, editor)
    assessment_workflow.publish(assessment, reviewer)
    report = assessment_workflow.report_rectification(requirement, unit, editor, "done", "已整改")
    assessment_workflow.verify_rectification(report, reviewer, accepted=True)
    Assessment.objects.filter(pk=assessment.pk).update(notice=notice_in("published"))
    # The genre column shows the genre's name, which a site admin types.
    Genre.objects.filter(code="notice").update(name="=通知")
    formulas_everywhere()
    # The organ is saved below, which strips control characters from its text fields
    # (core/text.py): its name must start with a formula character that is not one.
    Organ.objects.filter(pk=organ.pk).update(name=Concat(Value("="), F("name")))
    # Events whose actor, source and object are formula-like too.
    editor.refresh_from_db()
    organ.refresh_from_db()
    with acting(editor, "10.0.0.1", "=命令"):
        organ.short_name = "@简称"
        organ.save()
    assert AuditEvent.objects.filter(source="=命令").exists()


def is_number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True


def exported_tables(dataset: str, user, use_copy: bool) -> dict[str, list[list[str]]]:
    stream = Export(Selection(dataset, "csv"), user, use_copy=use_copy).stream()
    with zipfile.ZipFile(io.BytesIO(b"".join(stream))) as archive:
        found = {}
        for name in archive.namelist():
            if name.endswith(".csv"):
                data = archive.read(name)
                assert data.startswith(codecs.BOM_UTF8)
                text = data.decode("utf-8-sig")
                found[name.removesuffix(".csv")] = list(csv.reader(io.StringIO(text, newline="")))
    return found


def columns_of(dataset: str, user) -> dict[str, list[Column]]:
    selection = Selection(dataset, "csv")
    if dataset == "notices":
        tables = notice_tables(selection, user)
    elif dataset == "assessments":
        tables = assessment_tables(selection, user)
    else:
        tables = history_tables(selection, user, head_sequence=2**62)
    return {table.name: table.columns for table in tables}


@pytest.mark.postgres
@pytest.mark.parametrize("use_copy", [False, True], ids=["python", "postgresql"])
@pytest.mark.parametrize("dataset", ["notices", "assessments", "history"])
def test_no_cell_of_any_export_starts_a_formula(everything, auditor, dataset, use_copy):
    columns = columns_of(dataset, auditor)
    files = exported_tables(dataset, auditor, use_copy)
    assert files.keys() == columns.keys()
    guarded = set()
    for name, (header, *rows) in files.items():
        assert rows, name
        assert header == [column.label for column in columns[name]]
        for row in rows:
            for column, cell in zip(columns[name], row, strict=True):
                if cell[:1] in FORMULA_START:
                    # Only a number may start with a sign.
                    assert not column.text and is_number(cell), (name, column.key, cell)
                if column.text and cell[:1] == "'" and cell[1:2] in FORMULA_START:
                    guarded.add((name, column.key))
    text_columns = {
        (name, column.key)
        for name, table_columns in columns.items()
        for column in table_columns
        if column.text and column.key not in CANNOT_HOLD_A_FORMULA.get(name, ())
    }
    # Every text column held a formula-like value, so each was shown to be guarded.
    assert text_columns - guarded == set()

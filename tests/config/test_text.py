"""Text rules shared by every app: control characters kept out of stored text, formulas out of
exported cells."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models

from assessments import workflow
from assessments.models import Assessment, Score
from audit.context import acting
from audit.models import AuditEvent
from core.text import (
    CLEANED_APPS,
    FORMULA_START,
    clean_text_before_save,
    formula_guarded,
    without_control_characters,
)
from tests.assessments import factories as af

CONTROLS = [chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]] + ["\ud800", "\ufffe", "\uffff"]
LINE_BREAKS = {"\t", "\n", "\r"}


@pytest.mark.parametrize("control", CONTROLS, ids=[f"U+{ord(c):04X}" for c in CONTROLS])
def test_control_characters_leave_single_lines_and_all_but_line_breaks_leave_texts(control):
    assert without_control_characters(f"甲{control}乙", multiline=False) == "甲乙"
    kept = f"甲{control}乙" if control in LINE_BREAKS else "甲乙"
    assert without_control_characters(f"甲{control}乙") == kept


def test_text_without_control_characters_is_the_same_text():
    text = "公告 ·《通知》\u3000A1.2 ＝ 😀 \u200b"
    assert without_control_characters(text) is text
    assert without_control_characters(text, multiline=False) is text


@pytest.mark.parametrize("first", sorted(FORMULA_START))
def test_a_text_a_spreadsheet_would_run_gets_an_apostrophe(first):
    assert formula_guarded(f"{first}1+2") == f"'{first}1+2"


@pytest.mark.parametrize("text", ["", "A1.2", "'=1", "＝1", " =1", "分组"])
def test_other_texts_are_exported_as_they_are(text):
    assert formula_guarded(text) == text


def _text_fields(model) -> list[models.Field]:
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField) and not field.choices
    ]


def test_every_text_field_of_the_cleaned_apps_is_cleaned_on_save(db):
    """Brute force over the models: each text field given a control character is stored without
    it (checked on the instance as the receiver leaves it, without writing every model)."""
    checked = 0
    for model in apps.get_models():
        if model._meta.app_label not in CLEANED_APPS:
            continue
        for field in _text_fields(model):
            instance = model()
            setattr(instance, field.attname, "甲\x0b\x85乙\n")
            clean_text_before_save(sender=model, instance=instance)
            multiline = isinstance(field, models.TextField)
            assert getattr(instance, field.attname) == ("甲乙\n" if multiline else "甲乙"), field
            checked += 1
    assert checked > 50


def test_a_saved_record_is_stored_and_audited_without_control_characters(organ, editor):
    with acting(editor, "10.0.0.1", "网页"):
        organ.name = "省政府\x0b办公厅"
        organ.save()
        assessment = Assessment.objects.create(
            organ=organ, year=2024, title="考核\x1f", summary="一\x0c\n二"
        )
    organ.refresh_from_db()
    assessment.refresh_from_db()
    assert organ.name == "省政府办公厅"
    assert (assessment.title, assessment.summary) == ("考核", "一\n二")
    change = AuditEvent.objects.filter(content_type__model="organ").latest("sequence")
    assert change.changes["name"][1] == "省政府办公厅"


def test_score_remarks_saved_in_bulk_are_cleaned_too(organ, editor):
    assessment = af.make_assessment(organ, editor)
    unit = af.make_unit(af.make_group(assessment))
    indicator = af.make_indicator(assessment, "A1", 60)
    entry = (unit.pk, indicator.pk)
    workflow.save_scores(assessment, editor, {entry: (Decimal("50"), "新建\x0b备注")})
    assert Score.objects.get().remark == "新建备注"
    workflow.save_scores(assessment, editor, {entry: (Decimal("51"), "修改\x1f备注")})
    assert Score.objects.get().remark == "修改备注"

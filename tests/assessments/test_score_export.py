"""Score table exports: no text cell can be run as a spreadsheet formula, whatever the names and
codes hold."""

import csv
import io
from decimal import Decimal, InvalidOperation

import openpyxl
import pytest

from assessments import score_io
from assessments.models import AssessedUnit, Indicator, UnitGroup
from core.text import FORMULA_START
from notices.models import Organ
from tests import factories
from tests.assessments import factories as af


def is_number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True


def runnable(cells) -> list:
    """Cells a spreadsheet would run: text starting a formula that is not a number."""
    return [c for c in cells if isinstance(c, str) and c[:1] in FORMULA_START and not is_number(c)]


@pytest.mark.parametrize("start", sorted(FORMULA_START))
def test_every_text_cell_of_both_score_exports_is_guarded(organ, editor, start):
    assessment = af.make_assessment(organ, editor)
    group = af.make_group(assessment, "市州人民政府")
    unit = af.make_unit(group, factories.make_organ(name="兰州市人民政府"))
    indicator = af.make_indicator(assessment, "A1", 40, name="政府网站")
    deduction = af.make_indicator(assessment, "D1", 5, kind=Indicator.Kind.DEDUCTION, name="扣分")
    af.score(assessment, editor, {(unit, indicator): 38, (unit, deduction): 2})
    # Written around save(), which would strip a tab or a carriage return.
    Organ.objects.filter(pk=unit.organ_id).update(name=f"{start}兰州市")
    Indicator.objects.filter(pk=indicator.pk).update(code=f"{start}A1", name=f"{start}网站")
    UnitGroup.objects.filter(pk=group.pk).update(name=f"{start}分组")
    group.refresh_from_db()
    assert AssessedUnit.objects.get(pk=unit.pk).organ.name == f"{start}兰州市"

    text = score_io.export_csv(assessment, group).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0][:2] == ["单位名称", f"'{start}A1 {start}网站"]
    assert rows[1][0] == f"'{start}兰州市"
    assert runnable(cell for row in rows for cell in row) == []

    workbook = openpyxl.load_workbook(io.BytesIO(score_io.export_xlsx(assessment, group)))
    cells = [cell for row in workbook.active.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    assert runnable(cell.value for cell in cells) == []
    assert f"'{start}兰州市" in [cell.value for cell in cells]

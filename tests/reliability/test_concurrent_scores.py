"""Two editors saving the same score grid: the second is told, not silently overwriting."""

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from assessments.models import Score
from tests.assessments.test_portal import make_sheet


class FormInputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") and "disabled" not in attrs:
            self.values[attrs["name"]] = attrs.get("value") or ""


def grid_form(client, url) -> dict:
    """The grid's inputs as the browser would post them back unchanged, hidden ones included."""
    parser = FormInputs()
    parser.feed(client.get(url).content.decode())
    return parser.values


def score_cells(form: dict) -> list[str]:
    return sorted(name for name in form if name.startswith("score-"))


# Each cell posts the value it was loaded with too: untouched cells are not saved, and a cell
# another editor changed meanwhile is refused under the lock rather than silently set back.


@pytest.fixture
def grid(client, organ, editor):
    sheet = make_sheet(organ, editor, units=2)
    return sheet, reverse("admin:assessments_assessment_scores", args=[sheet.assessment.pk])


def test_saving_different_cells_keeps_both_changes(client, grid, editor, second_editor):
    """Two editors each change a different cell of the same grid they loaded at once."""
    sheet, url = grid
    client.force_login(editor)
    first_form = grid_form(client, url)
    client.force_login(second_editor)
    second_form = grid_form(client, url)
    first_cell, second_cell = score_cells(first_form)[:2]

    client.force_login(editor)
    first_form[first_cell] = "1"
    assert client.post(url, first_form).status_code == 302
    client.force_login(second_editor)
    second_form[second_cell] = "2"
    client.post(url, second_form)

    values = {
        f"score-{score.unit_id}-{score.indicator_id}": score.value
        for score in Score.objects.filter(unit__assessment=sheet.assessment)
    }
    assert values[second_cell] == Decimal("2")
    # The second form still held the first cell's old value; saving it must not undo the first
    # editor's change without telling anyone.
    assert values[first_cell] == Decimal("1")


def test_saving_the_same_cell_twice_tells_the_second_editor(client, grid, editor, second_editor):
    _sheet, url = grid
    client.force_login(editor)
    first_form = grid_form(client, url)
    client.force_login(second_editor)
    second_form = grid_form(client, url)
    cell = score_cells(first_form)[0]

    client.force_login(editor)
    first_form[cell] = "1"
    assert client.post(url, first_form).status_code == 302
    client.force_login(second_editor)
    second_form[cell] = "2"
    response = client.post(url, second_form)

    assert response.status_code == 200
    assert "已被" in response.content.decode()  # e.g. “…已被 user1 修改为 1，请核对后再保存。”
    unit_id, indicator_id = (int(part) for part in cell.split("-")[1:])
    assert Score.objects.get(unit_id=unit_id, indicator_id=indicator_id).value == Decimal("1")

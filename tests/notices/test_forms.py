"""The catalogue's filter form."""

import re

import pytest
from django import forms

from notices.forms import NoticeFilterForm, PlainSelect
from tests import factories


def tags(html: str) -> str:
    """HTML without the whitespace between tags, which Django's templates vary."""
    return re.sub(r">\s+<", "><", str(html)).strip()


@pytest.mark.parametrize("value", [None, "", "2", ["2"], 3])
def test_plain_select_writes_what_djangos_select_writes(value):
    choices = [("", "全部"), (2, '<b>"甲"&乙</b>'), (3, "丙")]
    attrs = {"id": "id_x", "aria-describedby": "x_help"}
    plain = PlainSelect(choices=choices).render("x", value, attrs)
    assert tags(plain) == tags(forms.Select(choices=choices).render("x", value, attrs))
    assert "&lt;b&gt;&quot;甲&quot;&amp;乙&lt;/b&gt;" in plain


def test_options_made_once_are_marked_for_each_value_on_its_own():
    # The options' HTML is kept per list of options; the selection must not be kept with it.
    choices = [("", "全部"), (2, "乙"), ("2", "乙（重复的值）"), (3, "丙")]
    for value in ["2", "3", None, "2", "9"]:
        plain = PlainSelect(choices=choices).render("x", value)
        assert tags(plain) == tags(forms.Select(choices=choices).render("x", value))
    assert plain.count("selected") == 0


def test_every_filter_of_the_bound_form_renders_as_djangos_select(notice_in, organ):
    notice_in("published")
    topic = factories.make_topic("政务公开")
    factories.make_topic("公开目录", parent=topic)
    form = NoticeFilterForm({"organ": str(organ.pk), "topic": str(topic.pk), "year": "2024"})
    assert form.is_valid()
    for bound in form:
        stock = forms.Select(choices=bound.field.widget.choices)
        stock_html = stock.render(bound.html_name, bound.value(), {"id": bound.auto_id})
        assert tags(bound) == tags(stock_html)
    assert f'<option value="{organ.pk}" selected>{organ.name}</option>' in str(form["organ"])


def test_an_organ_without_public_notices_is_a_valid_filter_but_an_unknown_one_is_not(
    notice_in, organ, other_organ
):
    notice_in("published")
    factories.make_notice(
        other_organ,
        factories.make_editor(other_organ),
        factories.make_reviewer(other_organ),
        "draft",
    )

    assert NoticeFilterForm({"organ": str(organ.pk)}).is_valid()
    # An organ that has published nothing yet gives an empty list that says so (not a 400)…
    form = NoticeFilterForm({"organ": str(other_organ.pk)})
    assert form.is_valid()
    assert f'value="{other_organ.pk}" selected' in str(form["organ"])
    # …an organ that does not exist is refused.
    form = NoticeFilterForm({"organ": str(other_organ.pk + 1000)})
    assert not form.is_valid()
    assert form.errors["organ"] == ["所选的值无效，请从列表中选择。"]

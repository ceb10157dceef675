"""get_FOO_display() on notices and organs, answered from a dict made once per field."""

import pytest

from notices.models import Notice, Organ


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (Notice, "validity"),
        (Notice, "disclosure"),
        (Notice, "status"),
        (Organ, "kind"),
    ],
)
def test_every_value_shows_its_label_and_an_unknown_one_shows_as_it_is(model, field):
    choices = model._meta.get_field(field).choices
    for value, label in choices:
        instance = model(**{field: value})
        assert getattr(instance, f"get_{field}_display")() == str(label)
    assert getattr(model(**{field: "retired-value"}), f"get_{field}_display")() == "retired-value"


def test_a_label_is_a_plain_string_in_the_portals_language():
    shown = Notice(validity=Notice.Validity.REPEALED).get_validity_display()
    assert type(shown) is str
    assert shown == "废止"

"""Choice labels answered from a dict made once per field."""

import functools

from django.db import models
from django.utils.encoding import force_str


@functools.cache
def choice_labels(model: type[models.Model], field_name: str) -> dict:
    """A field's choices as {value: label}, each label a string. The site speaks one language
    (zh-hans), so a label read once stays right."""
    field = model._meta.get_field(field_name)
    return {value: force_str(label) for value, label in field.flatchoices}


def choice_label(instance: models.Model, field_name: str) -> str:
    """What ``get_FOO_display()`` answers, from a dict made once per field: Django's own rebuilds
    one from the field's choices on every call, hashing each lazy label (the three on a notice
    page cost a tenth of its Python, and a list page calls one per row). The models below
    define their ``get_FOO_display`` with it, which Django then leaves as they are."""
    value = getattr(instance, instance._meta.get_field(field_name).attname)
    return choice_labels(type(instance), field_name).get(value, value)

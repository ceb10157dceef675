"""Choice labels answered from a dict made once per field."""

import functools

from django.db import models
from django.utils.encoding import force_str


@functools.cache
def _choice_labels(field: models.Field) -> dict:
    return dict(field.flatchoices)


def choice_label(instance: models.Model, field_name: str) -> str:
    """What ``get_FOO_display()`` answers, from a dict made once per field: Django's own rebuilds
    one from the field's choices on every call, hashing each lazy label (the three on a notice
    page cost a tenth of its Python, and a list page calls one per row). The models below
    define their ``get_FOO_display`` with it, which Django then leaves as they are."""
    field = instance._meta.get_field(field_name)
    value = getattr(instance, field.attname)
    return force_str(_choice_labels(field).get(value, value), strings_only=True)

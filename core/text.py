"""Rules for text that every app follows: which control characters stored text may hold, and how
a cell of an export is kept from being run as a spreadsheet formula.

Nothing here imports the apps, so that each of them can import it.
"""

import re
from functools import cache

from django.db import models

# C0 controls but tab, line feed and carriage return, DEL, the C1 controls, and what XML 1.0
# cannot hold at all (lone surrogates, U+FFFE, U+FFFF). A vertical tab comes with text pasted
# from Word; in a feed it made the whole feed unwritable.
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# A single line holds no tab, line feed or carriage return either.
_CONTROL_CHARACTERS_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

# The apps whose models' text is cleaned on every save: what editors and imports write. The
# audit history is not cleaned: it records what was received (a typed user name included).
CLEANED_APPS = frozenset({"auth", "notices", "assessments", "importer"})

# A cell that starts with one of these is run as a formula by spreadsheets (CSV injection).
FORMULA_START = frozenset("=+-@\t\r")


def without_control_characters(value: str, multiline: bool = True) -> str:
    """The text without control characters; a multi-line text keeps its tabs and line breaks.
    What remains is also text that XML 1.0 can hold."""
    pattern = _CONTROL_CHARACTERS if multiline else _CONTROL_CHARACTERS_IN_LINE
    return pattern.sub("", value) if pattern.search(value) else value


@cache
def _text_fields(model: type[models.Model]) -> list[tuple[str, bool]]:
    """The model's text fields as (attribute, multi-line): a TextField is multi-line, any other
    CharField a single line."""
    return [
        (field.attname, isinstance(field, models.TextField))
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
    ]


def clean_text_before_save(sender, instance, **kwargs) -> None:
    """A pre_save receiver: strips control characters from every text field of the models of
    CLEANED_APPS, however they are saved (admin, portal forms, imports, workflow, commands)."""
    if sender._meta.app_label not in CLEANED_APPS:
        return
    for attname, multiline in _text_fields(sender):
        value = getattr(instance, attname)
        if isinstance(value, str):
            setattr(instance, attname, without_control_characters(value, multiline))


def formula_guarded(value: str) -> str:
    """The text with an apostrophe before it if a spreadsheet would run it as a formula."""
    return "'" + value if value[:1] in FORMULA_START else value

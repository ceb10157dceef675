from django import template
from django.utils.safestring import mark_safe

from notices.sanitize import displayed_html

register = template.Library()


@register.filter
def rich_text(html: str, stored_seal: str = "") -> str:
    """Show stored rich text: as stored when its seal shows that its save sanitized it (see
    notices.sanitize.displayed_html), else sanitized here, which also covers rows written by
    paths that skip save(), such as QuerySet.update() or loaddata."""
    return mark_safe(displayed_html(html, stored_seal))  # noqa: S308 - sanitized (and sealed)

from django import template
from django.utils.safestring import mark_safe

from notices.sanitize import sanitize_html

register = template.Library()


@register.filter
def rich_text(html: str) -> str:
    """Show stored rich text. It was sanitized on save; sanitizing again here also covers rows
    written by paths that skip save(), such as QuerySet.update() or loaddata."""
    return mark_safe(sanitize_html(html))  # noqa: S308 - the sanitizer's output is the allow-list

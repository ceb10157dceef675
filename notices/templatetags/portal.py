from django import template
from django.utils.safestring import mark_safe

from notices import links
from notices.escaping import shown

register = template.Library()


@register.simple_tag(takes_context=True)
def catalogue_links(context, parameter: str, choices) -> str:
    """A <li> link to the catalogue filtered by each (value, label) of ``choices``.

    Written out directly: the home page lists every publishing organ, hundreds of them, and a
    template loop cost ten times as much.
    """
    base = context["site"]["notice_list"]
    return mark_safe(  # noqa: S308 - every value is escaped
        "".join(
            f'<li><a href="{base}?{parameter}={shown(value)}">{shown(label)}</a></li>'
            for value, label in choices
        )
    )


@register.simple_tag
def id_url(name: str, pk: int) -> str:
    """{% url name pk %} for pages that link to hundreds of pages: see notices/links.py."""
    return links.url_for_id(name, pk)

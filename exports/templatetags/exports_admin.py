from django import template

from exports import export

register = template.Library()


@register.simple_tag
def can_export(user) -> bool:
    return export.can_export(user)

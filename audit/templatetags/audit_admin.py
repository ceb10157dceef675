from django import template

from audit import exports

register = template.Library()


@register.simple_tag
def can_export(user) -> bool:
    return exports.can_export(user)

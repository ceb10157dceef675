"""The columns' freshness on the admin's dashboard."""

from django import template

from editorial_checks import freshness

register = template.Library()


@register.simple_tag
def column_freshness(user):
    """Each organ's columns and when they were last updated; None for people who see no
    notices."""
    if not (user.is_staff and user.has_perm("notices.view_notice")):
        return None
    return freshness.freshness(user)

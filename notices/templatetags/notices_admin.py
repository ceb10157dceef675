from django import template

from notices import access, workflow
from notices.models import Notice, ValidityChange

register = template.Library()


@register.simple_tag
def review_queue_count(user) -> int | None:
    """How many notices wait for this reviewer; None for people who do not review."""
    if not user.has_perm(workflow.REVIEW_PERMISSION):
        return None
    waiting = Notice.objects.filter(status=Notice.Status.IN_REVIEW).exclude(last_edited_by=user)
    return access.scope_to_user(waiting, user).count()


@register.simple_tag
def validity_changes_waiting(user) -> int | None:
    """How many proposed validity changes this reviewer may decide (not their own); None for
    people who do not review."""
    if not user.has_perm(workflow.REVIEW_PERMISSION):
        return None
    waiting = ValidityChange.objects.filter(status=ValidityChange.Status.PROPOSED).exclude(
        proposed_by=user
    )
    return access.scope_to_user(waiting, user, organ_field="notice__organ").count()

from django import template

from notices import access, workflow
from notices.models import Notice

register = template.Library()


@register.simple_tag
def review_queue_count(user) -> int | None:
    """How many notices wait for this reviewer; None for people who do not review."""
    if not user.has_perm(workflow.REVIEW_PERMISSION):
        return None
    waiting = Notice.objects.filter(status=Notice.Status.IN_REVIEW).exclude(last_edited_by=user)
    return access.scope_to_user(waiting, user).count()

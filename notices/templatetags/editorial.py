from django import template

from notices import access
from notices.models import Notice

register = template.Library()


@register.simple_tag
def sent_back_to(user, limit: int = 10) -> list[Notice] | None:
    """The drafts sent back to this editor, newest first; None for people who do not edit."""
    if not user.has_perm("notices.change_notice"):
        return None
    sent_back = Notice.objects.filter(
        status=Notice.Status.DRAFT, sent_back_at__isnull=False, sent_back_to=user
    )
    return list(
        access.scope_to_user(sent_back, user).order_by("-sent_back_at").defer("body")[:limit]
    )

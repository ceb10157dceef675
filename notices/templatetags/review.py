"""What a reviewer reads on a notice's change page (templates/admin/notices/notice/includes/
review_*.html): the body as the public will see it, and a correction against the published
version."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from notices import versions
from notices.models import Notice
from notices.sanitize import displayed_html

register = template.Library()


@register.simple_tag
def public_body(notice: Notice) -> SafeString:
    """The body exactly as the portal writes it: sanitized by notices.sanitize, which is what
    makes it safe to write as it is."""
    return mark_safe(displayed_html(notice.body, notice.body_seal))  # noqa: S308


@register.simple_tag
def correction_comparison(notice: Notice) -> versions.Comparison | None:
    return versions.correction_comparison(notice)


@register.simple_tag
def version_label(version) -> str:
    return f"第 {version.number} 版"

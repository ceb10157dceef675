from functools import lru_cache

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from core import links, templating
from notices.models import Notice
from notices.sanitize import displayed_html

register = template.Library()


@register.simple_tag
def notice_article(notice: Notice, topic_paths: list[str], assessment=None) -> str:
    """What every notice page shows, from its metadata table to its body (or why the body is
    not online). The parts few notices have (attachments, citations, corrections) stay in a
    Django template."""
    body = ""
    if notice.body_is_public:
        # Sanitized HTML (notices/sanitize.py): safe to write as it is.
        body = mark_safe(displayed_html(notice.body, notice.body_seal))  # noqa: S308
    context = {"notice": notice, "topic_paths": topic_paths, "assessment": assessment, "body": body}
    return templating.render("notices/article.html", context)


@register.simple_tag
def notice_rows(notices, catalogue: bool = False) -> str:
    """The rows of a list of notices (home page, catalogue): each title as a link and its meta
    line; the catalogue's also say the 成文日期 and 索引号."""
    return templating.render(
        "includes/notice_rows.html", {"notices": notices, "catalogue": catalogue}
    )


@register.simple_tag(takes_context=True)
def catalogue_links(context, parameter: str, choices) -> str:
    """A <li> link to the catalogue filtered by each (value, label) of ``choices``.

    Rendered once per process for each list of choices: the home page lists every publishing
    organ, hundreds of them, and a template loop on every request cost ten times as much.
    """
    return _catalogue_links(context["site"]["notice_list"], parameter, tuple(choices))


@lru_cache(maxsize=64)
def _catalogue_links(base: str, parameter: str, choices: tuple) -> str:
    return render_to_string(
        "includes/catalogue_links.html",
        {"base": base, "parameter": parameter, "choices": choices},
    )


@register.simple_tag
def id_url(name: str, pk: int) -> str:
    """{% url name pk %} for pages that link to hundreds of pages: see core/links.py."""
    return links.url_for_id(name, pk)

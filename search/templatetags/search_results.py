from django import template
from django.utils.safestring import mark_safe

from notices.escaping import shown, shown_often
from notices.models import Notice
from notices.templatetags.portal import local_date, notice_meta

register = template.Library()


def search_hit(hit) -> str:
    """One result: the title with its matches marked, the badges, the catalogue's meta line
    with the date signed, and the snippet (or, for a withdrawn notice, when it was withdrawn)."""
    notice = hit.notice
    withdrawn = notice.status == Notice.Status.WITHDRAWN
    parts = [
        f'<li class="notice-row search-hit">\n  <a class="notice-row__title" '
        f'href="{notice.get_absolute_url()}">{shown(hit.title)}</a>'
    ]
    if withdrawn:
        parts.append('<span class="badge badge--warn">已撤回</span>')
    if hit.exact_number:
        parts.append('<span class="badge">文号或索引号完全匹配</span>')
    parts.append(notice_meta(notice, signed=True))
    if withdrawn:
        on = local_date(notice.withdrawn_at) if notice.withdrawn_at else ""
        parts.append(f'<p class="search-hit__snippet muted">本信息已于 {on} 撤回。</p>')
    elif hit.snippet:
        parts.append(f'<p class="search-hit__snippet">{shown(hit.snippet)}</p>')
    return "\n  ".join(parts) + "\n</li>"


@register.simple_tag
def search_hits(hits) -> str:
    """The page's results, written out directly like the catalogue's rows."""
    return mark_safe("\n".join(search_hit(hit) for hit in hits))  # noqa: S308 - escaped


def facet_value(value: dict) -> str:
    if value["selected"]:
        return (
            f'<li><a href="{shown(value["url"])}" aria-current="true"><strong>'
            f"{shown_often(value['label'])}</strong>（{shown(value['count'])}）"
            '<span class="visually-hidden">，已选，点击取消</span></a></li>'
        )
    return (
        f'<li><a href="{shown(value["url"])}">{shown_often(value["label"])}</a>'
        f"（{shown(value['count'])}）</li>"
    )


@register.simple_tag
def search_facets(facets) -> str:
    """The counts per filter value beside the results (views.facet_links), each a link."""
    return mark_safe(  # noqa: S308 - every value is escaped
        "\n".join(
            f'<section class="facet">\n<h3>{shown_often(facet["label"])}</h3>\n<ul>\n'
            + "\n".join(facet_value(value) for value in facet["values"])
            + "\n</ul>\n</section>"
            for facet in facets
        )
    )

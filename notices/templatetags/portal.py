import datetime
from functools import lru_cache

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe

from notices import links
from notices.escaping import shown, shown_often
from notices.models import Notice
from notices.sanitize import displayed_html

register = template.Library()


def local_date(value: datetime.date | datetime.datetime) -> str:
    """A date, or a moment in the current time zone, as the |date:"Y-m-d" filter writes it."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def notice_meta(notice: Notice, *, signed: bool = False) -> str:
    """A list row's line under the title: the organ, 文号, (the date signed,) the date
    published and, unless the notice is in force, its validity."""
    meta = [f"<span>{shown_often(notice.organ.name)}</span>"]
    if notice.document_number:
        meta.append(f"<span>{shown(notice.document_number)}</span>")
    if signed and notice.signed_on:
        on = local_date(notice.signed_on)
        meta.append(f'<span>成文日期 <time datetime="{on}">{on}</time></span>')
    published = local_date(notice.published_at)
    meta.append(f'<span>发布日期 <time datetime="{published}">{published}</time></span>')
    if notice.validity != Notice.Validity.VALID:
        validity = shown(notice.get_validity_display())
        meta.append(f'<span class="badge badge--warn">{validity}</span>')
    return '<p class="notice-row__meta">\n    ' + "\n    ".join(meta) + "\n  </p>"


@register.simple_tag
def notice_metadata(notice: Notice, topic_paths: list[str]) -> str:
    """The notice page's table of its official metadata (索引号, 主题分类 … 公开属性),
    written out directly: as template variables and filters it took a quarter of the page's
    rendering."""
    signed = "—"
    if notice.signed_on:
        on = local_date(notice.signed_on)
        signed = f'<time datetime="{on}">{on}</time>'
    published = "—"
    if notice.published_at:
        moment = timezone.localtime(notice.published_at).isoformat()
        published = f'<time datetime="{moment}">{local_date(notice.published_at)}</time>'
    validity = shown(notice.get_validity_display())
    if notice.validity_changed_on:
        validity += f"（{local_date(notice.validity_changed_on)}起）"
    rows = (
        ("索引号", shown(notice.index_number or "（发布时生成）")),
        ("主题分类", "；".join(map(shown_often, topic_paths)) or "—"),
        ("发布机构", shown_often(notice.organ.name)),
        ("成文日期", signed),
        ("标题", shown(notice.title)),
        ("文号", shown(notice.document_number or "—")),
        ("发布日期", published),
        ("有效性", validity),
        ("体裁分类", shown(notice.get_genre_display())),
        ("主题词", shown(notice.keywords or "—")),
        ("公开属性", shown(notice.get_disclosure_display())),
    )
    cells = [f'<th scope="row">{name}</th><td>{value}</td>' for name, value in rows]
    cells[4] = cells[4].replace("<td>", '<td colspan="3">')
    lines = [cells[0:2], cells[2:4], cells[4:5], cells[5:7], cells[7:9], cells[9:11]]
    body = "".join(
        "      <tr>\n" + "".join(f"        {cell}\n" for cell in line) + "      </tr>\n"
        for line in lines
    )
    return mark_safe(  # noqa: S308 - every value is escaped
        '<table class="metadata">\n'
        '    <caption class="visually-hidden">信息元数据</caption>\n'
        f"    <tbody>\n{body}    </tbody>\n  </table>"
    )


@register.simple_tag
def notice_article(notice: Notice, topic_paths: list[str], assessment=None) -> str:
    """What every notice page shows, from its metadata table to its body (or why the body is
    not online), written out directly: as 18 template nodes it took about 150 µs of a request's
    CPU (bench/README.md, "A seventh time").
    The parts few notices have (attachments, citations, corrections) stay in a template."""
    lines = [notice_metadata(notice, topic_paths), ""]
    lines.append(f'<h1 id="notice-title" class="notice__title">{shown(notice.title)}</h1>')
    if notice.document_number:
        lines.append(f'<p class="notice__number">{shown(notice.document_number)}</p>')
    if notice.summary:
        lines.append(
            f'<p class="notice__summary"><strong>内容概述：</strong>{shown(notice.summary)}</p>'
        )
    if assessment:
        lines.append(
            f'<p class="notice__assessment"><a href="{shown(assessment.get_absolute_url())}">'
            f"查看考核结果</a>（{assessment.year:d}年{shown(assessment.title)}，"
            "含成绩表和整改进度）</p>"
        )
    lines.append("")
    if notice.body_is_public:
        body = displayed_html(notice.body, notice.body_seal)
        lines.append(f'  <div class="notice__body">{body}</div>')
    else:
        disclosure = shown(notice.get_disclosure_display())
        lines.append(
            '  <div class="alert" role="note">\n'
            f"      <p>本信息属于“{disclosure}”，正文不在网上公开。公民、法人或者其他组织可以依照"
            f"《中华人民共和国政府信息公开条例》向{shown_often(notice.organ.name)}申请获取。</p>\n"
            "    </div>"
        )
    return mark_safe("\n  ".join(lines))  # noqa: S308 - every value is escaped, the body sanitized


def notice_row(notice: Notice) -> str:
    """One notice of a list: its title as a link and its meta line."""
    return (
        f'<li class="notice-row">\n  <a class="notice-row__title" '
        f'href="{notice.get_absolute_url()}">{shown(notice.title)}</a>\n'
        f"  {notice_meta(notice)}\n</li>"
    )


@register.simple_tag
def notice_rows(notices) -> str:
    """The rows of a list of notices (home page, catalogue), written out directly: through an
    included template per row they took most of the catalogue page's time."""
    return mark_safe("\n".join(notice_row(notice) for notice in notices))  # noqa: S308 - escaped


@register.simple_tag(takes_context=True)
def catalogue_links(context, parameter: str, choices) -> str:
    """A <li> link to the catalogue filtered by each (value, label) of ``choices``.

    Written out directly, once per list of choices: the home page lists every publishing
    organ, hundreds of them, and a template loop cost ten times as much.
    """
    return _catalogue_links(context["site"]["notice_list"], parameter, tuple(choices))


@lru_cache(maxsize=64)
def _catalogue_links(base: str, parameter: str, choices: tuple) -> str:
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

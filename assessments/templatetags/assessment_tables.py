"""The parts of an assessment's page with a row per assessed unit — hundreds of them — written out
directly, every value through ``escaped``. Through template loops (Django's or Jinja2's) or
``format_html`` they took most of the page's time: docs/performance.md gives the figures and
when this can go. The HTML is the same as the loops wrote."""

from html import escape

from django import template
from django.utils.safestring import mark_safe

from core import links

register = template.Library()


def escaped(value) -> str:
    """A value as a template shows it: escaped unless marked safe."""
    return str(value) if hasattr(value, "__html__") else escape(str(value))


INCOMPLETE_MARK = (
    '<span class="incomplete-mark">＊<span class="visually-hidden">成绩未录全</span></span>'
)


def unit_link(unit) -> str:
    """A link to the unit's history, named as the unit's organ."""
    url = links.url_for_id("assessments:unit-history", unit.organ_id)
    return f'<a href="{url}">{escaped(unit.organ.name)}</a>'


@register.simple_tag
def score_rows(table) -> str:
    """The body rows of a score table: the unit, then a cell per column."""
    rows = []
    for row in table.rows:
        mark = "" if row.result.complete else INCOMPLETE_MARK
        cells = "".join(
            f'<td class="num">{escaped(cell.text)}</td>'
            if cell.numeric
            else f"<td>{escaped(cell.text)}</td>"
            for cell in row.cells
        )
        rows.append(
            f'<tr>\n<th scope="row">{unit_link(row.result.unit)}{mark}</th>\n{cells}\n</tr>'
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every value is escaped


@register.simple_tag
def chart_bars(chart) -> str:
    """The bars of a bar chart (charts.BarChart), each with its label and value."""
    return mark_safe(  # noqa: S308 - every value is escaped
        "\n".join(
            f'<g class="chart__row">\n'
            f'<text class="chart__label" x="{bar.label_x}" y="{bar.label_y}" '
            f'text-anchor="{bar.label_anchor}" '
            f'dominant-baseline="central">{escaped(bar.label)}</text>\n'
            f'<rect class="chart__bar" x="{bar.x}" y="{bar.y}" width="{bar.width}" '
            f'height="{bar.height}" fill="#a4161a"/>\n'
            f'<text class="chart__value" x="{bar.value_x}" y="{bar.text_y}" '
            f'dominant-baseline="central">{escaped(bar.value_label)}</text>\n</g>'
            for bar in chart.bars
        )
    )


@register.simple_tag
def progress_rows(unit_progress) -> str:
    """The rows of the rectification progress table (results.UnitProgress)."""
    rows = []
    for entry in unit_progress:
        if entry.overdue:
            status = f'<span class="badge badge--warn">逾期 {entry.overdue} 项</span>'
        elif entry.done == entry.total:
            status = "已全部完成"
        else:
            status = "整改中"
        overdue = ' class="is-overdue"' if entry.overdue else ""
        rows.append(
            f"<tr{overdue}>\n"
            f'<th scope="row">{unit_link(entry.unit)}</th>\n'
            f"<td>{escaped(entry.unit.group.name)}</td>\n"
            f'<td class="num">{entry.done} / {entry.total}</td>\n'
            f"<td>{status}</td>\n</tr>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every value is escaped

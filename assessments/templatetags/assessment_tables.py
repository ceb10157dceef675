"""The parts of an assessment's page with a row per assessed unit, hundreds of them."""

from django import template

from config import templating
from notices import links

register = template.Library()


def unit_url(organ_id: int) -> str:
    """The URL of a unit's history, named by its organ (notices/links.py: reversed once)."""
    return links.url_for_id("assessments:unit-history", organ_id)


@register.simple_tag
def score_rows(table) -> str:
    """The body rows of a score table: the unit, then a cell per column."""
    return templating.render("assessments/score_rows.html", {"table": table, "unit_url": unit_url})


@register.simple_tag
def chart_bars(chart) -> str:
    """The bars of a bar chart (charts.BarChart), each with its label and value."""
    return templating.render("assessments/chart_bars.html", {"chart": chart})


@register.simple_tag
def progress_rows(unit_progress) -> str:
    """The rows of the rectification progress table (results.UnitProgress)."""
    return templating.render(
        "assessments/progress_rows.html", {"unit_progress": unit_progress, "unit_url": unit_url}
    )

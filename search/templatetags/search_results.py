from django import template

from core import templating

register = template.Library()


@register.simple_tag
def search_hits(hits) -> str:
    """The page's results: the title with its matches marked, the badges, the catalogue's meta
    line with the date signed, and the snippet (or, for a withdrawn notice, when it was
    withdrawn)."""
    return templating.render("search/hits.html", {"hits": hits})


@register.simple_tag
def search_facets(facets) -> str:
    """The counts per filter value beside the results (views.facet_links), each a link."""
    return templating.render("search/facets.html", {"facets": facets})

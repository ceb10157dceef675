"""The header and footer of every portal page, rendered by Jinja2 (core/templating.py).

Every public page pays for them, uncached pages included: written in Django's template language
they cost the notice page about as much as its article, metadata and related notices together
(bench/profile_page.py counts a request's function calls). Their markup lives in
templates/jinja2/includes/; what they show comes from the context processors
(notices.context_processors.portal, portal.identity.context)."""

import copy
from urllib.parse import quote

from django import template

from core import templating

register = template.Library()


def _chrome(context) -> dict:
    return {
        "site": context["site"],
        "links": context.get("portal_links", {}),
        # The identity is given lazily (portal.identity.context); a copy of a lazy object read
        # once is the object itself, whose fields the templates then read without a proxy.
        "identity": copy.copy(context["identity"]),
    }


@register.simple_tag(takes_context=True)
def site_header(context) -> str:
    request = context["request"]
    match = request.resolver_match
    return templating.render(
        "includes/site_header.html",
        {
            **_chrome(context),
            "reading_mode": context.get("reading_mode", ""),
            "current": match.view_name if match else "",
            "app": match.app_name if match else "",
            # As Django's |urlencode writes it.
            "here": quote(request.get_full_path()),
            "search_query": context.get("search_query") or "",
        },
    )


@register.simple_tag(takes_context=True)
def site_footer(context) -> str:
    return templating.render("includes/site_footer.html", _chrome(context))

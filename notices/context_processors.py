from functools import cache

from django.conf import settings
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse

from core import reading_mode


@cache
def site_links(script_prefix: str) -> dict[str, str]:
    """What every portal page links to, looked up once per process rather than on each page
    (each {% url %} and {% static %} tag cost about as much as the rest of the header)."""
    return {
        "home": reverse("notices:home"),
        "notice_list": reverse("notices:notice-list"),
        "organ_list": reverse("notices:organ-list"),
        "assessments": reverse("assessments:assessment-index"),
        "search": reverse("search:search"),
        "feed": reverse("notices:feed"),
        "sitemap": reverse("sitemap-index"),
        "reading_mode": reverse("reading-mode"),
        "stylesheet": static("css/portal.css"),
        "print_stylesheet": static("css/print.css"),
        "script": static("js/site.js"),
    }


def portal(request) -> dict:
    return {
        "portal_name": settings.PORTAL_NAME,
        "site": site_links(get_script_prefix()),
        **reading_mode.page_context(request),
    }

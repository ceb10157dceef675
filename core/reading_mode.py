"""The portal's reading modes: the standard one and the elder-friendly one (适老化 / 无障碍, after
工信部《互联网网站适老化通用设计规范》) in two text sizes, 大字 and 特大字: larger text, high
contrast, wider line spacing and one column (static/css/portal.css, under ``html.reading-…``).

A reader picks a mode with a link in every page's header to ``switch``, which keeps the choice
in a cookie and sends the reader back: no JavaScript. The page cache keys pages on the mode
(``core.page_cache``): the mode is written into the page (the class on <html>, the header's
links), so each mode's page is cached apart, and a standard page costs what it did. Pages of
the other modes are not handed to a CDN, which keys on the URL alone.
"""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

COOKIE = "reading_mode"
STANDARD = "standard"
# The modes a reader may choose, by their value in the URL and the cookie, with their labels.
MODES = {STANDARD: "标准模式", "large": "长者模式（大字）", "larger": "长者模式（特大字）"}
COOKIE_SECONDS = 365 * 24 * 3600


def mode_of(request) -> str:
    """The reading mode the request's cookie names; the standard mode for anything else."""
    mode = request.COOKIES.get(COOKIE, STANDARD)
    return mode if mode in MODES else STANDARD


def safe_target(request, target: str | None) -> str:
    """``target`` if it is a path or URL on this site, else the home page."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def switch(request):
    """Keep the mode ``?mode=`` names in the cookie and go back to ``?next=`` (on this site)."""
    mode = request.GET.get("mode", STANDARD)
    if mode not in MODES:
        return render(request, "reading_mode_error.html", {"modes": MODES}, status=400)
    response = HttpResponseRedirect(safe_target(request, request.GET.get("next")))
    response["Cache-Control"] = "no-store"
    if mode == STANDARD:
        response.delete_cookie(COOKIE, samesite="Lax")
    else:
        response.set_cookie(
            COOKIE,
            mode,
            max_age=COOKIE_SECONDS,
            samesite="Lax",
            httponly=True,
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


def page_context(request) -> dict:
    """What a page needs to show its mode: the mode, and the classes of <html> (none for the
    standard mode)."""
    mode = mode_of(request)
    return {
        "reading_mode": mode,
        "reading_class": "" if mode == STANDARD else f"reading-elder reading-{mode}",
    }

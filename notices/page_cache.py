"""Whole-page caching for anonymous readers, invalidated the moment anything public changes.

A generation number is bumped by each publication, correction, withdrawal and unscheduling
(after its transaction commits); every cached page records the generation it was rendered in
and is only served while that is still the current one, so no stale page outlives the change.
A page is never cached past the moment the next scheduled notice falls due, so scheduled notices
appear on time without a cron job. The cache is Redis when REDIS_URL is set: shared by every
app server.

A hit costs one cache round trip (the generation, the next due time and the page are read
together) and no database query; the page is kept as its status, headers and bytes, not as a
pickled response.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone

GENERATION_KEY = "portal:generation"
NEXT_DUE_KEY = "portal:next-due"
PAGE_PREFIX = "portal:page:"


def page_seconds() -> int:
    return settings.PORTAL_PAGE_CACHE_SECONDS


def invalidate() -> None:
    """Drop every cached portal page once the current transaction commits."""

    def bump():
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:
            cache.add(GENERATION_KEY, 2, timeout=None)
        cache.delete(NEXT_DUE_KEY)

    transaction.on_commit(bump)


def _current_generation(found: dict) -> int:
    value = found.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY, 1)
    return value


def _seconds_until_next_due(found: dict) -> int | None:
    """Seconds until the next scheduled notice becomes public (None if none is scheduled)."""
    from notices.models import Notice

    due = found.get(NEXT_DUE_KEY)
    if due is None:
        upcoming = Notice.objects.scheduled().order_by("published_at").first()
        due = upcoming.published_at.timestamp() if upcoming else 0
        cache.set(NEXT_DUE_KEY, due, timeout=page_seconds())
    if not due:
        return None
    return max(0, int(due - timezone.now().timestamp()))


def _is_anonymous_get(request) -> bool:
    if request.method != "GET":
        return False
    # Without a session cookie nobody is logged in, and the session need not be loaded.
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return True
    return not request.user.is_authenticated


def cache_page_for_public(view):
    """Serve anonymous GETs from the cache; everyone else gets a fresh page.

    A view may set ``counts_view_of`` on its response (a notice's id); a page served from the
    cache carries it again, so that the caller still counts the view.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if page_seconds() <= 0 or not _is_anonymous_get(request):
            return view(request, *args, **kwargs)
        key = PAGE_PREFIX + hashlib.sha256(request.get_full_path().encode()).hexdigest()
        found = cache.get_many([GENERATION_KEY, NEXT_DUE_KEY, key])
        generation = _current_generation(found)
        stored = found.get(key)
        if stored is not None and stored[0] == generation:
            return _response_from(stored)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if response.status_code != 200 or response.streaming:
            return response
        timeout = page_seconds()
        due = _seconds_until_next_due(found)
        if due is not None:
            timeout = min(timeout, due)
        if timeout > 0:
            counted = getattr(response, "counts_view_of", None)
            headers = list(response.items())
            cache.set(key, (generation, headers, response.content, counted), timeout)
        return response

    return wrapper


def _response_from(stored: tuple) -> HttpResponse:
    _generation, headers, content, counted = stored
    response = HttpResponse(content)
    for name, value in headers:
        response.headers[name] = value
    if counted is not None:
        response.counts_view_of = counted
    return response


def invalidate_on_change(sender, instance, **kwargs) -> None:
    """Signal receiver for models whose rows the portal shows."""
    is_public = getattr(instance, "affects_portal", True)
    if callable(is_public):
        is_public = is_public()
    if is_public:
        invalidate()

"""Whole-page caching for anonymous readers, invalidated the moment anything public changes.

Every key carries a generation number that each publication, correction, withdrawal and
unscheduling bumps (after its transaction commits), so no stale page outlives the change. A
page is never cached past the moment the next scheduled notice falls due, so scheduled notices
appear on time without a cron job. The cache is Redis when REDIS_URL is set: shared by every
app server.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

GENERATION_KEY = "portal:generation"
NEXT_DUE_KEY = "portal:next-due"


def page_seconds() -> int:
    return settings.PORTAL_PAGE_CACHE_SECONDS


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY, 1)
    return value


def invalidate() -> None:
    """Drop every cached portal page once the current transaction commits."""

    def bump():
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:
            cache.add(GENERATION_KEY, 2, timeout=None)
        cache.delete(NEXT_DUE_KEY)

    transaction.on_commit(bump)


def seconds_until_next_due() -> int | None:
    """Seconds until the next scheduled notice becomes public (None if none is scheduled)."""
    from notices.models import Notice

    due = cache.get(NEXT_DUE_KEY)
    if due is None:
        upcoming = Notice.objects.scheduled().order_by("published_at").first()
        due = upcoming.published_at.timestamp() if upcoming else 0
        cache.set(NEXT_DUE_KEY, due, timeout=page_seconds())
    if not due:
        return None
    return max(0, int(due - timezone.now().timestamp()))


def cache_page_for_public(view):
    """Serve anonymous GETs from the cache; everyone else gets a fresh page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if page_seconds() <= 0 or request.method != "GET" or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        key = f"portal:page:{generation()}:{path}"
        cached = cache.get(key)
        if cached is not None:
            return cached
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        timeout = page_seconds()
        due = seconds_until_next_due()
        if due is not None:
            timeout = min(timeout, due)
        if response.status_code == 200 and timeout > 0 and not response.streaming:
            cache.set(key, response, timeout)
        return response

    return wrapper


def invalidate_on_change(sender, instance, **kwargs) -> None:
    """Signal receiver for models whose rows the portal shows."""
    is_public = getattr(instance, "affects_portal", True)
    if callable(is_public):
        is_public = is_public()
    if is_public:
        invalidate()

"""Whole-page caching for anonymous readers, invalidated the moment anything public changes.

Each publication, correction, withdrawal and unscheduling bumps two generation numbers once its
transaction commits: one in the cache (every app server sees it at once) and one in the database
(PageGeneration, which survives an unreachable cache). Every cached page records both as they
were when it was rendered, and is only served while the cache's is still the current one and the
database's is not larger. Each process reads the database's at most every
PORTAL_GENERATION_CHECK_SECONDS; a change whose bump could not reach the cache waits that long
before it answers, so that after its answer no server serves a page from before it, even when
the cache comes back with its old pages. A page is never cached past the moment the next
scheduled notice falls due, so scheduled notices appear on time without a cron job. Pages are
keyed by their absolute URL (scheme, host, path and query). The cache is Redis when REDIS_URL is
set: shared by every app server; while it cannot be reached, pages are rendered for each reader
(config/redis_cache.py).

A hit costs one cache round trip (the generation, the next due time and the page are read
together; a notice's page adds the count of its view) and no database query, but for the
generation's check once per PORTAL_GENERATION_CHECK_SECONDS. Readers without a session are
served by PublicPageCacheMiddleware before the rest of the middleware runs; the page is kept as
it leaves the stack, as its headers and bytes, not as a pickled response.
"""

import hashlib
import logging
import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models import F
from django.http import HttpResponse
from django.utils import timezone
from django.utils.module_loading import import_string

from notices import counters

GENERATION_KEY = "portal:generation"
NEXT_DUE_KEY = "portal:next-due"
PAGE_PREFIX = "portal:page:"
VALUE_PREFIX = "portal:value:"

logger = logging.getLogger(__name__)

# The cached values read so far in the current request (see ``cached``).
_request_values: ContextVar[dict | None] = ContextVar("cached_values", default=None)
# The names of the values cached in this process: the first that a request asks for is read
# with all the others, in one round trip. Only a hint about which keys to ask for together.
_names_asked: set[str] = set()
# Names the current request said it will ask for (see ``read_ahead``).
_names_ahead: ContextVar[tuple[str, ...]] = ContextVar("cached_ahead", default=())


def page_seconds() -> int:
    return settings.PORTAL_PAGE_CACHE_SECONDS


class _DatabaseGeneration:
    """The database's generation as this process last read it, and when (time.monotonic())."""

    value = 0
    read_at: float | None = None


_database_generation = _DatabaseGeneration()
# Invalidations asked for in this thread and not yet carried out: many saves in one transaction
# bump the generations once, when it commits.
_pending = threading.local()


def invalidate() -> None:
    """Drop every cached portal page once the current transaction commits."""
    _pending.count = getattr(_pending, "count", 0) + 1
    transaction.on_commit(_bump)


def _bump() -> None:
    if not getattr(_pending, "count", 0):
        return  # an earlier callback of the same commit bumped already
    _pending.count = 0
    _bump_database_generation()
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.add(GENERATION_KEY, 2, timeout=None)
    cache.delete(NEXT_DUE_KEY)
    values = _request_values.get()
    if values is not None:
        values.clear()  # what this request read before the change is stale now
    if not getattr(cache, "reachable", True):  # a local-memory cache is always reachable
        # Servers that can reach the cache would still serve its pages until they read the
        # database's generation again: answer only once each of them has.
        logger.warning("The page cache could not be invalidated; waiting for every server.")
        time.sleep(settings.PORTAL_GENERATION_CHECK_SECONDS)


def _bump_database_generation() -> None:
    from notices.models import PageGeneration

    try:
        if not PageGeneration.objects.filter(pk=1).update(value=F("value") + 1):
            PageGeneration.objects.get_or_create(pk=1, defaults={"value": 1})
    except DatabaseError:
        logger.exception("The portal's generation could not be bumped in the database.")
    _database_generation.read_at = None  # read it again before serving from the cache


def _current_database_generation() -> int:
    """The database's generation, read at most every PORTAL_GENERATION_CHECK_SECONDS."""
    from notices.models import PageGeneration

    memo, started = _database_generation, time.monotonic()
    if (
        memo.read_at is not None
        and started - memo.read_at < settings.PORTAL_GENERATION_CHECK_SECONDS
    ):
        return memo.value
    try:
        value = (
            PageGeneration.objects.using("default")
            .filter(pk=1)
            .values_list("value", flat=True)
            .first()
        )
    except DatabaseError:
        # The database cannot say: nothing can be published meanwhile either.
        logger.warning("The portal's generation could not be read; using the last one read.")
    else:
        memo.value = value or 0
    memo.read_at = started  # the read saw at least what was committed when it started
    return memo.value


def _current_generation(found: dict) -> tuple[int, int]:
    value = found.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY, 1)
    return value, _current_database_generation()


def _is_current(kept_generation: tuple[int, int], generation: tuple[int, int]) -> bool:
    """Whether something kept under ``kept_generation`` may still be served: the cache's
    generation is the same and the database's no larger (another server may have read it
    first)."""
    return kept_generation[0] == generation[0] and kept_generation[1] >= generation[1]


def _seconds_until_next_due(found: dict, seconds: int) -> int | None:
    """Seconds until the next scheduled notice becomes public (None if none is scheduled)."""
    from notices.models import Notice

    due = found.get(NEXT_DUE_KEY)
    if due is None:
        upcoming = Notice.objects.scheduled().order_by("published_at").first()
        due = upcoming.published_at.timestamp() if upcoming else 0
        cache.set(NEXT_DUE_KEY, due, timeout=seconds)
    if not due:
        return None
    return max(0, int(due - timezone.now().timestamp()))


def _has_no_session(request) -> bool:
    # Without a session cookie nobody is logged in, and the session need not be loaded.
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


def _is_anonymous(request) -> bool:
    # Asking the session marks the page as varying with the cookie: only when there is one.
    return _has_no_session(request) or not request.user.is_authenticated


@dataclass(frozen=True)
class Lookup:
    """What one round trip to the cache found for ``key``: ``found`` holds every key read as
    the cache returned it; ``kept`` is what is kept under ``key``, None unless it was kept in
    the current ``generation``, and so is each value of ``also_kept`` (the other keys read)."""

    key: str
    found: dict
    generation: tuple[int, int]
    kept: tuple | None
    also_kept: dict[str, tuple | None]


def _read(key: str, *others: str) -> Lookup:
    """The generation, the next due time and what is kept under ``key`` (and ``others``), in
    one round trip."""
    found = cache.get_many([GENERATION_KEY, NEXT_DUE_KEY, key, *others])
    generation = _current_generation(found)

    def current(name: str):
        kept = found.get(name)
        return kept if kept is not None and _is_current(kept[0], generation) else None

    return Lookup(
        key=key,
        found=found,
        generation=generation,
        kept=current(key),
        also_kept={name: current(name) for name in others},
    )


def _lookup(request) -> Lookup:
    # By absolute URL: a page names its own host and scheme (links, feeds), and one host's page
    # must not be served for another.
    url = request.build_absolute_uri()
    return _read(PAGE_PREFIX + hashlib.sha256(url.encode()).hexdigest())


def _hit(lookup: Lookup) -> HttpResponse | None:
    if lookup.kept is None:
        return None
    _generation, headers, content, counted = lookup.kept
    response = HttpResponse(content)
    for name, value in headers:
        response.headers[name] = value
    if counted is not None:
        counters.record_view(counted)
    return response


class PublicPageCacheMiddleware:
    """Serves cached pages to readers without a session before the rest of the middleware runs,
    and keeps the pages that views marked with ``cache_page_for_public`` as they leave the
    stack: with every header the middleware below adds (policy, framing, language).

    It goes above the session middleware. A page is not kept if it sets a cookie or varies with
    one (it used the session or a CSRF token): it is not the same for every reader.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if page_seconds() > 0 and request.method == "GET" and _has_no_session(request):
            request.public_page_lookup = _lookup(request)
            response = _hit(request.public_page_lookup)
            if response is not None:
                return response
        marked, ahead = _request_values.set({}), _names_ahead.set(())
        try:
            response = self.get_response(request)
        finally:
            _request_values.reset(marked)
            _names_ahead.reset(ahead)
        lookup = getattr(response, "public_page_lookup", None)
        if lookup is not None:
            _keep(lookup, response)
        return response


def _timeout(found: dict, seconds: int) -> int:
    """How long something rendered now may be kept: not past the next scheduled notice."""
    due = _seconds_until_next_due(found, seconds)
    return seconds if due is None else min(seconds, due)


def _keep(lookup: Lookup, response) -> None:
    if (
        response.status_code != 200
        or response.streaming
        or response.cookies
        or "cookie" in response.get("Vary", "").lower()
    ):
        return
    timeout = _timeout(lookup.found, page_seconds())
    if timeout > 0:
        counted = getattr(response, "counts_view_of", None)
        entry = (lookup.generation, list(response.items()), response.content, counted)
        cache.set(lookup.key, entry, timeout)


def cached(name: str, compute, *, read_with_others: bool = True):
    """A value that public pages show (which organs publish, the topic tree), computed once and
    kept like a page: until anything public changes or a notice falls due.

    Within a request (PublicPageCacheMiddleware marks its span), the first value asked for is
    read together with every other this process has cached, and each is read once. A value
    of which there are many (one per filter combination) is read on its own instead:
    ``read_with_others=False``."""
    seconds = settings.PORTAL_LISTS_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    values = _request_values.get()
    if values is not None and name in values:
        return values[name]
    others = []
    if read_with_others:
        _names_asked.add(name)
    if values is not None:
        wanted = (_names_asked if read_with_others else set()) | set(_names_ahead.get())
        others = sorted(wanted - {name} - set(values))
    lookup = _read(VALUE_PREFIX + name, *(VALUE_PREFIX + other for other in others))
    if values is not None:
        for other in others:
            kept = lookup.also_kept[VALUE_PREFIX + other]
            if kept is not None:
                values[other] = kept[1]
    if lookup.kept is not None:
        value = lookup.kept[1]
    else:
        value = compute()
        timeout = _timeout(lookup.found, seconds)
        if timeout > 0:
            cache.set(lookup.key, (lookup.generation, value), timeout)
    if values is not None:
        values[name] = value
    return value


def read_ahead(*names: str) -> None:
    """Say which cached values of the kind read on their own (one per filter combination)
    this request will ask for: they are read with the first value it asks for, in the same
    round trip. Only a hint: a name asked for later that was not kept is read then."""
    if _request_values.get() is not None:
        _names_ahead.set(_names_ahead.get() + names)


def cache_page_for_public(view):
    """Mark a view's pages for anonymous GETs to be cached (PublicPageCacheMiddleware keeps and
    serves them); everyone else gets a fresh page.

    A reader with a session cookie who is not logged in is served here, once the session says
    so. A view may set ``counts_view_of`` on its response (a notice's id): each time the page is
    served from the cache, that notice's view is counted.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if page_seconds() <= 0 or request.method != "GET" or not _is_anonymous(request):
            return view(request, *args, **kwargs)
        lookup = getattr(request, "public_page_lookup", None)
        if lookup is None:
            lookup = _lookup(request)
            response = _hit(lookup)
            if response is not None:
                return response
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        response.public_page_lookup = lookup
        return response

    return wrapper


def invalidate_on_change(sender, instance, **kwargs) -> None:
    """Signal receiver for models whose rows the portal shows."""
    is_public = getattr(instance, "affects_portal", True)
    if callable(is_public):
        is_public = is_public()
    if is_public:
        invalidate()


def purge_from_cdn(paths: list[str]) -> None:
    """Once the current transaction commits, ask the CDN in front of the portal (if
    CDN_PURGE_CALLABLE names a function) to drop its copies of ``paths``. A purge that fails is
    logged; the change stands."""
    if not settings.CDN_PURGE_CALLABLE:
        return

    def purge():
        try:
            import_string(settings.CDN_PURGE_CALLABLE)(paths)
        except Exception:
            logger.exception("The CDN could not purge %s.", paths)

    transaction.on_commit(purge)

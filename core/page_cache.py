"""Whole-page caching for anonymous readers, invalidated page by page as what they show changes.

Each cached page (and each value kept like one, see ``cached``) records the **tags** of what it
shows, with each tag's generation as it was when the page was rendered:

- ``site``: what every page shows (the organs, the topic tree) — on every page;
- a section such as ``notices`` (the lists of notices: home, catalogue, feeds, sitemaps,
  search) or ``assessments``, named by the view (``cache_page_for_public(shows=...)``);
- an object such as ``notice-42``, for the pages of one object, named by the URL pattern that
  serves them (``tag_pages_of``).

A change bumps the generations of the tags it touches once its transaction commits
(``invalidate``, or the receivers that ``follow`` connects): publishing a notice bumps
``notices`` and its own tag, so the catalogue and feeds change at once while the other
notices' pages and the assessment pages stay cached. A page is served only while each of its
tags' generations is still the one it recorded. The generations live in the cache, shared by
every app server; the database holds one more number (PageGeneration) that is bumped only when
a change could not reach the cache, and every cached page also records that, so an
invalidation is not lost while the cache is unreachable: each process reads it at most every
PORTAL_GENERATION_CHECK_SECONDS, and the change waits that long before it answers.

A page is never kept past the moment the next scheduled item falls due (``due_times``), so
scheduled notices appear on time without a cron job. Pages are keyed by their absolute URL.
A hit costs one cache round trip (the tags' generations, the next due time and the page are
read together) and no database query. Readers without a session are served by
PublicPageCacheMiddleware before the rest of the middleware runs.

For a CDN in front of the portal, kept pages carry ``Cache-Control: public, s-maxage=…``
(PORTAL_CDN_SECONDS) and their tags in CDN_TAG_HEADER; each invalidation calls
CDN_PURGE_CALLABLE with the tags it bumped.
"""

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal
from django.http import HttpResponse
from django.utils import timezone
from django.utils.module_loading import import_string

from core import reading_mode
from core.links import url_parts

SITE = "site"
GENERATION_PREFIX = "portal:generation:"
NEXT_DUE_KEY = "portal:next-due"
# Pages and values are kept under the shape of this release's code: bump FORMAT when what is
# kept changes shape (a value's class, a page's markup), so that servers of two releases sharing
# the cache while one replaces the other never read each other's. Generations stay shared, so
# a publication on either drops the pages of both.
FORMAT = 2
PAGE_PREFIX = f"portal:page:{FORMAT}:"
VALUE_PREFIX = f"portal:value:{FORMAT}:"
# The key under which a kept page or value records the database's generation.
DATABASE = ""

logger = logging.getLogger(__name__)

# Sent when a page is served from the cache, with the id the view named in ``counts_view_of``
# (a notice's page: its view is counted, notices/counters.py).
page_served = Signal()

# The sections (tags other than objects') named by views, read with every page; ``site`` first.
_sections: list[str] = [SITE]
# URL pattern names whose pages show one object: (pattern name, tag prefix).
_object_pages: list[tuple[str, str]] = []
# Functions answering when the next scheduled item becomes public (a datetime, or None).
_due_times: list[Callable] = []

# The cached values read so far in the current request (see ``cached``).
_request_values: ContextVar[dict | None] = ContextVar("cached_values", default=None)
# The names of the values cached in this process: the first that a request asks for is read
# with all the others, in one round trip. Only a hint about which keys to ask for together.
_names_asked: set[str] = set()
# Names the current request said it will ask for (see ``read_ahead``).
_names_ahead: ContextVar[tuple[str, ...]] = ContextVar("cached_ahead", default=())
# Tags to bump when the current transaction commits, per thread.
_pending = threading.local()


def page_seconds() -> int:
    return settings.PORTAL_PAGE_CACHE_SECONDS


def _section(name: str) -> str:
    if name not in _sections:
        _sections.append(name)
    return name


def tag_pages_of(url_name: str, tag_prefix: str) -> None:
    """Pages of the URL pattern ``url_name`` (one integer argument) show one object: the page
    for id 42 also records the tag ``<tag_prefix>-42``."""
    _object_pages.append((url_name, tag_prefix))


def due_times(when_next_due: Callable) -> None:
    """Register a function answering when the next scheduled item becomes public."""
    _due_times.append(when_next_due)


def object_tag(path: str) -> str | None:
    """The tag of the object the page at ``path`` shows, if its pattern was registered."""
    for url_name, prefix in _object_pages:
        before, after = url_parts(url_name)
        if path.startswith(before) and path.endswith(after):
            middle = path[len(before) : len(path) - len(after)]
            if middle.isdigit():
                return f"{prefix}-{int(middle)}"
    return None


# Invalidation ---------------------------------------------------------------------------------


def invalidate(*tags: str) -> None:
    """Drop the cached pages showing any of ``tags`` once the current transaction commits."""
    pending = getattr(_pending, "tags", None)
    if pending is None:
        pending = _pending.tags = set()
    pending.update(tags)
    # Asked for each time: tags of a transaction that was rolled back are still pending, and
    # are bumped (needlessly, harmlessly) with the next commit's.
    transaction.on_commit(_bump)


def follow(model, tags_of: Callable) -> None:
    """Invalidate the pages that show a row of ``model`` whenever one is saved or deleted:
    ``tags_of(instance)`` names their tags (none when the row is not public)."""

    def changed(sender, instance, **kwargs):
        tags = tags_of(instance)
        if tags:
            invalidate(*tags)

    uid = f"core.page_cache.{model._meta.label}"
    if model._meta.auto_created:  # a many-to-many table
        m2m_changed.connect(changed, sender=model, weak=False, dispatch_uid=uid)
        return
    post_save.connect(changed, sender=model, weak=False, dispatch_uid=uid)
    post_delete.connect(changed, sender=model, weak=False, dispatch_uid=uid)


def _new_generation() -> int:
    # Never a number a page may have recorded: a generation lost from the cache (evicted,
    # expired, a restarted Redis) starts again where no old page can match it.
    return time.time_ns()


def _tag_seconds() -> int:
    # An object's generation outlives every page that recorded it; a section's is kept.
    return max(page_seconds(), settings.PORTAL_LISTS_CACHE_SECONDS) * 2


def _bump() -> None:
    tags = sorted(getattr(_pending, "tags", ()) or ())
    _pending.tags = set()
    if not tags:
        return  # an earlier callback of the same commit bumped them already
    for tag in tags:
        key = GENERATION_PREFIX + tag
        timeout = None if tag in _sections else _tag_seconds()
        try:
            cache.incr(key)
        except ValueError:
            cache.add(key, _new_generation(), timeout=timeout)
    cache.delete(NEXT_DUE_KEY)
    values = _request_values.get()
    if values is not None:
        values.clear()  # what this request read before the change is stale now
    if not getattr(cache, "reachable", True):  # a local-memory cache is always reachable
        # Servers that can reach the cache would still serve its pages until they read the
        # database's generation again: bump it, and answer only once each of them has.
        logger.warning("The page cache could not be invalidated; waiting for every server.")
        _bump_database_generation()
        time.sleep(settings.PORTAL_GENERATION_CHECK_SECONDS)
    _purge_from_cdn(tags)


def _purge_from_cdn(tags: list[str]) -> None:
    if not settings.CDN_PURGE_CALLABLE:
        return
    try:
        import_string(settings.CDN_PURGE_CALLABLE)(tags)
    except Exception:
        logger.exception("The CDN could not purge %s.", tags)


class _DatabaseGeneration:
    """The database's generation as this process last read it, and when (time.monotonic())."""

    value = 0
    read_at: float | None = None


_database_generation = _DatabaseGeneration()


def _bump_database_generation() -> None:
    from core.models import PageGeneration

    try:
        if not PageGeneration.objects.filter(pk=1).update(value=F("value") + 1):
            PageGeneration.objects.get_or_create(pk=1, defaults={"value": 1})
    except DatabaseError:
        logger.exception("The portal's generation could not be bumped in the database.")
    _database_generation.read_at = None  # read it again before serving from the cache


def _current_database_generation() -> int:
    """The database's generation, read at most every PORTAL_GENERATION_CHECK_SECONDS."""
    from core.models import PageGeneration

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


# Reading --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lookup:
    """What one round trip to the cache found for ``key``: ``found`` holds every key read as
    the cache returned it, ``generations`` each tag's current generation (and the database's
    under DATABASE); ``kept`` is what is kept under ``key`` if it is still current, else None,
    and so is each value of ``also_kept`` (the other keys read). ``tag`` is the object the page
    shows, if any. ``for_cdn``: whether a CDN may keep the page (keyed on the URL alone, it
    may keep only the standard reading mode's pages)."""

    key: str
    found: dict
    generations: dict[str, int]
    kept: tuple | None
    also_kept: dict[str, tuple | None]
    tag: str | None = None
    for_cdn: bool = True

    def stamp(self, shows: Iterable[str]) -> dict[str, int]:
        """The generations that something rendered now, showing ``shows``, records."""
        tags = {SITE, *shows}
        if self.tag:
            tags.add(self.tag)
        stamp = {tag: self._generation(tag) for tag in tags}
        stamp[DATABASE] = self.generations[DATABASE]
        return stamp

    def _generation(self, tag: str) -> int:
        value = self.generations.get(tag)
        if value is None:
            key = GENERATION_PREFIX + tag
            timeout = None if tag in _sections else _tag_seconds()
            cache.add(key, _new_generation(), timeout=timeout)
            value = cache.get(key)
        return value


def _is_current(stamp: dict[str, int], generations: dict[str, int]) -> bool:
    """Whether something kept under ``stamp`` may still be served: each of its tags has the
    same generation, and the database's is no larger (another server may have read it first)."""
    for tag, value in stamp.items():
        if tag == DATABASE:
            if value < generations[DATABASE]:
                return False
        elif generations.get(tag) != value:
            return False
    return True


def _read(key: str, *others: str, tag: str | None = None, for_cdn: bool = True) -> Lookup:
    """Every section's generation, ``tag``'s, the next due time and what is kept under ``key``
    (and ``others``), in one round trip."""
    tags = [*_sections, tag] if tag else _sections
    generation_keys = [GENERATION_PREFIX + name for name in tags]
    found = cache.get_many([*generation_keys, NEXT_DUE_KEY, key, *others])
    generations = {
        name: found[generation_key]
        for name, generation_key in zip(tags, generation_keys, strict=True)
        if generation_key in found
    }
    generations[DATABASE] = _current_database_generation()

    def current(name: str):
        kept = found.get(name)
        if not (isinstance(kept, tuple) and kept and isinstance(kept[0], dict)):
            return None  # nothing kept, or not in the shape this code keeps
        return kept if _is_current(kept[0], generations) else None

    return Lookup(
        key=key,
        found=found,
        generations=generations,
        kept=current(key),
        also_kept={name: current(name) for name in others},
        tag=tag,
        for_cdn=for_cdn,
    )


def _seconds_until_next_due(found: dict, seconds: int) -> int | None:
    """Seconds until the next scheduled item becomes public (None if none is scheduled)."""
    due = found.get(NEXT_DUE_KEY)
    if due is None:
        moments = [moment for moment in (when() for when in _due_times) if moment is not None]
        due = min(moments).timestamp() if moments else 0
        cache.set(NEXT_DUE_KEY, due, timeout=seconds)
    if not due:
        return None
    return max(0, int(due - timezone.now().timestamp()))


def _timeout(found: dict, seconds: int) -> int:
    """How long something rendered now may be kept: not past the next scheduled item."""
    due = _seconds_until_next_due(found, seconds)
    return seconds if due is None else min(seconds, due)


# Pages ----------------------------------------------------------------------------------------


def _has_no_session(request) -> bool:
    # Without a session cookie nobody is logged in, and the session need not be loaded.
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


def _is_anonymous(request) -> bool:
    # Asking the session marks the page as varying with the cookie: only when there is one.
    return _has_no_session(request) or not request.user.is_authenticated


def _lookup(request) -> Lookup:
    # By absolute URL: a page names its own host and scheme (links, feeds), and one host's page
    # must not be served for another.
    # And by reading mode, which the page is written in (core/reading_mode.py).
    url = request.build_absolute_uri()
    mode = reading_mode.mode_of(request)
    standard = mode == reading_mode.STANDARD
    key = PAGE_PREFIX + hashlib.sha256((url if standard else f"{url} {mode}").encode()).hexdigest()
    return _read(key, tag=object_tag(request.path), for_cdn=standard)


def _for_cdn(response, lookup: Lookup, stamp: dict[str, int]) -> None:
    """Let a CDN keep the page as long as this cache would, and purge it by its tags."""
    seconds = settings.PORTAL_CDN_SECONDS
    if seconds <= 0:
        return
    if not lookup.for_cdn:
        response.headers["Cache-Control"] = "private"
        return
    due = _seconds_until_next_due(lookup.found, seconds)
    seconds = seconds if due is None else min(seconds, due)
    response.headers["Cache-Control"] = f"public, max-age=0, s-maxage={seconds}"
    response.headers[settings.CDN_TAG_HEADER] = " ".join(sorted(t for t in stamp if t))


def _hit(lookup: Lookup) -> HttpResponse | None:
    if lookup.kept is None:
        return None
    stamp, headers, content, counted = lookup.kept
    response = HttpResponse(content)
    for name, value in headers:
        response.headers[name] = value
    _for_cdn(response, lookup, stamp)
    if counted is not None:
        page_served.send(sender=None, counts_view_of=counted)
    return response


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
        stamp = lookup.stamp(getattr(response, "shows", ()))
        counted = getattr(response, "counts_view_of", None)
        entry = (stamp, list(response.items()), response.content, counted)
        cache.set(lookup.key, entry, timeout)
        _for_cdn(response, lookup, stamp)


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


def cache_page_for_public(view=None, *, shows: Iterable[str] = ()):
    """Mark a view's pages for anonymous GETs to be cached (PublicPageCacheMiddleware keeps and
    serves them); everyone else gets a fresh page. ``shows`` names the sections the pages show
    besides ``site`` (and the object of a pattern registered with ``tag_pages_of``).

    A reader with a session cookie who is not logged in is served here, once the session says
    so. A view may set ``counts_view_of`` on its response (a notice's id): each time the page is
    served from the cache, ``page_served`` is sent with it.
    """
    shows = tuple(_section(name) for name in shows)

    def decorate(view):
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
            response.shows = shows
            return response

        return wrapper

    return decorate if view is None else decorate(view)


# Values ---------------------------------------------------------------------------------------


def cached(name: str, compute, *, shows: Iterable[str] = (), read_with_others: bool = True):
    """A value that public pages show (which organs publish, the topic tree), computed once and
    kept like a page: until a change bumps one of its tags (``site`` and ``shows``) or an item
    falls due.

    Within a request (PublicPageCacheMiddleware marks its span), the first value asked for is
    read together with every other this process has cached, and each is read once. A value
    of which there are many (one per filter combination, one per topic set) is not added to
    those the next requests read together (``read_with_others=False``), but the shared ones
    still come with it in its round trip."""
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
        wanted = _names_asked | set(_names_ahead.get())
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
            stamp = lookup.stamp(_section(section) for section in shows)
            cache.set(lookup.key, (stamp, value), timeout)
    if values is not None:
        values[name] = value
    return value


def read_ahead(*names: str) -> None:
    """Say which cached values of the kind read on their own (one per filter combination)
    this request will ask for: they are read with the first value it asks for, in the same
    round trip. Only a hint: a name asked for later that was not kept is read then."""
    if _request_values.get() is not None:
        _names_ahead.set(_names_ahead.get() + names)

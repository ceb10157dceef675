"""Paging through a million rows without counting them all or skipping over them.

Counts stop at COUNT_CAP. The portal's catalogue numbers its pages as far as the capped count
reaches (``?page=N``, rows found by id first, so that the last numbered page costs about what
the first does); from there on, and for any reader who follows “下一页” past it, a page is the
notices after (``?after=<id>``) or before (``?before=<id>``) a given notice in the list's order.
Such a URL always shows the same notices, however many are published meanwhile, and costs the
same at the millionth notice as at the first.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.utils.functional import cached_property

from core import page_cache

COUNT_CAP = 10_000
# The query parameters that say which page of a list to show.
PAGE_PARAMETERS = ("page", "after", "before")


class CappedCountPaginator(Paginator):
    """Counts at most COUNT_CAP rows, so the list stays fast at millions of notices. A later
    page's rows are found by id first: the rows skipped to reach it are walked in an index (ids
    only), and only the page's own rows are read, so a page far down costs little more than the
    first.
    """

    @cached_property
    def count(self) -> int:
        return self.counted()

    def counted(self) -> int:
        return self.object_list[: COUNT_CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP

    @property
    def cap(self) -> int:
        return COUNT_CAP

    def page_rows(self, offset: int):
        if offset == 0:  # nothing to skip: the first page's rows in one query
            return self.object_list[: self.per_page]
        ids = list(self.object_list.values_list("pk", flat=True)[offset : offset + self.per_page])
        return self.object_list.filter(pk__in=ids)

    def page(self, number):
        number = self.validate_number(number)
        return self._get_page(self.page_rows((number - 1) * self.per_page), number, self)


class NumberedPaginator(CappedCountPaginator):
    """Numbered pages of the catalogue, no further than the capped count reaches.

    Given ``kept_as`` (a name for the list's filters), the capped count is kept like the
    portal's shared lists (page_cache.cached, with the sections it ``shows``).
    Given ``rows``, a page's rows come from ``rows(offset)`` (prepared queries of the same
    notices, notices/prepared.py) rather than from the queryset.
    """

    def __init__(self, object_list, per_page, *, kept_as: str = "", shows=(), rows=None):
        super().__init__(object_list, per_page)
        self.kept_as = kept_as
        self.shows = shows
        self.rows = rows

    def _check_object_list_is_ordered(self):
        # Django's check would build a lazily given queryset that the page may never need; the
        # catalogue's lists are always ordered (newest first), and the tests use them so.
        pass

    def page_rows(self, offset: int):
        return self.rows(offset) if self.rows else super().page_rows(offset)

    def counted(self) -> int:
        if not self.kept_as:
            return super().counted()
        return page_cache.cached(
            self.kept_as, super().counted, shows=self.shows, read_with_others=False
        )

    @cached_property
    def num_pages(self) -> int:
        if self.capped:
            return COUNT_CAP // self.per_page
        return super().num_pages


@dataclass
class CursorPage:
    """The rows just after (or just before) a given one, in the list's order."""

    object_list: list
    has_next: bool
    has_previous: bool

    @property
    def next_cursor(self) -> int | None:
        return self.object_list[-1].pk if self.has_next and self.object_list else None

    @property
    def previous_cursor(self) -> int | None:
        return self.object_list[0].pk if self.has_previous and self.object_list else None


def page_after(rows_after: Callable, position, size: int) -> CursorPage:
    """``rows_after(position, count)``: the first ``count`` notices after ``position`` in the
    list's order (newest first)."""
    rows = rows_after(position, size + 1)
    return CursorPage(rows[:size], has_next=len(rows) > size, has_previous=True)


def page_before(rows_before: Callable, position, size: int) -> CursorPage:
    """``rows_before(position, count)``: the ``count`` notices just before ``position``, the
    nearest first."""
    rows = rows_before(position, size + 1)[::-1]
    return CursorPage(rows[-size:], has_next=True, has_previous=len(rows) > size)

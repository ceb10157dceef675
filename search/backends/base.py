"""What every search backend offers: index a notice, remove it, search with filters and counts
per filter value, rebuild everything.

Views, the feed and the API see only this interface (through ``search.backends.get_backend``);
which backend answers is the setting ``SEARCH_BACKEND``. See
docs/decisions/0001-search-engine.md for the backends there are and how to add one.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import QuerySet, Value

from search.text import ParsedQuery

# Results that can be paged through (the total may be larger).
MAX_RESULTS = 1000
FACETS = ("organ", "genre", "year", "validity", "topic")


class SearchTooSlow(Exception):
    """The search ran past SEARCH_TIMEOUT_MS and was cancelled."""


@dataclass(frozen=True)
class Filters:
    """The catalogue's filters as NoticeFilterForm.query_values() gives them (notices/forms.py
    is where each filter's meaning is decided: a topic with every topic below it, a year as
    the moments it spans in the portal's time zone); a backend only translates them."""

    organ_id: int | None = None
    # The topic asked for and every topic below it.
    topic_ids: tuple[int, ...] = ()
    genre: str = ""
    # The first moment of the year asked for, and of the year after.
    year_start: datetime.datetime | None = None
    year_end: datetime.datetime | None = None
    validity: str = ""
    # Only documents that an interpretation the public may read now names.
    interpreted: bool = False

    @classmethod
    def from_values(cls, values: dict) -> "Filters":
        return cls(**{**values, "topic_ids": tuple(values.get("topic_ids", ()))})

    @property
    def year(self) -> int | None:
        return None if self.year_start is None else self.year_start.year


@dataclass
class Outcome:
    """One page of matches (notice ids, best first), the total and the counts per filter value
    (keyed by the names of FACETS)."""

    ids: list[int]
    has_next: bool
    total: int
    exact: bool
    facets: dict[str, Counter] = field(default_factory=dict)
    plan: str = ""  # how it was found, for benchmarks and diagnosis
    # Filters whose counts are estimated although the total is exact.
    estimated_facets: frozenset[str] = frozenset()


class BaseSearchBackend:
    """A search backend. A match is a notice the public may read in which every term of the
    query occurs as a substring of its folded title (with 文号 and 索引号) or public text
    (``search.text.matches``). Results are ordered by ``sort``: "date", newest first; otherwise
    by relevance: exact 文号/索引号 matches, then matches of every term in the title, then the
    rest, each newest first."""

    def add(self, notice_id: int) -> None:
        """Make the index hold what the public may read of the notice now: index it, rewrite
        it, or remove it if it has no public page (yet)."""
        raise NotImplementedError

    def delete(self, notice_id: int) -> None:
        """Remove the notice from the index."""
        raise NotImplementedError

    def search(
        self, parsed: ParsedQuery, filters: Filters, sort: str, offset: int, limit: int
    ) -> Outcome:
        """The matches from ``offset`` (at most ``limit``), whether more follow, the total and
        the counts per filter value. Raises SearchTooSlow for a search cut off as too long."""
        raise NotImplementedError

    def rebuild(self, **options) -> int:
        """Index every notice the public may read now again; returns how many."""
        raise NotImplementedError

    def with_text_matches(self, notices: QuerySet, terms: list[str]) -> QuerySet:
        """``notices`` annotated with ``body_has_terms``: whether the text the index holds of
        each besides its title (summary, keywords, public body) has any of ``terms``, so that
        a snippet is looked for only where there is one. A backend that cannot say in the same
        query answers True for every notice."""
        return notices.annotate(body_has_terms=Value(True))

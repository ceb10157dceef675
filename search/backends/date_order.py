"""Reading a PostgreSQL search in date order, when its candidates are too many (common terms).

Entries are read newest first (per organ, year… through the B-tree indexes) and checked until
the page is full — quick, since common terms match often. The total and the counts come from a
sample of the filtered entries in a fixed pseudo-random order; whether a sampled entry matches
is read off the bitmaps where they answer the terms exactly, else off its text, once the bitmaps
have ruled out the entries lacking a pair of characters of a longer term.
"""

from collections import Counter
from typing import TYPE_CHECKING

from django.conf import settings

from search import codes
from search.backends import counting
from search.backends.base import Outcome
from search.backends.counting import Sampled
from search.backends.entries import TABLE
from search.backends.grams import in_bitmaps
from search.backends.sql import FALSE, TRUE, Sql

if TYPE_CHECKING:
    from search.backends.postgresql import GramSearch

# A part of the result read newest first gives up after this many entries per row asked for
# (and takes the rows from the gram index), where its grams are each common but may be rare
# together.
WALK_ENTRIES_PER_ROW = 100


def in_date_order(search: "GramSearch", offset: int, limit: int) -> Outcome:
    ids, has_next = read_segments(segments(search), offset, limit)
    total, exact, facets = estimate(search)
    return Outcome(ids, has_next, total, exact, facets, plan="date order")


def segments(search: "GramSearch") -> list["Segment"]:
    """The ordered parts of the result: for relevance, exact 文号/索引号 matches, then title
    matches, then body matches; for date, all matches. Each part newest first."""
    filtered = search.filtered()
    if not search.relevance:
        return [WalkSegment(search, filtered & search.matches())]
    parts = []
    if search.exact_key is not FALSE:
        parts.append(WalkSegment(search, filtered & search.exact_key & search.matches()))
    not_exact = ~search.exact_key if search.exact_key is not FALSE else TRUE
    in_title = search.in_title() & not_exact
    title_codes = sorted({code for found in search.term_codes.values() for code in found})
    title_share = min(search.common.get(code, (0, 0, True))[1] for code in title_codes)
    from_index = IndexedSegment(
        search, Sql("title_grams @> %s::int4[]", [title_codes]) & filtered & in_title
    )
    if title_share < settings.SEARCH_TITLE_COMMON_SHARE:
        # Few titles hold these grams: take them from the title index.
        parts.append(from_index)
    else:
        # Each gram is in many titles, but all of them together may be in few.
        parts.append(BoundedWalkSegment(search, filtered, in_title, from_index))
    parts.append(WalkSegment(search, filtered & search.matches() & ~search.in_title() & not_exact))
    return parts


def estimate(search: "GramSearch") -> tuple[int, bool, dict[str, Counter]]:
    """Total and counts per filter value from the first SAMPLE_SIZE filtered entries in
    shuffle order (a fixed pseudo-random order): exact when that is all of them.

    Shuffle keys are spread evenly over [0, 2**31), so the largest key of the sample also
    tells how many entries pass the filters: about (n - 1) * 2**31 / largest."""
    filtered = search.filtered()
    # The sample first, then the terms checked in it: asked at once, PostgreSQL may check
    # the text of every filtered entry before it sorts them by shuffle.
    sample = search.select(
        f"SELECT notice_id, organ_id, genre, year, validity, shuffle, ordinal "
        f"FROM {TABLE} WHERE {filtered.text} ORDER BY shuffle LIMIT %s",
        [*filtered.params, counting.SAMPLE_SIZE],
    )
    found = matching(search, [(row[0], row[-1]) for row in sample]) if sample else set()
    sample = [Sampled(*row, matched=row[0] in found) for row in sample]
    matched = [row for row in sample if row.matched]
    if len(sample) < counting.SAMPLE_SIZE:
        counted = counting.facet_counts(search, (matched, 1.0))
        return len(matched), True, counting.exact_counts(counted)
    scale = (len(sample) - 1) * 2**31 / max(sample[-1].shuffle, 1) / len(sample)
    facets = counting.facet_counts(search, (matched, scale))
    return (
        counting.round_estimate(len(matched) * scale),
        False,
        {name: counting.round_counts(counts) for name, counts in facets.items()},
    )


def matching(search: "GramSearch", entries: list[tuple[int, int | None]]) -> set[int]:
    """Those of the entries (notice id, ordinal) in which every term occurs.

    The bitmaps answer for the entries the last full rebuild wrote (those with an
    ordinal), without reading a body: when every term is one or two characters whose gram
    is common, exactly; otherwise, of terms whose pairs of characters are common and held
    by few enough entries, they rule out the entries lacking a pair, and only the text of
    the others is read. The text of entries written since is always read."""
    bitmapped = search.in_bitmaps(search.pair_codes)
    exact = len(bitmapped) == len(search.pair_codes) and all(map(codes.is_exact, search.terms))
    wanted = bitmapped if exact else search.narrowing(search.pair_codes)
    if not wanted:
        return search.verify([pk for pk, _ordinal in entries], search.terms)
    holds_all = in_bitmaps(search.bitmap_parts(wanted))
    fresh = [pk for pk, ordinal in entries if ordinal is None]
    held = [pk for pk, ordinal in entries if ordinal is not None and holds_all(ordinal)]
    found, unsure = (set(held), fresh) if exact else (set(), fresh + held)
    return found | (search.verify(unsure, search.terms) if unsure else set())


class Segment:
    """An ordered part of the result (newest first), read by offset."""

    def fetch(self, offset: int, limit: int) -> list[int]:
        raise NotImplementedError

    def count_up_to(self, limit: int) -> int:
        return len(self.fetch(0, limit))


class WalkSegment(Segment):
    """Entries meeting a condition, read newest first through the date-ordered indexes."""

    def __init__(self, search: "GramSearch", condition: Sql):
        self.search, self.condition = search, condition

    def fetch(self, offset: int, limit: int) -> list[int]:
        rows = self.search.select(
            f"SELECT notice_id FROM {TABLE} WHERE {self.condition.text} "
            "ORDER BY published_at DESC, notice_id DESC LIMIT %s OFFSET %s",
            [*self.condition.params, limit, offset],
        )
        return [notice_id for (notice_id,) in rows]


class BoundedWalkSegment(Segment):
    """Entries meeting ``filtered`` and ``condition``, newest first: read through the
    date-ordered indexes while the rows asked for are among the newest WALK_ENTRIES_PER_ROW
    entries per row (up to the last row asked for) that meet ``filtered``. When they are not,
    and from then on: walked on without a bound if at least a quarter of them were found there
    (the matches are not rare, the walk will soon find the rest), else from ``fallback``, the
    same rows found another way."""

    def __init__(self, search: "GramSearch", filtered: Sql, condition: Sql, fallback: Segment):
        self.search, self.filtered, self.condition = search, filtered, condition
        self.fallback, self.then = fallback, None

    def fetch(self, offset: int, limit: int) -> list[int]:
        if self.then is not None:
            return self.then.fetch(offset, limit)
        window = WALK_ENTRIES_PER_ROW * (offset + limit)
        rows = self.search.select(
            f"SELECT notice_id FROM (SELECT * FROM {TABLE} WHERE {self.filtered.text} "
            "ORDER BY published_at DESC, notice_id DESC LIMIT %s) recent "
            f"WHERE {self.condition.text} "
            "ORDER BY published_at DESC, notice_id DESC LIMIT %s OFFSET %s",
            [*self.filtered.params, window, *self.condition.params, limit, offset],
        )
        if len(rows) == limit:
            return [notice_id for (notice_id,) in rows]
        if len(rows) * 4 >= limit:
            self.then = WalkSegment(self.search, self.filtered & self.condition)
        else:
            self.then = self.fallback
        return self.then.fetch(offset, limit)


class IndexedSegment(Segment):
    """Entries meeting a condition that includes a gram-index lookup: all are read at once
    (there are few), then ordered."""

    def __init__(self, search: "GramSearch", condition: Sql):
        self.search, self.condition, self._rows = search, condition, None

    def fetch(self, offset: int, limit: int) -> list[int]:
        if self._rows is None:
            rows = self.search.select(
                f"WITH found AS MATERIALIZED (SELECT notice_id, published_at FROM {TABLE} "
                f"WHERE {self.condition.text}) "
                "SELECT notice_id FROM found ORDER BY published_at DESC, notice_id DESC",
                self.condition.params,
            )
            self._rows = [notice_id for (notice_id,) in rows]
        return self._rows[offset : offset + limit]


def read_segments(segments: list[Segment], offset: int, limit: int) -> tuple[list[int], bool]:
    """Rows offset … offset + limit of the segments shown one after another, and whether more
    follow."""
    wanted = limit + 1
    found: list[int] = []
    for segment in segments:
        if len(found) >= wanted:
            break
        rows = segment.fetch(offset, wanted - len(found))
        if rows:
            found.extend(rows)
            offset = 0
        elif offset:
            # The window starts after this segment: skip it.
            offset -= segment.count_up_to(offset)
    return found[:limit], len(found) > limit

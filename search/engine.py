"""How a search is answered: which entries match, in what order, and how many.

A match is an entry in which every term occurs as a substring of the folded title or body
(``search.text.matches``); the page shown always holds exactly the right matches in the right
order. The total and the counts per filter value are exact unless there are too many matches to
count cheaply; then they are estimated from a uniform sample, and marked as estimates.

PostgreSQL runs each search one of three ways:

- **From the gram index**, when some term has grams in it (``SearchEntry.grams``, a GIN index
  over integer gram codes, see ``search.codes``): the entries holding all those grams are the
  candidates, at most ``SEARCH_CANDIDATE_LIMIT`` of them. A term of one or two characters whose
  gram is indexed needs no further check: when every term is such, the candidates are the
  matches, and PostgreSQL picks the page and counts them itself. Other terms are checked
  against the text (``strpos``), all of the candidates if there are at most ``VERIFY_LIMIT`` to
  check, otherwise only as many as the page needs in rank order, plus a random sample to
  estimate the rest.
- **From the bitmaps**, when every gram of the query is common: a full rebuild keeps those in
  one bitmap per gram (``CommonGramBitmap``) instead of the gram index; ANDing the bitmaps of
  the query's pairs gives the candidates among the entries it wrote, and the gram index those
  written since (they keep every gram). The candidates are then handled as above.
- **In date order**, when the candidates are too many (common terms): entries are read newest
  first (per organ, year… through the B-tree indexes) and checked until the page is full —
  quick, since common terms match often; counts come from a sample of the filtered entries in
  a fixed pseudo-random order (whether a sampled entry matches read off the bitmaps where they
  answer the terms exactly; else off its text, once the bitmaps have ruled out the entries
  lacking a pair of characters of a longer term).

SQLite, the embedded default for small sites, reads every entry that passes the filters and
checks the terms with ``instr``: the same results, at the speed of a scan.
"""

import bisect
import datetime
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain
from operator import attrgetter
from typing import NamedTuple

import numpy as np
from django.conf import settings
from django.db import OperationalError, connections, router, transaction
from django.utils import timezone
from psycopg2.errors import QueryCanceled

from notices import shared_lists
from notices.models import Notice
from search import codes
from search.models import CommonGram, SearchEntry

# Checking a term against bodies costs a read of each body: this many are checked to count.
VERIFY_LIMIT = 1000
# Rows of the sample that estimates totals and counts per filter value.
SAMPLE_SIZE = 400
# Matches whose topics are all read to count them; of more, a sample this size is read.
TOPIC_SAMPLE_SIZE = 1000
# Candidates from the gram index are narrowed down by the bitmaps of the query's common grams
# held by fewer than this share of entries, when there are more candidates than this.
BITMAP_NARROWING_SHARE = 0.5
BITMAP_NARROWING_FROM = 200
# A part of the result read newest first gives up after this many entries per row asked for
# (and takes the rows from the gram index), where its grams are each common but may be rare
# together.
WALK_ENTRIES_PER_ROW = 100
# Results that can be paged through (the total may be larger).
MAX_RESULTS = 1000
FACETS = ("organ", "genre", "year", "validity", "topic")
# The column of each facet but the topic, and how it is read off a candidate or sampled row.
FACET_COLUMNS = {"organ": "organ_id", "genre": "genre", "year": "year", "validity": "validity"}
FACET_VALUES = {name: attrgetter(column) for name, column in FACET_COLUMNS.items()}
NOTICE_ID = attrgetter("notice_id")
TABLE = SearchEntry._meta.db_table
TOPICS = Notice.topics.through._meta.db_table


class SearchTooSlow(Exception):
    """The search ran past SEARCH_TIMEOUT_MS and was cancelled (PostgreSQL)."""


@dataclass(frozen=True)
class Filters:
    organ_id: int | None = None
    topic_ids: tuple[int, ...] = ()
    genre: str = ""
    year: int | None = None
    validity: str = ""


@dataclass
class Outcome:
    """One page of matches, the total and the counts per filter value."""

    ids: list[int]
    has_next: bool
    total: int
    exact: bool
    facets: dict[str, Counter] = field(default_factory=dict)
    plan: str = ""  # how it was found, for benchmarks and diagnosis
    # Filters whose counts are estimated although the total is exact.
    estimated_facets: frozenset[str] = frozenset()


class Candidate(NamedTuple):
    notice_id: int
    # Orders as the publication time does: seconds since 1970 on PostgreSQL (a float is read
    # several times faster than a timestamp), the stored text on SQLite.
    published: float | str
    organ_id: int
    genre: str
    year: int
    validity: str
    in_title: bool
    exact_key: bool
    verified: bool
    ordinal: int | None  # its place in the common-gram bitmaps, if the last full rebuild wrote it


RELEVANCE_RANK = attrgetter("exact_key", "in_title", "published", "notice_id")
DATE_RANK = attrgetter("published", "notice_id")


class Sampled(NamedTuple):
    notice_id: int
    organ_id: int
    genre: str
    year: int
    validity: str
    shuffle: int
    ordinal: int | None
    matched: bool


class Sql:
    """A fragment of SQL and its parameters."""

    def __init__(self, text: str, params=()):
        self.text, self.params = text, list(params)

    def __and__(self, other: "Sql") -> "Sql":
        return Sql(f"({self.text}) AND ({other.text})", self.params + other.params)

    def __or__(self, other: "Sql") -> "Sql":
        return Sql(f"({self.text}) OR ({other.text})", self.params + other.params)

    def __invert__(self) -> "Sql":
        return Sql(f"NOT ({self.text})", self.params)


TRUE, FALSE = Sql("TRUE"), Sql("FALSE")


def all_of(parts: list[Sql]) -> Sql:
    result = TRUE
    for part in parts:
        result = part if result is TRUE else result & part
    return result


def any_of(parts: list[Sql]) -> Sql:
    result = FALSE
    for part in parts:
        result = part if result is FALSE else result | part
    return result


class Search:
    """One search: terms (folded, each must occur), exact 文号/索引号 keys, filters, order."""

    def __init__(self, terms, document_key: str, index_key: str, filters: Filters, sort: str):
        self.terms = tuple(terms)
        self.filters = filters
        self.relevance = sort != "date"
        self.db = router.db_for_read(SearchEntry)
        self.postgresql = connections[self.db].vendor == "postgresql"
        keys = []
        if document_key:
            keys.append(Sql("document_key = %s", [document_key]))
        if index_key:
            keys.append(Sql("index_key = %s", [index_key]))
        self.exact_key = any_of(keys)
        self.term_codes = {term: codes.term_codes(term) for term in self.terms}
        every_code = sorted({code for found in self.term_codes.values() for code in found})
        self.common = common_grams(every_code) if self.postgresql else {}
        indexed = {
            term: [code for code in found if self.common.get(code, (0, 0, True))[2]]
            for term, found in self.term_codes.items()
        }
        self.driver = sorted({code for found in indexed.values() for code in found})
        # Terms whose candidates need no check against the text: one code, and that code
        # looked up (here in the gram index; _common_candidates looks up every code).
        self.covered = {term for term in self.terms if codes.is_exact(term) and indexed[term]}
        self._bitmaps: dict[tuple[int, ...], list[tuple[int, np.ndarray]]] = {}

    @cached_property
    def pair_codes(self) -> list[int]:
        """The codes that say an entry holds every term (``codes.pair_codes``)."""
        return sorted({code for term in self.terms for code in codes.pair_codes(term)})

    # SQL building blocks

    def _contains(self, column: str, term: str) -> Sql:
        function = "strpos" if self.postgresql else "instr"
        return Sql(f"{function}({column}, %s) > 0", [term])

    def matches(self, terms=None) -> Sql:
        """Every term occurs in the title or the body."""
        terms = self.terms if terms is None else terms
        return all_of(
            [self._contains("title", term) | self._contains("body", term) for term in terms]
        )

    def in_title(self) -> Sql:
        return all_of([self._contains("title", term) for term in self.terms])

    def universe(self) -> Sql:
        """The filters."""
        filters, parts = self.filters, []
        if filters.organ_id is not None:
            parts.append(Sql("organ_id = %s", [filters.organ_id]))
        if filters.genre:
            parts.append(Sql("genre = %s", [filters.genre]))
        if filters.validity:
            parts.append(Sql("validity = %s", [filters.validity]))
        if filters.year is not None:
            # The date range lets the date-ordered index start at the year's end.
            zone = timezone.get_current_timezone()
            start = datetime.datetime(filters.year, 1, 1, tzinfo=zone)
            end = datetime.datetime(filters.year + 1, 1, 1, tzinfo=zone)
            parts.append(
                Sql(
                    "year = %s AND published_at >= %s AND published_at < %s",
                    [filters.year, start, end],
                )
            )
        if filters.topic_ids:
            placeholders = ", ".join(["%s"] * len(filters.topic_ids))
            filed = f"SELECT notice_id FROM {TOPICS} WHERE topic_id IN ({placeholders})"
            parts.append(Sql(f"notice_id IN ({filed})", filters.topic_ids))
        return all_of(parts)

    def _id_in(self, ids: list[int]) -> Sql:
        if self.postgresql:
            return Sql("notice_id = ANY(%s)", [list(ids)])
        return Sql(f"notice_id IN ({', '.join(['%s'] * len(ids))})", ids)

    def _query(self, sql: str, params) -> list[tuple]:
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    # Running

    def run(self, offset: int, limit: int) -> Outcome:
        """The matches from ``offset`` (at most ``limit``), whether more follow, and counts.
        Raises SearchTooSlow when PostgreSQL cancels a search that runs too long."""
        if not self.postgresql:
            candidates = self._candidates(self.matches(), TRUE, None)
            return self._from_candidates(candidates, offset, limit)
        try:
            with transaction.atomic(using=self.db):
                with connections[self.db].cursor() as cursor:
                    # Plans are chosen here, not by the planner's guesses about gram arrays; a
                    # search is too short to gain from JIT compilation; and no search may hold
                    # the database for long.
                    # One round trip for the three.
                    cursor.execute(
                        "SET LOCAL enable_seqscan = off; SET LOCAL jit = off; "
                        f"SET LOCAL statement_timeout = {int(settings.SEARCH_TIMEOUT_MS)}"
                    )
                if self.driver and self.covered == set(self.terms):
                    # The gram index answers every term: its entries are the matches.
                    found = Sql("grams @> %s::int4[]", [self.driver])
                    outcome = self._summarized(found, offset, limit)
                    return outcome or self._in_date_order(offset, limit)
                if self.driver:
                    candidates = self._indexed_candidates()
                else:
                    candidates = self._common_candidates()
                if candidates is not None:
                    return self._from_candidates(candidates, offset, limit)
                return self._in_date_order(offset, limit)
        except OperationalError as error:
            if isinstance(error.__cause__, QueryCanceled):
                raise SearchTooSlow from error
            raise

    def _indexed_candidates(self) -> list[Candidate] | None:
        """Entries holding every gram of the query: the indexed grams from the gram index, then
        the common ones from the bitmaps (or, for entries written since the last full rebuild,
        which keep every gram, from the gram index too)."""
        # Some term is not answered exactly by the index (run() handles the rest): candidates
        # are known to match only where the terms are in the title.
        verified = self.in_title()
        every = sorted({code for found in self.term_codes.values() for code in found})
        where = Sql("grams @> %s::int4[]", [self.driver])
        if len(every) > len(self.driver):
            where = where & Sql("(ordinal IS NOT NULL OR grams @> %s::int4[])", [every])
        found = self._candidates(where, verified, settings.SEARCH_CANDIDATE_LIMIT)
        if found is None:
            return None
        return self._in_common_bitmaps(found, every)

    def _in_common_bitmaps(self, candidates: list[Candidate], every: list[int]) -> list[Candidate]:
        """Those of the candidates that the bitmaps of the query's rarer common grams do not
        rule out: an 8-character term cut from a body has one or two indexed grams, shared by
        thousands of entries, of which its common grams leave a few hundred."""
        narrowing = self._narrowing(every)
        if not narrowing or len(candidates) <= BITMAP_NARROWING_FROM:
            return candidates
        holds_all = in_bitmaps(self._bitmap_parts(narrowing))
        return [c for c in candidates if c.ordinal is None or holds_all(c.ordinal)]

    def _in_bitmaps(self, wanted: list[int]) -> list[int]:
        """Those of the codes that the common-gram bitmaps hold (common, not indexed)."""
        return [code for code in wanted if code in self.common and not self.common[code][2]]

    def _narrowing(self, wanted: list[int]) -> list[int]:
        """Those of the codes in the bitmaps held by few enough entries
        (BITMAP_NARROWING_SHARE) that ANDing their bitmaps rules out many."""
        return [
            code
            for code in self._in_bitmaps(wanted)
            if self.common[code][0] < BITMAP_NARROWING_SHARE
        ]

    def _common_candidates(self) -> list[Candidate] | None:
        """When every gram of the query is common: the entries of the last full rebuild that
        hold them all, from the bitmaps, and the entries written since, from the gram index
        (where they keep every gram). A term of one or two characters is then answered."""
        self.covered = {term for term in self.terms if codes.is_exact(term)}
        verified = self.in_title() if set(self.terms) - self.covered else TRUE
        wanted = self.pair_codes
        limit = settings.SEARCH_CANDIDATE_LIMIT
        ordinals = self._bitmap_ordinals(wanted, limit)
        if ordinals is None:
            return None
        fresh = Sql("ordinal IS NULL AND grams @> %s::int4[]", [wanted])
        found = self._candidates(fresh, verified, limit - len(ordinals))
        if found is None:
            return None
        if ordinals:
            found += self._candidates(Sql("ordinal = ANY(%s)", [ordinals]), verified, None)
        return found

    def _bitmap_ordinals(self, wanted: list[int], limit: int) -> list[int] | None:
        """Ordinals of the entries whose bitmaps hold every wanted code (None: over limit)."""
        parts = self._bitmap_parts(wanted)
        # Counted before any is listed: a common query's bitmaps hold most of a million.
        if sum(int(np.count_nonzero(bits)) for _start, bits in parts) > limit:
            return None
        return [
            ordinal for start, bits in parts for ordinal in (np.flatnonzero(bits) + start).tolist()
        ]

    def _bitmap_parts(self, wanted: list[int]) -> list[tuple[int, np.ndarray]]:
        """Per part of the bitmaps, its first ordinal and a bit per entry (a uint8 of 0 or 1)
        saying whether the entry holds every wanted code; parts missing a code are left out
        (no entry of theirs holds them all). Read once per search and set of codes."""
        key = tuple(wanted)
        if key not in self._bitmaps:
            self._bitmaps[key] = self._read_bitmap_parts(wanted)
        return self._bitmaps[key]

    def _read_bitmap_parts(self, wanted: list[int]) -> list[tuple[int, np.ndarray]]:
        rows = self._query(
            "SELECT part, start, code, bits FROM search_commongrambitmap "
            "WHERE code = ANY(%s) ORDER BY part",
            [wanted],
        )
        parts: dict[tuple[int, int], list] = {}
        for part, start, _code, bits in rows:
            parts.setdefault((part, start), []).append(np.frombuffer(bits, dtype=np.uint8))
        return [
            (start, np.unpackbits(np.bitwise_and.reduce(bitmaps), bitorder="little"))
            for (_part, start), bitmaps in parts.items()
            if len(bitmaps) == len(wanted)
        ]

    def _candidates(self, where: Sql, verified: Sql, limit: int | None) -> list[Candidate] | None:
        """Entries meeting ``where`` and the filters, at most ``limit`` (None: over it);
        ``verified`` says of each whether it is known to match."""
        where = where & self.universe()
        in_title = self.in_title()
        published = "date_part('epoch', published_at)" if self.postgresql else "published_at"
        sql = (
            f"SELECT notice_id, {published}, organ_id, genre, year, validity, "
            f"{in_title.text}, {self.exact_key.text}, {verified.text}, ordinal "
            f"FROM {TABLE} WHERE {where.text}"
        )
        params = in_title.params + self.exact_key.params + verified.params + where.params
        if limit is not None:
            sql, params = sql + " LIMIT %s", [*params, limit + 1]
        rows = self._query(sql, params)
        if limit is not None and len(rows) > limit:
            return None
        return [Candidate(*row) for row in rows]

    def _summarized(self, matches: Sql, offset: int, limit: int) -> Outcome | None:
        """The page, the total and the counts per filter value of the entries meeting
        ``matches`` and the filters, every one of them a match, worked out by PostgreSQL in one
        statement (None: more than SEARCH_CANDIDATE_LIMIT). Thousands of matches cost several
        times more to send, make into rows and count in Python than to sort and count here.

        Topics are counted, as in _from_candidates, over all the matches or, of more than
        TOPIC_SAMPLE_SIZE, a uniform sample: the first in shuffle order."""
        where = matches & self.universe()
        in_title = self.in_title()
        rank = "exact_key DESC, in_title DESC, " if self.relevance else ""
        cap = settings.SEARCH_CANDIDATE_LIMIT
        facet_columns = ", ".join(FACET_COLUMNS.values())
        grouping_sets = ", ".join(f"({column})" for column in FACET_COLUMNS.values())
        sql = (
            "WITH found AS MATERIALIZED (SELECT notice_id, published_at, shuffle, "
            f"{facet_columns}, {in_title.text} AS in_title, {self.exact_key.text} AS exact_key "
            f"FROM {TABLE} WHERE {where.text} LIMIT %s), "
            "counted AS (SELECT count(*) AS total FROM found) "
            "SELECT total, "
            "ARRAY(SELECT notice_id FROM found WHERE total <= %s "
            f"ORDER BY {rank}published_at DESC, notice_id DESC LIMIT %s OFFSET %s), "
            "ARRAY(SELECT notice_id FROM found WHERE total <= %s ORDER BY shuffle LIMIT %s), "
            f"(SELECT json_agg(json_build_array(grouping, {facet_columns}, n)) "
            f"FROM (SELECT GROUPING({facet_columns}) AS grouping, {facet_columns}, count(*) AS n "
            "FROM found WHERE total <= %s "
            f"GROUP BY GROUPING SETS ({grouping_sets})) AS grouped) "
            "FROM counted"
        )
        params = [
            *in_title.params,
            *self.exact_key.params,
            *where.params,
            cap + 1,
            cap,
            limit + 1,
            offset,
            cap,
            TOPIC_SAMPLE_SIZE,
            cap,
        ]
        [(total, page, sample, grouped)] = self._query(sql, params)
        if total > cap:
            return None
        counted = {name: Counter() for name in FACETS}
        names = list(FACET_COLUMNS)
        for grouping, *values, count in grouped or ():
            # GROUPING() sets a bit for each column the row is not grouped by, the first
            # column's highest: the one bit left clear names the row's column.
            position = len(names) - (~grouping & (2 ** len(names) - 1)).bit_length()
            counted[names[position]][values[position]] = count
        weight = total / len(sample) if sample else 1.0
        counted["topic"] = topic_counts(self, dict.fromkeys(sample, weight))
        facets, estimated = counts_of_all(counted, total)
        return Outcome(
            ids=page[:limit],
            has_next=len(page) > limit,
            total=total,
            exact=True,
            facets=facets,
            plan="index, counted in the database",
            estimated_facets=estimated,
        )

    def _verify(self, ids: list[int], terms=None) -> set[int]:
        """Those of the entries in which ``terms`` occur (by default, the terms that the index
        does not answer)."""
        if terms is None:
            terms = [term for term in self.terms if term not in self.covered]
        matches = self.matches(terms)
        if self.postgresql:
            # The ids joined one at a time, so that each is looked up in its own partition
            # only: with notice_id = ANY(ids) every partition looks up every id.
            rows = self._query(
                f"SELECT notice_id FROM unnest(%s::bigint[]) AS wanted (wanted_id) "
                f"JOIN {TABLE} ON notice_id = wanted_id WHERE {matches.text}",
                [list(ids), *matches.params],
            )
        else:
            condition = self._id_in(ids) & matches
            rows = self._query(
                f"SELECT notice_id FROM {TABLE} WHERE {condition.text}", condition.params
            )
        return {notice_id for (notice_id,) in rows}

    @property
    def _rank(self):
        """The sort key of candidates, highest first: for relevance, exact 文号/索引号 matches,
        then title matches, each newest first; for date, newest first."""
        if self.relevance:
            return RELEVANCE_RANK
        return DATE_RANK

    def _from_candidates(self, candidates: list[Candidate], offset: int, limit: int) -> Outcome:
        unverified = [candidate for candidate in candidates if not candidate.verified]
        if len(unverified) <= VERIFY_LIMIT:
            confirmed = self._verify([c.notice_id for c in unverified]) if unverified else set()
            matched = [c for c in candidates if c.verified or c.notice_id in confirmed]
            matched.sort(key=self._rank, reverse=True)
            window = matched[offset : offset + limit + 1]
            counted = self._facets((matched, 1.0), topics=self._topics_of(matched))
            facets, estimated = counts_of_all(counted, len(matched))
            return Outcome(
                ids=[c.notice_id for c in window[:limit]],
                has_next=len(window) > limit,
                total=len(matched),
                exact=True,
                facets=facets,
                plan="index" if self.postgresql else "scan",
                estimated_facets=estimated,
            )
        # Too many to check them all: check the page's in rank order, estimate the rest.
        candidates = sorted(candidates, key=self._rank, reverse=True)
        found, checked = [], {}
        wanted = offset + limit + 1
        for position, candidate in enumerate(candidates):
            if len(found) >= wanted:
                break
            if not candidate.verified and candidate.notice_id not in checked:
                ahead = [
                    c.notice_id for c in candidates[position : position + 64] if not c.verified
                ]
                confirmed = self._verify(ahead)
                checked.update((notice_id, notice_id in confirmed) for notice_id in ahead)
            if candidate.verified or checked[candidate.notice_id]:
                found.append(candidate.notice_id)
        # The rest from a uniform sample of the unchecked: each match in it stands for
        # len(unverified) / SAMPLE_SIZE of them, in the total and in the counts per value.
        sample = random.Random(len(candidates)).sample(unverified, SAMPLE_SIZE)  # noqa: S311
        confirmed = self._verify([c.notice_id for c in sample])
        matched = [c for c in sample if c.notice_id in confirmed]
        share = len(matched) / SAMPLE_SIZE
        verified = [c for c in candidates if c.verified]
        facets = self._facets((verified, 1.0), (matched, len(unverified) / SAMPLE_SIZE))
        window = found[offset:]
        return Outcome(
            ids=window[:limit],
            has_next=len(window) > limit,
            total=round_estimate(len(verified) + len(unverified) * share),
            exact=False,
            facets={name: round_counts(counts) for name, counts in facets.items()},
            plan="index, checked page by page",
        )

    def _facets(self, *groups: tuple[list, float], topics=None) -> dict[str, Counter]:
        """Counts per filter value over groups of candidate rows, each row counting with its
        group's weight; topics through the notices' own, read for all groups at once (or for
        the groups ``topics``, if given)."""
        facets = {name: Counter() for name in FACETS}
        for rows, weight in groups:
            for name, value_of in FACET_VALUES.items():
                counts = Counter(map(value_of, rows))
                facets[name].update({key: count * weight for key, count in counts.items()})
        weights = {}
        for rows, weight in groups if topics is None else topics:
            weights.update(dict.fromkeys(map(NOTICE_ID, rows), weight))
        facets["topic"] = topic_counts(self, weights)
        return facets

    def _topics_of(self, matched: list) -> list[tuple[list, float]]:
        """Whose topics to count for the matches: all of them, or when there are more than
        TOPIC_SAMPLE_SIZE, a uniform sample, each standing for its share of them (reading the
        topics of thousands of notices cost more than the rest of the search)."""
        if len(matched) <= TOPIC_SAMPLE_SIZE:
            return [(matched, 1.0)]
        sample = random.Random(len(matched)).sample(matched, TOPIC_SAMPLE_SIZE)  # noqa: S311
        return [(sample, len(matched) / TOPIC_SAMPLE_SIZE)]

    # Reading in date order

    def _in_date_order(self, offset: int, limit: int) -> Outcome:
        segments = self._segments()
        ids, has_next = read_segments(segments, offset, limit)
        total, exact, facets = self._estimate()
        return Outcome(ids, has_next, total, exact, facets, plan="date order")

    def _segments(self) -> list["Segment"]:
        """The ordered parts of the result: for relevance, exact 文号/索引号 matches, then title
        matches, then body matches; for date, all matches. Each part newest first."""
        universe = self.universe()
        if not self.relevance:
            return [WalkSegment(self, universe & self.matches())]
        segments = []
        if self.exact_key is not FALSE:
            segments.append(WalkSegment(self, universe & self.exact_key & self.matches()))
        not_exact = ~self.exact_key if self.exact_key is not FALSE else TRUE
        in_title = self.in_title() & not_exact
        title_codes = sorted({code for found in self.term_codes.values() for code in found})
        title_share = min(self.common.get(code, (0, 0, True))[1] for code in title_codes)
        from_index = IndexedSegment(
            self, Sql("title_grams @> %s::int4[]", [title_codes]) & universe & in_title
        )
        if title_share < settings.SEARCH_TITLE_COMMON_SHARE:
            # Few titles hold these grams: take them from the title index.
            segments.append(from_index)
        else:
            # Each gram is in many titles, but all of them together may be in few.
            segments.append(BoundedWalkSegment(self, universe, in_title, from_index))
        segments.append(WalkSegment(self, universe & self.matches() & ~self.in_title() & not_exact))
        return segments

    def _estimate(self) -> tuple[int, bool, dict[str, Counter]]:
        """Total and counts per filter value from the first SAMPLE_SIZE filtered entries in
        shuffle order (a fixed pseudo-random order): exact when that is all of them.

        Shuffle keys are spread evenly over [0, 2**31), so the largest key of the sample also
        tells how many entries pass the filters: about (n - 1) * 2**31 / largest."""
        universe = self.universe()
        # The sample first, then the terms checked in it: asked at once, PostgreSQL may check
        # the text of every filtered entry before it sorts them by shuffle.
        sample = self._query(
            f"SELECT notice_id, organ_id, genre, year, validity, shuffle, ordinal "
            f"FROM {TABLE} WHERE {universe.text} ORDER BY shuffle LIMIT %s",
            [*universe.params, SAMPLE_SIZE],
        )
        found = self._matching([(row[0], row[-1]) for row in sample]) if sample else set()
        sample = [Sampled(*row, matched=row[0] in found) for row in sample]
        matched = [row for row in sample if row.matched]
        if len(sample) < SAMPLE_SIZE:
            return len(matched), True, exact_counts(self._facets((matched, 1.0)))
        scale = (len(sample) - 1) * 2**31 / max(sample[-1].shuffle, 1) / len(sample)
        facets = self._facets((matched, scale))
        return (
            round_estimate(len(matched) * scale),
            False,
            {name: round_counts(counts) for name, counts in facets.items()},
        )

    def _matching(self, entries: list[tuple[int, int | None]]) -> set[int]:
        """Those of the entries (notice id, ordinal) in which every term occurs.

        The bitmaps answer for the entries the last full rebuild wrote (those with an
        ordinal), without reading a body: when every term is one or two characters whose gram
        is common, exactly; otherwise, of terms whose pairs of characters are common and held
        by few enough entries, they rule out the entries lacking a pair, and only the text of
        the others is read. The text of entries written since is always read."""
        bitmapped = self._in_bitmaps(self.pair_codes)
        exact = len(bitmapped) == len(self.pair_codes) and all(map(codes.is_exact, self.terms))
        wanted = bitmapped if exact else self._narrowing(self.pair_codes)
        if not wanted:
            return self._verify([pk for pk, _ordinal in entries], self.terms)
        holds_all = in_bitmaps(self._bitmap_parts(wanted))
        fresh = [pk for pk, ordinal in entries if ordinal is None]
        held = [pk for pk, ordinal in entries if ordinal is not None and holds_all(ordinal)]
        found, unsure = (set(held), fresh) if exact else (set(), fresh + held)
        return found | (self._verify(unsure, self.terms) if unsure else set())


class Segment:
    """An ordered part of the result (newest first), read by offset."""

    def fetch(self, offset: int, limit: int) -> list[int]:
        raise NotImplementedError

    def count_up_to(self, limit: int) -> int:
        return len(self.fetch(0, limit))


class WalkSegment(Segment):
    """Entries meeting a condition, read newest first through the date-ordered indexes."""

    def __init__(self, search: Search, condition: Sql):
        self.search, self.condition = search, condition

    def fetch(self, offset: int, limit: int) -> list[int]:
        rows = self.search._query(
            f"SELECT notice_id FROM {TABLE} WHERE {self.condition.text} "
            "ORDER BY published_at DESC, notice_id DESC LIMIT %s OFFSET %s",
            [*self.condition.params, limit, offset],
        )
        return [notice_id for (notice_id,) in rows]


class BoundedWalkSegment(Segment):
    """Entries meeting ``universe`` and ``condition``, newest first: read through the
    date-ordered indexes while the rows asked for are among the newest WALK_ENTRIES_PER_ROW
    entries per row (up to the last row asked for) that meet ``universe``. When they are not,
    and from then on: walked on without a bound if at least a quarter of them were found there
    (the matches are not rare, the walk will soon find the rest), else from ``fallback``, the
    same rows found another way."""

    def __init__(self, search: Search, universe: Sql, condition: Sql, fallback: Segment):
        self.search, self.universe, self.condition = search, universe, condition
        self.fallback, self.then = fallback, None

    def fetch(self, offset: int, limit: int) -> list[int]:
        if self.then is not None:
            return self.then.fetch(offset, limit)
        window = WALK_ENTRIES_PER_ROW * (offset + limit)
        rows = self.search._query(
            f"SELECT notice_id FROM (SELECT * FROM {TABLE} WHERE {self.universe.text} "
            "ORDER BY published_at DESC, notice_id DESC LIMIT %s) recent "
            f"WHERE {self.condition.text} "
            "ORDER BY published_at DESC, notice_id DESC LIMIT %s OFFSET %s",
            [*self.universe.params, window, *self.condition.params, limit, offset],
        )
        if len(rows) == limit:
            return [notice_id for (notice_id,) in rows]
        if len(rows) * 4 >= limit:
            self.then = WalkSegment(self.search, self.universe & self.condition)
        else:
            self.then = self.fallback
        return self.then.fetch(offset, limit)


class IndexedSegment(Segment):
    """Entries meeting a condition that includes a gram-index lookup: all are read at once
    (there are few), then ordered."""

    def __init__(self, search: Search, condition: Sql):
        self.search, self.condition, self._rows = search, condition, None

    def fetch(self, offset: int, limit: int) -> list[int]:
        if self._rows is None:
            rows = self.search._query(
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


def in_bitmaps(parts: list[tuple[int, np.ndarray]]):
    """Whether the entry of an ordinal holds every code of the bitmap parts
    (``Search._bitmap_parts``)."""
    starts = [start for start, _bits in parts]

    def holds_all(ordinal: int) -> bool:
        # The part that starts last at or before it: its own, unless its own was left out,
        # and then its ordinal falls past that part's entries (its bit is 0).
        index = bisect.bisect_right(starts, ordinal) - 1
        if index < 0:
            return False
        start, bits = parts[index]
        return ordinal - start < len(bits) and bool(bits[ordinal - start])

    return holds_all


def topic_counts(search: Search, weights: dict[int, float]) -> Counter:
    """Per topic, the weights of the entries filed under it or under any topic below it."""
    if not weights:
        return Counter()
    ids = list(weights)
    lineage = topic_lineages(shared_lists.topic_parents())
    filed: dict[int, list[int]] = {}
    for start in range(0, len(ids), 5000):
        condition = search._id_in(ids[start : start + 5000])
        for notice_id, topic_id in search._query(
            f"SELECT notice_id, topic_id FROM {TOPICS} WHERE {condition.text}", condition.params
        ):
            filed.setdefault(notice_id, []).append(topic_id)
    # Per weight (a search has one or two), the topics each entry counts under.
    under: dict[float, list] = {}
    for notice_id, topic_ids in filed.items():
        if len(topic_ids) == 1:
            topics = lineage.get(topic_ids[0], topic_ids)
        else:
            topics = set(chain.from_iterable(lineage.get(t, (t,)) for t in topic_ids))
        under.setdefault(weights[notice_id], []).append(topics)
    counts = Counter()
    for weight, topic_sets in under.items():
        found = Counter(chain.from_iterable(topic_sets))
        counts.update({topic_id: count * weight for topic_id, count in found.items()})
    return counts


def topic_lineages(parents: dict[int, int | None]) -> dict[int, tuple[int, ...]]:
    """Each topic with the topics above it."""
    lineages = {}
    for topic_id in parents:
        lineage, node = [], topic_id
        while node is not None and node not in lineage:
            lineage.append(node)
            node = parents.get(node)
        lineages[topic_id] = tuple(lineage)
    return lineages


def round_estimate(value: float) -> int:
    """An estimate to two significant figures (1,234 → 1,200), at least 1 when positive."""
    if value <= 0:
        return 0
    digits = max(0, int(math.log10(value)) - 1)
    return max(1, round(value / 10**digits) * 10**digits)


def counts_of_all(counted: dict[str, Counter], matches: int):
    """The counts per filter value of all the matches, exact, and the facets estimated: the
    topics, when they were counted over a sample (more than TOPIC_SAMPLE_SIZE matches)."""
    facets = exact_counts(counted)
    if matches <= TOPIC_SAMPLE_SIZE:
        return facets, frozenset()
    facets["topic"] = round_counts(counted["topic"])
    return facets, frozenset({"topic"})


def exact_counts(facets: dict[str, Counter]) -> dict[str, Counter]:
    return {
        name: Counter({key: int(value) for key, value in counts.items()})
        for name, counts in facets.items()
    }


def round_counts(counts: Counter) -> Counter:
    return Counter({key: round_estimate(value) for key, value in counts.items() if value >= 0.5})


def common_grams(codes_wanted: list[int]) -> dict[int, tuple[float, float, bool]]:
    """Of the given codes, the common ones: share in bodies, share in titles, whether indexed."""
    if not codes_wanted:
        return {}
    with connections[router.db_for_read(CommonGram)].cursor() as cursor:
        # Plain SQL: asked by every search, it cost more to compile than to answer.
        cursor.execute(
            f"SELECT code, share, title_share, indexed FROM {CommonGram._meta.db_table} "
            "WHERE code = ANY(%s)",
            [codes_wanted],
        )
        rows = cursor.fetchall()
    return {code: (share, title_share, indexed) for code, share, title_share, indexed in rows}

"""The PostgreSQL backend: the entries' character-pair codes in a GIN index.

A match is an entry in which every term occurs as a substring of the folded title or body
(``search.text.matches``); the page shown always holds exactly the right matches in the right
order. The total and the counts per filter value are exact unless there are too many matches to
count cheaply; then they are estimated from a uniform sample, and marked as estimates.

Each search is run one of three ways:

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
- **In date order**, when the candidates are too many (common terms): see
  ``search.backends.date_order``.
"""

from collections import Counter
from functools import cached_property

import numpy as np
from django.conf import settings
from django.db import OperationalError, connections, transaction
from psycopg2.errors import QueryCanceled

from search import codes
from search.backends import counting, date_order
from search.backends.base import FACETS, Filters, Outcome, SearchTooSlow
from search.backends.counting import FACET_COLUMNS, Candidate
from search.backends.entries import TABLE, EntrySearch, EntryTableBackend
from search.backends.grams import common_grams, in_bitmaps
from search.backends.sql import TRUE, Sql

# Candidates from the gram index are narrowed down by the bitmaps of the query's common grams
# held by fewer than this share of entries, when there are more candidates than this.
BITMAP_NARROWING_SHARE = 0.5
BITMAP_NARROWING_FROM = 200


class GramSearch(EntrySearch):
    """One search run from the gram index, the common-gram bitmaps or in date order."""

    plan = "index"

    def __init__(self, terms, document_key: str, index_key: str, filters: Filters, sort: str):
        super().__init__(terms, document_key, index_key, filters, sort)
        self.term_codes = {term: codes.term_codes(term) for term in self.terms}
        every_code = sorted({code for found in self.term_codes.values() for code in found})
        self.common = common_grams(every_code)
        indexed = {
            term: [code for code in found if self.common.get(code, (0, 0, True))[2]]
            for term, found in self.term_codes.items()
        }
        # The query's codes held by the gram index: they select the candidates.
        self.indexed_codes = sorted({code for found in indexed.values() for code in found})
        # Terms whose candidates need no check against the text: one code, and that code
        # looked up (here in the gram index; common_candidates looks up every code).
        self.covered = {term for term in self.terms if codes.is_exact(term) and indexed[term]}
        self._bitmaps: dict[tuple[int, ...], list[tuple[int, np.ndarray]]] = {}

    @cached_property
    def pair_codes(self) -> list[int]:
        """The codes that say an entry holds every term (``codes.pair_codes``)."""
        return sorted({code for term in self.terms for code in codes.pair_codes(term)})

    def run(self, offset: int, limit: int) -> Outcome:
        """The matches from ``offset`` (at most ``limit``), whether more follow, and counts.
        Raises SearchTooSlow when PostgreSQL cancels a search that runs too long."""
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
                if self.indexed_codes and self.covered == set(self.terms):
                    # The gram index answers every term: its entries are the matches.
                    found = Sql("grams @> %s::int4[]", [self.indexed_codes])
                    outcome = self.summarized(found, offset, limit)
                    return outcome or date_order.in_date_order(self, offset, limit)
                if self.indexed_codes:
                    candidates = self.indexed_candidates()
                else:
                    candidates = self.common_candidates()
                if candidates is not None:
                    return self.from_candidates(candidates, offset, limit)
                return date_order.in_date_order(self, offset, limit)
        except OperationalError as error:
            if isinstance(error.__cause__, QueryCanceled):
                raise SearchTooSlow from error
            raise

    def indexed_candidates(self) -> list[Candidate] | None:
        """Entries holding every gram of the query: the indexed grams from the gram index, then
        the common ones from the bitmaps (or, for entries written since the last full rebuild,
        which keep every gram, from the gram index too)."""
        # Some term is not answered exactly by the index (run() handles the rest): candidates
        # are known to match only where the terms are in the title.
        verified = self.in_title()
        every = sorted({code for found in self.term_codes.values() for code in found})
        where = Sql("grams @> %s::int4[]", [self.indexed_codes])
        if len(every) > len(self.indexed_codes):
            where = where & Sql("(ordinal IS NOT NULL OR grams @> %s::int4[])", [every])
        found = self.candidates(where, verified, settings.SEARCH_CANDIDATE_LIMIT)
        if found is None:
            return None
        return self.in_common_bitmaps(found, every)

    def in_common_bitmaps(self, candidates: list[Candidate], every: list[int]) -> list[Candidate]:
        """Those of the candidates that the bitmaps of the query's rarer common grams do not
        rule out: an 8-character term cut from a body has one or two indexed grams, shared by
        thousands of entries, of which its common grams leave a few hundred."""
        narrowing = self.narrowing(every)
        if not narrowing or len(candidates) <= BITMAP_NARROWING_FROM:
            return candidates
        holds_all = in_bitmaps(self.bitmap_parts(narrowing))
        return [c for c in candidates if c.ordinal is None or holds_all(c.ordinal)]

    def in_bitmaps(self, wanted: list[int]) -> list[int]:
        """Those of the codes that the common-gram bitmaps hold (common, not indexed)."""
        return [code for code in wanted if code in self.common and not self.common[code][2]]

    def narrowing(self, wanted: list[int]) -> list[int]:
        """Those of the codes in the bitmaps held by few enough entries
        (BITMAP_NARROWING_SHARE) that ANDing their bitmaps rules out many."""
        return [
            code
            for code in self.in_bitmaps(wanted)
            if self.common[code][0] < BITMAP_NARROWING_SHARE
        ]

    def common_candidates(self) -> list[Candidate] | None:
        """When every gram of the query is common: the entries of the last full rebuild that
        hold them all, from the bitmaps, and the entries written since, from the gram index
        (where they keep every gram). A term of one or two characters is then answered."""
        self.covered = {term for term in self.terms if codes.is_exact(term)}
        verified = self.in_title() if set(self.terms) - self.covered else TRUE
        wanted = self.pair_codes
        limit = settings.SEARCH_CANDIDATE_LIMIT
        ordinals = self.bitmap_ordinals(wanted, limit)
        if ordinals is None:
            return None
        fresh = Sql("ordinal IS NULL AND grams @> %s::int4[]", [wanted])
        found = self.candidates(fresh, verified, limit - len(ordinals))
        if found is None:
            return None
        if ordinals:
            found += self.candidates(Sql("ordinal = ANY(%s)", [ordinals]), verified, None)
        return found

    def bitmap_ordinals(self, wanted: list[int], limit: int) -> list[int] | None:
        """Ordinals of the entries whose bitmaps hold every wanted code (None: over limit)."""
        parts = self.bitmap_parts(wanted)
        # Counted before any is listed: a common query's bitmaps hold most of a million.
        if sum(int(np.count_nonzero(bits)) for _start, bits in parts) > limit:
            return None
        return [
            ordinal for start, bits in parts for ordinal in (np.flatnonzero(bits) + start).tolist()
        ]

    def bitmap_parts(self, wanted: list[int]) -> list[tuple[int, np.ndarray]]:
        """Per part of the bitmaps, its first ordinal and a bit per entry (a uint8 of 0 or 1)
        saying whether the entry holds every wanted code; parts missing a code are left out
        (no entry of theirs holds them all). Read once per search and set of codes."""
        key = tuple(wanted)
        if key not in self._bitmaps:
            self._bitmaps[key] = self._read_bitmap_parts(wanted)
        return self._bitmaps[key]

    def _read_bitmap_parts(self, wanted: list[int]) -> list[tuple[int, np.ndarray]]:
        rows = self.select(
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

    def summarized(self, matches: Sql, offset: int, limit: int) -> Outcome | None:
        """The page, the total and the counts per filter value of the entries meeting
        ``matches`` and the filters, every one of them a match, worked out by PostgreSQL in one
        statement (None: more than SEARCH_CANDIDATE_LIMIT). Thousands of matches cost several
        times more to send, make into rows and count in Python than to sort and count here.

        Topics are counted, as in from_candidates, over all the matches or, of more than
        TOPIC_SAMPLE_SIZE, a uniform sample: the first in shuffle order."""
        where = matches & self.filtered()
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
            counting.TOPIC_SAMPLE_SIZE,
            cap,
        ]
        [(total, page, sample, grouped)] = self.select(sql, params)
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
        counted["topic"] = counting.topic_counts(self, dict.fromkeys(sample, weight))
        facets, estimated = counting.counts_of_all(counted, total)
        return Outcome(
            ids=page[:limit],
            has_next=len(page) > limit,
            total=total,
            exact=True,
            facets=facets,
            plan="index, counted in the database",
            estimated_facets=estimated,
        )


class PostgresSearchBackend(EntryTableBackend):
    search_class = GramSearch

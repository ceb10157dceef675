"""What the backends built on the ``SearchEntry`` table share: the index (``search.index``),
the filters and terms as SQL, and the matches of a list of candidate rows ranked and counted.

An entry holds the folded text the public may search of one notice; ``search.index`` keeps it
equal to the notice in the transaction that changes the notice.
"""

import random

from django.db import connections, router
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import StrIndex
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from notices import prepared
from search import index
from search.backends import counting
from search.backends.base import BaseSearchBackend, Filters, Outcome
from search.backends.counting import Candidate
from search.backends.sql import Sql, all_of, any_of
from search.models import SearchEntry
from search.text import ParsedQuery

TABLE = SearchEntry._meta.db_table


class EntrySearch:
    """One search over the entries: terms (folded, each must occur), exact 文号/索引号 keys,
    filters, order. Subclasses say how it is run (``run``)."""

    plan = "scan"

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
        # Terms whose candidates need no check against the text.
        self.covered: set[str] = set()

    def run(self, offset: int, limit: int) -> Outcome:
        raise NotImplementedError

    def contains(self, column: str, term: str) -> Sql:
        function = "strpos" if self.postgresql else "instr"
        return Sql(f"{function}({column}, %s) > 0", [term])

    def matches(self, terms=None) -> Sql:
        """Every term occurs in the title or the body."""
        terms = self.terms if terms is None else terms
        return all_of(
            [self.contains("title", term) | self.contains("body", term) for term in terms]
        )

    def in_title(self) -> Sql:
        return all_of([self.contains("title", term) for term in self.terms])

    def filtered(self) -> Sql:
        """The filters."""
        filters, parts = self.filters, []
        if filters.organ_id is not None:
            parts.append(Sql("organ_id = %s", [filters.organ_id]))
        if filters.genre:
            parts.append(Sql("genre = %s", [filters.genre]))
        if filters.validity:
            parts.append(Sql("validity = %s", [filters.validity]))
        if filters.year_start is not None:
            # The date range lets the date-ordered index start at the year's end.
            parts.append(
                Sql(
                    "year = %s AND published_at >= %s AND published_at < %s",
                    [filters.year, filters.year_start, filters.year_end],
                )
            )
        if filters.interpreted:
            parts.append(Sql(f"notice_id IN ({prepared.interpreted_sql('%s')})", [timezone.now()]))
        if filters.topic_ids:
            placeholders = ", ".join(["%s"] * len(filters.topic_ids))
            filed = f"SELECT notice_id FROM {counting.TOPICS} WHERE topic_id IN ({placeholders})"
            parts.append(Sql(f"notice_id IN ({filed})", filters.topic_ids))
        return all_of(parts)

    def id_in(self, ids: list[int]) -> Sql:
        if self.postgresql:
            return Sql("notice_id = ANY(%s)", [list(ids)])
        return Sql(f"notice_id IN ({', '.join(['%s'] * len(ids))})", ids)

    def select(self, sql: str, params) -> list[tuple]:
        """The rows of a statement, on the database searches read from."""
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def candidates(self, where: Sql, verified: Sql, limit: int | None) -> list[Candidate] | None:
        """Entries meeting ``where`` and the filters, at most ``limit`` (None: over it);
        ``verified`` says of each whether it is known to match."""
        where = where & self.filtered()
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
        rows = self.select(sql, params)
        if limit is not None and len(rows) > limit:
            return None
        return [Candidate(*row) for row in rows]

    def verify(self, ids: list[int], terms=None) -> set[int]:
        """Those of the entries in which ``terms`` occur (by default, the terms that the index
        does not answer)."""
        if terms is None:
            terms = [term for term in self.terms if term not in self.covered]
        matches = self.matches(terms)
        if self.postgresql:
            # The ids joined one at a time, so that each is looked up in its own partition
            # only: with notice_id = ANY(ids) every partition looks up every id.
            rows = self.select(
                f"SELECT notice_id FROM unnest(%s::bigint[]) AS wanted (wanted_id) "
                f"JOIN {TABLE} ON notice_id = wanted_id WHERE {matches.text}",
                [list(ids), *matches.params],
            )
        else:
            condition = self.id_in(ids) & matches
            rows = self.select(
                f"SELECT notice_id FROM {TABLE} WHERE {condition.text}", condition.params
            )
        return {notice_id for (notice_id,) in rows}

    @property
    def rank(self):
        """The sort key of candidates, highest first: for relevance, exact 文号/索引号 matches,
        then title matches, each newest first; for date, newest first."""
        if self.relevance:
            return counting.RELEVANCE_RANK
        return counting.DATE_RANK

    def from_candidates(self, candidates: list[Candidate], offset: int, limit: int) -> Outcome:
        """The page, the total and the counts of the candidates that match: all of them checked
        when at most VERIFY_LIMIT need checking; otherwise those of the page, in rank order,
        and the rest estimated from a sample."""
        unverified = [candidate for candidate in candidates if not candidate.verified]
        if len(unverified) <= counting.VERIFY_LIMIT:
            confirmed = self.verify([c.notice_id for c in unverified]) if unverified else set()
            matched = [c for c in candidates if c.verified or c.notice_id in confirmed]
            matched.sort(key=self.rank, reverse=True)
            window = matched[offset : offset + limit + 1]
            counted = counting.facet_counts(
                self, (matched, 1.0), topics=counting.topics_of(matched)
            )
            facets, estimated = counting.counts_of_all(counted, len(matched))
            return Outcome(
                ids=[c.notice_id for c in window[:limit]],
                has_next=len(window) > limit,
                total=len(matched),
                exact=True,
                facets=facets,
                plan=self.plan,
                estimated_facets=estimated,
            )
        # Too many to check them all: check the page's in rank order, estimate the rest.
        candidates = sorted(candidates, key=self.rank, reverse=True)
        found, checked = [], {}
        wanted = offset + limit + 1
        for position, candidate in enumerate(candidates):
            if len(found) >= wanted:
                break
            if not candidate.verified and candidate.notice_id not in checked:
                ahead = [
                    c.notice_id for c in candidates[position : position + 64] if not c.verified
                ]
                confirmed = self.verify(ahead)
                checked.update((notice_id, notice_id in confirmed) for notice_id in ahead)
            if candidate.verified or checked[candidate.notice_id]:
                found.append(candidate.notice_id)
        # The rest from a uniform sample of the unchecked: each match in it stands for
        # len(unverified) / SAMPLE_SIZE of them, in the total and in the counts per value.
        size = counting.SAMPLE_SIZE
        sample = random.Random(len(candidates)).sample(unverified, size)  # noqa: S311
        confirmed = self.verify([c.notice_id for c in sample])
        matched = [c for c in sample if c.notice_id in confirmed]
        share = len(matched) / size
        verified = [c for c in candidates if c.verified]
        facets = counting.facet_counts(self, (verified, 1.0), (matched, len(unverified) / size))
        window = found[offset:]
        return Outcome(
            ids=window[:limit],
            has_next=len(window) > limit,
            total=counting.round_estimate(len(verified) + len(unverified) * share),
            exact=False,
            facets={name: counting.round_counts(counts) for name, counts in facets.items()},
            plan="index, checked page by page",
        )


class EntryTableBackend(BaseSearchBackend):
    """A backend whose index is the ``SearchEntry`` table, kept by ``search.index``; searches
    are run by ``search_class``. Deleting a notice deletes its entry through the foreign key."""

    search_class: type[EntrySearch]

    def add(self, notice_id: int) -> None:
        index.sync_notice(notice_id)

    def delete(self, notice_id: int) -> None:
        index.remove_notice(notice_id)

    def search(
        self, parsed: ParsedQuery, filters: Filters, sort: str, offset: int, limit: int
    ) -> Outcome:
        found = self.search_class(
            parsed.terms, parsed.document_key, parsed.index_key, filters, sort
        )
        return found.run(offset=offset, limit=limit)

    def rebuild(self, **options) -> int:
        return index.rebuild(**options)

    def with_text_matches(self, notices: QuerySet, terms: list[str]) -> QuerySet:
        if not terms:
            return super().with_text_matches(notices, terms)
        held = Q()
        for term in terms:
            held |= Q(GreaterThan(StrIndex("body", Value(term)), 0))
        entry = SearchEntry.objects.filter(notice_id=OuterRef("pk"))
        return notices.annotate(body_has_terms=Exists(entry.filter(held)))

"""Finding the pages of the kinds registered in ``core.searchable`` (考核结果 …) beside notices.

Each public page of such a kind has a ``PageEntry``: its title and text folded as a notice's
entry is (``text.fold``), written by ``sync`` in the transaction that saved or deleted the row
the page shows (``core.searchable.pages_changed``), and by ``rebuild`` with the notices'
index. They are few (an assessment a year or so per organ), so they have no gram index: a
search reads its matches among them in one statement (``find``), every term checked with
``strpos`` as the notices' backends check theirs — a term occurs in the folded title, the
folded text, or the kind's words. Only the page of results shown reads their texts.

They have no 主题分类, 体裁, 有效性 or 解读: a search filtered by one of those finds none of them,
without a query.
"""

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from django.db import connections, router, transaction
from django.utils import timezone

from core import searchable
from notices import shared_lists
from search import highlight, text
from search.backends.base import Filters
from search.models import PageEntry

TABLE = PageEntry._meta.db_table


def entry(page: searchable.Page) -> PageEntry:
    return PageEntry(
        kind=page.kind,
        object_id=page.object_id,
        url=page.url,
        title=text.fold(page.title),
        shown_title=page.title,
        organ_id=page.organ_id,
        published_at=page.published_at,
        body=text.fold(page.text),
        text=page.text,
    )


@transaction.atomic
def sync(kind: str, object_ids: Iterable[int]) -> None:
    """Make the entries of these rows of the kind's model match their public pages now."""
    ids = list(object_ids)
    PageEntry.objects.filter(kind=kind, object_id__in=ids).delete()
    PageEntry.objects.bulk_create(map(entry, searchable.KINDS[kind].pages(ids)))


def page_changed(sender, kind: str, object_ids, **kwargs) -> None:
    sync(kind, object_ids)


@transaction.atomic
def rebuild() -> int:
    """Write the entries of every page of every registered kind again; returns how many."""
    PageEntry.objects.all().delete()
    pages = [page for kind in searchable.KINDS.values() for page in kind.pages(None)]
    return len(PageEntry.objects.bulk_create(map(entry, pages)))


@dataclass
class PageHit:
    """A page of a registered kind among the results."""

    kind: str
    url: str
    shown_title: str
    organ_id: int
    published_at: datetime.datetime
    terms: tuple[str, ...]
    # The page's text and whether a term is in it (not only in the title or the kind's words):
    # read for the hits shown.
    text: str = ""
    body_has_terms: bool = False

    @property
    def kind_label(self) -> str:
        return searchable.KINDS[self.kind].label

    @property
    def organ_name(self) -> str:
        return shared_lists.organ_names().get(self.organ_id, "")

    @cached_property
    def title(self):
        return highlight.highlight(self.shown_title, self.terms)

    @cached_property
    def window(self) -> tuple[str, int, int]:
        whole = [(self.text, True)]
        if not self.body_has_terms:
            return highlight.opening_window(whole)
        return highlight.settled_window(whole, self.terms)

    @cached_property
    def snippet(self):
        return highlight.marked_snippet(self.window, self.terms)

    @cached_property
    def plain_snippet(self) -> str:
        return highlight.plain_window(self.window)


@dataclass
class Matches:
    """The registered pages a search finds: how many, those of the page of results shown, and
    how many per organ and per year (for the facets)."""

    total: int = 0
    hits: list[PageHit] = field(default_factory=list)
    organs: Counter = field(default_factory=Counter)
    years: Counter = field(default_factory=Counter)


def find(parsed: text.ParsedQuery, filters: Filters, sort: str, offset: int, limit: int) -> Matches:
    """The registered pages matching the query and the filters, in the order of ``sort`` (by
    relevance: those with every term in the title first; newest first); of those from
    ``offset`` (at most ``limit``) the hits, with their texts. One statement, none when the
    filters are of notices alone."""
    of_notices_alone = filters.topic_ids or filters.genre or filters.validity or filters.interpreted
    if parsed.is_empty or of_notices_alone:
        return Matches()
    db = router.db_for_read(PageEntry)
    function = "strpos" if connections[db].vendor == "postgresql" else "instr"
    where, params = [], []
    for term in parsed.terms:
        # The kinds whose words hold the term: each of their pages holds it.
        named = [
            name
            for name, kind in searchable.KINDS.items()
            if any(term in text.fold(word) for word in kind.words)
        ]
        held = [f"{function}(title, %s) > 0", f"{function}(body, %s) > 0"]
        params += [term, term]
        if named:
            held.append(f"kind IN ({', '.join(['%s'] * len(named))})")
            params += named
        where.append("(" + " OR ".join(held) + ")")
    if filters.organ_id is not None:
        where.append("organ_id = %s")
        params.append(filters.organ_id)
    if filters.year_start is not None:
        where.append("published_at >= %s AND published_at < %s")
        params += [filters.year_start, filters.year_end]
    terms = list(parsed.terms)
    in_title = " AND ".join([f"{function}(title, %s) > 0"] * len(terms))
    in_body = " OR ".join([f"{function}(body, %s) > 0"] * len(terms))
    order, order_params = "published_at DESC, id DESC", []
    if sort != "date":
        order, order_params = f"({in_title}) DESC, {order}", terms
    shown = "rank > %s AND rank <= %s"
    sql = (
        f"SELECT kind, url, shown_title, organ_id, published_at, "  # noqa: S608 (no input)
        f"CASE WHEN {shown} THEN text END, CASE WHEN {shown} THEN ({in_body}) END "
        f"FROM (SELECT kind, url, shown_title, organ_id, published_at, text, body, "
        f"ROW_NUMBER() OVER (ORDER BY {order}) AS rank "
        f"FROM {TABLE} WHERE {' AND '.join(where)}) AS ranked ORDER BY rank"
    )
    window = [offset, offset + limit]
    sql_params = [*window, *window, *terms, *order_params, *params]
    with connections[db].cursor() as cursor:
        cursor.execute(sql, sql_params)
        rows = cursor.fetchall()
    found = Matches(total=len(rows))
    for position, (kind, url, title, organ_id, published_at, page_text, has_terms) in enumerate(
        rows
    ):
        published_at = _aware(published_at)
        found.organs[organ_id] += 1
        found.years[timezone.localtime(published_at).year] += 1
        if offset <= position < offset + limit:
            hit = PageHit(kind, url, title, organ_id, published_at, parsed.terms)
            hit.text, hit.body_has_terms = page_text or "", bool(has_terms)
            found.hits.append(hit)
    return found


def _aware(value) -> datetime.datetime:
    """A timestamp read with a raw cursor: aware on PostgreSQL, text on SQLite."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    return value if timezone.is_aware(value) else timezone.make_aware(value, datetime.UTC)

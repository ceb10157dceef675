"""Finding the pages of the kinds registered in ``core.searchable`` (考核结果 …) beside notices.

They are few (an assessment a year or so per organ), so they are not in the notices' index:
their folded text is kept like a shared list (``core.page_cache.cached``, no query on a warm
cache), computed again when a change bumps a section the kind shows (a publication, a
correction), and each search checks every one of them term by term with ``text.matches``, the
rule the notices' backends follow. They have no 主题分类, 体裁 or 有效性: a search filtered by
one of those finds none of them.
"""

from dataclasses import dataclass
from functools import cached_property

from core import page_cache, searchable
from search import highlight, text
from search.backends.base import Filters

CACHE_NAME = "search-kind-pages"


@dataclass(frozen=True)
class Entry:
    page: searchable.Page
    title: str  # folded
    body: str  # folded: the page's text and its kind's words


def entries() -> list[Entry]:
    """Every page of every registered kind that the public may read now, folded."""
    shows = sorted({section for kind in searchable.KINDS.values() for section in kind.shows})
    return page_cache.cached(CACHE_NAME, _entries, shows=shows)


def _entries() -> list[Entry]:
    found = []
    for kind in searchable.KINDS.values():
        for page in kind.pages():
            body = text.FIELD_SEPARATOR.join(filter(None, [page.text, *kind.words]))
            found.append(Entry(page=page, title=text.fold(page.title), body=text.fold(body)))
    return found


@dataclass
class PageHit:
    """A page of a registered kind among the results."""

    page: searchable.Page
    terms: tuple[str, ...]

    @property
    def kind_label(self) -> str:
        return searchable.KINDS[self.page.kind].label

    @cached_property
    def title(self):
        return highlight.highlight(self.page.title, self.terms)

    @cached_property
    def snippet(self):
        return highlight.snippet(self.page.text, self.terms)

    @cached_property
    def plain_snippet(self) -> str:
        return highlight.plain_snippet(self.page.text, self.terms)


def find(parsed: text.ParsedQuery, filters: Filters, sort: str) -> list[PageHit]:
    """The registered pages matching the query and the filters, in the order of ``sort`` (by
    relevance: those with every term in the title first; newest first)."""
    if parsed.is_empty or filters.topic_ids or filters.genre or filters.validity:
        return []
    found = [
        entry
        for entry in entries()
        if (filters.organ_id is None or entry.page.organ_id == filters.organ_id)
        and (filters.year_start is None or filters.year_start <= entry.page.published_at)
        and (filters.year_end is None or entry.page.published_at < filters.year_end)
        and text.matches(parsed, [entry.title, entry.body])
    ]

    def order(entry: Entry) -> tuple:
        in_title = all(term in entry.title for term in parsed.terms)
        return (sort != "date" and not in_title, -entry.page.published_at.timestamp())

    return [PageHit(page=entry.page, terms=parsed.terms) for entry in sorted(found, key=order)]

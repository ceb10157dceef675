"""Running a search for the portal, the API and the feed: the form, one page of hits, the total
and the counts per filter value (the search backend finds the matches: ``search.backends``)."""

import math
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from django import forms
from django.utils import timezone

from core import searchable
from notices import shared_lists
from notices.forms import NoticeFilterForm
from notices.models import Notice, genre_labels
from search import highlight, kinds, text
from search.backends import Filters, base, get_backend

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
FACET_VALUES = 12


def page_notices(at, ids: list[int], terms: list[str]):
    """The notices of a page of hits, each with ``body_has_terms`` from the search backend
    (``with_text_matches``): without, its snippet is its beginning, found without folding the
    whole body."""
    notices = Notice.objects.public_pages(at).select_related("organ").filter(pk__in=ids)
    return get_backend().with_text_matches(notices, terms)


class QueryField(forms.CharField):
    """The query text: control characters become spaces (they separate terms anyway)."""

    def to_python(self, value):
        value = super().to_python(value)
        return "".join(" " if unicodedata.category(c) == "Cc" else c for c in value).strip()


class SearchForm(NoticeFilterForm):
    q = QueryField(label="关键词", required=False, strip=True)
    sort = forms.ChoiceField(
        label="排序",
        choices=[("relevance", "按相关度"), ("date", "按发布日期")],
        required=False,
    )

    field_order = ["q", "organ", "topic", "genre", "year", "validity", "interpreted", "sort"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget = forms.TextInput(attrs={"maxlength": text.MAX_QUERY_LENGTH})
        self.fields["q"].validators = []

    def backend_filters(self) -> Filters:
        return Filters.from_values(self.query_values())

    def filter_values(self) -> dict[str, str]:
        """The current filters as URL parameters (for facet links and the API)."""
        values = {}
        for name in ("organ", "topic", "genre", "year", "validity", "interpreted"):
            value = self.cleaned_data.get(name)
            if value not in (None, ""):
                values[name] = str(value.pk if hasattr(value, "pk") else value)
        return values


class NoSuchPage(Exception):
    """The page asked for lies past the last result."""


@dataclass
class Hit:
    notice: Notice
    title: str
    exact_number: bool
    terms: list[str]
    # False when no term is in the summary or the body (page_notices's body_has_terms).
    body_has_terms: bool = True

    @property
    def kind_label(self) -> str:
        return searchable.notice_label(self.notice.genre_id)

    def source_prefixes(self):
        """The text a snippet is cut from (the summary and the body, if the body is public),
        as ever longer beginnings: a match near the start of a long body is found without
        stripping the tags from all of it."""
        notice = self.notice
        if notice.status == Notice.Status.WITHDRAWN:
            yield "", True
        elif not notice.body_is_public:
            yield notice.summary, True
        else:
            for body, whole in text.plain_text_prefixes(notice.body):
                yield " ".join(filter(None, [notice.summary, body])), whole

    @cached_property
    def window(self) -> tuple[str, int, int]:
        if not self.body_has_terms:
            return highlight.opening_window(self.source_prefixes())
        return highlight.settled_window(self.source_prefixes(), self.terms)

    # Made when asked for: the page shows one kind, the API both.
    @cached_property
    def snippet(self) -> str:
        return highlight.marked_snippet(self.window, self.terms)

    @cached_property
    def plain_snippet(self) -> str:
        return highlight.plain_window(self.window)


@dataclass
class Facet:
    name: str
    label: str
    values: list[tuple[str, str, int]] = field(default_factory=list)
    exact: bool = True


@dataclass
class ResultPage:
    """What templates and the API need of a page of results (Django's Page, without counting
    every result)."""

    number: int
    size: int
    num_pages: int
    has_next_page: bool

    @property
    def paginator(self):  # the pagination include asks page_obj.paginator.num_pages
        return self

    def has_next(self) -> bool:
        return self.has_next_page

    def has_previous(self) -> bool:
        return self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def start_index(self) -> int:
        return (self.number - 1) * self.size + 1


@dataclass
class SearchResults:
    """A search as the page, the API and the feed show it: the parsed query, one page of
    result ids, the total and the facets. The pages of other kinds (``search.kinds``) found
    come before the notices, and count in the total and the facets."""

    parsed: text.ParsedQuery
    sort: str
    total: int
    exact: bool
    page: ResultPage
    ids: list[int]
    facets: list[Facet]
    plan: str
    pages: list[kinds.PageHit] = field(default_factory=list)

    @property
    def notices_start(self) -> int:
        """The place of the page's first notice among all results (from 1)."""
        return self.page.start_index() + len(self.pages)

    def hits(self) -> list[Hit]:
        """The notices of the page, through the publication rule once more."""
        terms = self.parsed.terms
        found_now = list(page_notices(timezone.now(), self.ids, list(terms))) if self.ids else []
        notices = {notice.pk: notice for notice in found_now}
        keys = {self.parsed.document_key, self.parsed.index_key} - {""}
        found = []
        for pk in self.ids:
            notice = notices.get(pk)
            if notice is None:
                continue
            exact = bool(keys) and bool(
                keys
                & {
                    text.document_key(notice.document_number),
                    text.index_key(notice.index_number or ""),
                }
            )
            found.append(
                Hit(
                    notice=notice,
                    title=highlight.highlight(notice.title, terms),
                    exact_number=exact,
                    terms=terms,
                    body_has_terms=notice.body_has_terms,
                )
            )
        return found


def parse_page(value) -> int:
    """A page number from the URL (default 1): ValueError if it is not an integer."""
    return 1 if value in (None, "") else int(value)


def run(
    form: SearchForm, page: int = 1, page_size: int | None = None, *, other_kinds: bool = True
) -> SearchResults:
    """Search for a valid, non-empty form; raises NoSuchPage for a page that is not there.

    The pages of other kinds found (``search.kinds``; not with ``other_kinds=False``, for
    lists of notices alone) come first, and take places of the pages of results like notices."""
    page_size = page_size or PAGE_SIZE
    if page < 1:
        raise NoSuchPage
    parsed = text.parse_query(form.cleaned_data["q"])
    sort = form.cleaned_data.get("sort") or "relevance"
    max_pages = max(1, base.MAX_RESULTS // page_size)
    if page > max_pages:
        raise NoSuchPage
    filters = form.backend_filters()
    start = (page - 1) * page_size
    others = kinds.find(parsed, filters, sort, start, page_size) if other_kinds else kinds.Matches()
    # The notices fill the places the other kinds leave: asked for one at least, so that a
    # page full of other kinds still learns whether notices follow.
    wanted = page_size - len(others.hits)
    outcome = get_backend().search(
        parsed, filters, sort, offset=max(0, start - others.total), limit=max(wanted, 1)
    )
    ids = outcome.ids[:wanted]
    if page > 1 and not ids and not others.hits:
        raise NoSuchPage
    has_next = outcome.has_next or len(outcome.ids) > wanted or others.total > start + page_size
    total = outcome.total + others.total
    pages = page
    if has_next:
        pages = max(page + 1, min(max_pages, math.ceil(total / page_size)))
    outcome.facets["organ"].update(others.organs)
    outcome.facets["year"].update(others.years)
    return SearchResults(
        parsed=parsed,
        sort=sort,
        total=total,
        exact=outcome.exact,
        page=ResultPage(page, page_size, pages, has_next),
        ids=ids,
        facets=facets(outcome.facets, outcome.exact, outcome.estimated_facets),
        plan=outcome.plan,
        pages=others.hits,
    )


def facets(counts: dict[str, Counter], exact: bool, estimated=frozenset()) -> list[Facet]:
    """The counts per filter value, most first (years newest first), with their labels; each
    facet exact if the search's counts are and the facet is not among the ``estimated``."""
    organs = counts["organ"].most_common(FACET_VALUES)
    organ_names = shared_lists.organ_names() if organs else {}
    topics = counts["topic"].most_common(FACET_VALUES)
    topic_paths = shared_lists.topic_paths() if topics else {}
    genre_names = genre_labels()
    validity_labels = dict(Notice.Validity.choices)
    years = sorted(counts["year"].items(), reverse=True)[:FACET_VALUES]
    found = [
        Facet("organ", "发布机构", [(str(pk), organ_names.get(pk, ""), n) for pk, n in organs]),
        Facet("topic", "主题分类", [(str(pk), topic_paths.get(pk, ""), n) for pk, n in topics]),
        Facet(
            "genre",
            "体裁",
            [(g, genre_names.get(g, g), n) for g, n in counts["genre"].most_common(FACET_VALUES)],
        ),
        Facet("year", "发布年份", [(str(y), f"{y}年", n) for y, n in years]),
        Facet(
            "validity",
            "有效性",
            [(v, str(validity_labels.get(v, v)), n) for v, n in counts["validity"].most_common()],
        ),
    ]
    for facet in found:
        facet.exact = exact and facet.name not in estimated
    return found

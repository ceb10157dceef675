"""Running a search: the form, the ordered result segments, capped counts and facets."""

import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet

from notices.forms import NoticeFilterForm, topic_and_descendants
from notices.models import Notice, Organ, Topic
from search import engine, highlight, index, text
from search.models import SearchEntry

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Counting stops here: totals and facet counts above it are shown as “10000+”. Only the first
# COUNT_CAP results can be paged through.
COUNT_CAP = 10_000
FACET_VALUES = 12
ORDER = ("-published_at", "-notice_id")


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

    field_order = ["q", "organ", "topic", "genre", "year", "validity", "sort"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget = forms.TextInput(attrs={"maxlength": text.MAX_QUERY_LENGTH})
        self.fields["q"].validators = []

    def filter_entries(self, queryset: QuerySet) -> QuerySet:
        data = self.cleaned_data
        if data.get("organ"):
            queryset = queryset.filter(organ=data["organ"])
        if data.get("topic"):
            topics = topic_and_descendants(data["topic"])
            through = SearchEntry.topics.through
            queryset = queryset.filter(
                pk__in=through.objects.filter(topic_id__in=topics).values("searchentry_id")
            )
        if data.get("genre"):
            queryset = queryset.filter(genre=data["genre"])
        if data.get("year"):
            queryset = queryset.filter(year=data["year"])
        if data.get("validity"):
            queryset = queryset.filter(validity=data["validity"])
        return queryset

    def filter_values(self) -> dict[str, str]:
        """The current filters as URL parameters (for facet links and the API)."""
        values = {}
        for name in ("organ", "topic", "genre", "year", "validity"):
            value = self.cleaned_data.get(name)
            if value not in (None, ""):
                values[name] = str(value.pk if hasattr(value, "pk") else value)
        return values


class SegmentedResults:
    """Disjoint, each newest first, shown one after the other; behaves as a sequence for
    Django's Paginator, with a capped length."""

    def __init__(self, segments: list[QuerySet], total: int):
        self.segments = segments
        self.total = total

    def count(self) -> int:
        return min(self.total, COUNT_CAP)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[int]:
        offset, wanted = window.start or 0, (window.stop or 0) - (window.start or 0)
        found: list[int] = []
        for segment in self.segments:
            if len(found) >= wanted:
                break
            rows = list(segment.values_list("pk", flat=True)[offset : offset + wanted - len(found)])
            if rows:
                found.extend(rows)
                offset = 0
            else:
                # The window starts after this segment: count it (up to the offset) to skip it.
                offset -= segment.values("pk")[:offset].count()
        return found


@dataclass
class Hit:
    notice: Notice
    title: str
    snippet: str
    plain_snippet: str
    exact_number: bool


@dataclass
class Facet:
    name: str
    label: str
    values: list[tuple[str, str, int]] = field(default_factory=list)


@dataclass
class Search:
    parsed: text.ParsedQuery
    sort: str
    results: SegmentedResults
    total: int
    capped: bool
    facets: list[Facet]

    def hits(self, entry_ids: list[int]) -> list[Hit]:
        """The notices of one page, through the publication rule once more."""
        notices = Notice.objects.public_pages().select_related("organ").in_bulk(entry_ids)
        terms = self.parsed.terms
        keys = {self.parsed.document_key, self.parsed.index_key} - {""}
        found = []
        for pk in entry_ids:
            notice = notices.get(pk)
            if notice is None:
                continue
            withdrawn = notice.status == Notice.Status.WITHDRAWN
            source = notice.summary if not withdrawn else ""
            if not withdrawn and notice.body_is_public:
                source = " ".join(filter(None, [notice.summary, text.plain_text(notice.body)]))
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
                    snippet=highlight.snippet(source, terms),
                    plain_snippet=highlight.plain_snippet(source, terms),
                    exact_number=exact,
                )
            )
        return found


def run(form: SearchForm) -> Search:
    """Search for a valid, non-empty form."""
    index.catch_up()
    parsed = text.parse_query(form.cleaned_data["q"])
    sort = form.cleaned_data.get("sort") or "relevance"
    base = form.filter_entries(SearchEntry.objects.all())
    match = base.filter(engine.match_filter(parsed.terms))
    if sort == "date":
        segments = [match.order_by(*ORDER)]
    else:
        segments = []
        exact = Q()
        if parsed.document_key:
            exact |= Q(document_key=parsed.document_key)
        if parsed.index_key:
            exact |= Q(index_key=parsed.index_key)
        if exact:
            segments.append(match.filter(exact).order_by(*ORDER))
        in_title = base.filter(engine.match_filter(parsed.terms, title_only=True))
        title_exact = Q()
        for term in parsed.terms:
            title_exact &= Q(title__contains=term)
        if exact:
            in_title = in_title.exclude(exact)
        segments.append(in_title.order_by(*ORDER))
        body_only = match.exclude(title_exact)
        if exact:
            body_only = body_only.exclude(exact)
        segments.append(body_only.order_by(*ORDER))
    sample = list(match.values_list("pk", "organ_id", "genre", "validity", "year")[: COUNT_CAP + 1])
    total = len(sample)
    return Search(
        parsed=parsed,
        sort=sort,
        results=SegmentedResults(segments, total),
        total=min(total, COUNT_CAP),
        capped=total > COUNT_CAP,
        facets=facets(sample[:COUNT_CAP]),
    )


def facets(sample) -> list[Facet]:
    """Counts per filter value over the matches (over the first COUNT_CAP of them when there
    are more, in which case each count is a lower bound)."""
    organs, genres, validities, years = Counter(), Counter(), Counter(), Counter()
    for _pk, organ_id, genre, validity, year in sample:
        organs[organ_id] += 1
        genres[genre] += 1
        validities[validity] += 1
        years[year] += 1
    organ_names = dict(
        Organ.objects.filter(pk__in=[pk for pk, _ in organs.most_common(FACET_VALUES)]).values_list(
            "pk", "name"
        )
    )
    topic_counts = topic_facet([row[0] for row in sample])
    genre_labels = dict(Notice.Genre.choices)
    validity_labels = dict(Notice.Validity.choices)
    return [
        Facet(
            "organ",
            "发布机构",
            [(str(pk), organ_names.get(pk, ""), n) for pk, n in organs.most_common(FACET_VALUES)],
        ),
        Facet("topic", "主题分类", topic_counts),
        Facet(
            "genre",
            "体裁",
            [(g, str(genre_labels.get(g, g)), n) for g, n in genres.most_common(FACET_VALUES)],
        ),
        Facet(
            "year",
            "发布年份",
            [(str(y), f"{y}年", n) for y, n in sorted(years.items(), reverse=True)][:FACET_VALUES],
        ),
        Facet(
            "validity",
            "有效性",
            [(v, str(validity_labels.get(v, v)), n) for v, n in validities.most_common()],
        ),
    ]


def topic_facet(entry_ids: list[int]) -> list[tuple[str, str, int]]:
    """Per topic, the matches filed under it or under any topic below it."""
    if not entry_ids:
        return []
    topics = {topic.pk: topic for topic in Topic.objects.select_related("parent")}
    through = SearchEntry.topics.through
    per_entry: dict[int, set[int]] = {}
    for start in range(0, len(entry_ids), 1000):
        chunk = entry_ids[start : start + 1000]
        for entry_id, topic_id in through.objects.filter(searchentry_id__in=chunk).values_list(
            "searchentry_id", "topic_id"
        ):
            seen = per_entry.setdefault(entry_id, set())
            node = topics.get(topic_id)
            while node is not None and node.pk not in seen:
                seen.add(node.pk)
                node = topics.get(node.parent_id)
    counts = Counter(topic_id for seen in per_entry.values() for topic_id in seen)
    return [(str(pk), topics[pk].path, n) for pk, n in counts.most_common(FACET_VALUES)]


def paginate(search: Search, page: str | int, page_size: int | None = None):
    """A Django page of the search (raises PageNotAnInteger / EmptyPage like Paginator)."""
    paginator = Paginator(search.results, page_size or PAGE_SIZE, allow_empty_first_page=True)
    return paginator.page(page or 1)

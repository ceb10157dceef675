"""The search page, its JSON API (open data) and its Atom feed: one form, one search."""

from urllib.parse import quote_plus, urlencode

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from core import links
from notices.feeds import FEED_LENGTH, LatestNoticesFeed
from notices.models import Notice, genre_labels
from search import query, text
from search.backends import SearchTooSlow, base

EMPTY_QUERY = "请输入要检索的关键词（汉字、字母或数字）。"
ONLY_PUNCTUATION = "检索词中没有汉字、字母或数字，请换一个关键词。"
TRUNCATED = f"检索词过长，只按前 {text.MAX_QUERY_LENGTH} 个字检索。"
TOO_SLOW = "这次检索耗时过长，已停止。请换用更具体的关键词，或按机构、年份等条件缩小范围后再试。"


def form_errors(form) -> dict[str, list[str]]:
    return {name: [str(message) for message in messages] for name, messages in form.errors.items()}


def _url(view_name: str, params: dict) -> str:
    return _with_query(links.url_of(view_name), _encoded(params))


def _encoded(params: dict) -> dict[str, str]:
    """Parameters' values quoted as urlencode quotes them; None and "" leave one out."""
    return {name: "" if value is None else quote_plus(str(value)) for name, value in params.items()}


def _with_query(path: str, encoded: dict[str, str]) -> str:
    query = "&".join(f"{quote_plus(name)}={value}" for name, value in encoded.items() if value)
    return f"{path}?{query}" if query else path


def search_page(request):
    form = query.SearchForm(request.GET or None)
    context = {
        "form": form,
        "search_query": request.GET.get("q", "")[: text.MAX_QUERY_LENGTH],
        "max_results": base.MAX_RESULTS,
    }
    if not form.is_bound:
        return render(request, "search/results.html", context)
    if not form.is_valid():
        context["errors"] = [
            f"{form.fields[name].label}：{message}"
            for name, messages in form_errors(form).items()
            for message in messages
        ]
        return render(request, "search/results.html", context, status=400)
    parsed = text.parse_query(form.cleaned_data["q"])
    context["parsed"] = parsed
    if parsed.is_empty:
        context["notice"] = ONLY_PUNCTUATION if parsed.raw.strip() else EMPTY_QUERY
        return render(request, "search/results.html", context)
    try:
        search = query.run(form, query.parse_page(request.GET.get("page")))
    except ValueError:
        context["errors"] = ["页码必须是正整数。"]
        return render(request, "search/results.html", context, status=400)
    except query.NoSuchPage:
        context["errors"] = ["没有这一页，请回到第 1 页。"]
        return render(request, "search/results.html", context, status=404)
    except SearchTooSlow:
        context["errors"] = [TOO_SLOW]
        return render(request, "search/results.html", context, status=503)
    params = {"q": parsed.raw, **form.filter_values()}
    sort = search.sort
    context.update(
        {
            "search": search,
            "page_obj": search.page,
            "hits": search.hits(),
            "facets": facet_links(search, params, sort),
            "query_without_page": urlencode({**params, "sort": sort}),
            "sort_links": [
                (value, label, _url("search:search", {**params, "sort": value}), value == sort)
                for value, label in form.fields["sort"].choices
            ],
            "feed_url": _url("search:feed", params),
            "api_url": _url("search:api", {**params, "sort": sort}),
            "truncated": TRUNCATED if parsed.truncated else "",
        }
    )
    return render(request, "search/results.html", context)


def facet_links(search, params: dict, sort: str) -> list[dict]:
    """Each facet value as a link that adds (or, when selected, removes) that filter, the
    parameters the links share encoded once."""
    path = links.url_of("search:search")
    encoded = _encoded({**params, "sort": sort})
    shown = []
    for facet in search.facets:
        values = []
        for value, label, count in facet.values:
            selected = params.get(facet.name) == value
            link = {**encoded, facet.name: "" if selected else quote_plus(value)}
            values.append(
                {
                    "label": label,
                    "count": str(count) if facet.exact else f"约{count}",
                    "url": _with_query(path, link),
                    "selected": selected,
                }
            )
        if values:
            shown.append({"name": facet.name, "label": facet.label, "values": values})
    return shown


def open_data(request):
    """开放数据: what the portal offers machines, in words a reader understands."""
    example = {"q": "政务公开", "year": timezone.localdate().year, "sort": "date", "page_size": 20}
    return render(
        request,
        "search/open_data.html",
        {
            "genres": sorted(genre_labels().items(), key=lambda item: item[0]),
            "validities": Notice.Validity.choices,
            "max_page_size": query.MAX_PAGE_SIZE,
            "page_size": query.PAGE_SIZE,
            "max_query_length": text.MAX_QUERY_LENGTH,
            "max_results": base.MAX_RESULTS,
            "example_url": request.build_absolute_uri(_url("search:api", example)),
        },
    )


def api_error(errors: dict, status: int = 400) -> JsonResponse:
    return _json({"errors": errors}, status=status)


def _json(data: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


def search_api(request):
    """GET /search/api/?q=…: the same search as JSON, read-only (see README)."""
    form = query.SearchForm(request.GET)
    if not form.is_valid():
        return api_error(form_errors(form))
    parsed = text.parse_query(form.cleaned_data["q"])
    if parsed.is_empty:
        message = ONLY_PUNCTUATION if parsed.raw.strip() else EMPTY_QUERY
        return api_error({"q": [message]})
    page_size = request.GET.get("page_size") or str(query.PAGE_SIZE)
    try:
        page_size = int(page_size)
        if not 1 <= page_size <= query.MAX_PAGE_SIZE:
            raise ValueError
    except ValueError:
        return api_error({"page_size": [f"每页条数应为 1 至 {query.MAX_PAGE_SIZE} 的整数。"]})
    try:
        search = query.run(form, query.parse_page(request.GET.get("page")), page_size)
    except ValueError:
        return api_error({"page": ["页码必须是正整数。"]})
    except query.NoSuchPage:
        return api_error({"page": ["没有这一页。"]}, status=404)
    except SearchTooSlow:
        return api_error({"q": [TOO_SLOW]}, status=503)
    page = search.page
    params = {"q": parsed.raw, **form.filter_values(), "sort": search.sort}
    if page_size != query.PAGE_SIZE:
        params["page_size"] = page_size

    def page_url(number):
        return request.build_absolute_uri(_url("search:api", {**params, "page": number}))

    return _json(
        {
            "query": parsed.raw,
            "terms": list(parsed.terms),
            "truncated": parsed.truncated,
            "sort": search.sort,
            "filters": form.filter_values(),
            "count": search.total,
            "count_exact": search.exact,
            "page": page.number,
            "pages": page.num_pages,
            "page_size": page_size,
            "next": page_url(page.next_page_number()) if page.has_next() else None,
            "previous": page_url(page.previous_page_number()) if page.has_previous() else None,
            "results": [hit_json(request, hit) for hit in search.hits()],
            "other_results": [page_hit_json(request, hit) for hit in search.pages],
            "facets": {
                facet.name: [
                    {"value": value, "label": label, "count": count}
                    for value, label, count in facet.values
                ]
                for facet in search.facets
            },
            "facet_counts_exact": {facet.name: facet.exact for facet in search.facets},
        }
    )


def hit_json(request, hit: query.Hit) -> dict:
    notice = hit.notice
    return {
        "id": notice.pk,
        "kind_label": hit.kind_label,
        "url": request.build_absolute_uri(notice.get_absolute_url()),
        "title": notice.title,
        "organ": {"id": notice.organ_id, "name": notice.organ.name},
        "document_number": notice.document_number,
        "index_number": notice.index_number,
        "genre": notice.genre_id,
        "validity": notice.validity,
        "signed_on": notice.signed_on.isoformat() if notice.signed_on else None,
        "published_at": notice.published_at.isoformat(),
        "withdrawn": notice.status == notice.Status.WITHDRAWN,
        "withdrawn_at": notice.withdrawn_at.isoformat() if notice.withdrawn_at else None,
        "exact_number_match": hit.exact_number,
        "snippet": hit.plain_snippet,
        "snippet_html": str(hit.snippet),
    }


def page_hit_json(request, hit) -> dict:
    return {
        "kind": hit.kind,
        "kind_label": hit.kind_label,
        "url": request.build_absolute_uri(hit.url),
        "title": hit.shown_title,
        "organ": {"id": hit.organ_id, "name": hit.organ_name},
        "published_at": hit.published_at.isoformat(),
        "snippet": hit.plain_snippet,
    }


class SearchFeed(LatestNoticesFeed):
    """The newest notices matching a search, as Atom: /search/feed/?q=…"""

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except SearchTooSlow:
            return HttpResponse(TOO_SLOW, status=503, content_type="text/plain; charset=utf-8")

    def get_object(self, request):
        return request

    def title(self, obj=None) -> str:
        q = text.parse_query(obj.GET.get("q", "")).raw if obj is not None else ""
        return f"{super().title(obj)}：检索“{q}”"

    def link(self, obj=None) -> str:
        return _url("search:search", obj.GET.dict() if obj is not None else {})

    def items(self, obj=None):
        form = query.SearchForm(obj.GET)
        if not form.is_valid() or text.parse_query(form.cleaned_data["q"]).is_empty:
            return []
        form.cleaned_data["sort"] = "date"
        hits = query.run(form, page_size=FEED_LENGTH, other_kinds=False).hits()
        return [hit.notice for hit in hits if hit.notice.status == hit.notice.Status.PUBLISHED]

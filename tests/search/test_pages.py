"""The search page, the search box on every portal page, the JSON API and the search feed."""

import re
from html import unescape
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notices.models import Notice
from search import codes, query, text
from search.backends import base, counting
from search.backends.entries import EntrySearch
from search.models import SearchEntry
from tests import factories

ATOM = "{http://www.w3.org/2005/Atom}"


def page(client, **params):
    return client.get(reverse("search:search"), params)


def hit_titles(response) -> list[str]:
    html = response.content.decode()
    found = re.findall(r'class="notice-row__title"[^>]*>(.*?)</a>', html, re.S)
    return [unescape(re.sub(r"<[^>]+>", "", title)) for title in found]


def api(client, **params):
    return client.get(reverse("search:api"), params)


# The search box


@pytest.mark.parametrize(
    "url",
    ["/", "/notices/", "/organs/", "/assessments/", "/search/", "/search/?q=政务"],
)
def test_every_portal_page_has_a_labelled_search_box(client, notice_in, url):
    notice_in("published")
    html = client.get(url).content.decode()
    form = re.search(
        r'<form class="site-search"[^>]*action="/search/"[^>]*>(.*?)</form>', html, re.S
    )
    assert form, url
    assert '<label for="site-search-q"' in form.group(1)
    assert 'id="site-search-q"' in form.group(1)
    assert 'name="q"' in form.group(1)


def test_notice_page_has_the_search_box(client, notice_in):
    notice = notice_in("published")
    assert 'class="site-search"' in client.get(notice.get_absolute_url()).content.decode()


def test_search_page_keeps_the_query_in_the_box(client, notice_in):
    notice_in("published", title="政务公开通知")
    html = page(client, q="政务<公开>").content.decode()
    assert 'value="政务&lt;公开&gt;"' in html
    assert "政务<公开>" not in html


# Results


def test_results_show_title_issuer_dates_number_and_a_highlighted_snippet(client, notice_in):
    notice = notice_in(
        "published",
        title="关于政务公开工作的通知",
        document_number="甘政办发〔2017〕136号",
        body="<p>前文很长很长。为进一步推进政務公開工作，现通知如下。</p>",
    )
    html = page(client, q="政务公开").content.decode()
    assert "<mark>政务公开</mark>工作的通知" in html
    assert "为进一步推进<mark>政務公開</mark>工作" in html
    assert notice.organ.name in html
    assert "甘政办发〔2017〕136号" in html
    assert notice.published_at.strftime("%Y-%m-%d") in html or "发布日期" in html
    assert notice.get_absolute_url() in html


def test_snippet_escapes_body_text_and_markup(client, notice_in):
    notice_in(
        "published",
        title="转义测试",
        body="<p>&lt;script&gt;alert(1)&lt;/script&gt; 转义 <strong>加粗</strong></p>",
    )
    html = page(client, q="转义").content.decode()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>转义</mark> 加粗" in html
    assert "<strong>" not in html.split('search-results"')[1]


def test_query_markup_is_never_rendered(client, notice_in):
    notice_in("published", title="script 测试")
    html = page(client, q='<script>alert("x")</script>').content.decode()
    assert "<script>alert" not in html


def test_title_matches_rank_before_body_matches_and_exact_number_first(client, notice_in):
    body_only = notice_in("published", title="其他事项", body="<p>关于考核的说明</p>")
    in_title = notice_in("published", title="年度考核通报", body="<p>无</p>")
    exact = notice_in(
        "published", title="无关标题", document_number="甘政办发〔2017〕136号", body="<p>无</p>"
    )
    cites = notice_in("published", title="引用", body="<p>根据甘政办发〔2017〕136号文件考核</p>")
    assert hit_titles(page(client, q="考核")) == [in_title.title, cites.title, body_only.title]
    assert hit_titles(page(client, q="甘政办发(2017)136号"))[0] == exact.title
    assert set(hit_titles(page(client, q="甘政办发2017136号"))) == {exact.title, cites.title}


def test_date_sort_is_newest_first(client, notice_in):
    import datetime

    from django.utils import timezone

    old = notice_in(
        "published", title="考核旧", published_at=timezone.now() - datetime.timedelta(days=9)
    )
    new = notice_in("published", title="新的", body="<p>考核</p>")
    assert hit_titles(page(client, q="考核", sort="date")) == [new.title, old.title]
    assert hit_titles(page(client, q="考核")) == [old.title, new.title]


def test_bigrams_present_but_not_adjacent_do_not_match(client, notice_in):
    notice_in("published", title="政务。务公。公开")
    assert hit_titles(page(client, q="政务公开")) == []
    assert len(hit_titles(page(client, q="务公"))) == 1


def test_one_character_latin_digits_and_full_width_queries(client, notice_in):
    notice = notice_in("published", title="COVID-19疫苗接种2021年第３批")
    for q in ["疫", "covid", "ＣＯＶＩＤ 19", "19疫苗", "第3批", "2021年"]:
        assert hit_titles(page(client, q=q)) == [notice.title], q


def test_filters_combine_with_the_query_and_facets_count(client, notice_in, other_organ):
    mine = notice_in("published", title="考核甲", genre="circular")
    notice_in("published", title="考核乙", genre="notice")
    editor, reviewer = factories.make_editor(other_organ), factories.make_reviewer(other_organ)
    factories.make_notice(other_organ, editor, reviewer, title="考核丙", genre="circular")
    response = page(client, q="考核", organ=mine.organ_id, genre="circular")
    assert hit_titles(response) == [mine.title]
    all_facets = {f["name"]: f for f in page(client, q="考核").context["facets"]}
    organs = {v["label"]: v["count"] for v in all_facets["organ"]["values"]}
    assert organs == {mine.organ.name: "2", other_organ.name: "1"}
    genres = {v["label"]: v["count"] for v in all_facets["genre"]["values"]}
    assert genres == {"通报": "2", "通知": "1"}


def test_facet_links_are_shareable_urls_that_add_the_filter(client, notice_in):
    notice = notice_in("published", title="考核甲")
    facets = {f["name"]: f for f in page(client, q="考核").context["facets"]}
    url = facets["organ"]["values"][0]["url"]
    assert url.startswith("/search/?") and f"organ={notice.organ_id}" in url
    assert hit_titles(client.get(url)) == [notice.title]


def test_results_beyond_the_paging_limit_are_counted_but_not_paged(client, notice_in, monkeypatch):
    monkeypatch.setattr(base, "MAX_RESULTS", 2)
    monkeypatch.setattr(query, "PAGE_SIZE", 1)
    for n in range(3):
        notice_in("published", title=f"考核{n}")
    response = page(client, q="考核")
    assert "找到 3 条，可翻阅前 2 条" in response.content.decode()
    assert response.context["page_obj"].paginator.num_pages == 2
    assert page(client, q="考核", page=2).status_code == 200
    assert page(client, q="考核", page=3).status_code == 404


@pytest.mark.postgres
def test_estimated_counts_come_from_matches_not_from_candidates(
    client, notice_in, other_organ, monkeypatch
):
    monkeypatch.setattr(counting, "VERIFY_LIMIT", 1)  # too many to check: checked page by page
    monkeypatch.setattr(counting, "SAMPLE_SIZE", 6)  # and the sample is every candidate
    for _ in range(3):
        notice_in("published", title="通报", body="<p>政务公开考核</p>")
    editor, reviewer = factories.make_editor(other_organ), factories.make_reviewer(other_organ)
    for _ in range(3):  # every pair of characters of the query, but not the query
        factories.make_notice(
            other_organ, editor, reviewer, title="通报", body="<p>政务公开，公开考核</p>"
        )

    data = api(client, q="政务公开考核").json()

    assert data["count"] == 3 and not data["count_exact"]
    organs = {item["label"]: item["count"] for item in data["facets"]["organ"]}
    assert organs == {"甘肃省人民政府办公厅": 3}


@pytest.mark.postgres
def test_estimated_counts_say_so(client, notice_in, settings, monkeypatch):
    settings.SEARCH_CANDIDATE_LIMIT = 1  # too many to list from the index: read by date
    monkeypatch.setattr(counting, "SAMPLE_SIZE", 2)  # and counted from a sample of two
    for n in range(4):
        notice_in("published", title=f"考核{n}")
    response = page(client, q="考核")
    search = response.context["search"]
    assert not search.exact
    assert f"找到约 {search.total} 条" in response.content.decode()
    assert len(hit_titles(response)) == 4
    facet_counts = [
        value["count"] for facet in response.context["facets"] for value in facet["values"]
    ]
    assert facet_counts and all(count.startswith("约") for count in facet_counts)
    data = api(client, q="考核").json()
    assert data["count_exact"] is False and len(data["results"]) == 4


def test_pagination_keeps_query_filters_and_sort(client, notice_in, monkeypatch):
    monkeypatch.setattr(query, "PAGE_SIZE", 2)
    for n in range(5):
        notice_in("published", title=f"考核{n}")
    first = page(client, q="考核", sort="date")
    html = first.content.decode()
    assert "page=2" in html and "sort=date" in html and "q=%E8%80%83%E6%A0%B8" in html
    seen = hit_titles(first) + hit_titles(page(client, q="考核", sort="date", page=2))
    seen += hit_titles(page(client, q="考核", sort="date", page=3))
    assert sorted(seen) == [f"考核{n}" for n in range(5)]


# Odd queries


@pytest.mark.parametrize(
    "q",
    [
        "",
        "   ",
        "，。！？",
        "%_%",
        "' OR 1=1; DROP TABLE search_searchentry; --",
        ".*[(",
        "\\",
        "\x00\x01\x7f",
        "&amp;<>\"'",
        "😀",
        "a" * 5000,
        "政" * 300,
    ],
)
def test_odd_queries_get_a_clear_page(client, notice_in, q):
    notice_in("published", title="政务公开")
    response = page(client, q=q)
    assert response.status_code == 200
    html = response.content.decode()
    assert "站内检索" in html
    assert response.context["form"] is not None


def test_empty_and_punctuation_only_queries_say_what_to_do(client, db):
    assert "请输入要检索的关键词" in page(client, q="").content.decode()
    assert "没有汉字、字母或数字" in page(client, q="、、").content.decode()


def test_long_query_is_cut_at_100_characters_and_says_so(client, notice_in):
    notice = notice_in("published", title="政" * 100)
    response = page(client, q="政" * 150)
    assert "只按前 100 个字检索" in response.content.decode()
    assert hit_titles(response) == [notice.title]


def test_invalid_filter_or_page_is_a_clear_4xx(client, notice_in):
    notice_in("published", title="考核")
    assert page(client, q="考核", organ="abc").status_code == 400
    assert page(client, q="考核", sort="random").status_code == 400
    assert page(client, q="考核", page="x").status_code == 400
    assert page(client, q="考核", page="99").status_code == 404


# The JSON API


def test_api_returns_results_pages_and_facets(client, notice_in, monkeypatch):
    monkeypatch.setattr(query, "PAGE_SIZE", 2)
    notices = [
        notice_in("published", title=f"考核{n}", document_number=f"甘政发〔2020〕{n + 1}号")
        for n in range(3)
    ]
    response = api(client, q="考核", sort="date")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Access-Control-Allow-Origin"] == "*"
    data = response.json()
    assert data["count"] == 3 and data["pages"] == 2 and data["page"] == 1
    assert [item["title"] for item in data["results"]] == ["考核2", "考核1"]
    item = data["results"][0]
    assert item["organ"]["name"] == notices[2].organ.name
    assert item["document_number"] == "甘政发〔2020〕3号"
    assert item["url"].endswith(notices[2].get_absolute_url())
    assert "<mark>" not in item["snippet"]
    assert data["previous"] is None and "page=2" in data["next"]
    second = client.get(data["next"]).json()
    assert [item["title"] for item in second["results"]] == ["考核0"]
    assert data["facets"]["genre"] == [{"value": "notice", "label": "通知", "count": 3}]


def test_topic_counts_take_in_the_topics_below_and_count_each_notice_once(client, notice_in):
    parent = factories.make_topic("综合政务")
    child = factories.make_topic("政务公开", parent=parent)
    leaf = factories.make_topic("考核", parent=child)
    elsewhere = factories.make_topic("财政金融")
    for filed in ([child, leaf], [leaf], [elsewhere], [parent, elsewhere]):
        notice_in("published", title="考核通报").topics.set(filed)
    notice_in("published", title="考核通报")  # filed under no topic

    facets = api(client, q="考核").json()["facets"]

    counts = {item["label"]: item["count"] for item in facets["topic"]}
    assert counts == {
        "综合政务": 3,
        "综合政务 › 政务公开": 2,
        "综合政务 › 政务公开 › 考核": 2,
        "财政金融": 2,
    }


def test_api_filters_and_page_size(client, notice_in, other_organ):
    notice = notice_in("published", title="考核")
    editor, reviewer = factories.make_editor(other_organ), factories.make_reviewer(other_organ)
    factories.make_notice(other_organ, editor, reviewer, title="考核")
    data = api(client, q="考核", organ=notice.organ_id, page_size=1).json()
    assert [item["id"] for item in data["results"]] == [notice.pk]
    assert data["filters"] == {"organ": str(notice.organ_id)}


@pytest.mark.parametrize(
    ("params", "field", "status"),
    [
        ({"q": ""}, "q", 400),
        ({"q": "，"}, "q", 400),
        ({"q": "考核", "organ": "x"}, "organ", 400),
        ({"q": "考核", "year": "1800"}, "year", 400),
        ({"q": "考核", "page": "0"}, "page", 404),
        ({"q": "考核", "page": "abc"}, "page", 400),
        ({"q": "考核", "page_size": "1000"}, "page_size", 400),
        ({"q": "考核", "sort": "x"}, "sort", 400),
    ],
)
def test_api_errors_are_json(client, notice_in, params, field, status):
    notice_in("published", title="考核")
    response = api(client, **params)
    assert response.status_code == status
    assert field in response.json()["errors"]


# The search feed


def test_search_feed_is_atom_with_matching_published_notices(client, notice_in):
    match = notice_in("published", title="考核通报")
    notice_in("published", title="其他")
    notice_in("withdrawn", title="撤回的考核")
    notice_in("draft", title="草稿考核")
    response = client.get(reverse("search:feed"), {"q": "考核"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert match.title in body and "其他" not in body
    assert "撤回的考核" not in body and "草稿考核" not in body
    assert "检索“考核”" in body


def test_search_feed_with_a_bad_query_is_empty_not_an_error(client, db):
    assert client.get(reverse("search:feed"), {"q": "，", "organ": "x"}).status_code == 200


def test_search_feed_sends_summaries_as_plain_text(client, notice_in):
    notice_in("published", title="考核通报", document_number="", summary="<i>考核</i> & 概述")
    response = client.get(reverse("search:feed"), {"q": "考核"})
    feed = ElementTree.fromstring(response.content)  # noqa: S314 - our own feed
    summary = feed.find(f"{ATOM}entry/{ATOM}summary")
    assert summary.get("type") == "text"
    assert summary.text.endswith(" · <i>考核</i> & 概述")


@pytest.mark.parametrize("q", ["\x00", "考核\x00", "\x0b考核\x1f", "\ufffe"])
def test_search_feed_for_a_control_character_is_a_valid_feed(client, notice_in, q):
    notice_in("published", title="考核通报")
    response = client.get(reverse("search:feed"), {"q": q})
    assert response.status_code == 200
    feed = ElementTree.fromstring(response.content)  # noqa: S314 - our own feed
    assert "\x00" not in feed.find(f"{ATOM}title").text


def test_search_page_links_its_feed_and_api(client, notice_in):
    notice_in("published", title="考核")
    html = page(client, q="考核").content.decode()
    assert "/search/feed/?q=" in html and "/search/api/?q=" in html


@pytest.mark.postgres
def test_postgres_uses_the_gram_index(notice_in):
    notice = notice_in("published", title="政务公开")
    entry = SearchEntry.objects.get(pk=notice.pk)
    assert set(codes.term_codes("政务")) | set(codes.term_codes("政")) <= set(entry.grams)
    form = query.SearchForm({"q": "政务公开"})
    assert form.is_valid()
    with CaptureQueriesContext(connection) as queries:
        assert query.run(form).ids == [notice.pk]
    assert any("grams @>" in q["sql"] for q in queries.captured_queries)


@pytest.mark.postgres
def test_matches_the_index_answers_exactly_are_sorted_and_counted_by_the_database(
    notice_in, other_organ, other_editor, other_reviewer, monkeypatch
):
    """What reaches the process is one page, the counts and a sample's topics: not a row per
    match to sort and count (thousands of them for a rarer two-character word)."""
    monkeypatch.setattr(counting, "TOPIC_SAMPLE_SIZE", 4)
    topic = factories.make_topic("政务公开")
    for number in range(30):
        notice_in("published", title=f"考核通报{number}").topics.set([topic])
    factories.make_notice(other_organ, other_editor, other_reviewer, title="考核结果")
    rows_read = []
    query_as_usual = EntrySearch.select

    def counting_rows(self, sql, params):
        rows = query_as_usual(self, sql, params)
        rows_read.append(len(rows))
        return rows

    monkeypatch.setattr(EntrySearch, "select", counting_rows)
    form = query.SearchForm({"q": "考核", "sort": "date"})
    assert form.is_valid()
    found = query.run(form, 2, 10)
    newest_first = Notice.objects.filter(title__startswith="考核").order_by("-published_at", "-pk")
    assert found.ids == list(newest_first.values_list("pk", flat=True)[10:20])
    assert found.total == 31 and found.exact
    organs = next(facet for facet in found.facets if facet.name == "organ")
    assert sorted(count for _, _, count in organs.values) == [1, 30]
    assert sum(rows_read) <= 1 + counting.TOPIC_SAMPLE_SIZE


def test_a_hit_whose_body_lacks_every_term_shows_its_beginning_without_folding_it(
    client, notice_in, monkeypatch
):
    opening = "会议听取了全省政务公开工作情况的汇报。"
    long_body = "<p>" + opening + "其余内容。" * 4000 + "</p>"
    notice_in("published", title="考核结果通报", summary="", body=long_body)
    notice_in("published", title="通知", summary="", body="<p>前言。年度考核已经完成。</p>")
    folded = []
    fold = text.fold
    monkeypatch.setattr(text, "fold", lambda value: folded.append(len(value or "")) or fold(value))
    html = page(client, q="考核", sort="date").content.decode()
    snippets = re.findall(r'<p class="search-hit__snippet">(.*?)</p>', html, re.S)
    assert snippets[0] == "前言。年度<mark>考核</mark>已经完成。"
    assert snippets[1].startswith(opening) and snippets[1].endswith("…")
    # Folded: the query, the titles and the other snippet, a small part of the long body.
    assert sum(folded) < len(long_body) / 10


@pytest.mark.postgres
def test_a_search_that_runs_too_long_is_stopped_with_a_message(
    client, notice_in, settings, monkeypatch
):
    notice_in("published", title="考核")
    settings.SEARCH_TIMEOUT_MS = 50

    query_as_usual = EntrySearch.select

    def slow(self, sql, params):
        query_as_usual(self, "SELECT pg_sleep(1)", [])
        return query_as_usual(self, sql, params)

    monkeypatch.setattr(EntrySearch, "select", slow)
    response = page(client, q="考核")
    assert response.status_code == 503
    assert "耗时过长" in response.content.decode()
    assert api(client, q="考核").status_code == 503
    assert client.get(reverse("search:feed"), {"q": "考核"}).status_code == 503
    monkeypatch.undo()
    assert page(client, q="考核").status_code == 200  # nothing left half-done


def test_topic_counts_of_many_matches_come_from_a_sample_and_say_so(client, notice_in, monkeypatch):
    monkeypatch.setattr(counting, "TOPIC_SAMPLE_SIZE", 3)
    topic = factories.make_topic("政务公开")
    for _ in range(6):
        notice_in("published", title="考核通报").topics.set([topic])

    data = api(client, q="考核").json()
    assert data["count"] == 6 and data["count_exact"]
    assert data["facet_counts_exact"] == {
        "organ": True,
        "topic": False,
        "genre": True,
        "year": True,
        "validity": True,
    }
    assert data["facets"]["topic"] == [{"value": str(topic.pk), "label": "政务公开", "count": 6}]
    page_html = page(client, q="考核").content.decode()
    assert re.search(r"政务公开</a>（约6）", page_html)
    assert re.search(r"通知</a>（6）", page_html)

    monkeypatch.setattr(counting, "TOPIC_SAMPLE_SIZE", 6)  # all of them: exact again
    assert api(client, q="考核").json()["facet_counts_exact"]["topic"]

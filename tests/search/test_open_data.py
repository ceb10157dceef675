"""The 开放数据 page explains the API to the public, and its example works."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notices.models import Genre

pytestmark = pytest.mark.django_db


def test_the_open_data_page_explains_datasets_formats_terms_limits_and_an_example(client):
    response = client.get(reverse("search:open-data"))
    assert response.status_code == 200
    page = response.content.decode()
    for heading in ("开放数据", "提供的数据", "订阅", "检索接口", "示例", "调用频率", "使用条款"):
        assert f">{heading}</h" in page, heading
    for data_format in ("JSON", "Atom", "CSV", "XLSX"):
        assert data_format in page
    assert "<code>notice</code>（通知）" in page  # the genres' codes, as the API takes them
    found = re.search(r"<code>(http://testserver/search/api/[^<]+)</code>", page)
    example = html.unescape(found[1])
    answer = client.get(example)
    assert answer.status_code == 200
    assert answer.json()["query"] == "政务公开"


def test_search_results_link_to_the_open_data_page_in_plain_words(client, notice_in):
    notice_in("published", title="关于政务公开的通知")
    page = client.get(reverse("search:search"), {"q": "政务公开"}).content.decode()
    assert "这些结果的开放数据" in page and "订阅这个检索" in page
    assert f'href="{reverse("search:open-data")}"' in page
    assert f'href="{reverse("search:open-data")}#subscribe"' in page
    links = re.search(r'<p class="search-links[^"]*">(.*?)</p>', page, re.S)[1]
    for developer_word in ("JSON", "Atom"):
        assert developer_word not in links


def test_subscriptions_are_offered_in_plain_words_with_how_to_subscribe(client, organ, notice_in):
    notice_in("published")
    organs = client.get(reverse("notices:organ-list")).content.decode()
    feed = reverse("notices:organ-feed", args=[organ.pk])
    assert f'<a href="{feed}" aria-label="订阅{organ.name}的最新信息">订阅</a>' in organs
    assert f'href="{reverse("search:open-data")}#subscribe"' in organs
    assert ">Atom<" not in organs
    site_map = client.get(reverse("portal:site-map")).content.decode()
    main = site_map[site_map.index("<main") : site_map.index("</main>")]
    assert "订阅最新信息" in main and "Atom" not in main


def test_the_open_data_page_takes_as_many_queries_however_many_genres_there_are(client):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("search:open-data")).status_code == 200
        return len(captured.captured_queries)

    before = queries()
    for n in range(3):
        Genre.objects.create(code=f"extra{n}", name=f"体裁{n}", position=900 + n)
    assert queries() == before

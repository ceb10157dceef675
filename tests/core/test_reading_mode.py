"""The reading modes (core/reading_mode.py): chosen by a link, kept in a cookie, each mode's page
cached apart from the standard one."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from core import reading_mode
from notices.models import Notice

SWITCH = "/reading-mode/"


@pytest.fixture
def page_cache_on(settings):
    settings.PORTAL_PAGE_CACHE_SECONDS = 300
    settings.PORTAL_LISTS_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def reader(mode: str | None = None) -> Client:
    client = Client()
    if mode:
        client.cookies[reading_mode.COOKIE] = mode
    return client


def test_switch_keeps_the_mode_in_a_cookie_and_goes_back(client, db):
    response = client.get(SWITCH, {"mode": "large", "next": "/notices/?organ=1&page=2"})
    assert response.status_code == 302
    assert response["Location"] == "/notices/?organ=1&page=2"
    assert response["Cache-Control"] == "no-store"
    cookie = response.cookies[reading_mode.COOKIE]
    assert cookie.value == "large"
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["max-age"] == reading_mode.COOKIE_SECONDS


def test_switch_back_to_the_standard_mode_removes_the_cookie(db):
    response = reader("larger").get(SWITCH, {"mode": "standard", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[reading_mode.COOKIE].value == ""
    assert response.cookies[reading_mode.COOKIE]["max-age"] == 0


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "", "\\\\evil.example"],
)
def test_switch_goes_back_only_to_this_site(client, db, target):
    response = client.get(SWITCH, {"mode": "large", "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_switch_refuses_an_unknown_mode_with_a_chinese_page(client, db):
    response = client.get(SWITCH, {"mode": "huge", "next": "/"})
    assert response.status_code == 400
    assert "阅读模式无效" in response.content.decode()
    assert reading_mode.COOKIE not in response.cookies


def test_every_portal_page_links_to_the_switch_with_its_own_address(client, notice_in):
    notice = notice_in("published")
    for url in ("/", "/notices/?organ=1", notice.get_absolute_url(), "/assessments/"):
        page = client.get(url).content.decode()
        assert '<nav class="container reading-switch" aria-label="阅读模式">' in page
        here = url.replace("?", "%3F").replace("=", "%3D")
        assert f"{SWITCH}?mode=large&amp;next={here}" in page
        assert '<html lang="zh-Hans">' in page


def test_a_page_in_the_elder_mode_says_so_and_offers_both_sizes_and_the_way_back(db):
    page = reader("larger").get("/").content.decode()
    assert '<html lang="zh-Hans" class="reading-elder reading-larger">' in page
    assert 'mode=larger&amp;next=/" rel="nofollow" aria-current="true">特大字</a>' in page
    assert 'mode=large&amp;next=/" rel="nofollow">大字</a>' in page
    assert 'mode=standard&amp;next=/" rel="nofollow">标准模式</a>' in page


def test_an_unknown_cookie_value_is_the_standard_mode(db):
    page = reader("<script>").get("/").content.decode()
    assert '<html lang="zh-Hans">' in page
    assert "&lt;script&gt;" not in page


def test_each_mode_has_its_own_cached_page(page_cache_on, notice_in):
    notice = notice_in("published", title="缓存前的标题")
    url = reverse("notices:notice-list")
    assert "reading-large" not in reader().get(url).content.decode()
    assert "reading-large" in reader("large").get(url).content.decode()
    # Both are cached now: a change that bypasses every invalidation is seen by neither…
    Notice.objects.filter(pk=notice.pk).update(title="绕过应用修改")
    standard, large = reader().get(url).content.decode(), reader("large").get(url).content.decode()
    assert "缓存前的标题" in standard and "reading-large" not in standard
    assert "缓存前的标题" in large and "reading-large" in large
    # … and the larger size is a page of its own, rendered now.
    larger = reader("larger").get(url).content.decode()
    assert "绕过应用修改" in larger and "reading-larger" in larger


def test_only_the_standard_pages_go_to_a_cdn(page_cache_on, settings, notice_in):
    settings.PORTAL_CDN_SECONDS = 60
    notice_in("published")
    url = reverse("notices:notice-list")
    for _ in range(2):  # rendered, then from the cache
        assert reader().get(url)["Cache-Control"].startswith("public")
        assert reader("large").get(url)["Cache-Control"] == "private"
        assert settings.CDN_TAG_HEADER not in reader("large").get(url)


def test_robots_keep_out_of_the_switch(client, db):
    assert f"Disallow: {SWITCH}" in client.get("/robots.txt").content.decode()

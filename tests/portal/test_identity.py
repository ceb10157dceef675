"""The site's identity: shown in every page's header and footer, kept in the cache with the
portal's lists (no query once kept), and every cached page drops when it changes."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import identity, services
from portal.models import SiteIdentity
from tests.portal.factories import make_identity


def text(response) -> str:
    return response.content.decode()


def footer_of(page: str) -> str:
    return page.split('<footer class="site-footer">')[1]


def test_before_it_is_filled_pages_name_the_configured_portal(client, db, settings):
    page = text(client.get(reverse("notices:notice-list")))
    assert f'class="site-title" href="/">{settings.PORTAL_NAME}</a>' in page
    assert "网站标识码" not in footer_of(page)


def test_the_footer_shows_the_identity_with_the_record_links_the_rules_require(client, db):
    make_identity()
    page = text(client.get(reverse("notices:notice-list")))
    assert "<title>信息公开目录 · 甘肃省人民政府 · 政府信息公开</title>" in page
    assert 'class="site-title" href="/">甘肃省人民政府 · 政府信息公开</a>' in page
    footer = footer_of(page)
    shown_items = (
        "主办单位：甘肃省人民政府办公厅",
        "承办单位：甘肃省大数据中心",
        "网站标识码：6200000001",
    )
    for shown in shown_items:
        assert shown in footer
    assert '<a href="https://beian.miit.gov.cn/" rel="noopener">陇ICP备05000251号-1</a>' in footer
    assert 'href="https://beian.mps.gov.cn/#/query/webSearch?code=62010202000123"' in footer
    assert 'src="/static/portal/police-record.svg"' in footer  # our own copy, no foreign asset
    assert "甘公网安备 62010202000123号" in footer
    assert 'href="mailto:web@example.gov.cn"' in footer


@pytest.mark.parametrize(
    "url", ["/", "/notices/", "/organs/", "/assessments/", "/apply/", "/annual-reports/", "/open/"]
)
def test_every_portal_page_has_the_identity_in_its_footer(client, db, url):
    make_identity()
    assert "网站标识码：6200000001" in footer_of(text(client.get(url)))


def test_the_contact_page_shows_how_to_reach_the_site(client, db):
    make_identity(contact_address="兰州市城关区中央广场1号", contact_note="网站纠错请发送邮件。")
    page = text(client.get(reverse("portal:contact")))
    shown_items = (
        "兰州市城关区中央广场1号",
        "0931-0000000",
        "网站纠错请发送邮件。",
        "甘肃省人民政府办公厅",
    )
    for shown in shown_items:
        assert shown in page


def test_there_is_only_one_identity(db):
    make_identity(portal_name="甲")
    make_identity(portal_name="乙")
    assert list(SiteIdentity.objects.values_list("pk", "portal_name")) == [(1, "乙")]


@pytest.mark.django_db(transaction=True)
def test_kept_it_costs_no_query_and_a_change_drops_every_cached_page(
    client, settings, notice_in, site_admin
):
    settings.PORTAL_PAGE_CACHE_SECONDS = 300
    settings.PORTAL_LISTS_CACHE_SECONDS = 300
    cache.clear()
    try:
        row = make_identity(portal_name="甲市人民政府 · 政府信息公开")
        notice = notice_in("published")
        urls = [reverse("notices:home"), reverse("notices:notice-list"), notice.get_absolute_url()]
        for url in urls:
            assert "甲市人民政府" in text(client.get(url))
        settings.PORTAL_PAGE_CACHE_SECONDS = 0  # pages rendered again; the lists still kept
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            assert not [q for q in queries.captured_queries if "portal_" in q["sql"]], url
        settings.PORTAL_PAGE_CACHE_SECONDS = 300
        row.portal_name = "乙市人民政府 · 政府信息公开"
        services.save_identity(site_admin, row)
        for url in urls:
            page = text(client.get(url))
            assert "乙市人民政府" in page and "甲市人民政府" not in page
    finally:
        cache.clear()


def test_an_unreachable_database_still_gives_the_default_identity(db, monkeypatch, settings):
    from django.db import DatabaseError

    def broken():
        raise DatabaseError("down")

    monkeypatch.setattr(identity, "_load", broken)
    assert identity.current().portal_name == settings.PORTAL_NAME


def test_the_feed_is_titled_with_the_identitys_name(client, db, settings):
    feed = text(client.get(reverse("notices:feed")))
    assert f"<title>{settings.PORTAL_NAME} · 最新信息</title>" in feed
    make_identity(portal_name="示例省人民政府 · 政府信息公开")
    feed = text(client.get(reverse("notices:feed")))
    assert "<title>示例省人民政府 · 政府信息公开 · 最新信息</title>" in feed

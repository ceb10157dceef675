"""Cached portal pages for anonymous readers, and the moment each change must show."""

import datetime
import itertools
import time
import warnings

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.base import CacheKeyWarning
from django.db import connection, transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse
from django.utils import timezone

from core.models import PageGeneration
from core.page_cache import VALUE_PREFIX, cache_page_for_public
from core.redis_cache import Backoff
from notices import workflow
from notices.models import Notice
from tests import factories
from tests.redis_service import REDIS_URL, needs_redis

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PORTAL_PAGE_CACHE_SECONDS = 300
    settings.PORTAL_LISTS_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cache_reads(monkeypatch):
    """Start recording the keys of each cache read (one round trip each); returns the list."""

    def start() -> list[list[str]]:
        reads = []
        read = cache.get_many

        def counted(keys, *args, **kwargs):
            reads.append(list(keys))
            return read(keys, *args, **kwargs)

        monkeypatch.setattr(cache, "get_many", counted)
        return reads

    return start


def test_anonymous_pages_come_from_the_cache(client, notice_in):
    notice = notice_in("published", title="缓存前的标题")
    assert "缓存前的标题" in client.get(reverse("notices:notice-list")).content.decode()
    # A change that bypasses the application (and so every invalidation) is not seen…
    Notice.objects.filter(pk=notice.pk).update(title="绕过应用修改")
    assert "缓存前的标题" in client.get(reverse("notices:notice-list")).content.decode()


def test_staff_always_get_a_fresh_page(client, notice_in, editor):
    notice = notice_in("published", title="原标题")
    client.get(reverse("notices:notice-list"))
    Notice.objects.filter(pk=notice.pk).update(title="新标题")
    client.force_login(editor)
    assert "新标题" in client.get(reverse("notices:notice-list")).content.decode()


def test_a_published_correction_shows_on_the_next_request(client, notice_in, editor, reviewer):
    notice = notice_in("published", title="更正前")
    url = notice.get_absolute_url()
    assert "更正前" in client.get(url).content.decode()
    assert "更正前" in client.get(reverse("notices:home")).content.decode()
    correction = workflow.start_correction(notice, editor)
    correction.title, correction.change_note = "更正后", "修改标题"
    workflow.save_draft(correction, editor)
    workflow.submit(correction, editor)
    workflow.approve(correction, reviewer)
    assert "更正后" in client.get(url).content.decode()
    assert "更正后" in client.get(reverse("notices:home")).content.decode()


def test_a_withdrawn_notice_disappears_at_once(client, notice_in, reviewer):
    notice = notice_in("published", title="将被撤回")
    assert "将被撤回" in client.get(reverse("notices:notice-list")).content.decode()
    workflow.withdraw(notice, reviewer, "内容有误")
    assert "将被撤回" not in client.get(reverse("notices:notice-list")).content.decode()
    assert "本信息已撤回" in client.get(notice.get_absolute_url()).content.decode()


def test_a_scheduled_notice_appears_on_time_cache_or_not(client, notice_in):
    due = timezone.now() + datetime.timedelta(seconds=2)
    notice = notice_in("scheduled", title="定时发布的通知", published_at=due)
    assert "定时发布的通知" not in client.get(reverse("notices:notice-list")).content.decode()
    time.sleep(max(0, (due - timezone.now()).total_seconds()) + 0.2)
    assert "定时发布的通知" in client.get(reverse("notices:notice-list")).content.decode()
    assert client.get(notice.get_absolute_url()).status_code == 200


def test_cached_detail_pages_still_count_every_view(client, notice_in):
    notice = notice_in("published")
    for _ in range(3):
        client.get(notice.get_absolute_url())
    notice.refresh_from_db()
    assert notice.view_count == 3


def test_a_cached_page_costs_no_query_and_keeps_its_headers(
    client, notice_in, django_assert_num_queries
):
    notice_in("published")
    url = reverse("notices:feed")
    fresh = client.get(url)
    with django_assert_num_queries(0):
        cached = client.get(url)
    assert cached.content == fresh.content
    assert cached["Content-Type"] == fresh["Content-Type"] == "application/atom+xml; charset=utf-8"
    # Served above the rest of the middleware, the page still has every header it added.
    for header in ("Content-Security-Policy", "X-Frame-Options", "Content-Language"):
        assert cached[header] == fresh[header]


renders = itertools.count()


@cache_page_for_public
def page_with_a_form(request):
    return HttpResponse(f"{next(renders)} {get_token(request)}")


urlpatterns = [path("form/", page_with_a_form)]


@pytest.mark.urls(__name__)
def test_a_page_that_sets_a_cookie_is_never_kept(client):
    first = client.get("/form/")
    assert settings.CSRF_COOKIE_NAME in first.cookies
    second = client.get("/form/")
    assert second.content.split()[0] != first.content.split()[0]


def test_a_reader_with_a_session_cookie_but_no_login_still_gets_the_cached_page(client, notice_in):
    notice = notice_in("published", title="缓存前的标题")
    client.get(reverse("notices:home"))
    Notice.objects.filter(pk=notice.pk).update(title="绕过应用修改")
    client.cookies[settings.SESSION_COOKIE_NAME] = "no-such-session"
    assert "缓存前的标题" in client.get(reverse("notices:home")).content.decode()


def test_a_view_is_counted_once_whether_the_page_is_rendered_or_cached_and_head_not_at_all(
    client, notice_in
):
    notice = notice_in("published")
    client.head(notice.get_absolute_url())
    client.get(notice.get_absolute_url())  # rendered and counted, then kept
    client.head(notice.get_absolute_url())
    client.get(notice.get_absolute_url())  # from the cache, counted
    notice.refresh_from_db()
    assert notice.view_count == 2


@pytest.mark.parametrize("view_name", ["search:search", "search:api", "search:feed"])
def test_searches_are_cached_and_a_publication_is_found_by_the_next_one(
    client, notice_in, editor, reviewer, view_name, django_assert_num_queries
):
    first_notice = notice_in("published", title="缓存检索甲")
    url = reverse(view_name) + "?q=缓存检索"
    first = client.get(url)
    assert first_notice.get_absolute_url() in first.content.decode()
    with django_assert_num_queries(0):
        assert client.get(url).content == first.content
    second_notice = notice_in("published", title="缓存检索乙")
    found = client.get(url).content.decode()
    assert first_notice.get_absolute_url() in found
    assert second_notice.get_absolute_url() in found


@pytest.mark.postgres
def test_a_search_cut_off_as_too_slow_is_not_kept(client, notice_in, settings, monkeypatch):
    from search.backends.entries import EntrySearch

    notice_in("published", title="超时检索")
    url = reverse("search:search") + "?q=超时检索"
    settings.SEARCH_TIMEOUT_MS = 50
    monkeypatch.setattr(
        EntrySearch, "from_candidates", lambda self, *args: self.select("SELECT pg_sleep(1)", [])
    )
    assert client.get(url).status_code == 503
    monkeypatch.undo()
    assert "超时检索" in client.get(url).content.decode()


def test_the_filters_options_are_kept_yet_follow_each_publication(
    client, notice_in, other_organ, other_editor, other_reviewer, settings
):
    from tests import factories

    settings.PORTAL_PAGE_CACHE_SECONDS = 0  # every page rendered; its lists still kept
    notice_in("published")
    due = timezone.now() + datetime.timedelta(seconds=2)
    factories.make_notice(other_organ, other_editor, other_reviewer, "scheduled", published_at=due)
    url = reverse("search:search") + "?q=abc"
    assert other_organ.name not in client.get(url).content.decode()
    with CaptureQueriesContext(connection) as queries:
        assert other_organ.name not in client.get(url).content.decode()
    assert queries.captured_queries
    assert not any("notices_organ" in query["sql"] for query in queries.captured_queries)
    time.sleep(max(0, (due - timezone.now()).total_seconds()) + 0.2)
    assert other_organ.name in client.get(url).content.decode()


def test_a_page_reads_every_kept_list_in_one_round_trip(client, notice_in, settings, cache_reads):
    settings.PORTAL_PAGE_CACHE_SECONDS = 0  # every request renders its page
    notice_in("published", title="考核通报")
    url = reverse("search:search") + "?q=考核"
    client.get(url)
    client.get(url)  # every list is kept now, and this process knows their names
    reads = cache_reads()
    assert "<mark>考核</mark>通报" in client.get(url).content.decode()

    list_reads = [keys for keys in reads if any(k.startswith(VALUE_PREFIX) for k in keys)]
    assert len(list_reads) == 1
    assert len(list_reads[0]) >= 5  # the generation, the next due time and three lists or more


def test_the_catalogue_count_is_kept_per_filter_yet_follows_each_change(
    client, notice_in, settings, reviewer
):
    settings.PORTAL_PAGE_CACHE_SECONDS = 0  # every page rendered; its count still kept
    first = notice_in("published", genre="notice")
    notice_in("published", genre="circular")
    catalogue = reverse("notices:notice-list")

    def count_shown(query: str = "") -> str:
        page = client.get(catalogue + query).content.decode()
        return page.split('<p class="result-count" role="status">')[1].split("</p>")[0].split()[1]

    assert (count_shown(), count_shown("?genre=notice")) == ("2", "1")
    with CaptureQueriesContext(connection) as queries:
        assert count_shown("?genre=notice") == "1"
        assert count_shown("?genre=circular") == "1"
    counts = [query for query in queries.captured_queries if "COUNT(" in query["sql"]]
    assert len(counts) == 1  # the circulars' count, asked for the first time

    notice_in("published", genre="notice")
    assert (count_shown(), count_shown("?genre=notice")) == ("3", "2")
    workflow.withdraw(first, reviewer, "内容有误")
    assert (count_shown(), count_shown("?genre=notice")) == ("2", "1")
    due = timezone.now() + datetime.timedelta(seconds=2)
    notice_in("scheduled", genre="notice", published_at=due)
    assert count_shown("?genre=notice") == "1"
    time.sleep(max(0, (due - timezone.now()).total_seconds()) + 0.2)
    assert (count_shown(), count_shown("?genre=notice")) == ("3", "2")


def test_catalogue_counts_are_read_on_their_own_not_with_every_page_s_lists(
    client, notice_in, settings, cache_reads
):
    settings.PORTAL_PAGE_CACHE_SECONDS = 0  # every request renders its page
    notice_in("published", genre="notice")
    catalogue = reverse("notices:notice-list")
    for genre in ("notice", "circular", "opinion"):
        client.get(f"{catalogue}?genre={genre}")  # three counts kept now
    reads = cache_reads()
    client.get(reverse("notices:home"))
    assert reads
    assert not any("catalogue-count" in key for keys in reads for key in keys)


def test_a_list_page_reads_its_kept_lists_and_its_own_count_in_one_round_trip(
    client, notice_in, organ, settings, cache_reads
):
    settings.PORTAL_PAGE_CACHE_SECONDS = 0  # every request renders its page
    notice_in("published", genre="notice")
    catalogue = reverse("notices:notice-list")
    filtered = f"{catalogue}?organ={organ.pk}&genre=notice"
    client.get(f"{catalogue}?genre=circular")  # another filter's count kept
    client.get(filtered)  # this one's count and every list kept now
    reads = cache_reads()
    with CaptureQueriesContext(connection) as queries:
        page = client.get(filtered).content.decode()
    assert '<p class="result-count" role="status">共 1 条' in page
    assert not any("COUNT(" in query["sql"] for query in queries.captured_queries)

    assert len(reads) == 1
    counts = [key for key in reads[0] if "catalogue-count" in key]
    assert len(counts) == 1
    assert counts[0].endswith(f"catalogue-count:organ={organ.pk}&genre=notice")


def test_a_notice_page_reads_its_related_notices_and_the_shared_lists_in_one_round_trip(
    client, notice_in, settings, cache_reads
):
    settings.PORTAL_PAGE_CACHE_SECONDS = 0  # every request renders its page
    topic = factories.make_topic()
    notice, sibling = notice_in("published"), notice_in("published", title="同主题的通知")
    for each in (notice, sibling):
        each.topics.set([topic])
    client.get(notice.get_absolute_url())  # its related notices and every list kept now
    reads = cache_reads()
    page = client.get(notice.get_absolute_url()).content.decode()
    assert "同主题的通知" in page

    list_reads = [keys for keys in reads if any(k.startswith(VALUE_PREFIX) for k in keys)]
    assert len(list_reads) == 1
    assert any("related:" in key for key in list_reads[0])
    assert any("site-identity" in key for key in list_reads[0])


def test_a_list_asked_for_with_odd_filter_values_reads_no_key_made_of_them(client, db, settings):
    settings.PORTAL_PAGE_CACHE_SECONDS = 0
    url = reverse("notices:notice-list") + "?organ=" + "a%20b%01" * 40
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        response = client.get(url)
    assert response.status_code == 400
    assert "筛选条件无效" in response.content.decode()


def test_a_page_cached_for_one_host_is_not_served_for_another(client, notice_in):
    notice = notice_in("published", title="缓存时的标题")
    assert "缓存时的标题" in client.get("/notices/", HTTP_HOST="localhost").content.decode()
    Notice.objects.filter(pk=notice.pk).update(title="绕过应用修改")
    assert "缓存时的标题" in client.get("/notices/", HTTP_HOST="localhost").content.decode()
    assert "绕过应用修改" in client.get("/notices/", HTTP_HOST="127.0.0.1").content.decode()


purged: list[list[str]] = []


def record_purge(tags: list[str]) -> None:
    purged.append(tags)


def refuse_purge(tags: list[str]) -> None:
    raise ConnectionError("the CDN's purge API is down")


def test_a_withdrawal_asks_the_cdn_to_purge_the_notice_s_pages_by_tag_after_commit(
    settings, notice_in, reviewer
):
    settings.CDN_PURGE_CALLABLE = f"{__name__}.record_purge"
    notice = notice_in("published")
    purged.clear()
    with transaction.atomic():
        workflow.withdraw(notice, reviewer, "内容有误")
        assert purged == []  # not before the withdrawal is committed
    assert purged == [[f"notice-{notice.pk}", "notices"]]


def test_pages_tell_a_cdn_how_long_to_keep_them_and_their_tags(client, settings, notice_in):
    settings.PORTAL_CDN_SECONDS = 120
    notice = notice_in("published")
    for response in (client.get(notice.get_absolute_url()), client.get(notice.get_absolute_url())):
        assert response["Cache-Control"] == "public, max-age=0, s-maxage=120"
        assert response["Surrogate-Key"] == f"assessments notice-{notice.pk} site"
    catalogue = client.get("/notices/")
    assert catalogue["Surrogate-Key"] == "notices site"


def test_a_cdn_keeps_no_page_past_the_next_scheduled_notice(client, settings, notice_in):
    settings.PORTAL_CDN_SECONDS = 600
    notice_in("published", published_at=timezone.now() + datetime.timedelta(seconds=90))
    max_age = int(client.get("/notices/")["Cache-Control"].rsplit("=", 1)[1])
    assert 0 < max_age <= 90


def test_without_a_cdn_pages_say_nothing_to_one(client, settings, notice_in):
    settings.PORTAL_CDN_SECONDS = 0
    response = client.get(notice_in("published").get_absolute_url())
    assert "s-maxage" not in response.get("Cache-Control", "")
    assert "Surrogate-Key" not in response


def test_a_publication_refreshes_the_lists_but_keeps_other_notices_and_assessment_pages(
    client, notice_in, sheet_in
):
    kept = notice_in("published", title="早已发布")
    assessment = sheet_in("published", title="已发布的考核").assessment
    client.get(kept.get_absolute_url())
    assert "已发布的考核" in client.get(assessment.get_absolute_url()).content.decode()
    client.get("/notices/")
    # Changed behind the application's back: only a page served from the cache still shows
    # the old text.
    Notice.objects.filter(pk=kept.pk).update(title="绕过应用修改")
    type(assessment).objects.filter(pk=assessment.pk).update(title="绕过应用修改的考核")

    notice_in("published", title="新发布的信息")

    assert "新发布的信息" in client.get("/notices/").content.decode()
    assert "早已发布" in client.get(kept.get_absolute_url()).content.decode()
    assert "已发布的考核" in client.get(assessment.get_absolute_url()).content.decode()


def test_a_correction_refreshes_its_own_page_and_not_another_notice_s(
    client, notice_in, editor, reviewer
):
    corrected = notice_in("published", title="将更正")
    other = notice_in("published", title="另一条")
    client.get(corrected.get_absolute_url())
    client.get(other.get_absolute_url())
    Notice.objects.filter(pk=other.pk).update(title="另一条绕过应用修改")

    draft = workflow.start_correction(corrected, editor)
    draft.title = "更正后的标题"
    draft.change_note = "标题有误"
    draft.save()
    workflow.submit(draft, editor)
    workflow.approve(draft, reviewer)

    assert "更正后的标题" in client.get(corrected.get_absolute_url()).content.decode()
    assert "另一条绕过应用修改" not in client.get(other.get_absolute_url()).content.decode()


def test_renaming_an_organ_refreshes_every_page(client, notice_in):
    notice = notice_in("published")
    client.get(notice.get_absolute_url())
    organ = notice.organ
    organ.name = "改名后的机关"
    organ.save()
    assert "改名后的机关" in client.get(notice.get_absolute_url()).content.decode()


def test_a_generation_lost_from_the_cache_never_matches_an_old_page(client, notice_in):
    notice = notice_in("published", title="原标题")
    client.get("/notices/")
    Notice.objects.filter(pk=notice.pk).update(title="绕过应用修改")
    cache.delete("portal:generation:notices")  # evicted
    assert "绕过应用修改" in client.get("/notices/").content.decode()


def test_a_failing_cdn_purge_does_not_undo_the_withdrawal(settings, notice_in, reviewer, caplog):
    settings.CDN_PURGE_CALLABLE = f"{__name__}.refuse_purge"
    notice = notice_in("published")
    workflow.withdraw(notice, reviewer, "内容有误")
    notice.refresh_from_db()
    assert notice.status == Notice.Status.WITHDRAWN
    assert "The CDN could not purge" in caplog.text


@needs_redis
def test_a_withdrawal_while_the_cache_is_unreachable_answers_and_its_page_is_never_served_again(
    client, settings, notice_in, reviewer, monkeypatch
):
    """Redis is unreachable during the withdrawal, then back with the pages it kept."""
    redis = {"BACKEND": "core.redis_cache.ReusingRedisCache", "KEY_PREFIX": "test-page-cache"}
    settings.CACHES = {"default": {**redis, "LOCATION": REDIS_URL}}
    settings.PORTAL_GENERATION_CHECK_SECONDS = 0.3
    monkeypatch.setattr(Backoff, "seconds", 0)  # each operation tries Redis again
    cache.clear()
    notice = notice_in("published", title="将被撤回", body="<p>撤回前的正文</p>")
    url = notice.get_absolute_url()
    assert "撤回前的正文" in client.get(url).content.decode()
    assert "撤回前的正文" in client.get(url).content.decode()  # from the cache

    staff = Client()
    staff.force_login(reviewer)
    settings.CACHES = {"default": {**redis, "LOCATION": "redis://127.0.0.1:1/0"}}
    started = time.monotonic()
    response = staff.post(
        reverse("admin:notices_notice_workflow", args=[notice.pk]),
        {"transition": "withdraw", "comment": "内容有误"},
    )
    assert response.status_code == 302
    # It answered once every server has read the database's generation again.
    assert time.monotonic() - started >= settings.PORTAL_GENERATION_CHECK_SECONDS
    notice.refresh_from_db()
    assert notice.status == Notice.Status.WITHDRAWN

    settings.CACHES = {"default": {**redis, "LOCATION": REDIS_URL}}
    page = client.get(url).content.decode()
    assert "本信息已撤回" in page
    assert "撤回前的正文" not in page
    cache.clear()


def test_a_server_that_read_the_generation_before_a_change_does_not_serve_its_old_pages(
    client, settings, notice_in
):
    """Another server, whose cache missed the change: its next read of the database's
    generation (at most PORTAL_GENERATION_CHECK_SECONDS later) drops the pages kept before."""
    settings.PORTAL_GENERATION_CHECK_SECONDS = 0.2
    notice = notice_in("published", title="改动前")
    assert "改动前" in client.get("/notices/").content.decode()
    Notice.objects.filter(pk=notice.pk).update(title="改动后")
    PageGeneration.objects.update_or_create(pk=1, defaults={"value": 10**6})
    assert "改动前" in client.get("/notices/").content.decode()  # read the generation just now
    time.sleep(0.25)
    assert "改动后" in client.get("/notices/").content.decode()


def test_an_invalidation_rolled_back_does_not_stop_the_next_one(client, notice_in):
    notice = notice_in("published", title="第一版")
    client.get("/notices/")
    try:
        with transaction.atomic():
            Notice.objects.filter(pk=notice.pk).update(title="回滚的修改")
            notice.refresh_from_db()
            notice.save()  # asks for an invalidation that never commits
            raise RuntimeError
    except RuntimeError:
        pass
    notice.title = "第二版"
    notice.save()
    assert "第二版" in client.get("/notices/").content.decode()


def test_what_another_release_kept_under_the_same_name_is_read_as_nothing(settings):
    """Servers of two releases share the cache while one replaces the other: a value kept in
    another shape is computed again, never served or crashed on."""
    from django.core.cache import cache

    from core import page_cache

    settings.PORTAL_LISTS_CACHE_SECONDS = 300
    cache.set(page_cache.VALUE_PREFIX + "release-shape", ["kept", "by", "another", "release"])
    assert page_cache.cached("release-shape", lambda: "computed") == "computed"
    assert page_cache.cached("release-shape", lambda: "again") == "computed"

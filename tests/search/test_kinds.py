"""Assessments and annual reports are found by the site search, each hit labelled with its kind;
nothing unpublished of either is found, and a change of either is found by the next search."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annual_reports import services as reports
from assessments import workflow
from assessments.models import Assessment, Finding, Requirement
from notices import workflow as notice_workflow
from search import query
from search.models import PageEntry
from tests import factories
from tests.annual_reports.factories import report
from tests.assessments import factories as af

pytestmark = pytest.mark.django_db

# The search page for a term, the shared lists kept: the other kinds' pages are one of them,
# however many there are.
SEARCH_PAGE_QUERIES = 8


def search(client, q: str, **filters) -> str:
    response = client.get(reverse("search:search"), {"q": q, **filters})
    assert response.status_code == 200
    return response.content.decode()


def assessment_with(organ, editor, title: str, problem: str):
    assessment = af.make_assessment(organ, editor, title=title, summary="全省政务公开工作总体情况")
    group = af.make_group(assessment)
    af.make_unit(group)
    Finding.objects.create(assessment=assessment, kind=Finding.Kind.PROBLEM, title=problem)
    Requirement.objects.create(assessment=assessment, title="加强公开专栏建设")
    workflow.mark_edited(assessment, editor)
    return assessment


def published_assessment(organ, editor, reviewer, title: str, problem: str):
    assessment = assessment_with(organ, editor, title, problem)
    workflow.submit(assessment, editor)
    return workflow.publish(assessment, reviewer)


def test_a_published_assessment_is_found_by_a_term_in_it_and_labelled(
    client, organ, editor, reviewer
):
    assessment = published_assessment(organ, editor, reviewer, "政务公开考核甲", "回应关切尚存短板")
    page = search(client, "回应关切")
    assert '<span class="search-hit__kind">考核结果</span>' in page
    assert f'href="{assessment.get_absolute_url()}"' in page
    assert "找到 1 条" in page
    # By its kind's name, too, and in the API.
    assert assessment.get_absolute_url() in search(client, "考核结果")
    data = client.get(reverse("search:api"), {"q": "短板"}).json()
    assert [hit["kind_label"] for hit in data["other_results"]] == ["考核结果"]
    assert data["count"] == 1


def test_an_assessment_not_yet_published_is_not_found(client, organ, editor, reviewer):
    preparing = assessment_with(organ, editor, "政务公开考核乙", "依申请公开仍不够规范")
    in_review = assessment_with(organ, editor, "政务公开考核丙", "依申请公开仍不够规范")
    workflow.submit(in_review, editor)
    published = published_assessment(
        organ, editor, reviewer, "政务公开考核丁", "依申请公开仍不够规范"
    )
    page = search(client, "依申请公开仍不够规范")
    assert published.get_absolute_url() in page
    assert preparing.get_absolute_url() not in page
    assert in_review.get_absolute_url() not in page
    assert "找到 1 条" in page


def test_publishing_an_assessment_is_found_by_the_next_search_with_the_lists_kept(
    client, organ, editor, reviewer, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_LISTS_CACHE_SECONDS = 300
    assessment = assessment_with(organ, editor, "政务公开考核戊", "监督保障机制仍需加强")
    workflow.submit(assessment, editor)
    assert assessment.get_absolute_url() not in search(client, "监督保障")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(assessment, reviewer)
    assert assessment.get_absolute_url() in search(client, "监督保障")


def test_filters_of_notices_alone_leave_assessments_out(
    client, organ, other_organ, editor, reviewer, other_editor, other_reviewer
):
    # The organ filter offers the organs that publish notices.
    factories.make_notice(organ, editor, reviewer)
    factories.make_notice(other_organ, other_editor, other_reviewer)
    assessment = published_assessment(organ, editor, reviewer, "政务公开考核己", "政策公开力度不够")
    assert assessment.get_absolute_url() in search(client, "政策公开力度", organ=organ.pk)
    assert assessment.get_absolute_url() not in search(client, "政策公开力度", organ=other_organ.pk)
    assert assessment.get_absolute_url() not in search(client, "政策公开力度", validity="valid")


@pytest.fixture
def annual_report(organ, editor):
    return report(organ, editor, overview="<p>本年度全面推进政务公开，开通政务服务热线。</p>")


def test_a_published_annual_report_is_found_by_a_term_in_it_and_as_a_report(
    client, annual_report, editor, reviewer
):
    reports.submit(annual_report, editor)
    reports.approve(annual_report, reviewer)
    annual_report.refresh_from_db()
    for q in ("政务服务热线", "年报"):
        page = search(client, q)
        assert annual_report.notice.get_absolute_url() in page, q
        assert '<span class="search-hit__kind">年度报告</span>' in page, q


def test_an_annual_report_not_yet_published_is_not_found(client, annual_report, editor):
    assert annual_report.notice is None
    assert "没有找到符合条件的信息" in search(client, "政务服务热线")
    reports.submit(annual_report, editor)
    annual_report.refresh_from_db()
    assert annual_report.notice_id is not None
    page = search(client, "政务服务热线")
    assert "没有找到符合条件的信息" in page
    assert annual_report.notice.get_absolute_url() not in page


def test_other_notices_are_labelled_as_notices(client, notice_in):
    notice = notice_in("published", title="关于开展政务公开检查的通知")
    page = search(client, "政务公开检查")
    assert notice.get_absolute_url() in page
    assert '<span class="search-hit__kind">通知公告</span>' in page


def test_the_search_page_takes_as_many_queries_with_assessments_as_without(
    client, organ, editor, reviewer, notice_in, settings
):
    """With the shared lists kept (as in production), the registered kinds' pages cost one
    query, however many of them there are and match."""
    settings.PORTAL_LISTS_CACHE_SECONDS = 300
    notice_in("published", title="关于政务公开考核的通知")
    url = reverse("search:search") + "?q=政务公开"
    client.get(url)
    with CaptureQueriesContext(connection) as without:
        assert client.get(url).status_code == 200
    published_assessment(organ, editor, reviewer, "政务公开考核庚", "公开渠道不畅")
    client.get(url)
    with CaptureQueriesContext(connection) as with_one:
        page = client.get(url).content.decode()
    assert page.count('search-hit__kind">考核结果') == 1
    for n in range(2):
        published_assessment(organ, editor, reviewer, f"政务公开考核{n}", "公开渠道不畅")
    client.get(url)
    with CaptureQueriesContext(connection) as with_three:
        page = client.get(url).content.decode()
    assert page.count('search-hit__kind">考核结果') == 3
    counts = [len(run.captured_queries) for run in (without, with_one, with_three)]
    assert counts == [SEARCH_PAGE_QUERIES] * 3


def test_a_search_past_the_first_page_shows_no_assessment_again(organ, editor, reviewer):
    published_assessment(organ, editor, reviewer, "政务公开考核辛", "舆情回应不及时")
    form = query.SearchForm({"q": "舆情回应"})
    assert form.is_valid()
    first = query.run(form)
    assert [hit.kind_label for hit in first.pages] == ["考核结果"]
    assert first.total == 1


def api(client, q: str, **params) -> dict:
    response = client.get(reverse("search:api"), {"q": q, **params})
    assert response.status_code == 200
    return response.json()


def test_pages_of_other_kinds_take_places_of_the_pages_of_results(
    client, organ, editor, reviewer, notice_in
):
    """Three assessments and two notices, two to a page: the assessments first, then the
    notices, each once, and every page as long as asked."""
    assessments = [
        published_assessment(organ, editor, reviewer, f"政务公开考核{n}", "门户网站栏目更新慢")
        for n in range(3)
    ]
    notices = [notice_in("published", title=f"关于门户网站栏目更新慢的通报{n}") for n in range(2)]
    pages = [api(client, "栏目更新慢", page_size=2, page=n) for n in (1, 2, 3)]
    assert [data["count"] for data in pages] == [5, 5, 5]
    assert [data["pages"] for data in pages] == [3, 3, 3]
    assert [data["next"] is not None for data in pages] == [True, True, False]
    shown = [
        [hit["url"].removeprefix("http://testserver") for hit in data["other_results"]]
        + [hit["id"] for hit in data["results"]]
        for data in pages
    ]
    assert [len(on_page) for on_page in shown] == [2, 2, 1]
    found = [item for on_page in shown for item in on_page]
    urls = {assessment.get_absolute_url() for assessment in assessments}
    assert set(found[:3]) == urls
    assert set(found[3:]) == {notice.pk for notice in notices}
    past = client.get(reverse("search:api"), {"q": "栏目更新慢", "page_size": 2, "page": 4})
    assert past.status_code == 404
    # The notices of a page are numbered after the other kinds' on it.
    first = client.get(reverse("search:search"), {"q": "栏目更新慢"}).content.decode()
    assert 'start="4"' in first


def test_the_feed_lists_notices_alone(client, organ, editor, reviewer, notice_in):
    published_assessment(organ, editor, reviewer, "政务公开考核壬", "办事指南要素不全")
    notice = notice_in("published", title="关于办事指南要素不全问题的整改通知")
    feed = client.get(reverse("search:feed"), {"q": "办事指南要素"}).content.decode()
    assert notice.get_absolute_url() in feed
    assert "政务公开考核壬" not in feed


def test_a_changed_assessment_is_found_by_its_new_title_only(client, organ, editor, reviewer):
    assessment = published_assessment(organ, editor, reviewer, "政务公开考核癸", "解读材料质量不高")
    assessment.title = "年度信息公开考核结果通报"
    assessment.save(update_fields=["title"])
    assert assessment.get_absolute_url() in search(client, "信息公开考核结果通报")
    assert "没有找到符合条件的信息" in search(client, "政务公开考核癸")


def test_an_assessment_no_longer_published_or_deleted_is_no_longer_found(
    client, organ, editor, reviewer
):
    kept = published_assessment(organ, editor, reviewer, "政务公开考核子", "网站无障碍改造滞后")
    taken_back = published_assessment(
        organ, editor, reviewer, "政务公开考核丑", "网站无障碍改造滞后"
    )
    deleted = published_assessment(organ, editor, reviewer, "政务公开考核寅", "网站无障碍改造滞后")
    assert search(client, "无障碍改造").count('search-hit__kind">考核结果') == 3
    taken_back.status = Assessment.Status.PREPARING
    taken_back.save(update_fields=["status"])
    deleted_url = deleted.get_absolute_url()
    deleted.delete()
    page = search(client, "无障碍改造")
    assert kept.get_absolute_url() in page
    assert taken_back.get_absolute_url() not in page
    assert deleted_url not in page
    assert "找到 1 条" in page
    assert list(PageEntry.objects.values_list("object_id", flat=True)) == [kept.pk]


def test_rebuilding_the_index_writes_the_pages_of_other_kinds_again(
    client, organ, editor, reviewer
):
    assessment = published_assessment(organ, editor, reviewer, "政务公开考核卯", "平台整合不到位")
    PageEntry.objects.all().delete()
    assert "没有找到符合条件的信息" in search(client, "平台整合")
    query.get_backend().rebuild()
    assert assessment.get_absolute_url() in search(client, "平台整合")


def published_report(annual_report, editor, reviewer):
    reports.submit(annual_report, editor)
    reports.approve(annual_report, reviewer)
    annual_report.refresh_from_db()
    return annual_report


def test_a_corrected_annual_report_is_found_by_its_new_text_only(
    client, annual_report, editor, reviewer
):
    published = published_report(annual_report, editor, reviewer)
    url = published.notice.get_absolute_url()
    reports.start_correction(published, editor)
    published.refresh_from_db()
    published.overview = "<p>本年度全面推进政务公开，开通网上信访平台。</p>"
    published.change_note = "更正工作概述"
    reports.save_report(published, editor)
    published_report(published, editor, reviewer)
    assert url in search(client, "网上信访平台")
    assert url not in search(client, "政务服务热线")


def test_a_withdrawn_annual_report_is_no_longer_found_by_its_text(
    client, annual_report, editor, reviewer
):
    published = published_report(annual_report, editor, reviewer)
    url = published.notice.get_absolute_url()
    assert url in search(client, "政务服务热线")
    notice_workflow.withdraw(published.notice, reviewer, "数据有误，撤回核实")
    for q in ("政务服务热线", "年报"):
        assert url not in search(client, q), q

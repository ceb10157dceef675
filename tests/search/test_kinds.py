"""Assessments and annual reports are found by the site search, each hit labelled with its kind;
nothing unpublished of either is found."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annual_reports import services as reports
from assessments import workflow
from assessments.models import Finding, Requirement
from search import query
from tests import factories
from tests.annual_reports.factories import report
from tests.assessments import factories as af

pytestmark = pytest.mark.django_db

# The search page for a term, the shared lists kept.
SEARCH_PAGE_QUERIES = 7


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


def test_publishing_an_assessment_updates_the_search_kept_in_the_cache(
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
    """With the shared lists kept (as in production), the registered kinds' pages cost no query."""
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
    assert "考核结果" in page
    assert len(with_one.captured_queries) == len(without.captured_queries) == SEARCH_PAGE_QUERIES


def test_a_search_past_the_first_page_shows_no_assessment_again(organ, editor, reviewer):
    published_assessment(organ, editor, reviewer, "政务公开考核辛", "舆情回应不及时")
    form = query.SearchForm({"q": "舆情回应"})
    assert form.is_valid()
    first = query.run(form)
    assert [hit.kind_label for hit in first.pages] == ["考核结果"]
    assert first.total == 1

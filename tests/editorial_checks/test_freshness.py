"""Column freshness on the dashboard, by the inspection rules."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from editorial_checks.freshness import freshness
from notices.models import Notice
from tests import factories

pytestmark = pytest.mark.django_db


def published_days_ago(notice_in, days: int, genre: str) -> Notice:
    notice = notice_in("published", genre=genre)
    Notice.objects.filter(pk=notice.pk).update(
        published_at=timezone.now() - datetime.timedelta(days=days)
    )
    return notice


def cells(rows, organ) -> dict[str, tuple[int, str]]:
    [row] = [row for row in rows if row.organ == organ]
    return {cell.column.name: (cell.count, cell.warning) for cell in row.cells}


def test_columns_are_warned_by_the_inspection_rules(notice_in, organ, site_admin):
    published_days_ago(notice_in, 200, "notice")
    published_days_ago(notice_in, 20, "opinion")
    assert cells(freshness(site_admin), organ) == {
        "首页动态": (2, "超过2周未更新"),
        "通知公告": (1, "超过6个月未更新"),
        "政策文件": (1, ""),
        "政策解读": (0, "空白栏目"),
    }


def test_fresh_columns_have_no_warning(notice_in, organ, site_admin):
    notice_in("published", genre="notice")
    notice_in("published", genre="rules")
    notice_in("published", genre="interpretation")
    assert all(not warning for _count, warning in cells(freshness(site_admin), organ).values())


def test_drafts_and_scheduled_notices_do_not_count(notice_in, organ, site_admin):
    notice_in("draft", genre="notice")
    notice_in("scheduled", genre="notice")
    assert cells(freshness(site_admin), organ)["通知公告"] == (0, "空白栏目")


def test_a_few_queries_whatever_the_number_of_organs(
    notice_in, site_admin, django_assert_max_num_queries
):
    for _ in range(5):
        factories.make_organ()
    published_days_ago(notice_in, 3, "notice")
    freshness(site_admin)  # the user's permissions, read once per request
    with django_assert_max_num_queries(8):
        rows = freshness(site_admin)
    assert len(rows) >= 6


def test_an_editor_sees_only_their_organs(notice_in, organ, other_organ, editor):
    assert [row.organ for row in freshness(editor)] == [organ]


def test_dashboard_shows_the_columns_and_their_warnings(client, notice_in, editor):
    published_days_ago(notice_in, 30, "notice")
    client.force_login(editor)
    page = client.get(reverse("admin:index")).content.decode()
    assert "栏目更新情况" in page
    assert "超过2周未更新" in page and "空白栏目" in page


def test_dashboard_has_no_column_table_for_staff_without_notices(client, db):
    client.force_login(factories.make_user(is_staff=True))
    assert "栏目更新情况" not in client.get(reverse("admin:index")).content.decode()


def test_last_update_per_genre_and_topic(notice_in, organ, site_admin):
    topic = factories.make_topic("政务公开")
    below = factories.make_topic("政府信息公开年报", parent=topic)
    old = published_days_ago(notice_in, 40, "notice")
    old.topics.set([below])
    newer = notice_in("published", genre="notice")
    newer.topics.set([topic, below])
    [row] = [row for row in freshness(site_admin) if row.organ == organ]
    assert [(name, count) for name, _last, count in row.genres] == [("通知", 2)]
    assert [(path, count) for path, _last, count in row.topics] == [
        ("政务公开", 1),
        ("政务公开 › 政府信息公开年报", 2),
    ]
    assert row.topics[1][1] == Notice.objects.get(pk=newer.pk).published_at


def test_empty_columns_of_the_organs_zhuanlan_are_listed(notice_in, organ, site_admin, client):
    from notices.models import Genre
    from portal.models import StatutoryColumn

    StatutoryColumn.objects.all().delete()
    topic = factories.make_topic("财政预决算")
    below = factories.make_topic("部门预算", parent=topic)
    budget = StatutoryColumn.objects.create(name="财政预决算", organ=None)
    budget.topics.set([topic])
    plans = StatutoryColumn.objects.create(name="规划计划", organ=organ)
    plans.genres.set([Genre.objects.get(code="programme")])
    StatutoryColumn.objects.create(name="机构信息", kind=StatutoryColumn.Kind.PROFILE)
    notice = notice_in("published", genre="notice")
    notice.topics.set([below])
    [row] = [row for row in freshness(site_admin) if row.organ == organ]
    assert row.empty_columns == ["规划计划"]
    client.force_login(site_admin)
    assert "规划计划" in client.get(reverse("admin:index")).content.decode()

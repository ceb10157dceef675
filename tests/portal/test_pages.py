"""The 政府信息公开 专栏's pages, the 网站地图 and 联系我们, as the public reads them."""

import pytest
from django.urls import reverse
from django.utils import timezone

from notices.models import Genre
from portal import identity
from portal.models import StatutoryColumn
from portal.statutory import ARTICLE_20
from tests import factories
from tests.portal.factories import make_guide, make_profile, make_rules


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def publishing(organ, notice_in):
    notice_in("published")
    return organ


def test_the_column_index_lists_every_publishing_organ_and_the_standard_columns(
    client, publishing, other_organ
):
    page = text(client.get(reverse("portal:column-index")))
    columns = (
        "政府信息公开指南",
        "政府信息公开制度",
        "法定主动公开内容",
        "政府信息公开年报",
        "依申请公开",
    )
    for name in columns:
        assert name in page
    assert reverse("portal:organ-column", args=[publishing.pk]) in page
    assert reverse("annual_reports:report-index") in page
    assert reverse("applications:apply") in page
    # Neither publishing nor with a guide: no 专栏 of its own yet.
    assert reverse("portal:organ-column", args=[other_organ.pk]) not in page
    make_guide(other_organ)
    assert reverse("portal:organ-column", args=[other_organ.pk]) in text(
        client.get(reverse("portal:column-index"))
    )


def test_an_organs_column_shows_the_article_20_tree_and_its_own_columns(client, organ, other_organ):
    own = StatutoryColumn.objects.create(organ=organ, name="本机关专项栏目", position=999)
    others = StatutoryColumn.objects.create(organ=other_organ, name="别的机关的栏目")
    parent = StatutoryColumn.objects.get(organ__isnull=True, article_item=7)
    child = StatutoryColumn.objects.create(parent=parent, name="部门预算")
    page = text(client.get(reverse("portal:organ-column", args=[organ.pk])))
    for _item, name, _text, _genres in ARTICLE_20:
        assert name in page
    assert "第二十条第（十一）项" in page
    assert own.name in page and child.name in page
    assert others.name not in page
    assert reverse("annual_reports:organ-reports", args=[organ.pk]) in page
    assert "尚未发布" in page  # no guide yet


def test_the_guide_lists_what_article_12_requires_with_its_date(client, organ):
    guide = make_guide(organ, how_to_apply="<p>信函申请<script>alert(1)</script></p>")
    page = text(client.get(reverse("portal:guide", args=[organ.pk])))
    for value in (guide.office_name, guide.address, guide.office_hours, guide.phone, guide.fax):
        assert value in page
    assert f'href="mailto:{guide.email}"' in page
    assert "信函申请" in page and "<script>" not in page
    assert f'href="{reverse("applications:apply")}?organ={organ.pk}"' in page
    # The page dates it in the site's time zone (a day ahead of UTC after 16:00 UTC).
    assert f'更新日期：<time datetime="{timezone.localdate(guide.updated_at):%Y-%m-%d}">' in page


def test_pages_not_written_yet_say_so_in_chinese(client, organ):
    for name in ("portal:guide", "portal:rules", "portal:organ-profile"):
        response = client.get(reverse(name, args=[organ.pk]))
        assert response.status_code == 200
        assert "尚未" in text(response)


def test_rules_and_profile_show_what_the_organ_wrote(client, organ):
    make_rules(organ, body="<p>保密审查制度</p>")
    profile = make_profile(organ, phone="0931-1234567")
    profile.leaders.create(name="张三", post="主任", duties="主持全面工作")
    assert "保密审查制度" in text(client.get(reverse("portal:rules", args=[organ.pk])))
    page = text(client.get(reverse("portal:organ-profile", args=[organ.pk])))
    for value in ("负责全省政务公开工作的组织协调", "张三", "主任", "主持全面工作", "0931-1234567"):
        assert value in page


def test_unknown_organs_and_columns_are_404(client, organ, other_organ):
    assert client.get(reverse("portal:guide", args=[987654])).status_code == 404
    theirs = StatutoryColumn.objects.create(organ=other_organ, name="别的机关的栏目")
    url = reverse("portal:statutory-column", args=[organ.pk, theirs.pk])
    assert client.get(url).status_code == 404
    column = StatutoryColumn.objects.get(organ__isnull=True, article_item=1)
    url = reverse("portal:statutory-column", args=[organ.pk, column.pk])
    assert client.get(url + "?page=99").status_code == 404
    assert client.get(url + "?page=abc").status_code == 404


def test_a_column_lists_the_organs_public_notices_of_its_genres_and_topics(
    client, organ, notice_in, other_organ, editor, reviewer
):
    topic = factories.make_topic("财政")
    below = factories.make_topic("预算", parent=topic)
    column = StatutoryColumn.objects.create(organ=organ, name="财政预决算")
    column.topics.set([topic])
    column.genres.set(Genre.objects.filter(code="notice"))
    shown = notice_in("published", title="部门预算公开的通知", genre="notice")
    shown.topics.set([below])
    other_genre = notice_in("published", title="预算的通报", genre="circular")
    other_genre.topics.set([below])
    untagged = notice_in("published", title="无主题的通知", genre="notice")
    draft = notice_in("draft", title="预算草稿通知", genre="notice")
    draft.topics.set([below])
    page = text(client.get(reverse("portal:statutory-column", args=[organ.pk, column.pk])))
    assert shown.title in page
    for hidden in (other_genre, untagged, draft):
        assert hidden.title not in page
    assert "主题：财政" in page and "体裁：通知" in page


def test_a_column_without_filters_lists_nothing_rather_than_everything(client, publishing):
    column = StatutoryColumn.objects.get(organ__isnull=True, article_item=4)
    page = text(client.get(reverse("portal:statutory-column", args=[publishing.pk, column.pk])))
    assert "本栏目暂无信息" in page
    assert "notice-row" not in page


def test_the_profile_column_opens_the_organs_profile(client, organ):
    column = StatutoryColumn.objects.get(organ__isnull=True, article_item=2)
    response = client.get(reverse("portal:statutory-column", args=[organ.pk, column.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:organ-profile", args=[organ.pk])


def test_the_site_map_is_a_page_for_people_and_links_the_xml_one(client, publishing):
    factories.make_topic("综合政务")
    response = client.get(reverse("portal:site-map"))
    page = text(response)
    assert response["Content-Type"].startswith("text/html")
    assert "<h1>网站地图</h1>" in page
    assert "综合政务" in page
    assert reverse("portal:organ-column", args=[publishing.pk]) in page
    assert 'href="/sitemap.xml"' in page
    assert client.get("/sitemap.xml").status_code == 200  # still there for crawlers


def test_the_footer_opens_the_human_site_map(client, db):
    page = text(client.get(reverse("notices:notice-list")))
    footer = page.split('<footer class="site-footer">')[1]
    assert f'href="{reverse("portal:site-map")}">网站地图' in footer
    assert 'href="/sitemap.xml"' not in footer


@pytest.mark.parametrize(
    "url_name,crumbs",
    [
        ("notices:notice-list", ["首页", "信息公开目录"]),
        ("notices:organ-list", ["首页", "发布机构"]),
        ("assessments:assessment-index", ["首页", "考核结果"]),
        ("search:search", ["首页", "站内检索"]),
        ("applications:apply", ["首页", "政府信息公开", "依申请公开"]),
        ("annual_reports:report-index", ["首页", "政府信息公开", "政府信息公开工作年度报告"]),
        ("portal:column-index", ["首页", "政府信息公开"]),
        ("portal:site-map", ["首页", "网站地图"]),
        ("portal:contact", ["首页", "联系我们"]),
    ],
)
def test_pages_below_home_have_breadcrumbs_and_home_has_none(client, db, url_name, crumbs):
    page = text(client.get(reverse(url_name)))
    crumbs_start = '<nav class="breadcrumbs container" aria-label="当前位置">'
    trail = page.split(crumbs_start)[1].split("</nav>")[0]
    positions = [trail.index(crumb) for crumb in crumbs]
    assert positions == sorted(positions)
    assert 'aria-current="page"' in trail
    assert 'class="breadcrumbs' not in text(client.get(reverse("notices:home")))


def test_a_notice_page_has_its_trail(client, notice_in):
    notice = notice_in("published", title="关于开展政务公开检查的通知")
    page = text(client.get(notice.get_absolute_url()))
    assert '<span aria-current="page">关于开展政务公开检查的通知</span>' in page
    for name in ("portal:guide", "portal:organ-column", "portal:organ-profile"):
        assert "首页" in text(client.get(reverse(name, args=[notice.organ_id])))


def test_pages_of_other_apps_are_linked_only_where_they_exist(client, organ):
    assert identity.optional_link("notices:no-such-page") == ""
    header = text(client.get(reverse("notices:notice-list"))).split("</header>")[0]
    interpretations = identity.optional_link("notices:interpretation-list")
    assert ("政策解读" in header) == bool(interpretations)
    site_map = text(client.get(reverse("portal:site-map")))
    assert ("开放数据" in site_map) == bool(identity.optional_link("search:open-data"))

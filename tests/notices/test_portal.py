"""The public portal as an anonymous reader sees it, and the staff preview of the same pages."""

import datetime
import re
from html import unescape
from importlib import import_module
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, urlparse
from xml.etree import ElementTree

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import pagination
from notices import sitemaps, views, workflow
from notices.models import CitedDocument, Genre, Notice, Topic
from tests import factories
from tests.markup import assert_only_static_scripts

PAGE_STATES_HIDDEN = ["draft", "in_review", "scheduled"]
TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"


def text(response) -> str:
    return response.content.decode()


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def detail_url(notice: Notice) -> str:
    return reverse("notices:notice-detail", args=[notice.pk])


def sitemap_page_of(notice: Notice) -> str:
    """The notices' sitemap page that lists `notice` (page p: ids in ((p-1)·N, p·N]); ids keep
    growing through a run, and a worker's earlier tests may have taken the first page's."""
    return f"/sitemap-notices.xml?p={(notice.pk - 1) // sitemaps.NOTICES_PER_PAGE + 1}"


def list_url(**query) -> str:
    url = reverse("notices:notice-list")
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def listed_titles(response) -> list[str]:
    """Titles of the notice rows on a list or home page, in page order."""
    return [
        unescape(title)
        for title in re.findall(r'class="notice-row__title"[^>]*>([^<]*)</a>', text(response))
    ]


def metadata(response) -> dict[str, str]:
    """The metadata table of a notice page as {label: text}."""
    table = re.search(r'<table class="metadata">(.*?)</table>', text(response), re.S)
    assert table, "the notice page has no metadata table"
    cells = re.findall(r'<th scope="row">(.*?)</th>\s*<td[^>]*>(.*?)</td>', table.group(1), re.S)
    return {label: unescape(re.sub(r"<[^>]+>", "", value)).strip() for label, value in cells}


def public_everywhere(client, notice: Notice) -> dict[str, bool]:
    """Where a notice shows up for the public, by page."""
    title = notice.title
    organ_feed = reverse("notices:organ-feed", args=[notice.organ_id])
    sitemap = text(client.get(sitemap_page_of(notice)))
    return {
        "detail": client.get(detail_url(notice)).status_code == 200,
        "list": title in listed_titles(client.get(list_url())),
        "organ list": title in listed_titles(client.get(list_url(organ=notice.organ_id))),
        "home": title in listed_titles(client.get(reverse("notices:home"))),
        "feed": title in text(client.get(reverse("notices:feed"))),
        "organ feed": title in text(client.get(organ_feed)),
        "sitemap": f"/notices/{notice.pk}/<" in sitemap,
    }


def other_organ_notice(other_organ, state="published", **fields) -> Notice:
    editor = factories.make_editor(other_organ)
    reviewer = factories.make_reviewer(other_organ)
    return factories.make_notice(other_organ, editor, reviewer, state, **fields)


# Visibility of each state


def test_published_notice_is_shown_everywhere(client, notice_in):
    notice = notice_in("published", title="关于开展政务公开考核的通知")
    assert public_everywhere(client, notice) == dict.fromkeys(
        ["detail", "list", "organ list", "home", "feed", "organ feed", "sitemap"], True
    )


@pytest.mark.parametrize("state", PAGE_STATES_HIDDEN)
def test_unpublished_notice_is_404_and_absent_from_every_portal_page(client, notice_in, state):
    notice = notice_in(state)
    response = client.get(detail_url(notice))
    assert response.status_code == 404
    assert notice.title not in text(response)
    assert not any(public_everywhere(client, notice).values())


def test_draft_notice_is_404_for_the_public(client, notice_in):
    assert client.get(detail_url(notice_in("draft"))).status_code == 404


def test_scheduled_notice_appears_on_the_portal_when_its_time_comes(client, notice_in):
    notice = notice_in("scheduled")
    assert client.get(detail_url(notice)).status_code == 404
    Notice.objects.filter(pk=notice.pk).update(published_at=days_ago(1))
    assert all(public_everywhere(client, notice).values())


def test_withheld_notice_is_never_public(client, notice_in):
    notice = notice_in("published", disclosure="withheld", withheld_reason="涉及国家秘密")
    attachment = factories.make_attachment(notice)
    assert not any(public_everywhere(client, notice).values())
    assert client.get(attachment.get_absolute_url()).status_code == 404


def test_withheld_notice_that_is_withdrawn_has_no_withdrawal_page(client, notice_in, reviewer):
    notice = notice_in("published", disclosure="withheld", withheld_reason="涉及国家秘密")
    workflow.withdraw(notice, reviewer, "误发")
    assert client.get(detail_url(notice)).status_code == 404


def test_withdrawn_notice_shows_a_withdrawal_page_with_date_and_reason(client, notice_in):
    notice = notice_in("withdrawn", body="<p>被撤回的正文内容。</p>")
    response = client.get(detail_url(notice))
    assert response.status_code == 200
    assert "notices/notice_withdrawn.html" in [t.name for t in response.templates]
    page = text(response)
    assert "本信息已撤回" in page
    assert notice.title in page
    assert timezone.localtime(notice.withdrawn_at).strftime("%Y-%m-%d") in page
    assert "内容已被新文件替代" in page
    assert "被撤回的正文内容" not in page
    assert '<meta name="robots" content="noindex">' in page


def test_withdrawn_notice_is_absent_from_list_home_feeds_and_sitemap(client, notice_in):
    notice = notice_in("withdrawn")
    found = public_everywhere(client, notice)
    assert found.pop("detail") is True
    assert not any(found.values())


def test_withdrawal_page_hides_attachments(client, notice_in, reviewer):
    notice = notice_in("published")
    attachment = factories.make_attachment(notice, "考核成绩表")
    workflow.withdraw(notice, reviewer, "数据有误")
    assert "考核成绩表" not in text(client.get(detail_url(notice)))
    assert client.get(attachment.get_absolute_url()).status_code == 404


def test_on_request_notice_has_no_public_page_nor_attachments(client, notice_in):
    """Only 主动公开 information is on the portal; 依申请公开 is given to an applicant."""
    notice = notice_in("published", disclosure="on_request", body="<p>只依申请提供的正文。</p>")
    attachment = factories.make_attachment(notice, "依申请公开的附件")
    assert client.get(detail_url(notice)).status_code == 404
    assert client.get(attachment.get_absolute_url()).status_code == 404
    assert notice.title not in listed_titles(client.get(list_url()))


def test_pending_correction_has_no_public_page_and_leaves_the_live_text(client, notice_in, editor):
    notice = notice_in("published", title="原标题")
    correction = workflow.start_correction(notice, editor)
    correction.title = "尚未审核的新标题"
    correction.change_note = "更正标题"
    workflow.save_draft(correction, editor)
    workflow.submit(correction, editor)

    assert client.get(detail_url(correction)).status_code == 404
    page = text(client.get(detail_url(notice)))
    assert "原标题" in page
    assert "尚未审核的新标题" not in page
    assert "尚未审核的新标题" not in listed_titles(client.get(list_url()))


# The notice page


def test_detail_shows_the_metadata_table(client, notice_in):
    parent = factories.make_topic("综合政务")
    child = factories.make_topic("政务公开", parent=parent)
    notice = notice_in(
        "published",
        title="甘肃省人民政府办公厅关于2016年政务公开工作考核情况的通报",
        document_number="甘政办发[2017]136号",
        genre="circular",
        keywords="政务公开 考核 通报",
        signed_on=datetime.date(2017, 6, 30),
        published_at=days_ago(3),
        validity=Notice.Validity.EXPIRED,
        validity_changed_on=datetime.date(2020, 1, 1),
    )
    notice.topics.set([child])

    fields = metadata(client.get(detail_url(notice)))

    assert fields["索引号"] == notice.index_number
    assert re.fullmatch(r"000014349/\d{4}-\d{5}", fields["索引号"])
    assert fields["主题分类"] == "综合政务 › 政务公开"
    assert fields["发布机构"] == "甘肃省人民政府办公厅"
    assert fields["成文日期"] == "2017-06-30"
    assert fields["发布日期"] == timezone.localtime(notice.published_at).strftime("%Y-%m-%d")
    assert fields["文号"] == "甘政办发〔2017〕136号"
    assert fields["有效性"] == "失效（2020-01-01起）"
    assert fields["主题词"] == "政务公开 考核 通报"
    assert fields["体裁分类"] == "通报"
    assert fields["标题"] == notice.title


def test_detail_shows_every_topic_by_its_full_path_in_the_topics_order(client, notice_in):
    root = factories.make_topic("综合政务")
    deep = root
    for name in ("政务公开", "考核", "年度"):
        deep = factories.make_topic(name, parent=deep)
    first = factories.make_topic("乙类")
    first.position = 0
    second = factories.make_topic("甲类")
    second.position = 1
    for topic in (first, second):
        topic.save()
    notice = notice_in("published")
    notice.topics.set([second, deep, first])

    shown = metadata(client.get(detail_url(notice)))["主题分类"]

    # Topic's order: position, then name.
    assert shown.split("；") == ["乙类", "综合政务 › 政务公开 › 考核 › 年度", "甲类"]
    assert [first.path, deep.path, second.path] == shown.split("；")
    root.name = "综合"
    root.save()
    assert metadata(client.get(detail_url(notice)))["主题分类"].split("；")[1].startswith("综合 › ")
    assert metadata(client.get(detail_url(notice_in("published"))))["主题分类"] == "—"


def test_a_topic_keeps_its_full_path_through_renames_and_moves_of_the_topics_above(db):
    root = factories.make_topic("综合政务")
    middle = factories.make_topic("政务公开", parent=root)
    leaf = factories.make_topic("考核", parent=middle)
    other = factories.make_topic("其他")

    def paths():
        return {topic.pk: topic.path for topic in Topic.objects.all()}

    assert paths()[leaf.pk] == "综合政务 › 政务公开 › 考核"
    root.name = "综合"
    root.save(update_fields=["name"])
    assert paths()[leaf.pk] == "综合 › 政务公开 › 考核"
    middle.parent = other
    middle.save()
    assert paths() == {
        root.pk: "综合",
        middle.pk: "其他 › 政务公开",
        leaf.pk: "其他 › 政务公开 › 考核",
        other.pk: "其他",
    }
    assert str(Topic.objects.get(pk=leaf.pk)) == "其他 › 政务公开 › 考核"


def test_the_migration_fills_every_topics_path_from_the_names(db):
    fill_paths = import_module("notices.migrations.0007_topic_path").fill_paths
    root = factories.make_topic("综合政务")
    leaf = factories.make_topic("考核", parent=factories.make_topic("政务公开", parent=root))
    lone = factories.make_topic("其他")
    Topic.objects.update(path="")

    fill_paths(apps, SimpleNamespace(connection=connection))

    assert Topic.objects.get(pk=leaf.pk).path == "综合政务 › 政务公开 › 考核"
    assert Topic.objects.get(pk=lone.pk).path == "其他"


def test_topic_paths_of_a_notice_loaded_without_them_are_the_same(notice_in):
    parent = factories.make_topic("综合政务")
    notice = notice_in("published")
    notice.topics.set([factories.make_topic("政务公开", parent=parent), parent])
    loaded = Notice.objects.get(pk=notice.pk)  # as the staff preview loads it

    # By name: 政务公开 before 综合政务.
    assert views.topic_paths_of(loaded) == ["综合政务 › 政务公开", "综合政务"]
    assert views.topic_paths_of(loaded) == views.topic_paths_of(views.NOTICE_PAGE.get(notice.pk))


def test_detail_shows_the_sanitized_body(client, notice_in):
    notice = notice_in(
        "published", body="<h2>一、总体情况</h2><p>全省共公开信息。</p><script>alert(1)</script>"
    )
    page = text(client.get(detail_url(notice)))
    assert "<h2>一、总体情况</h2>" in page
    assert "<p>全省共公开信息。</p>" in page
    assert "alert(1)" not in page


def test_detail_lists_attachments_with_download_links(client, notice_in):
    notice = notice_in("published")
    first = factories.make_attachment(notice, "市州政府考核成绩表", name="score-a.pdf")
    second = factories.make_attachment(notice, "省直部门考核成绩表", name="score-b.pdf")
    page = text(client.get(detail_url(notice)))
    assert page.index("市州政府考核成绩表") < page.index("省直部门考核成绩表")
    for attachment in (first, second):
        assert f'href="{attachment.get_absolute_url()}"' in page
    assert "PDF" in page


def test_citation_of_a_published_notice_is_a_link(client, notice_in):
    cited = notice_in("published", title="关于全面推进政务公开工作的实施意见")
    notice = notice_in("published")
    CitedDocument.objects.create(notice=notice, target=cited, position=1)
    page = text(client.get(detail_url(notice)))
    assert f'<a href="{detail_url(cited)}">《关于全面推进政务公开工作的实施意见》</a>' in page


def test_citation_of_an_outside_document_shows_title_and_number(client, notice_in):
    notice = notice_in("published")
    CitedDocument.objects.create(
        notice=notice,
        title="《关于全面推进政务公开工作的意见》实施细则",
        document_number="国办发〔2016〕80号",
    )
    page = text(client.get(detail_url(notice)))
    assert "《《关于全面推进政务公开工作的意见》实施细则》（国办发〔2016〕80号）" in page


def test_citation_of_a_withdrawn_notice_links_to_its_withdrawal_page(client, notice_in):
    cited = notice_in("withdrawn", title="已撤回的旧文件")
    notice = notice_in("published")
    CitedDocument.objects.create(notice=notice, target=cited)
    assert f'<a href="{detail_url(cited)}">《已撤回的旧文件》</a>' in text(
        client.get(detail_url(notice))
    )


@pytest.mark.parametrize("state", [*PAGE_STATES_HIDDEN, "withheld"])
def test_citation_of_a_notice_not_public_neither_links_nor_reveals_its_title(
    client, notice_in, state
):
    if state == "withheld":
        cited = notice_in("published", disclosure="withheld", withheld_reason="涉密")
    else:
        cited = notice_in(state)
    notice = notice_in("published")
    CitedDocument.objects.create(notice=notice, target=cited, position=1)
    CitedDocument.objects.create(
        notice=notice, target=cited, title="编辑填写的文件名称", position=2
    )
    page = text(client.get(detail_url(notice)))
    assert detail_url(cited) not in page
    assert cited.title not in page
    assert "《编辑填写的文件名称》" in page


def test_correction_shows_its_change_note_on_the_public_page(client, notice_in, editor, reviewer):
    notice = notice_in("published", title="关于2016年考核情况的通报")
    assert "更正记录" not in text(client.get(detail_url(notice)))

    correction = workflow.start_correction(notice, editor)
    correction.title = "关于2016年政务公开考核情况的通报"
    correction.change_note = "标题漏写“政务公开”，已更正。"
    workflow.save_draft(correction, editor)
    workflow.submit(correction, editor)
    workflow.approve(correction, reviewer)

    page = text(client.get(detail_url(notice)))
    assert "关于2016年政务公开考核情况的通报" in page
    assert "更正记录" in page
    assert "标题漏写“政务公开”，已更正。" in page


def test_view_count_increments_per_view_of_a_published_notice(client, notice_in):
    notice = notice_in("published")
    assert "浏览次数：1" in text(client.get(detail_url(notice)))
    assert "浏览次数：2" in text(client.get(detail_url(notice)))
    notice.refresh_from_db()
    assert notice.view_count == 2


def test_head_requests_are_not_counted_as_views(client, notice_in):
    notice = notice_in("published")
    assert client.head(detail_url(notice)).status_code == 200
    notice.refresh_from_db()
    assert notice.view_count == 0


@pytest.mark.parametrize("state", ["draft", "scheduled", "withdrawn"])
def test_views_of_a_notice_not_published_are_not_counted(client, notice_in, state):
    notice = notice_in(state)
    client.get(detail_url(notice))
    notice.refresh_from_db()
    assert notice.view_count == 0


# The catalogue (list) and its filters


def test_list_shows_published_notices_newest_first(client, notice_in):
    notice_in("published", title="三天前", published_at=days_ago(3))
    notice_in("published", title="一天前", published_at=days_ago(1))
    notice_in("published", title="十天前", published_at=days_ago(10))
    response = client.get(list_url())
    assert listed_titles(response) == ["一天前", "三天前", "十天前"]
    assert "共 3 条" in text(response)


def list_rows(response) -> list[str]:
    return re.findall(r'<li class="notice-row">(.*?)</li>', text(response), re.S)


@pytest.mark.parametrize("page", ["list", "home"])
def test_list_rows_show_title_organ_number_local_date_and_validity(client, notice_in, page):
    notice_in(
        "published",
        title="关于<script>alert(1)</script>的通知",
        document_number="甘政办发〔2017〕136号",
        published_at=datetime.datetime(2019, 12, 31, 17, 0, tzinfo=datetime.UTC),
        validity="repealed",
        validity_changed_on=datetime.date(2021, 3, 1),
    )
    valid = notice_in("published", published_at=datetime.datetime(2019, 6, 1, tzinfo=datetime.UTC))
    response = client.get(list_url() if page == "list" else reverse("notices:home"))
    repealed_row, valid_row = list_rows(response)
    assert "关于&lt;script&gt;alert(1)&lt;/script&gt;的通知" in repealed_row
    assert "<script>" not in repealed_row
    assert "<span>甘肃省人民政府办公厅</span>" in repealed_row
    assert "<span>甘政办发〔2017〕136号</span>" in repealed_row
    assert '发布日期 <time datetime="2020-01-01">2020-01-01</time>' in repealed_row
    assert '<span class="badge badge--warn">废止</span>' in repealed_row
    assert f'href="{detail_url(valid)}"' in valid_row
    assert "badge" not in valid_row
    assert valid_row.count("<span>") == 2  # no 文号


def test_list_filters_by_organ(client, notice_in, other_organ):
    mine = notice_in("published")
    theirs = other_organ_notice(other_organ)
    titles = listed_titles(client.get(list_url(organ=other_organ.pk)))
    assert titles == [theirs.title]
    assert mine.title not in titles


def test_list_topic_filter_includes_the_notices_of_child_topics(client, notice_in):
    parent = factories.make_topic("综合政务")
    child = factories.make_topic("政务公开", parent=parent)
    grandchild = factories.make_topic("考核", parent=child)
    elsewhere = factories.make_topic("财政金融")
    in_parent, in_child, in_grandchild, outside = (notice_in("published") for _ in range(4))
    in_parent.topics.set([parent])
    in_child.topics.set([child])
    in_grandchild.topics.set([grandchild, elsewhere])
    outside.topics.set([elsewhere])

    by_parent = listed_titles(client.get(list_url(topic=parent.pk)))
    assert sorted(by_parent) == sorted([in_parent.title, in_child.title, in_grandchild.title])
    assert listed_titles(client.get(list_url(topic=child.pk))) == [
        in_grandchild.title,
        in_child.title,
    ]
    assert sorted(listed_titles(client.get(list_url(topic=elsewhere.pk)))) == sorted(
        [in_grandchild.title, outside.title]
    )


def test_list_topic_filter_shows_a_notice_in_two_matching_topics_once(client, notice_in):
    parent = factories.make_topic("综合政务")
    child = factories.make_topic("政务公开", parent=parent)
    notice = notice_in("published")
    notice.topics.set([parent, child])
    response = client.get(list_url(topic=parent.pk))
    assert listed_titles(response) == [notice.title]
    assert "共 1 条" in text(response)


def test_list_filters_by_genre(client, notice_in):
    circular = notice_in("published", genre="circular")
    notice_in("published", genre="notice")
    assert listed_titles(client.get(list_url(genre="circular"))) == [circular.title]


def test_list_filters_by_year_of_publication_in_local_time(client, notice_in):
    shanghai_new_year = datetime.datetime(2019, 12, 31, 17, 0, tzinfo=datetime.UTC)
    new_year = notice_in("published", published_at=shanghai_new_year)
    old_year = notice_in(
        "published", published_at=datetime.datetime(2019, 6, 1, tzinfo=datetime.UTC)
    )
    assert listed_titles(client.get(list_url(year=2020))) == [new_year.title]
    assert listed_titles(client.get(list_url(year=2019))) == [old_year.title]


def test_list_filters_by_validity(client, notice_in):
    repealed = notice_in(
        "published", validity="repealed", validity_changed_on=datetime.date(2021, 3, 1)
    )
    notice_in("published")
    response = client.get(list_url(validity="repealed"))
    assert listed_titles(response) == [repealed.title]
    assert "废止" in text(response)


def test_list_filters_combine(client, notice_in, other_organ):
    topic = factories.make_topic("政务公开")
    match = notice_in("published", genre="circular", published_at=days_ago(1))
    match.topics.set([topic])
    wrong_genre = notice_in("published", genre="notice")
    wrong_genre.topics.set([topic])
    notice_in("published", genre="circular")
    other = other_organ_notice(other_organ, genre="circular")
    other.topics.set([topic])
    year = timezone.localtime(match.published_at).year

    response = client.get(
        list_url(
            organ=match.organ_id, topic=topic.pk, genre="circular", year=year, validity="valid"
        )
    )
    assert listed_titles(response) == [match.title]
    page = text(response)
    assert "当前条件" in page
    assert "发布机构：甘肃省人民政府办公厅" in page
    assert f"发布年份：{year}年" in page
    assert "体裁：通报" in page


def test_list_filter_form_keeps_the_chosen_values(client, notice_in):
    notice = notice_in("published", genre="circular")
    page = text(client.get(list_url(organ=notice.organ_id, genre="circular")))
    assert f'<option value="{notice.organ_id}" selected>' in page
    assert '<option value="circular" selected>' in page


def test_pagination_links_keep_the_filters(client, notice_in, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    titles = [
        notice_in("published", genre="circular", published_at=days_ago(n)).title
        for n in range(1, 6)
    ]
    notice_in("published", genre="notice")

    first = client.get(list_url(genre="circular"))
    assert listed_titles(first) == titles[:2]
    next_link = re.search(r'<a href="([^"]+)" rel="next">', text(first)).group(1)
    query = parse_qs(urlparse(unescape(next_link)).query)
    assert query == {"genre": ["circular"], "page": ["2"]}

    second = client.get(list_url() + unescape(next_link))
    assert listed_titles(second) == titles[2:4]
    prev_link = re.search(r'<a href="([^"]+)" rel="prev">', text(second)).group(1)
    assert parse_qs(urlparse(unescape(prev_link)).query) == {
        "genre": ["circular"],
        "page": ["1"],
    }
    assert "第 2 页 / 共 3 页" in text(second)


def test_the_first_page_reads_its_rows_at_once_and_later_pages_by_id(notice_in):
    for days in range(5):
        notice_in("published", published_at=days_ago(days))
    newest_first = Notice.objects.published().order_by("-published_at", "-pk")
    paginator = pagination.NumberedPaginator(newest_first, 2)
    expected = list(newest_first.values_list("pk", flat=True))
    assert paginator.count == 5  # counted once, before either page
    with CaptureQueriesContext(connection) as first:
        assert [notice.pk for notice in paginator.page(1).object_list] == expected[:2]
    with CaptureQueriesContext(connection) as second:
        assert [notice.pk for notice in paginator.page(2).object_list] == expected[2:4]
    assert len(first) == 1
    assert len(second) == 2  # the page's ids, then its rows


@pytest.mark.postgres  # elsewhere the prepared SQL's rows come from the queryset itself
def test_a_numbered_page_whose_count_is_kept_never_builds_the_catalogue_query(
    client, notice_in, settings, monkeypatch
):
    settings.PORTAL_LISTS_CACHE_SECONDS = 300
    for days in range(21):
        notice_in("published", published_at=days_ago(days), genre="notice")
    # These keep the count and prepare the pages' queries.
    first = client.get(list_url(genre="notice"))
    second = client.get(list_url(genre="notice", page=2))
    built = []
    build = views.catalogue
    monkeypatch.setattr(views, "catalogue", lambda *args: built.append(args) or build(*args))

    assert listed_titles(client.get(list_url(genre="notice"))) == listed_titles(first)
    assert listed_titles(client.get(list_url(genre="notice", page=2))) == listed_titles(second)
    assert built == []
    assert len(listed_titles(second)) == 1


def test_page_beyond_the_last_is_a_clear_404(client, notice_in):
    notice_in("published")
    response = client.get(list_url(page=2))
    assert response.status_code == 404
    assert "没有这一页" in text(response)
    assert "共 1 页" in text(response)


def link(response, rel: str) -> str:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', text(response))
    return unescape(found.group(1)) if found else ""


@pytest.fixture
def capped_list(monkeypatch, notice_in):
    """Seven circulars (newest first) under a count cap of 4 and pages of 2: two numbered
    pages, then pages that follow a notice."""
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(pagination, "COUNT_CAP", 4)
    notice_in("published", genre="notice")
    return [
        notice_in("published", genre="circular", published_at=days_ago(n)).title
        for n in range(1, 8)
    ]


def test_a_long_list_counts_to_its_cap(client, capped_list):
    response = client.get(list_url(genre="circular"))
    assert "共 4+ 条" in text(response)
    assert "第 1 页 / 共 2+ 页" in text(response)


def test_past_the_last_numbered_page_the_list_continues_after_a_notice(client, capped_list):
    second = client.get(list_url(genre="circular", page=2))
    assert listed_titles(second) == capped_list[2:4]
    after = link(second, "next")
    last_shown = Notice.objects.get(title=capped_list[3])
    assert parse_qs(urlparse(after).query) == {"genre": ["circular"], "after": [str(last_shown.pk)]}

    third = client.get(list_url() + after)
    assert listed_titles(third) == capped_list[4:6]
    fourth = client.get(list_url() + link(third, "next"))
    assert listed_titles(fourth) == capped_list[6:]
    assert link(fourth, "next") == ""
    back = client.get(list_url() + link(fourth, "prev"))
    assert listed_titles(back) == capped_list[4:6]
    assert "第一页" in text(back)


def test_a_page_after_a_notice_stays_the_same_when_more_are_published(
    client, capped_list, notice_in
):
    url = list_url() + link(client.get(list_url(genre="circular", page=2)), "next")
    before = listed_titles(client.get(url))
    notice_in("published", genre="circular")
    assert listed_titles(client.get(url)) == before
    assert listed_titles(client.get(list_url(genre="circular")))[0] != capped_list[0]


def test_notices_published_at_the_same_moment_are_neither_skipped_nor_repeated(
    client, monkeypatch, notice_in
):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(pagination, "COUNT_CAP", 2)
    moment = days_ago(1)
    notices = [notice_in("published", published_at=moment) for _ in range(5)]
    seen, url = [], list_url()
    while url:
        response = client.get(url)
        seen += listed_titles(response)
        url = list_url() + link(response, "next") if link(response, "next") else ""
    assert seen == [notice.title for notice in reversed(notices)]


@pytest.mark.parametrize("cursor", ["abc", "1.5", "", "-3"])
def test_a_cursor_that_is_not_a_number_is_a_clear_400(client, notice_in, cursor):
    notice_in("published")
    response = client.get(list_url(after=cursor))
    expected = 404 if cursor == "-3" else 400
    assert response.status_code == expected
    assert ("没有这一页" if expected == 404 else "页码无效") in text(response)


@pytest.mark.parametrize("state", ["draft", "scheduled"])
def test_a_cursor_naming_no_public_notice_is_a_404(client, notice_in, state):
    notice_in("published")
    hidden = notice_in(state)
    for name in ("after", "before"):
        response = client.get(list_url(**{name: hidden.pk}))
        assert response.status_code == 404
        assert "没有这一页" in text(response)
    assert client.get(list_url(after="99999999999999999999999")).status_code == 404


def test_a_cursor_still_works_after_its_notice_is_withdrawn(client, notice_in, reviewer):
    older = notice_in("published", published_at=days_ago(3))
    cursor = notice_in("published", published_at=days_ago(2))
    workflow.withdraw(cursor, reviewer, "内容有误")
    assert listed_titles(client.get(list_url(after=cursor.pk))) == [older.title]


@pytest.mark.parametrize("page", ["abc", "1.5", "", "%00", "1%27"])
def test_non_numeric_page_is_a_clear_400(client, notice_in, page):
    notice_in("published")
    response = client.get(list_url(page=page))
    if page == "":
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert "页码无效" in text(response)
    assert "页码必须是正整数" in text(response)


@pytest.mark.parametrize("page", ["0", "-1", "99999999999999999999999"])
def test_page_numbers_out_of_range_are_404(client, notice_in, page):
    notice_in("published")
    response = client.get(list_url(page=page))
    assert response.status_code == 404
    assert "没有这一页" in text(response)


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ("organ=abc", "发布机构"),
        ("organ=999999", "发布机构"),
        ("genre=nonsense", "体裁"),
        ("year=abc", "发布年份"),
        ("year=1800", "发布年份"),
        ("topic=-1", "主题分类"),
        ("validity=forever", "有效性"),
    ],
)
def test_invalid_filter_is_a_400_page_in_chinese(client, notice_in, query, label):
    notice_in("published")
    response = client.get(f"{list_url()}?{query}")
    assert response.status_code == 400
    page = text(response)
    assert "筛选条件无效" in page
    assert f"{label}：所选的值无效，请从列表中选择。" in page
    assert 'role="alert"' in page


HOSTILE_VALUES = [
    "9" * 5000,
    "x" * 20000,
    "\x00",
    "1\x00",
    "\x01\x1b[31m",
    "' OR '1'='1",
    "1; DROP TABLE notices_notice; --",
    ".*(|[",
    "%",
    "\\",
    "99999999999999999999999999",
    "-9223372036854775809",
    "1e5",
    "NaN",
    "<script>alert(1)</script>",
    "２０２４",
]


@pytest.mark.parametrize("name", ["organ", "topic", "genre", "year", "validity", "page"])
@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=range(len(HOSTILE_VALUES)))
def test_hostile_list_query_never_fails(client, notice_in, name, value):
    notice_in("published")
    response = client.get(list_url(), {name: value})
    assert response.status_code in (200, 400, 404)
    assert "<script>alert(1)</script>" not in text(response)


@pytest.mark.parametrize(
    "raw_query",
    ["organ=%ff%fe", "genre=%00", "%00=1", "page=%ff", "organ=1&organ=abc", "a=" + "%41" * 3000],
)
def test_hostile_raw_query_strings_never_fail(client, notice_in, raw_query):
    notice = notice_in("published")
    for path in [list_url(), reverse("notices:home"), detail_url(notice), "/feed/"]:
        assert client.get(f"{path}?{raw_query}").status_code in (200, 400, 404)


def test_too_many_query_fields_is_a_400(client, db):
    query = "&".join(f"f{n}=1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = client.get(f"{list_url()}?{query}")
    assert response.status_code == 400
    assert "请求无效" in text(response)
    assert "unsafe-inline" not in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    "path",
    [
        "/notices/99999999999999999999999/",
        "/notices/9223372036854775808/",
        "/notices/1/attachments/99999999999999999999999/",
        "/organs/99999999999999999999999/feed/",
        "/notices/0/",
    ],
)
def test_out_of_range_ids_in_paths_are_404(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "页面不存在" in text(response)


def test_list_without_notices_says_so(client, db):
    response = client.get(list_url())
    assert response.status_code == 200
    assert "暂无公开的信息。" in text(response)


def test_an_organ_or_topic_without_notices_gives_an_empty_list_that_says_so(
    client, notice_in, organ
):
    notice_in("published")
    silent = factories.make_organ(name="甘肃省教育厅")
    topic = factories.make_topic("教育")
    response = client.get(list_url(organ=silent.pk))
    assert response.status_code == 200
    page = text(response)
    assert "共 0 条" in page
    assert "所选条件（发布机构“甘肃省教育厅”）下暂无公开的信息。" in page
    assert f'<option value="{silent.pk}" selected>甘肃省教育厅</option>' in page
    page = text(client.get(list_url(topic=topic.pk, organ=silent.pk)))
    assert "所选条件（发布机构“甘肃省教育厅”、主题分类“教育”）下暂无公开的信息。" in page
    # Only an organ that does not exist is refused.
    assert client.get(list_url(organ=silent.pk + 1000)).status_code == 400


def test_topic_options_follow_the_tree_with_children_indented_under_their_parents(client, db):
    second = Topic.objects.create(name="综合政务", position=2)
    first = Topic.objects.create(name="财政、金融、审计", position=1)
    child = factories.make_topic("政务公开", parent=second)
    grandchild = factories.make_topic("政府信息公开年报", parent=child)
    other = factories.make_topic("财政", parent=first)
    page = text(client.get(list_url()))
    select = re.search(r'<select name="topic".*?</select>', page, re.S).group(0)
    options = re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', select)
    assert options == [
        ("", "全部主题"),
        (str(first.pk), "财政、金融、审计"),
        (str(other.pk), "\u3000财政"),
        (str(second.pk), "综合政务"),
        (str(child.pk), "\u3000政务公开"),
        (str(grandchild.pk), "\u3000\u3000政府信息公开年报"),
    ]


def test_catalogue_rows_show_the_signed_date_and_index_number(client, notice_in):
    notice = notice_in("published", signed_on=datetime.date(2017, 6, 30))
    page = text(client.get(list_url()))
    assert '<span>成文日期 <time datetime="2017-06-30">2017-06-30</time></span>' in page
    assert f'<span class="notice-row__index">索引号 {notice.index_number}</span>' in page
    # The home page's rows stay short.
    assert "notice-row__index" not in text(client.get(reverse("notices:home")))


def test_catalogue_sorts_by_signed_date_newest_first_and_unsigned_last(client, notice_in):
    notice_in("published", title="未写成文日期", signed_on=None, published_at=days_ago(1))
    notice_in(
        "published", title="早成文", signed_on=datetime.date(2016, 1, 1), published_at=days_ago(2)
    )
    notice_in(
        "published", title="晚成文", signed_on=datetime.date(2020, 1, 1), published_at=days_ago(3)
    )
    assert listed_titles(client.get(list_url())) == ["未写成文日期", "早成文", "晚成文"]
    response = client.get(list_url(sort="signed"))
    assert listed_titles(response) == ["晚成文", "早成文", "未写成文日期"]
    assert '<option value="signed" selected>按成文日期</option>' in text(response)
    assert 'class="active-filters"' not in text(response)  # an order is not a filter
    assert client.get(list_url(sort="title")).status_code == 400


def test_pages_after_a_notice_keep_the_signed_date_order(client, notice_in, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for year in (2018, 2021, 2019, 2020, 2017):
        notice_in("published", title=f"{year}年成文", signed_on=datetime.date(year, 3, 1))
    middle = Notice.objects.get(title="2020年成文")
    response = client.get(list_url(sort="signed", after=middle.pk))
    assert listed_titles(response) == ["2019年成文", "2018年成文"]
    assert listed_titles(client.get(list_url(sort="signed", before=middle.pk))) == ["2021年成文"]
    assert "sort=signed" in re.search(
        r'<nav class="pagination".*?</nav>', text(response), re.S
    ).group(0)


# Home and organs


def test_home_lists_the_latest_published_notices(client, notice_in, monkeypatch):
    monkeypatch.setattr(views, "HOME_LATEST", 2)
    notice_in("published", title="最早", published_at=days_ago(5))
    notice_in("published", title="较新", published_at=days_ago(2))
    notice_in("published", title="最新", published_at=days_ago(1))
    notice_in("draft", title="草稿")
    assert listed_titles(client.get(reverse("notices:home"))) == ["最新", "较新"]


def test_home_says_when_nothing_is_published(client, db):
    assert "暂无公开信息" in text(client.get(reverse("notices:home")))


def test_home_links_to_topics_genres_and_organs(client, notice_in, organ, other_organ):
    notice_in("published")
    other_organ_notice(other_organ)
    silent = factories.make_organ(name="示例一市人民政府")
    parent = factories.make_topic("综合政务")
    child = factories.make_topic("政务公开", parent=parent)
    page = text(client.get(reverse("notices:home")))
    notices = reverse("notices:notice-list")
    assert f'<a href="{notices}?topic={parent.pk}">综合政务</a>' in page
    assert f'<a href="{notices}?topic={child.pk}">政务公开</a>' in page
    for value, label in Genre.objects.labels().items():
        assert f'<a href="{notices}?genre={value}">{label}</a>' in page
    for each in (organ, other_organ):
        assert f'<a href="{notices}?organ={each.pk}">{each.name}</a>' in page
    assert silent.name not in page, "organs with nothing public are not offered"

    # The links are written once per list of organs: a new list brings its own, escaped.
    silent.name = "示例一市<人民>政府"
    silent.save()
    factories.make_notice(
        silent, factories.make_editor(silent), factories.make_reviewer(silent), "published"
    )
    page = text(client.get(reverse("notices:home")))
    assert f'<a href="{notices}?organ={silent.pk}">示例一市&lt;人民&gt;政府</a>' in page
    assert f'<a href="{notices}?organ={organ.pk}">{organ.name}</a>' in page


def test_home_links_lead_to_filtered_lists(client, notice_in):
    topic = factories.make_topic("政务公开")
    notice = notice_in("published")
    notice.topics.set([topic])
    page = text(client.get(reverse("notices:home")))
    for href in re.findall(r'href="(/notices/\?[^"]+)"', page):
        assert client.get(unescape(href)).status_code == 200


def test_organ_list_links_each_organ_to_its_notices_and_feed(client, notice_in, organ, other_organ):
    notice_in("published")
    other_organ_notice(other_organ, "withdrawn")
    silent = factories.make_organ(name="示例一市人民政府")
    factories.make_notice(
        silent, factories.make_editor(silent), factories.make_reviewer(silent), "draft"
    )
    response = client.get(reverse("notices:organ-list"))
    assert response.status_code == 200
    page = text(response)
    for each in (organ, other_organ):
        assert f'<a href="{each.get_absolute_url()}">{each.name}</a>' in page
        assert f'href="{reverse("notices:organ-feed", args=[each.pk])}"' in page
        assert each.code in page
    assert silent.name not in page


# Feeds, sitemap, robots.txt


def test_feed_is_atom_with_published_notices_only(client, notice_in):
    published = notice_in("published", document_number="甘政办发〔2017〕9号")
    hidden = [notice_in(state) for state in [*PAGE_STATES_HIDDEN, "withdrawn"]]
    response = client.get(reverse("notices:feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = text(response)
    assert 'xmlns="http://www.w3.org/2005/Atom"' in feed
    assert published.title in feed
    assert f"http://testserver{detail_url(published)}" in feed
    assert "甘政办发〔2017〕9号" in feed
    for notice in hidden:
        assert notice.title not in feed


def test_organ_feed_has_only_that_organs_notices(client, notice_in, organ, other_organ):
    mine = notice_in("published")
    theirs = other_organ_notice(other_organ)
    response = client.get(reverse("notices:organ-feed", args=[other_organ.pk]))
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = text(response)
    assert theirs.title in feed
    assert mine.title not in feed
    assert f"{other_organ.name} · 最新信息" in feed


ATOM = "{http://www.w3.org/2005/Atom}"


def atom_entries(response) -> list:
    """The feed's entries, parsed as XML: a feed that is not well-formed fails here."""
    return ElementTree.fromstring(response.content).findall(f"{ATOM}entry")  # noqa: S314 - ours


def test_feeds_send_summaries_as_plain_text(client, notice_in):
    notice = notice_in("published", document_number="", summary="<b>不是标记</b> & 5 < 6")
    for url in (reverse("notices:feed"), reverse("notices:organ-feed", args=[notice.organ_id])):
        (entry,) = atom_entries(client.get(url))
        summary = entry.find(f"{ATOM}summary")
        assert summary.get("type") == "text"
        assert summary.text == f"{notice.organ.name} · <b>不是标记</b> & 5 < 6"


def test_feeds_hold_stored_control_characters_out_of_the_xml(client, notice_in):
    notice = notice_in("published", document_number="")
    # Written around save(), as rows stored before input was cleaned are.
    Notice.objects.filter(pk=notice.pk).update(
        title="标题\x0b续\ufffe", summary="概述\x0c\x1f\n第二行"
    )
    for url in (reverse("notices:feed"), reverse("notices:organ-feed", args=[notice.organ_id])):
        response = client.get(url)
        assert response.status_code == 200
        (entry,) = atom_entries(response)
        assert entry.find(f"{ATOM}title").text == "标题续"
        assert entry.find(f"{ATOM}summary").text == f"{notice.organ.name} · 概述\n第二行"


def test_unknown_organ_feed_is_404(client, organ):
    assert client.get(reverse("notices:organ-feed", args=[organ.pk + 1000])).status_code == 404


def test_sitemap_index_names_the_sections(client, db):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert "<sitemapindex" in text(response)
    assert "http://testserver/sitemap-notices.xml" in text(response)
    assert "http://testserver/sitemap-pages.xml" in text(response)


def test_notice_sitemap_lists_published_notices_only(client, notice_in):
    published = notice_in("published")
    hidden = [notice_in(state) for state in [*PAGE_STATES_HIDDEN, "withdrawn"]]
    hidden.append(notice_in("published", disclosure="withheld", withheld_reason="涉密"))
    hidden.append(notice_in("published", disclosure="on_request"))
    sitemap = text(client.get(sitemap_page_of(published)))
    assert f"<loc>http://testserver{detail_url(published)}</loc>" in sitemap
    for notice in hidden:
        assert f"{detail_url(notice)}<" not in sitemap


def test_notice_sitemap_queries_do_not_grow_with_the_notices(
    client, notice_in, django_assert_max_num_queries, monkeypatch
):
    # One page for every id, whichever ids a worker's earlier tests left for these.
    monkeypatch.setattr(sitemaps, "NOTICES_PER_PAGE", 2**40)
    for _ in range(5):
        notice_in("published")
    with django_assert_max_num_queries(3):
        response = client.get("/sitemap-notices.xml")
    assert text(response).count("<url>") == 5


def test_notice_sitemap_pages_are_ranges_of_ids_and_the_index_names_those_with_notices(
    client, notice_in, reviewer, monkeypatch
):
    monkeypatch.setattr(sitemaps, "NOTICES_PER_PAGE", 2)
    notices = [notice_in("published") for _ in range(7)]

    def page_of(notice) -> int:
        return (notice.pk - 1) // 2 + 1

    emptied = page_of(notices[0]) + 1
    for notice in notices:
        if page_of(notice) == emptied:
            workflow.withdraw(notice, reviewer, "内容有误")
    index = text(client.get("/sitemap.xml"))
    for page in {page_of(notice) for notice in notices} - {1, emptied}:
        assert f"http://testserver/sitemap-notices.xml?p={page}</loc>" in index
        listed = text(client.get(f"/sitemap-notices.xml?p={page}"))
        ids = [int(found) for found in re.findall(r"/notices/(\d+)/</loc>", listed)]
        assert ids == [notice.pk for notice in notices if page_of(notice) == page]
    assert f"sitemap-notices.xml?p={emptied}<" not in index
    assert client.get(f"/sitemap-notices.xml?p={emptied}").status_code == 404


def test_notice_sitemap_gives_each_notice_its_local_date_of_last_change(client, notice_in):
    notice = notice_in("published")
    changed = timezone.localtime(Notice.objects.get(pk=notice.pk).updated_at)
    sitemap = text(client.get(sitemap_page_of(notice)))
    assert (
        f"<url><loc>http://testserver{detail_url(notice)}</loc>"
        f"<lastmod>{changed:%Y-%m-%d}</lastmod><changefreq>monthly</changefreq></url>"
    ) in sitemap
    assert client.get(sitemap_page_of(notice))["Last-Modified"]


@pytest.mark.parametrize(
    "url", ["/sitemap-notices.xml?p=abc", "/sitemap-notices.xml?p=99", "/sitemap-other.xml"]
)
def test_unknown_sitemap_section_or_page_is_404(client, notice_in, url):
    notice_in("published")
    assert client.get(url).status_code == 404


def test_pages_sitemap_lists_the_portal_pages(client, db):
    sitemap = text(client.get("/sitemap-pages.xml"))
    for name in ("notices:home", "notices:notice-list", "notices:organ-list"):
        assert f"<loc>http://testserver{reverse(name)}</loc>" in sitemap


def test_robots_txt_disallows_admin_and_names_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = text(response).splitlines()
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


# Attachments


def test_attachment_of_a_published_notice_downloads_as_an_attachment(client, notice_in):
    notice = notice_in("published")
    attachment = factories.make_attachment(notice, "考核成绩表", name="score-table.pdf")
    response = client.get(attachment.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="score-table.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/octet-stream"
    assert b"".join(response.streaming_content) == factories.PDF_BYTES


def test_attachment_keeps_its_chinese_file_name(client, notice_in):
    notice = notice_in("published")
    attachment = factories.make_attachment(notice, "考核成绩表", name="考核成绩表.pdf")
    response = client.get(attachment.get_absolute_url())
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert "%E8%80%83%E6%A0%B8%E6%88%90%E7%BB%A9%E8%A1%A8.pdf" in response["Content-Disposition"]
    response.close()


@pytest.mark.parametrize("state", [*PAGE_STATES_HIDDEN, "withdrawn"])
def test_attachment_of_a_notice_not_published_is_404_for_anonymous(client, notice_in, state):
    attachment = factories.make_attachment(notice_in(state))
    assert client.get(attachment.get_absolute_url()).status_code == 404


def test_attachment_under_the_wrong_notice_is_404(client, notice_in):
    notice = notice_in("published")
    another = notice_in("published")
    attachment = factories.make_attachment(notice)
    url = reverse("notices:attachment-download", args=[another.pk, attachment.pk])
    assert client.get(url).status_code == 404


def test_attachment_of_a_pending_correction_is_404_for_the_public(client, notice_in, editor):
    notice = notice_in("published")
    factories.make_attachment(notice)
    correction = workflow.start_correction(notice, editor)
    copied = correction.attachments.get()
    url = reverse("notices:attachment-download", args=[notice.pk, copied.pk])
    assert client.get(url).status_code == 404


def test_missing_attachment_file_is_404_not_500(client, notice_in):
    attachment = factories.make_attachment(notice_in("published"))
    attachment.file.storage.delete(attachment.file.name)
    assert client.get(attachment.get_absolute_url()).status_code == 404


def test_editor_of_the_organ_may_download_a_draft_attachment(client, notice_in, editor):
    attachment = factories.make_attachment(notice_in("draft"))
    client.force_login(editor)
    response = client.get(attachment.get_absolute_url())
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    response.close()


def test_editor_of_another_organ_may_not_download_a_draft_attachment(
    client, notice_in, other_editor
):
    attachment = factories.make_attachment(notice_in("draft"))
    client.force_login(other_editor)
    assert client.get(attachment.get_absolute_url()).status_code == 404


# Staff preview


def preview_url(notice: Notice) -> str:
    return reverse("admin:notices_notice_preview", args=[notice.pk])


@pytest.mark.parametrize("who", ["editor", "reviewer", "auditor"])
def test_staff_of_the_organ_preview_a_draft_with_the_portal_template(
    client, notice_in, request, who
):
    notice = notice_in("draft", title="尚未发布的草稿", body="<p>草稿正文。</p>")
    client.force_login(request.getfixturevalue(who))
    response = client.get(preview_url(notice))
    assert response.status_code == 200
    assert "notices/notice_detail.html" in [t.name for t in response.templates]
    page = text(response)
    assert "预览：当前状态为“草稿”，公众尚不可见" in page
    assert "尚未发布的草稿" in page
    assert "草稿正文" in page


@pytest.mark.parametrize("who", ["other_editor", "other_reviewer"])
def test_staff_of_another_organ_cannot_preview(client, notice_in, request, who):
    notice = notice_in("draft", title="别的机构的草稿")
    client.force_login(request.getfixturevalue(who))
    response = client.get(preview_url(notice))
    assert response.status_code in (403, 404)
    assert "别的机构的草稿" not in text(response)


def test_anonymous_preview_redirects_to_the_login(client, notice_in):
    notice = notice_in("draft")
    response = client.get(preview_url(notice))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_preview_of_a_scheduled_notice_says_it_is_scheduled(client, notice_in, editor):
    notice = notice_in("scheduled")
    client.force_login(editor)
    assert "当前状态为“已排期”" in text(client.get(preview_url(notice)))


def test_preview_is_served_under_the_portal_policy(client, notice_in, editor):
    """The preview must look as the page will: inline styles blocked on the portal are blocked."""
    client.force_login(editor)
    response = client.get(preview_url(notice_in("draft")))
    assert "unsafe-inline" not in response["Content-Security-Policy"]


# Security headers and accessibility of every portal page


@pytest.fixture
def portal_pages(notice_in):
    topic = factories.make_topic("政务公开")
    published = notice_in("published", document_number="甘政办发〔2017〕3号")
    published.topics.set([topic])
    factories.make_attachment(published)
    CitedDocument.objects.create(notice=published, title="外部文件", document_number="")
    withdrawn = notice_in("withdrawn")
    return {
        "home": (reverse("notices:home"), 200),
        "list": (list_url(), 200),
        "filtered list": (list_url(topic=topic.pk, genre="notice"), 200),
        "detail": (detail_url(published), 200),
        "withdrawn": (detail_url(withdrawn), 200),
        "organs": (reverse("notices:organ-list"), 200),
        "invalid filter": (list_url(organ="abc"), 400),
        "page past the end": (list_url(page=9), 404),
        "not found": ("/no-such-page/", 404),
        "draft": (detail_url(notice_in("draft")), 404),
    }


def test_every_portal_page_has_a_strict_content_security_policy(client, portal_pages):
    for name, (url, status) in portal_pages.items():
        response = client.get(url)
        assert response.status_code == status, name
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy, name
        assert "unsafe-inline" not in policy, name
        assert "unsafe-eval" not in policy, name


def test_every_portal_page_is_chinese_with_a_skip_link_and_no_inline_style_or_script(
    client, portal_pages
):
    for name, (url, _status) in portal_pages.items():
        page = text(client.get(url))
        assert '<html lang="zh-Hans">' in page, name
        assert '<a class="skip-link" href="#main">跳到主要内容</a>' in page, name
        assert '<main id="main"' in page, name
        assert re.search(r"\sstyle\s*=", page) is None, name
        assert_only_static_scripts(page, name)
        assert re.search(r"\son[a-z]+\s*=", page) is None, name


def test_list_filter_fields_have_labels(client, db):
    page = text(client.get(list_url()))
    for name in ("organ", "topic", "genre", "year", "validity"):
        assert f'<label for="id_{name}">' in page
        assert f'id="id_{name}"' in page


def test_portal_templates_have_no_inline_style_or_script():
    files = [
        path
        for path in TEMPLATES_DIR.rglob("*.html")
        if "admin" not in path.relative_to(TEMPLATES_DIR).parts
    ]
    assert len(files) >= 10
    for path in files:
        source = path.read_text(encoding="utf-8").lower()
        assert "style=" not in source, path
        assert "<style" not in source, path
        # Scripts come from static files only (the CSP allows no inline script).
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", source, re.S)
        assert source.count("<script") == len(scripts), path
        for attributes, body in scripts:
            assert "src=" in attributes and not body.strip(), path
        assert "javascript:" not in source, path


def test_server_error_page_is_in_chinese_and_stands_alone():
    page = render_to_string("500.html")
    assert '<html lang="zh-Hans">' in page
    assert "服务暂时不可用" in page
    assert "{%" not in Path(TEMPLATES_DIR / "500.html").read_text(encoding="utf-8")


def test_not_found_page_is_in_chinese_and_links_home(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = text(response)
    assert "页面不存在" in page
    assert f'href="{reverse("notices:home")}"' in page

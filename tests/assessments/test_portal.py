"""The public assessment pages as an anonymous reader sees them: index, results, unit history."""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import charts, workflow
from assessments.models import Assessment, Finding, Indicator
from notices.models import Organ
from tests import factories
from tests.assessments import factories as af
from tests.markup import assert_only_static_scripts

HIDDEN_STATES = ["preparing", "in_review"]


def text(response) -> str:
    return response.content.decode()


def index_url() -> str:
    return reverse("assessments:assessment-index")


def detail_url(assessment: Assessment, query: str = "") -> str:
    url = reverse("assessments:assessment-detail", args=[assessment.pk])
    return f"{url}?{query}" if query else url


def unit_url(organ) -> str:
    return reverse("assessments:unit-history", args=[organ.pk])


@dataclass
class Sheet:
    assessment: Assessment
    groups: list = field(default_factory=list)
    units: list = field(default_factory=list)  # one list per group, in official order
    tops: list = field(default_factory=list)

    @property
    def all_units(self) -> list:
        return [unit for group in self.units for unit in group]


def make_sheet(
    organ, editor, *, groups=1, units=3, tops=2, points=10, organs=None, values=None, **fields
) -> Sheet:
    """A scored assessment in preparation.

    Every top-level indicator is worth `points`; the first splits into two equal leaves. The
    n-th unit of a group scores (count - n) / count of every leaf, so the official order is the
    rank order; values={unit position: fraction} overrides that, organs={group: [organ]} names
    the organs of the first units of a group.
    """
    assessment = af.make_assessment(organ, editor, **fields)
    sheet = Sheet(assessment)
    leaves = []
    for t in range(tops):
        top = af.make_indicator(assessment, f"T{t}", points, name=f"一级指标{t}", position=t)
        sheet.tops.append(top)
        if t == 0:
            leaves += [
                af.make_indicator(assessment, f"T0.{n}", Decimal(points) / 2, parent=top)
                for n in (1, 2)
            ]
        else:
            leaves.append(top)
    for g in range(groups):
        group = af.make_group(assessment, f"第{g + 1}组", position=g)
        sheet.groups.append(group)
        organs_here = (organs or {}).get(g, [])
        members = [
            af.make_unit(group, organs_here[i] if i < len(organs_here) else None, position=i)
            for i in range(units)
        ]
        sheet.units.append(members)
        scores = {}
        for i, unit in enumerate(members):
            fraction = Decimal(str((values or {}).get(i, Decimal(units - i) / units)))
            for leaf in leaves:
                scores[(unit, leaf)] = (leaf.points * fraction).quantize(Decimal("0.01"))
        af.score(assessment, editor, scores)
    return sheet


def add_findings(sheet: Sheet, *, problems=1, named=2, requirements=1, deadline=None):
    """Highlights, problems naming units, and requirements answering the problems."""
    assessment, units = sheet.assessment, sheet.all_units
    assessment.findings.create(kind=Finding.Kind.HIGHLIGHT, title="公开平台建设加快", position=1)
    found = []
    for n in range(problems):
        problem = assessment.findings.create(
            kind=Finding.Kind.PROBLEM, title=f"政策解读不到位{n}", text="解读材料少。", position=n
        )
        problem.units.set(units[:named])
        found.append(problem)
    for n in range(requirements):
        requirement = assessment.requirements.create(
            title=f"加强政策解读{n}",
            text="逐项整改。",
            position=n,
            deadline=deadline or datetime.date(2031, 6, 30),
        )
        requirement.units.set(units[:named])
        requirement.problems.set(found)
    return found


def advance(sheet_or_assessment, state: str, editor, reviewer) -> Assessment:
    assessment = getattr(sheet_or_assessment, "assessment", sheet_or_assessment)
    if state in ("in_review", "published"):
        assessment = workflow.submit(assessment, editor)
    if state == "published":
        assessment = workflow.publish(assessment, reviewer)
    return assessment


@pytest.fixture
def sheet_in(organ, editor, reviewer):
    """sheet_in("published", units=4, ...): a scored assessment in a state."""

    def make(state: str = "published", findings: bool = False, **options) -> Sheet:
        sheet = make_sheet(organ, editor, **options)
        if findings:
            add_findings(sheet)
        sheet.assessment = advance(sheet, state, editor, reviewer)
        return sheet

    return make


def table_of(page: str, table_id: str) -> str:
    found = re.search(rf'<table [^>]*id="{table_id}"[^>]*>(.*?)</table>', page, re.S)
    assert found, f"no table {table_id}"
    return found.group(1)


def row_names(page: str, table_id: str) -> list[str]:
    """The unit names of a score table's rows, in page order."""
    return [
        unescape(name)
        for name in re.findall(
            r'<th scope="row"><a href="/assessments/units/\d+/">([^<]+)</a>',
            table_of(page, table_id),
        )
    ]


def header_links(page: str, table_id: str) -> dict[str, str]:
    """Sort links of a score table's column headers: {column label: href}."""
    head = re.search(r"<thead>(.*?)</thead>", table_of(page, table_id), re.S).group(1)
    return {
        unescape(label): unescape(href)
        for href, label in re.findall(r'<a href="([^"]+)" rel="nofollow">([^<]+)<', head)
    }


def names(units) -> list[str]:
    return [unit.organ.name for unit in units]


# Who sees what


def test_published_assessment_has_a_page_and_an_index_entry(client, sheet_in):
    assessment = sheet_in("published", title="2016年度政务公开工作考核").assessment
    response = client.get(detail_url(assessment))
    assert response.status_code == 200
    assert "2016年度政务公开工作考核" in text(response)
    assert f'href="{detail_url(assessment)}"' in text(client.get(index_url()))


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_unpublished_assessment_is_404_and_not_in_the_index(client, sheet_in, state):
    assessment = sheet_in(state, title="尚未发布的考核").assessment
    response = client.get(detail_url(assessment))
    assert response.status_code == 404
    assert "尚未发布的考核" not in text(response)
    index = text(client.get(index_url()))
    assert "尚未发布的考核" not in index
    assert detail_url(assessment) not in index


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_unit_assessed_only_in_an_unpublished_assessment_has_no_page(client, sheet_in, state):
    sheet = sheet_in(state)
    for unit in sheet.all_units:
        assert client.get(unit_url(unit.organ)).status_code == 404


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_unit_page_leaves_out_the_scores_of_an_unpublished_assessment(client, sheet_in, state):
    shared = [factories.make_organ(name="示例市甲")]
    sheet_in("published", year=2016, title="2016年考核", organs={0: shared})
    hidden = sheet_in(state, year=2017, title="2017年考核", organs={0: shared})
    page = text(client.get(unit_url(shared[0])))
    assert "2016年考核" in page
    assert "2017年考核" not in page
    assert detail_url(hidden.assessment) not in page
    assert table_of(page, "history-table").count('<th scope="row">') == 1
    assert "2017年 " not in page


def test_unknown_organ_is_404(client, db):
    response = client.get(reverse("assessments:unit-history", args=[987654]))
    assert response.status_code == 404
    assert "页面不存在" in text(response)


def test_organ_never_assessed_is_404(client, sheet_in, other_organ):
    sheet_in("published")
    assert client.get(unit_url(other_organ)).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/assessments/99999999999999999999999/",
        "/assessments/9223372036854775808/",
        "/assessments/units/99999999999999999999999/",
        "/assessments/0/",
        "/assessments/units/0/",
    ],
)
def test_out_of_range_ids_are_404(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "页面不存在" in text(response)


# The index


def test_index_groups_published_assessments_by_year_newest_first(client, sheet_in):
    for year, title in [(2015, "二〇一五考核"), (2017, "二〇一七考核"), (2016, "二〇一六考核")]:
        sheet_in("published", year=year, title=title)
    sheet_in("in_review", year=2018, title="二〇一八考核")
    page = text(client.get(index_url()))
    years = re.findall(r'<h2 id="year-(\d+)">', page)
    assert years == ["2017", "2016", "2015"]
    sections = dict(
        re.findall(r'<h2 id="year-(\d+)">.*?<ul class="assessment-list">(.*?)</ul>', page, re.S)
    )
    assert "二〇一七考核" in sections["2017"]
    assert "二〇一五考核" in sections["2015"]
    assert "二〇一五考核" not in sections["2016"]
    assert "二〇一八考核" not in page


def test_index_says_when_nothing_is_published(client, sheet_in):
    sheet_in("preparing")
    assert "暂无已发布的考核结果" in text(client.get(index_url()))


def test_every_page_has_the_assessments_nav_item(client, sheet_in):
    sheet = sheet_in("published")
    for url in (reverse("notices:home"), index_url(), detail_url(sheet.assessment)):
        assert f'<a href="{index_url()}"' in text(client.get(url))
    assert f'<a href="{index_url()}" aria-current="page">考核结果</a>' in text(
        client.get(index_url())
    )


# Example data


def test_example_assessment_is_marked_on_every_page_showing_it(client, sheet_in):
    sheet = sheet_in("published", is_example=True, title="示例考核")
    real = sheet_in("published", title="真实考核")
    index = text(client.get(index_url()))
    entry = re.search(r'<li class="assessment-row">\s*<a[^>]*>示例考核</a>(.*?)</li>', index, re.S)
    assert '<span class="badge badge--example">示例数据</span>' in entry.group(1)
    real_entry = re.search(
        r'<li class="assessment-row">\s*<a[^>]*>真实考核</a>(.*?)</li>', index, re.S
    )
    assert "示例数据" not in real_entry.group(1)
    for url in (
        index_url(),
        detail_url(sheet.assessment),
        unit_url(sheet.all_units[0].organ),
        detail_url(sheet.assessment, "sort=bad"),
    ):
        assert 'class="example-banner" role="note"><strong>示例数据</strong>' in text(
            client.get(url)
        ), url
    assert "示例数据" not in text(client.get(detail_url(real.assessment)))
    assert "示例数据" not in text(client.get(unit_url(real.all_units[0].organ)))


# The assessment page


def test_assessment_page_shows_summary_basis_findings_and_requirements(
    client, organ, editor, reviewer
):
    sheet = make_sheet(
        organ,
        editor,
        units=3,
        title="政务公开考核",
        summary="全省政务公开工作取得新进展。\n各地普遍重视。",
        basis="《政务公开工作考核办法》\n\n  《2016年政务公开工作要点》  ",
    )
    (problem,) = add_findings(sheet, named=2, deadline=datetime.date(2031, 6, 30))
    assessment = advance(sheet, "published", editor, reviewer)
    page = text(client.get(detail_url(assessment)))

    assert "<p>全省政务公开工作取得新进展。<br>各地普遍重视。</p>" in page
    assert "<li>《政务公开工作考核办法》</li>" in page
    assert "<li>《2016年政务公开工作要点》</li>" in page
    assert '<h2 id="highlights-heading">主要特点</h2>' in page
    assert "（一）公开平台建设加快" in page
    problem_section = re.search(rf'id="problem-{problem.pk}"(.*?)</section>', page, re.S).group(1)
    assert "（一）政策解读不到位0" in problem_section
    for unit in sheet.units[0][:2]:
        assert f'<a href="{unit_url(unit.organ)}">{unit.organ.name}</a>' in problem_section
    assert sheet.units[0][2].organ.name not in problem_section
    requirement = re.search(r'class="requirement"(.*?)</section>', page, re.S).group(1)
    assert "（一）加强政策解读0" in requirement
    assert '<time datetime="2031-06-30">2031-06-30</time>' in requirement
    assert f'<a href="#problem-{problem.pk}">（一）政策解读不到位0</a>' in requirement
    assert sheet.units[0][0].organ.name in requirement
    assert "已完成 0 / 2" in requirement


def test_requirement_without_units_applies_to_every_unit(client, organ, editor, reviewer):
    sheet = make_sheet(organ, editor, units=3)
    sheet.assessment.requirements.create(title="普遍整改", deadline=datetime.date(2031, 1, 1))
    page = text(client.get(detail_url(advance(sheet, "published", editor, reviewer))))
    requirement = re.search(r'class="requirement"(.*?)</section>', page, re.S).group(1)
    assert "全部考核对象" in requirement
    assert "已完成 0 / 3" in requirement


def test_rectification_progress_per_unit_marks_the_overdue(client, organ, editor, reviewer):
    sheet = make_sheet(organ, editor, units=3)
    add_findings(sheet, named=2, requirements=2, deadline=datetime.date(2020, 1, 1))
    assessment = advance(sheet, "published", editor, reviewer)
    first, second, third = sheet.units[0]
    for requirement in assessment.requirements.all():
        report = workflow.report_rectification(requirement, first, editor, "done", "已整改")
        workflow.verify_rectification(report, reviewer, accepted=True)
    page = text(client.get(detail_url(assessment)))
    progress = table_of(page, "progress-table")
    rows = dict(
        re.findall(
            r'<th scope="row"><a href="/assessments/units/\d+/">([^<]+)</a></th>(.*?)</tr>',
            progress,
            re.S,
        )
    )
    assert '<td class="num">2 / 2</td>' in rows[first.organ.name]
    assert "已全部完成" in rows[first.organ.name]
    assert '<td class="num">0 / 2</td>' in rows[second.organ.name]
    assert '<span class="badge badge--warn">逾期 2 项</span>' in rows[second.organ.name]
    assert third.organ.name not in rows
    assert "逾期 1 个单位" in page


def test_score_table_has_rank_grade_and_one_column_per_top_indicator(client, sheet_in):
    sheet = sheet_in("published", units=3, points=50, values={0: 1, 1: "0.65", 2: 0.5})
    group = sheet.groups[0]
    page = text(client.get(detail_url(sheet.assessment)))
    table = table_of(page, f"scores-{group.pk}")
    assert f'<caption id="scores-{group.pk}-caption">第1组考核成绩表（共 3 个单位）' in table
    assert list(header_links(page, f"scores-{group.pk}")) == [
        "单位",
        "总分",
        "排名",
        "等次",
        "一级指标0（50分）",
        "一级指标1（50分）",
    ]
    assert table.count('<th scope="col"') == 6
    assert row_names(page, f"scores-{group.pk}") == names(sheet.units[0])
    first_row = re.search(r"<tbody>\s*<tr>(.*?)</tr>", table, re.S).group(1)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", first_row)
    assert cells == ["100", "1", "优秀", "50", "50"]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    assert re.findall(r"<td[^>]*>([^<]*)</td>", rows[2])[:3] == ["65", "2", "合格"]
    assert re.findall(r"<td[^>]*>([^<]*)</td>", rows[-1]) == ["50", "3", "不合格", "25", "25"]
    assert (
        "等次划分：优秀 90 分及以上；良好 70 分及以上；合格 60 分及以上；不合格 低于 60 分。"
        in page
    )


def test_score_table_shows_top_level_bonus_and_deduction_as_one_column(
    client, organ, editor, reviewer
):
    sheet = make_sheet(organ, editor, units=2, tops=1)
    bonus = af.make_indicator(sheet.assessment, "B", 5, kind=Indicator.Kind.BONUS)
    deduction = af.make_indicator(sheet.assessment, "D", 5, kind=Indicator.Kind.DEDUCTION)
    first, second = sheet.units[0]
    af.score(sheet.assessment, editor, {(first, bonus): 3, (second, deduction): 2})
    page = text(client.get(detail_url(advance(sheet, "published", editor, reviewer))))
    table = table_of(page, f"scores-{sheet.groups[0].pk}")
    assert "加减分" in table
    assert '<td class="num">+3</td>' in table
    assert '<td class="num">-2</td>' in table


def test_vetoed_unit_is_marked_in_the_grade_column(client, organ, editor, reviewer):
    sheet = make_sheet(organ, editor, units=2, tops=1)
    veto = af.make_indicator(sheet.assessment, "V", 0, kind=Indicator.Kind.VETO)
    af.score(sheet.assessment, editor, {(sheet.units[0][0], veto): 1})
    page = text(client.get(detail_url(advance(sheet, "published", editor, reviewer))))
    assert "不合格（单项否决）" in page


def test_assessment_has_one_table_and_one_chart_per_group(client, sheet_in):
    sheet = sheet_in("published", groups=2, units=3)
    page = text(client.get(detail_url(sheet.assessment)))
    for group, units in zip(sheet.groups, sheet.units, strict=True):
        assert row_names(page, f"scores-{group.pk}") == names(units)
        assert f'aria-labelledby="chart-{group.pk}-title chart-{group.pk}-desc"' in page
        narrow = f"chart-{group.pk}-narrow"
        assert f'aria-labelledby="{narrow}-title {narrow}-desc"' in page
    # Each drawn for a wide screen and for a phone; the stylesheet shows one.
    assert page.count('<svg class="chart chart--bars chart--wide"') == 2
    assert page.count('<svg class="chart chart--bars chart--narrow"') == 2


def test_score_tables_scroll_inside_a_labelled_region(client, sheet_in):
    sheet = sheet_in("published")
    group = sheet.groups[0]
    page = text(client.get(detail_url(sheet.assessment)))
    assert (
        f'<div class="table-scroll" role="region" aria-labelledby="scores-{group.pk}-caption"'
        ' tabindex="0">' in page
    )


# Sorting without JavaScript


def test_header_links_are_stable_sort_urls(client, sheet_in):
    sheet = sheet_in("published", units=3)
    group = sheet.groups[0]
    links = header_links(text(client.get(detail_url(sheet.assessment))), f"scores-{group.pk}")
    expected = {
        "单位": ("unit", "asc"),
        "总分": ("total", "desc"),
        "排名": ("rank", "desc"),  # the table is in rank order already: the link reverses it
        "等次": ("grade", "asc"),
        "一级指标0（10分）": ("indicator-T0", "desc"),
    }
    for label, (column, direction) in expected.items():
        url = urlparse(links[label])
        assert url.fragment == f"scores-{group.pk}"
        assert parse_qs(url.query) == {
            "sort": [column],
            "dir": [direction],
            "group": [str(group.pk)],
        }


def test_default_order_is_by_rank_and_says_so(client, sheet_in):
    sheet = sheet_in("published", units=3)
    page = text(client.get(detail_url(sheet.assessment)))
    assert re.search(r'<th scope="col" class="num" aria-sort="ascending"><a [^>]*>排名<', page)
    assert page.count("aria-sort=") == 1


def test_following_a_header_link_sorts_that_column_and_the_link_reverses_it(client, sheet_in):
    sheet = sheet_in("published", units=4, values={0: 1, 1: 0.5, 2: 0.8, 3: 0.2})
    group, units = sheet.groups[0], sheet.units[0]
    table_id = f"scores-{group.pk}"
    url = detail_url(sheet.assessment)

    ascending = client.get(url + f"?sort=total&dir=asc&group={group.pk}")
    assert ascending.status_code == 200
    assert row_names(text(ascending), table_id) == names([units[3], units[1], units[2], units[0]])
    assert re.search(r'aria-sort="ascending"><a [^>]*>总分<', text(ascending))
    reverse_link = header_links(text(ascending), table_id)["总分"]
    assert parse_qs(urlparse(reverse_link).query)["dir"] == ["desc"]

    descending = client.get(url + reverse_link)
    assert row_names(text(descending), table_id) == names([units[0], units[2], units[1], units[3]])
    assert re.search(r'aria-sort="descending"><a [^>]*>总分<', text(descending))


def test_sorting_by_unit_name_and_by_an_indicator(client, organ, editor, reviewer):
    organs = [factories.make_organ(name=name) for name in ("天水市", "兰州市", "白银市")]
    sheet = make_sheet(organ, editor, units=3, organs={0: organs}, values={0: 0.5, 1: 1, 2: 0.7})
    assessment = advance(sheet, "published", editor, reviewer)
    group = sheet.groups[0]
    page = text(client.get(detail_url(assessment, f"sort=unit&dir=asc&group={group.pk}")))
    # Pinyin order: Baiyin, Lanzhou, Tianshui.
    assert row_names(page, f"scores-{group.pk}") == ["白银市", "兰州市", "天水市"]
    page = text(client.get(detail_url(assessment, f"sort=indicator-T1&dir=desc&group={group.pk}")))
    assert row_names(page, f"scores-{group.pk}") == ["兰州市", "白银市", "天水市"]


def test_sorting_one_group_leaves_the_other_in_rank_order(client, sheet_in):
    sheet = sheet_in("published", groups=2, units=3)
    first, second = sheet.groups
    page = text(client.get(detail_url(sheet.assessment, f"sort=total&dir=asc&group={first.pk}")))
    assert row_names(page, f"scores-{first.pk}") == names(reversed(sheet.units[0]))
    assert row_names(page, f"scores-{second.pk}") == names(sheet.units[1])


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("sort=nonsense&dir=asc&group={group}", "排序列（sort）无效"),
        ("sort=total&dir=up&group={group}", "排序方向（dir）无效"),
        ("sort=total&dir=asc&group=999999", "分组（group）无效"),
        ("sort=total&dir=asc&group=abc", "分组（group）无效"),
        ("sort=total&dir=asc&group={other}", "分组（group）无效"),
        ("sort=total&dir=asc", "分组（group）无效"),
        ("sort=total&group={group}", "排序方向（dir）无效"),
        ("group={group}", "排序列（sort）无效"),
        ("sort=indicator-NOPE&dir=desc&group={group}", "排序列（sort）无效"),
    ],
)
def test_invalid_sort_parameters_are_a_clear_400(client, sheet_in, query, message):
    sheet = sheet_in("published")
    other = sheet_in("published")
    query = query.format(group=sheet.groups[0].pk, other=other.groups[0].pk)
    response = client.get(detail_url(sheet.assessment, query))
    assert response.status_code == 400
    page = text(response)
    assert "<h1>排序参数无效</h1>" in page
    assert 'role="alert"' in page
    assert message in page
    assert f'href="{detail_url(sheet.assessment)}"' in page
    assert "unsafe-inline" not in response["Content-Security-Policy"]


HOSTILE_VALUES = [
    "9" * 5000,
    "\x00",
    "1\x00",
    "' OR '1'='1",
    "99999999999999999999999999",
    "-1",
    "1e5",
    "２",
    "<script>alert(1)</script>",
    "",
]


@pytest.mark.parametrize("name", ["sort", "dir", "group"])
@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=range(len(HOSTILE_VALUES)))
def test_hostile_sort_parameters_never_fail(client, sheet_in, name, value):
    sheet = sheet_in("published")
    query = {"sort": "total", "dir": "asc", "group": sheet.groups[0].pk, name: value}
    response = client.get(detail_url(sheet.assessment), query)
    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in text(response)


@pytest.mark.parametrize("raw", ["sort=%ff%fe", "group=%00", "%00=1", "sort=total&sort=rank"])
def test_hostile_raw_query_strings_never_fail(client, sheet_in, raw):
    sheet = sheet_in("published")
    for url in (detail_url(sheet.assessment), index_url(), unit_url(sheet.all_units[0].organ)):
        assert client.get(f"{url}?{raw}").status_code in (200, 400)


def test_unrelated_query_parameters_are_ignored(client, sheet_in):
    sheet = sheet_in("published")
    assert client.get(detail_url(sheet.assessment, "utm_source=weixin")).status_code == 200


# Charts


def test_chart_has_an_accessible_name_and_points_to_its_table(client, sheet_in):
    sheet = sheet_in("published", units=3)
    group = sheet.groups[0]
    page = text(client.get(detail_url(sheet.assessment)))
    svg = re.search(r"<svg [^>]*>.*?</svg>", page, re.S).group(0)
    assert 'role="img"' in svg
    assert f'aria-labelledby="chart-{group.pk}-title chart-{group.pk}-desc"' in svg
    assert f'<title id="chart-{group.pk}-title">第1组各单位总分条形图</title>' in svg
    desc = re.search(rf'<desc id="chart-{group.pk}-desc">(.*?)</desc>', svg).group(1)
    assert "共 3 个单位" in desc
    assert f"最高 20 分（{sheet.units[0][0].organ.name}）" in desc
    assert svg.count('<rect class="chart__bar"') == 3
    assert re.search(r'viewBox="0 0 \d+ [\d.]+"', svg)
    assert "style=" not in svg
    figure = re.search(r"<figure.*?</figure>", page, re.S).group(0)
    assert "文字版本" in figure
    assert f'href="#scores-{group.pk}"' in figure
    assert f'id="scores-{group.pk}"' in page


def test_chart_bars_follow_the_totals(client, sheet_in):
    sheet = sheet_in("published", units=3, values={0: 1, 1: 0.5, 2: 0})
    svg = re.search(r"<svg [^>]*>.*?</svg>", text(client.get(detail_url(sheet.assessment))), re.S)
    widths = [
        float(w) for w in re.findall(r'class="chart__bar"[^>]* width="([\d.]+)"', svg.group(0))
    ]
    assert widths[0] > widths[1] > widths[2] == 0


def test_bar_geometry_longest_bar_is_the_highest_total():
    chart = charts.bar_chart(
        [("甲", Decimal("72.5")), ("乙", Decimal("96")), ("丙", Decimal("88.25"))]
    )
    longest = max(chart.bars, key=lambda bar: bar.width)
    assert longest.label == "乙"
    assert longest.value_label == "96"
    assert all(bar.x == chart.plot_x for bar in chart.bars)
    assert all(bar.x + bar.width <= chart.plot_right for bar in chart.bars)
    assert [bar.y for bar in chart.bars] == sorted(bar.y for bar in chart.bars)
    assert all(bar.height > 0 for bar in chart.bars)


def test_bar_geometry_is_proportional_to_the_totals_from_zero():
    chart = charts.bar_chart([("甲", 100), ("乙", 50), ("丙", 25)], scale_max=100)
    full = chart.plot_right - chart.plot_x
    assert [bar.width for bar in chart.bars] == [full, full / 2, full / 4]
    assert chart.ticks[0].label == "0"
    assert chart.ticks[-1].label == "100"
    assert chart.ticks[-1].position == chart.plot_right


def test_bar_geometry_zero_total_has_zero_length():
    chart = charts.bar_chart([("甲", Decimal(80)), ("乙", Decimal(0))])
    assert chart.bars[1].width == 0
    assert chart.bars[1].value_label == "0"


def test_bar_geometry_negative_total_clamps_at_zero_but_keeps_its_label():
    chart = charts.bar_chart([("甲", Decimal(60)), ("乙", Decimal("-4.5"))])
    assert chart.bars[1].width == 0
    assert chart.bars[1].value_label == "-4.5"
    assert chart.bars[0].width > 0


def test_bar_geometry_without_bars_or_with_only_zeros_does_not_divide_by_zero():
    assert charts.bar_chart([]).bars == []
    chart = charts.bar_chart([("甲", 0), ("乙", Decimal(-3))])
    assert [bar.width for bar in chart.bars] == [0, 0]


def test_bar_geometry_scale_fits_a_total_above_full_marks():
    chart = charts.bar_chart([("甲", Decimal(103)), ("乙", Decimal(90))], scale_max=100)
    assert chart.scale_max >= 103
    assert chart.bars[0].x + chart.bars[0].width <= chart.plot_right


def test_narrow_bar_geometry_leaves_room_for_every_value_and_puts_names_above_bars():
    items = [(f"示例{n}市人民政府", Decimal(value)) for n, value in enumerate([96, 91.5, 85, 72])]
    chart = charts.bar_chart(items, scale_max=100, narrow=True)
    assert chart.width == charts.NARROW_WIDTH
    widths = [bar.width for bar in chart.bars]
    assert widths == sorted(widths, reverse=True) and len(set(widths)) == len(widths)
    for bar in chart.bars:
        assert bar.value_x + 4 * 9 <= chart.width  # "91.5" at 14px fits after the bar
        assert bar.label_y < bar.y  # the name above its bar
        assert bar.label == bar.full_label  # long enough for a unit's name
    assert [bar.value_label for bar in chart.bars] == ["96", "91.5", "85", "72"]


def test_bar_labels_are_shortened_but_keep_the_full_name():
    long_name = "甘肃省人民政府办公厅政务公开办公室"
    (bar,) = charts.bar_chart([(long_name, 90)]).bars
    assert bar.full_label == long_name
    assert bar.label.endswith("…")
    assert len(bar.label) <= charts.BAR_LABEL_CHARS


def test_trend_geometry_higher_total_is_higher_on_the_chart():
    chart = charts.trend_chart([("2016年", Decimal(70)), ("2017年", Decimal(90)), ("2018年", 0)])
    first, second, third = chart.points
    assert first.x < second.x < third.x
    assert second.y < first.y  # SVG y grows downwards
    assert third.y == chart.baseline_y
    assert len(chart.polyline.split()) == 3


def test_trend_geometry_negative_total_clamps_at_the_baseline():
    chart = charts.trend_chart([("2016年", Decimal(-5))])
    assert chart.points[0].y == chart.baseline_y
    assert chart.points[0].value_label == "-5"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("85.50"), "85.5"),
        (Decimal("100.00"), "100"),
        (Decimal("-0.00"), "0"),
        (Decimal("1E+2"), "100"),
        (3, "3"),
        (2.5, "2.5"),
        (None, "—"),
    ],
)
def test_points_are_shown_without_trailing_zeros(value, shown):
    assert charts.format_points(value) == shown


# The unit page


def test_unit_page_shows_totals_ranks_and_grades_across_years(client, sheet_in):
    shared = [factories.make_organ(name="示例市乙")]
    common = {"organs": {0: shared}, "points": 50}
    sheet_in("published", year=2016, title="2016年考核", units=3, values={0: 0.2}, **common)
    sheet_in("published", year=2017, title="2017年考核", units=4, values={0: 1}, **common)
    response = client.get(unit_url(shared[0]))
    assert response.status_code == 200
    page = text(response)
    assert "<h1>示例市乙 · 历年考核结果</h1>" in page
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(\d+)年</th>(.*?)</tr>", page, re.S)
    assert [year for year, _ in rows] == ["2016", "2017"]
    cells_2016 = re.findall(r"<td[^>]*>(.*?)</td>", rows[0][1], re.S)
    assert "2016年考核" in cells_2016[0]
    assert cells_2016[2:] == ["20", "第 3 名 / 共 3 个", "不合格"]
    cells_2017 = re.findall(r"<td[^>]*>(.*?)</td>", rows[1][1], re.S)
    assert cells_2017[2:] == ["100", "第 1 名 / 共 4 个", "优秀"]


def test_unit_page_has_a_trend_chart_with_the_table_as_its_text(client, sheet_in):
    shared = [factories.make_organ(name="示例市丙")]
    for year in (2016, 2017):
        sheet_in("published", year=year, organs={0: shared})
    page = text(client.get(unit_url(shared[0])))
    svg = re.search(r"<svg [^>]*>.*?</svg>", page, re.S).group(0)
    assert 'role="img" aria-labelledby="trend-title trend-desc"' in svg
    assert '<title id="trend-title">示例市丙历年考核总分折线图</title>' in svg
    desc = re.search(r'<desc id="trend-desc">(.*?)</desc>', svg).group(1)
    assert desc == "2016年 20 分（第 1 名，共 3 个）；2017年 20 分（第 1 名，共 3 个）。"
    assert svg.count("<circle") == 2
    assert "<polyline" in svg
    assert "style=" not in svg
    assert 'href="#history-table"' in page
    assert '<caption id="history-caption">示例市丙历年考核结果</caption>' in page


def test_score_table_links_units_to_their_pages(client, sheet_in):
    sheet = sheet_in("published")
    page = text(client.get(detail_url(sheet.assessment)))
    for unit in sheet.all_units:
        assert f'<a href="{unit_url(unit.organ)}">{unit.organ.name}</a>' in page
        assert client.get(unit_url(unit.organ)).status_code == 200


# Notice ↔ assessment


def test_notice_and_published_assessment_link_to_each_other(client, notice_in, sheet_in):
    notice = notice_in("published", title="关于2016年政务公开工作考核情况的通报")
    assessment = sheet_in("published", notice=notice).assessment
    notice_page = text(client.get(notice.get_absolute_url()))
    assert f'<a href="{detail_url(assessment)}">查看考核结果</a>' in notice_page
    page = text(client.get(detail_url(assessment)))
    assert f'href="{notice.get_absolute_url()}">关于2016年政务公开工作考核情况的通报</a>' in page


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_notice_of_an_unpublished_assessment_has_no_results_link(
    client, notice_in, sheet_in, state
):
    notice = notice_in("published")
    assessment = sheet_in(state, notice=notice).assessment
    page = text(client.get(notice.get_absolute_url()))
    assert "查看考核结果" not in page
    assert detail_url(assessment) not in page


@pytest.mark.parametrize("state", ["draft", "in_review", "scheduled", "withheld"])
def test_assessment_does_not_link_to_a_notice_the_public_cannot_read(
    client, notice_in, sheet_in, state
):
    if state == "withheld":
        notice = notice_in("published", disclosure="withheld", withheld_reason="涉密")
    else:
        notice = notice_in(state, title="尚未公开的通报")
    page = text(client.get(detail_url(sheet_in("published", notice=notice).assessment)))
    assert notice.get_absolute_url() not in page
    assert notice.title not in page
    assert "发布通报" not in page


def test_notice_page_link_to_the_assessment_costs_no_query(
    client, notice_in, sheet_in, django_assert_max_num_queries
):
    plain = notice_in("published")
    announced = notice_in("published")
    sheet_in("published", notice=announced)
    with CaptureQueriesContext(connection) as baseline:
        client.get(plain.get_absolute_url())
    with django_assert_max_num_queries(len(baseline)):
        assert "查看考核结果" in text(client.get(announced.get_absolute_url()))


# Queries do not grow with the data


def reported(sheet: Sheet, editor, reviewer, count: int) -> None:
    for requirement in sheet.assessment.requirements.all()[:count]:
        for unit in requirement.units.all()[:count]:
            report = workflow.report_rectification(requirement, unit, editor, "done", "已整改")
            workflow.verify_rectification(report, reviewer, accepted=True)


def test_assessment_page_takes_the_same_queries_for_a_large_assessment(
    client, organ, editor, reviewer, notice_in, django_assert_max_num_queries
):
    small = make_sheet(organ, editor, units=2, tops=1, notice=notice_in("published"))
    add_findings(small, problems=1, named=1, requirements=1)
    advance(small, "published", editor, reviewer)
    reported(small, editor, reviewer, 1)

    large = make_sheet(organ, editor, groups=3, units=30, tops=15, notice=notice_in("published"))
    add_findings(large, problems=5, named=20, requirements=6, deadline=datetime.date(2020, 1, 1))
    advance(large, "published", editor, reviewer)
    reported(large, editor, reviewer, 4)

    with CaptureQueriesContext(connection) as baseline:
        assert client.get(detail_url(small.assessment)).status_code == 200
    assert len(baseline) <= 20
    with django_assert_max_num_queries(len(baseline)):
        response = client.get(detail_url(large.assessment))
    assert response.status_code == 200
    page = text(response)
    assert sum(len(row_names(page, f"scores-{g.pk}")) for g in large.groups) == 90
    assert page.count('<rect class="chart__bar"') == 2 * 90  # wide and narrow
    query = f"sort=indicator-T7&dir=asc&group={large.groups[1].pk}"
    with django_assert_max_num_queries(len(baseline)):
        assert client.get(detail_url(large.assessment, query)).status_code == 200


def test_unit_page_takes_the_same_queries_for_many_years(
    client, sheet_in, django_assert_max_num_queries
):
    one = [factories.make_organ()]
    sheet_in("published", year=2016, organs={0: one})
    many = [factories.make_organ()]
    for year in range(2016, 2021):
        sheet_in("published", year=year, groups=2, units=12, tops=5, organs={1: many})

    with CaptureQueriesContext(connection) as baseline:
        assert client.get(unit_url(one[0])).status_code == 200
    with django_assert_max_num_queries(len(baseline)):
        page = text(client.get(unit_url(many[0])))
    assert page.count("<circle") == 5


def test_index_takes_one_query_for_its_list(client, sheet_in, django_assert_max_num_queries):
    for year in (2016, 2017, 2018):
        sheet_in("published", year=year)
    # And one for the footer's site identity, read each time in tests (kept with the shared
    # lists in production: portal/identity.py).
    with django_assert_max_num_queries(2):
        assert client.get(index_url()).status_code == 200


# Security headers and markup of every assessment page


@pytest.fixture
def assessment_pages(sheet_in, notice_in):
    notice = notice_in("published")
    sheet = sheet_in("published", findings=True, is_example=True, notice=notice)
    hidden = sheet_in("in_review")
    group = sheet.groups[0]
    return {
        "index": (index_url(), 200),
        "detail": (detail_url(sheet.assessment), 200),
        "sorted": (detail_url(sheet.assessment, f"sort=total&dir=asc&group={group.pk}"), 200),
        "bad sort": (detail_url(sheet.assessment, "sort=x&dir=asc"), 400),
        "unit": (unit_url(sheet.all_units[0].organ), 200),
        "notice": (notice.get_absolute_url(), 200),
        "unpublished": (detail_url(hidden.assessment), 404),
        "unpublished unit": (unit_url(hidden.all_units[0].organ), 404),
    }


def test_every_assessment_page_has_a_strict_content_security_policy(client, assessment_pages):
    for name, (url, status) in assessment_pages.items():
        response = client.get(url)
        assert response.status_code == status, name
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy, name
        assert "style-src 'self'" in policy, name
        assert "unsafe-inline" not in policy, name
        assert "unsafe-eval" not in policy, name


def test_every_assessment_page_has_no_inline_style_or_script(client, assessment_pages):
    for name, (url, _status) in assessment_pages.items():
        page = text(client.get(url))
        assert '<html lang="zh-Hans">' in page, name
        assert '<a class="skip-link" href="#main">跳到主要内容</a>' in page, name
        assert re.search(r"\sstyle\s*=", page) is None, name
        assert "<style" not in page.lower(), name
        assert_only_static_scripts(page, name)
        assert re.search(r"\son[a-z]+\s*=", page) is None, name


def test_every_table_on_the_assessment_pages_has_a_caption_and_scoped_headers(
    client, assessment_pages
):
    for name in ("detail", "unit"):
        page = text(client.get(assessment_pages[name][0]))
        tables = re.findall(r"<table .*?</table>", page, re.S)
        assert tables, name
        for table in tables:
            assert "<caption" in table, name
            assert re.search(r"<th(?=[\s>])(?! scope=)", table) is None, name


def test_sitemap_lists_published_assessments_only(client, organ, editor, reviewer):
    from assessments import workflow
    from tests.assessments import factories as af_

    published = af_.make_assessment(organ, editor, title="已发布的考核")
    af_.make_unit(af_.make_group(published))
    workflow.submit(published, editor)
    workflow.publish(published, reviewer)
    hidden = af_.make_assessment(organ, editor, title="准备中的考核")
    sitemap = client.get("/sitemap-assessments.xml").content.decode()
    assert published.get_absolute_url() in sitemap
    assert hidden.get_absolute_url() not in sitemap
    assert "/assessments/" in client.get("/sitemap-pages.xml").content.decode()


def test_unit_names_are_escaped_in_the_score_table_chart_and_progress(client, sheet_in):
    sheet = sheet_in("published", findings=True)
    unit = sheet.all_units[0]
    Organ.objects.filter(pk=unit.organ_id).update(name='<b>"甲"&乙</b>')
    page = client.get(detail_url(sheet.assessment)).content.decode()

    assert '<b>"甲"' not in page
    escaped = "&lt;b&gt;&quot;甲&quot;&amp;乙&lt;/b&gt;"
    scores = re.search(r'<table class="data-table score-table".*?</table>', page, re.S).group(0)
    progress = re.search(r'<table class="data-table progress-table".*?</table>', page, re.S)
    chart = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    assert escaped in scores and escaped in progress.group(0)
    assert "&lt;b&gt;&quot;甲&quot;&amp;乙" in chart  # the short label

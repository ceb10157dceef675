"""The demo assessments: the seed's 2016 assessment as published, and a fictional scored one."""

import io
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from assessments import demo_loader, results, statistics
from assessments.models import (
    AssessedUnit,
    Assessment,
    Finding,
    GradeBand,
    Indicator,
    RectificationReport,
    Requirement,
    Score,
    StatisticReport,
    StatisticValue,
    UnitGroup,
)
from audit.models import AuditEvent
from notices.models import Notice, Organ
from tests.assessments.factories import SEED_STATISTICS

SEED_NOTICE = "甘肃省人民政府办公厅关于2016年政务公开工作考核情况的通报"
HIGHLIGHTS = [
    "公开渠道更加畅通",
    "考核监督更加有力",
    "公开实效更加显著",
    "政策解读更加精准",
    "舆情回应更加全面",
    "依申请公开办理更加规范",
]
PROBLEMS = [
    "个别单位重视程度不够",
    "政策公开还需加大力度",
    "依申请公开仍不够规范",
    "回应关切尚存短板",
    "监督保障机制仍需加强",
]
REQUIREMENTS = [
    "加强公开专栏建设",
    "加强依申请公开工作",
    "加强政策解读、舆情回应工作",
    "加强第三方评估工作",
]
SEED_FIGURES = SEED_STATISTICS
COUNTED = [
    Organ,
    Assessment,
    GradeBand,
    UnitGroup,
    AssessedUnit,
    Indicator,
    Score,
    Finding,
    Requirement,
    RectificationReport,
    StatisticReport,
    StatisticValue,
]


@pytest.fixture
def demo(db):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def seed(demo):
    return Assessment.objects.get(organ__code="000014349", year=2016)


@pytest.fixture
def example(demo):
    return Assessment.objects.get(is_example=True)


def snapshot():
    counts = {model.__name__: model.objects.count() for model in COUNTED}
    rows = list(
        Assessment.objects.order_by("pk").values_list("pk", "status", "published_at", "updated_at")
    )
    return counts, rows


def test_loading_again_changes_nothing(demo):
    before = snapshot()
    call_command("load_demo", stdout=io.StringIO())
    assert snapshot() == before
    assert before[0]["Assessment"] == 2


def test_loading_the_assessments_again_records_no_history(demo):
    before = AuditEvent.objects.count()
    demo_loader.load()
    assert AuditEvent.objects.count() == before


def test_the_command_lists_the_assessments(demo):
    assert "考核结果（2 项）" in demo
    assert "2016年政务公开工作考核" in demo and "2025年政务公开工作考核（示例） · 示例数据" in demo


def test_seed_assessment_is_published_with_its_notice(seed):
    notice = Notice.objects.get(title=SEED_NOTICE)
    assert seed.organ.name == "甘肃省人民政府办公厅"
    assert seed.title == "2016年政务公开工作考核" and not seed.is_example
    assert seed.notice == notice
    assert seed.is_published and seed.published_at == notice.published_at
    assert seed.last_edited_by.username == "editor"
    assert seed.basis.splitlines() == [
        "《甘肃省政府信息公开考核办法（试行）》（甘政办发〔2015〕156号）",
        "《甘肃省2016年政务公开工作要点》（甘政办发〔2016〕70号）",
    ]
    assert seed.summary.startswith("2016年，各地各有关部门把政务公开")
    assert "未随正文公布" in seed.summary


def test_seed_assessment_has_groups_but_no_units_or_scores(seed):
    assert [group.name for group in seed.groups.all()] == ["市州人民政府", "省政府有关部门"]
    assert not seed.units.exists()
    assert not seed.indicators.exists()
    assert not Score.objects.filter(unit__assessment=seed).exists()
    assert all(not group.rows for group in results.group_results([seed])[seed.pk])


def test_seed_findings_and_requirements_follow_the_reviewed_text(seed):
    body = seed.notice.body
    for kind, titles in ((Finding.Kind.HIGHLIGHT, HIGHLIGHTS), (Finding.Kind.PROBLEM, PROBLEMS)):
        findings = list(seed.findings.filter(kind=kind))
        assert [(f.position, f.title) for f in findings] == list(enumerate(titles, start=1))
        for finding in findings:
            assert f"<p>{finding.text}</p>" in body
            assert not finding.units.exists()
    requirements = list(seed.requirements.all())
    assert [(r.position, r.title) for r in requirements] == list(enumerate(REQUIREMENTS, start=1))
    for requirement in requirements:
        assert f"<p>{requirement.text}</p>" in body
        assert requirement.deadline is None and not requirement.units.exists()


def test_seed_statistics_have_the_exact_figures_and_add_up(seed):
    (report,) = seed.statistics.all()
    assert report.unit is None
    assert report.schema.name == "政府信息公开统计（2019年以前）"
    figures = dict(report.values.values_list("item__code", "value"))
    assert figures == SEED_FIGURES
    assert statistics.failures([report]) == {report.pk: []}
    # and by hand, as the notice's text gives them
    channels = [k for k in figures if k.startswith("proactive_") and k != "proactive_total"]
    assert sum(figures[k] for k in channels) == figures["proactive_total"] == 1563668
    ways = [k for k in figures if k.startswith("requests_") and k != "requests_total"]
    outcomes = [k for k in figures if k.startswith("outcome_")]
    assert sum(figures[k] for k in ways) == sum(figures[k] for k in outcomes) == 2071


def test_example_is_marked_and_uses_fictional_units_only(example):
    assert example.is_published and example.notice is None
    assert example.title == "2025年政务公开工作考核（示例）"
    assert "虚构" in example.summary
    groups = {
        group.name: [unit.organ for unit in group.units.select_related("organ")]
        for group in example.groups.all()
    }
    assert list(groups) == ["市州人民政府", "省政府有关部门"]
    assert len(groups["市州人民政府"]) == 8 and len(groups["省政府有关部门"]) == 6
    assert {organ.kind for organ in groups["市州人民政府"]} == {Organ.Kind.GOVERNMENT}
    assert {organ.kind for organ in groups["省政府有关部门"]} == {Organ.Kind.DEPARTMENT}
    for organ in groups["市州人民政府"] + groups["省政府有关部门"]:
        assert organ.code.startswith("X") and organ.name.startswith("示例")
        assert not organ.notices.exists()


def test_example_indicator_tree_adds_up_to_100(example):
    indicators = list(example.indicators.all())
    tops = [i for i in indicators if i.parent_id is None]
    normal = [i for i in tops if i.kind == Indicator.Kind.NORMAL]
    assert sum(i.points for i in normal) == 100
    for top in normal:
        children = [i for i in indicators if i.parent_id == top.pk]
        assert 2 <= len(children) <= 4
        assert sum(child.points for child in children) == top.points
    special = {i.kind: i.points for i in tops if i.kind != Indicator.Kind.NORMAL}
    assert special[Indicator.Kind.BONUS] <= 5
    assert special[Indicator.Kind.DEDUCTION] <= 10
    assert special[Indicator.Kind.VETO] == 0


def test_example_every_unit_is_fully_scored_with_varied_results(example):
    parents = set(example.indicators.values_list("parent_id", flat=True))
    leaves = example.indicators.exclude(pk__in=parents).count()
    for unit in example.units.all():
        assert unit.scores.count() == leaves
    rows = [row for group in results.group_results([example])[example.pk] for row in group.rows]
    assert len(rows) == 14 and all(row.complete for row in rows)
    grades = Counter(row.grade for row in rows)
    assert len(grades) >= 3
    # the summary states the distribution the scores produce
    stated = "优秀{优秀}个、良好{良好}个、合格{合格}个、不合格{不合格}个".format(**grades)
    assert stated in example.summary
    assert any(row.bonus > 0 for row in rows)
    assert any(row.deduction > 0 for row in rows)
    (vetoed,) = [row for row in rows if row.vetoed]
    assert vetoed.total >= 60 and vetoed.grade == "不合格"


def test_example_has_a_tie_within_a_group(example):
    for group in results.group_results([example])[example.pk]:
        ranks = Counter(row.rank for row in group.rows)
        if any(count > 1 for count in ranks.values()):
            tied = [row for row in group.rows if ranks[row.rank] > 1]
            assert len({row.total for row in tied}) == 1
            return
    pytest.fail("no tie in any group")


def test_example_findings_name_units(example):
    highlights = example.findings.filter(kind=Finding.Kind.HIGHLIGHT)
    problems = example.findings.filter(kind=Finding.Kind.PROBLEM)
    assert highlights.count() == 3 and problems.count() == 3
    for problem in problems:
        assert problem.units.exists()
        for unit in problem.units.select_related("organ"):
            assert unit.organ.short_name in problem.text


def test_example_rectification_covers_every_status(example):
    today = timezone.localdate()
    deadlines = [r.deadline for r in example.requirements.all()]
    assert sum(d < today for d in deadlines) == 1 and sum(d > today for d in deadlines) == 2
    assert all(r.units.exists() for r in example.requirements.all())

    progress = results.rectification_progress(example)
    statuses = Counter(item.status for item in progress)
    assert {"done", "overdue", "in_progress", "not_started"} <= set(statuses)
    assert any(item.status_label == "整改中（待核验）" for item in progress)

    reports = RectificationReport.objects.filter(requirement__assessment=example)
    verification = Counter(reports.values_list("verification", flat=True))
    assert verification.keys() == {"accepted", "returned", "pending"}
    users = get_user_model().objects
    editor, reviewer = users.get(username="editor"), users.get(username="reviewer")
    assert set(reports.values_list("submitted_by", flat=True)) == {editor.pk}
    verified = reports.exclude(verification="pending")
    assert set(verified.values_list("verified_by", flat=True)) == {reviewer.pk}
    assert example.last_edited_by == editor


def test_example_statistics_show_one_unit_that_does_not_add_up(example):
    reports = list(example.statistics.select_related("unit__organ"))
    assert len(reports) == 3
    assert [r.unit is None for r in reports].count(True) == 1
    found = statistics.failures(reports)
    failing = [r for r in reports if found[r.pk]]
    assert [r.unit.organ.code for r in failing] == ["X00000101"]
    (failure,) = found[failing[0].pk]
    assert (failure.left, failure.right) == (3120, 3130)


def test_the_seed_notice_links_to_its_assessment_naming_the_year_once(client, seed):
    page = client.get(seed.notice.get_absolute_url()).content.decode()
    assert f'href="{seed.get_absolute_url()}"' in page
    assert "（2016年政务公开工作考核）" in page
    assert "2016年2016年" not in page
    assert str(seed) == "2016年政务公开工作考核"


def test_the_seed_assessment_page_says_the_notice_published_no_unit_scores(client, seed):
    page = client.get(seed.get_absolute_url()).content.decode()
    assert f"《{SEED_NOTICE}》没有公布各单位的考核得分和排名" in page
    assert "考核范围：市州人民政府、省政府有关部门" in page
    for empty in ("该分组暂无考核对象", "已完成 0 / 0", "暂无成绩", "2016年2016年"):
        assert empty not in page, empty


def test_the_seed_assessment_page_names_the_units_as_the_notice_does(client, seed):
    page = client.get(seed.get_absolute_url()).content.decode()
    for title in PROBLEMS + REQUIREMENTS:
        assert title in page
    # 四、整改要求: “针对以上问题，各地、各部门要积极开展‘回头看’……”
    assert page.count("<dt>责任单位</dt><dd>各地、各部门</dd>") == len(REQUIREMENTS)
    assert "全部考核对象" not in page
    # 三、主要问题 names no unit, only 有的部门、个别市州 …
    assert "<strong>涉及单位：</strong>有的地方和部门" in page
    assert seed.findings.filter(kind=Finding.Kind.PROBLEM).exclude(named_units="").count() == 5


def test_a_scored_assessment_page_still_shows_its_score_tables(client, example):
    page = client.get(example.get_absolute_url()).content.decode()
    assert "没有公布各单位的考核得分" not in page
    assert "考核成绩表" in page and "整改进度" in page

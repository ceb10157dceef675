"""The assessment admin, role by role: scoping, workflow buttons, the score grid, statistics
warnings and rectification reports."""

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from assessments import workflow
from assessments.models import (
    Assessment,
    Indicator,
    RectificationReport,
    Score,
    StatisticItem,
    StatisticReport,
    StatisticSchema,
    StatisticValue,
)
from tests import factories
from tests.assessments import factories as af
from tests.notices.test_concurrency import run_together

CHANGELIST = reverse("admin:assessments_assessment_changelist")
PRE_2019 = "政府信息公开统计（2019年以前）"


def url(name: str, *args) -> str:
    return reverse(f"admin:assessments_{name}", args=args)


@pytest.fixture
def sheet(organ, editor):
    """One group of two units scored on two leaves of a small tree."""
    assessment = af.make_assessment(organ, editor, title="本机构考核")
    group = af.make_group(assessment, "市州人民政府")
    lanzhou = af.make_unit(group, factories.make_organ(name="兰州市人民政府"), 0)
    tianshui = af.make_unit(group, factories.make_organ(name="天水市人民政府"), 1)
    platform = af.make_indicator(assessment, "A1", 60)
    site = af.make_indicator(assessment, "A1.1", 40, parent=platform)
    column = af.make_indicator(assessment, "A1.2", 20, parent=platform)
    return {
        "assessment": assessment,
        "group": group,
        "units": (lanzhou, tianshui),
        "leaves": (site, column),
    }


def cell(unit, indicator) -> str:
    return f"score-{unit.pk}-{indicator.pk}"


def values_of(assessment) -> dict:
    return {
        (score.unit_id, score.indicator_id): score.value
        for score in Score.objects.filter(unit__assessment=assessment)
    }


# Scoping: who opens which page.

PAGES = ["change", "scores", "import", "export"]
EXPECTED = {
    "editor": {"change": 200, "scores": 200, "import": 200, "export": 200},
    "other_editor": {"change": 302, "scores": 404, "import": 404, "export": 404},
    "reviewer": {"change": 200, "scores": 200, "import": 403, "export": 200},
    "auditor": {"change": 200, "scores": 200, "import": 403, "export": 200},
    "site_admin": {"change": 200, "scores": 200, "import": 200, "export": 200},
}


def page_url(page: str, sheet) -> str:
    assessment = sheet["assessment"]
    if page == "export":
        return url("assessment_export", assessment.pk, sheet["group"].pk, "xlsx")
    return url(f"assessment_{page}", assessment.pk)


@pytest.mark.parametrize("who", list(EXPECTED))
@pytest.mark.parametrize("page", PAGES)
def test_each_role_reaches_exactly_the_pages_it_may(client, request, sheet, who, page):
    client.force_login(request.getfixturevalue(who))
    response = client.get(page_url(page, sheet))
    assert response.status_code == EXPECTED[who][page]


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_login(client, sheet, page):
    response = client.get(page_url(page, sheet))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


@pytest.mark.parametrize(
    ("who", "sees_mine", "sees_theirs"),
    [
        ("editor", True, False),
        ("other_editor", False, True),
        ("reviewer", True, False),
        ("auditor", True, True),
        ("site_admin", True, True),
    ],
)
def test_changelist_shows_only_the_organs_a_role_may_see(
    client, request, sheet, other_organ, other_editor, who, sees_mine, sees_theirs
):
    af.make_assessment(other_organ, other_editor, title="他机构考核")
    client.force_login(request.getfixturevalue(who))
    content = client.get(CHANGELIST).content.decode()
    assert ("本机构考核" in content) is sees_mine
    assert ("他机构考核" in content) is sees_theirs


def test_child_lists_are_scoped_to_the_assessments_organ(client, sheet, editor, other_editor):
    af.score(sheet["assessment"], editor, {(sheet["units"][0], sheet["leaves"][0]): 30})
    for name in ("indicator", "score"):
        client.force_login(editor)
        assert "A1.1" in client.get(url(f"{name}_changelist")).content.decode()
        client.force_login(other_editor)
        assert "A1.1" not in client.get(url(f"{name}_changelist")).content.decode()


def test_export_sends_a_named_attachment(client, editor, sheet):
    client.force_login(editor)
    assessment, group = sheet["assessment"], sheet["group"]
    response = client.get(url("assessment_export", assessment.pk, group.pk, "csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert client.get(url("assessment_export", assessment.pk, group.pk, "pdf")).status_code == 404


# Changing the assessment itself.


def change_data(assessment, **overrides) -> dict:
    data = {
        "organ": assessment.organ_id,
        "year": assessment.year,
        "title": assessment.title,
        "notice": "",
        "basis": assessment.basis,
        "summary": assessment.summary,
    }
    for prefix in ("grade_bands", "groups", "units", "findings", "requirements"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(overrides)
    return data


def test_editor_creates_an_assessment_with_the_usual_grade_bands(client, organ, editor):
    client.force_login(editor)
    data = {"organ": organ.pk, "year": 2017, "title": "新考核", "basis": "", "summary": ""}
    response = client.post(url("assessment_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    created = Assessment.objects.get(title="新考核")
    assert created.last_edited_by == editor
    assert list(created.grade_bands.values_list("name", flat=True)) == [
        "优秀",
        "良好",
        "合格",
        "不合格",
    ]


def test_editor_cannot_create_an_assessment_for_another_organ(client, editor, other_organ):
    client.force_login(editor)
    data = {"organ": other_organ.pk, "year": 2017, "title": "越权考核", "basis": "", "summary": ""}
    response = client.post(url("assessment_add"), data)
    assert response.status_code == 200
    assert not Assessment.objects.filter(title="越权考核").exists()


def test_editor_changes_a_prepared_assessment_and_adds_a_unit(client, editor, sheet):
    assessment = sheet["assessment"]
    new_organ = factories.make_organ(name="白银市人民政府")
    client.force_login(editor)
    data = change_data(
        assessment,
        summary="总体情况良好",
        **{
            "units-TOTAL_FORMS": "1",
            "units-0-group": sheet["group"].pk,
            "units-0-position": "3",
            "units-0-organ": new_organ.pk,
        },
    )
    response = client.post(url("assessment_change", assessment.pk), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assessment.refresh_from_db()
    assert assessment.summary == "总体情况良好"
    assert assessment.units.filter(organ=new_organ).exists()


@pytest.mark.parametrize("who", ["reviewer", "auditor"])
def test_readers_see_the_assessment_and_change_nothing(client, request, sheet, who):
    assessment = sheet["assessment"]
    client.force_login(request.getfixturevalue(who))
    page = client.get(url("assessment_change", assessment.pk)).content.decode()
    assert 'name="_save"' not in page
    assert "查看成绩表" in page and "导入成绩表" not in page
    response = client.post(url("assessment_change", assessment.pk), change_data(assessment))
    assert response.status_code == 403
    response = client.post(url("assessment_delete", assessment.pk), {"post": "yes"})
    assert response.status_code == 403
    assert Assessment.objects.filter(pk=assessment.pk).exists()


def test_nothing_changes_once_the_assessment_is_submitted(client, editor, sheet):
    assessment, (site, _) = sheet["assessment"], sheet["leaves"]
    workflow.submit(assessment, editor)
    client.force_login(editor)
    response = client.post(url("assessment_change", assessment.pk), change_data(assessment))
    assert response.status_code == 403
    data = {"parent": "", "code": "A1.1", "name": "改名", "kind": "normal", "points": "40"}
    assert client.post(url("indicator_change", site.pk), data).status_code == 403
    assert Indicator.objects.get(pk=site.pk).name != "改名"


def test_a_prepared_assessment_is_deleted_with_its_scores(client, editor, sheet):
    assessment, (lanzhou, _), (site, _) = sheet["assessment"], sheet["units"], sheet["leaves"]
    af.score(assessment, editor, {(lanzhou, site): 30})
    client.force_login(editor)
    response = client.post(url("assessment_delete", assessment.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Assessment.objects.filter(pk=assessment.pk).exists()


def test_editing_an_indicator_marks_the_editor(client, editor, second_editor, sheet):
    assessment, (site, _) = sheet["assessment"], sheet["leaves"]
    client.force_login(second_editor)
    data = {
        "parent": site.parent_id,
        "code": "A1.1",
        "name": "政府网站建设",
        "kind": "normal",
        "points": "40",
        "group": "",
        "notes": "",
        "position": "0",
    }
    response = client.post(url("indicator_change", site.pk), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Indicator.objects.get(pk=site.pk).name == "政府网站建设"
    assessment.refresh_from_db()
    assert assessment.last_edited_by == second_editor


def test_scores_are_read_only_in_their_own_list(client, editor, sheet):
    af.score(sheet["assessment"], editor, {(sheet["units"][0], sheet["leaves"][0]): 30})
    score = Score.objects.get()
    client.force_login(editor)
    page = client.get(url("score_change", score.pk)).content.decode()
    assert 'name="_save"' not in page
    assert client.get(url("score_add")).status_code == 403
    assert client.post(url("score_change", score.pk), {"value": "1"}).status_code == 403


# Workflow buttons.


def transition(client, assessment, name: str, comment: str = ""):
    return client.post(
        url("assessment_workflow", assessment.pk),
        {"transition": name, "comment": comment},
        follow=True,
    )


def test_editor_submits_and_another_reviewer_publishes(client, editor, reviewer, sheet):
    assessment = sheet["assessment"]
    client.force_login(editor)
    assert 'value="submit"' in client.get(url("assessment_change", assessment.pk)).content.decode()
    transition(client, assessment, "submit")
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.IN_REVIEW

    client.force_login(reviewer)
    page = client.get(url("assessment_change", assessment.pk)).content.decode()
    assert 'value="publish"' in page and 'value="send_back"' in page
    response = transition(client, assessment, "publish")
    assert "已完成：已发布" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.PUBLISHED


def test_editor_cannot_publish(client, editor, sheet):
    assessment = sheet["assessment"]
    workflow.submit(assessment, editor)
    client.force_login(editor)
    page = client.get(url("assessment_change", assessment.pk)).content.decode()
    assert 'value="publish"' not in page
    response = transition(client, assessment, "publish")
    assert "只有本机构的审核人员可以发布考核结果" in response.content.decode()
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.IN_REVIEW


def test_the_last_editor_cannot_publish_but_another_reviewer_can(
    client, site_admin, reviewer, sheet
):
    assessment, (lanzhou, _), (site, _) = sheet["assessment"], sheet["units"], sheet["leaves"]
    af.score(assessment, site_admin, {(lanzhou, site): 30})
    workflow.submit(assessment, site_admin)
    client.force_login(site_admin)
    page = client.get(url("assessment_change", assessment.pk)).content.decode()
    assert 'value="publish"' not in page
    assert "您是这次考核的最后编辑人" in page
    response = transition(client, assessment, "publish")
    assert "不能审核自己的修改" in response.content.decode()
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.IN_REVIEW

    client.force_login(reviewer)
    transition(client, assessment, "publish")
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.PUBLISHED


def test_reviewer_of_another_organ_cannot_publish(client, editor, other_reviewer, sheet):
    assessment = sheet["assessment"]
    workflow.submit(assessment, editor)
    client.force_login(other_reviewer)
    assert transition(client, assessment, "publish").status_code == 404
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.IN_REVIEW


def test_send_back_needs_a_comment(client, editor, reviewer, sheet):
    assessment = sheet["assessment"]
    workflow.submit(assessment, editor)
    client.force_login(reviewer)
    response = transition(client, assessment, "send_back")
    assert "必须填写意见或原因" in response.content.decode()
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.IN_REVIEW
    transition(client, assessment, "send_back", "A1.1 评分依据不足")
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.PREPARING


def test_auditor_and_unknown_transitions_get_messages_not_errors(client, auditor, sheet):
    assessment = sheet["assessment"]
    client.force_login(auditor)
    response = transition(client, assessment, "submit")
    assert response.status_code == 200
    assert "只有本机构的编辑可以提交审核" in response.content.decode()
    assert "未知的操作" in transition(client, assessment, "delete_all").content.decode()
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.PREPARING


# The score grid.


def test_grid_saves_every_cell_at_once_and_shows_totals(client, editor, sheet):
    assessment, (lanzhou, tianshui), (site, column) = (
        sheet["assessment"],
        sheet["units"],
        sheet["leaves"],
    )
    client.force_login(editor)
    data = {
        cell(lanzhou, site): "38.5",
        cell(lanzhou, column): "18",
        cell(tianshui, site): "39",
        cell(tianshui, column): "",
    }
    response = client.post(url("assessment_scores", assessment.pk), data, follow=True)
    page = response.content.decode()
    assert "已保存 3 处成绩修改" in page
    assert values_of(assessment) == {
        (lanzhou.pk, site.pk): Decimal("38.5"),
        (lanzhou.pk, column.pk): Decimal(18),
        (tianshui.pk, site.pk): Decimal(39),
    }
    assert '<td class="derived">56.5</td>' in page
    assert "（未录完）" in page, "天水市 has no score on A1.2"


def test_a_bad_cell_saves_nothing_and_keeps_what_was_typed(client, editor, sheet):
    assessment, (lanzhou, tianshui), (site, column) = (
        sheet["assessment"],
        sheet["units"],
        sheet["leaves"],
    )
    af.score(assessment, editor, {(tianshui, column): 5})
    client.force_login(editor)
    data = {
        cell(lanzhou, site): "38.5",
        cell(lanzhou, column): "25",
        cell(tianshui, site): "优",
        cell(tianshui, column): "5",
    }
    response = client.post(url("assessment_scores", assessment.pk), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "有 2 处错误，成绩尚未保存" in page
    assert "兰州市人民政府「A1.2」：得分 25 超出范围（0–20）。" in page
    assert "“优”不是数字" in page
    assert f'name="{cell(lanzhou, site)}" value="38.5"' in page
    assert f'name="{cell(lanzhou, column)}" value="25"' in page
    assert 'aria-invalid="true"' in page
    assert values_of(assessment) == {(tianshui.pk, column.pk): Decimal(5)}


def test_a_blank_cell_clears_the_score(client, editor, sheet):
    assessment, (lanzhou, _), (site, _) = sheet["assessment"], sheet["units"], sheet["leaves"]
    af.score(assessment, editor, {(lanzhou, site): 30})
    client.force_login(editor)
    client.post(url("assessment_scores", assessment.pk), {cell(lanzhou, site): " "})
    assert values_of(assessment) == {}


def test_remarks_are_edited_when_shown_and_kept_when_not(client, editor, sheet):
    assessment, (lanzhou, _), (site, _) = sheet["assessment"], sheet["units"], sheet["leaves"]
    client.force_login(editor)
    grid = url("assessment_scores", assessment.pk)
    assert f'name="remark-{lanzhou.pk}-{site.pk}"' not in client.get(grid).content.decode()
    remark = f"remark-{lanzhou.pk}-{site.pk}"
    client.post(grid + "?remarks=1", {cell(lanzhou, site): "30", remark: "网站有错链"})
    client.post(grid, {cell(lanzhou, site): "31"})
    score = Score.objects.get()
    assert (score.value, score.remark) == (Decimal(31), "网站有错链")


@pytest.mark.parametrize("who", ["reviewer", "auditor"])
def test_grid_is_read_only_for_readers(client, request, editor, sheet, who):
    assessment, (lanzhou, _), (site, _) = sheet["assessment"], sheet["units"], sheet["leaves"]
    af.score(assessment, editor, {(lanzhou, site): 30})
    client.force_login(request.getfixturevalue(who))
    page = client.get(url("assessment_scores", assessment.pk)).content.decode()
    assert f'name="{cell(lanzhou, site)}" value="30"' in page
    assert "disabled" in page and "保存成绩" not in page
    response = client.post(url("assessment_scores", assessment.pk), {cell(lanzhou, site): "1"})
    assert response.status_code == 403
    assert values_of(assessment) == {(lanzhou.pk, site.pk): Decimal(30)}


def test_grid_is_read_only_once_submitted(client, editor, sheet):
    assessment = sheet["assessment"]
    workflow.submit(assessment, editor)
    client.force_login(editor)
    page = client.get(url("assessment_scores", assessment.pk)).content.decode()
    assert "考核已待审核" in page and "保存成绩" not in page


def test_grid_takes_a_constant_number_of_queries(
    client, organ, editor, django_assert_max_num_queries
):
    assessment = af.make_assessment(organ, editor)
    groups = [af.make_group(assessment, name, i) for i, name in enumerate(["市州", "部门"])]
    units = [af.make_unit(groups[i % 2], position=i) for i in range(30)]
    root = af.make_indicator(assessment, "A", 100)
    leaves = [af.make_indicator(assessment, f"A{i}", 5, parent=root) for i in range(1, 16)]
    af.score(assessment, editor, {(unit, leaf): 3 for unit in units for leaf in leaves})
    client.force_login(editor)
    grid = url("assessment_scores", assessment.pk)
    with django_assert_max_num_queries(20):
        page = client.get(grid).content.decode()
    assert page.count('inputmode="decimal"') == 450
    unchanged = {cell(unit, leaf): "3" for unit in units for leaf in leaves}
    with django_assert_max_num_queries(25):
        response = client.post(grid, unchanged)
    assert response.status_code == 302


def loaded(unit, indicator) -> str:
    return f"orig-{unit.pk}-{indicator.pk}"


def test_grid_posts_the_values_it_was_loaded_with(client, editor, sheet):
    assessment, (lanzhou, _), (site, _) = sheet["assessment"], sheet["units"], sheet["leaves"]
    af.score(assessment, editor, {(lanzhou, site): 30})
    client.force_login(editor)
    grid = url("assessment_scores", assessment.pk)
    page = client.get(grid).content.decode()
    assert f'<input type="hidden" name="{loaded(lanzhou, site)}" value="30">' in page
    assert f'name="orig-remark-{lanzhou.pk}-{site.pk}"' not in page
    assert (
        f'name="orig-remark-{lanzhou.pk}-{site.pk}"'
        in client.get(grid + "?remarks=1").content.decode()
    )


def test_an_untouched_cell_of_a_stale_grid_keeps_another_editors_change(
    client, editor, second_editor, sheet
):
    assessment, (lanzhou, tianshui), (site, column) = (
        sheet["assessment"],
        sheet["units"],
        sheet["leaves"],
    )
    af.score(assessment, editor, {(lanzhou, site): 30, (tianshui, site): 35})
    # The first editor opened the grid when 兰州 had 30 on A1.1; the second then changed it.
    workflow.save_scores(assessment, second_editor, {(lanzhou.pk, site.pk): (Decimal(10), "")})
    client.force_login(editor)
    stale = {
        cell(lanzhou, site): "30",
        loaded(lanzhou, site): "30",
        cell(tianshui, site): "36",
        loaded(tianshui, site): "35",
        cell(lanzhou, column): "",
        loaded(lanzhou, column): "",
    }
    response = client.post(url("assessment_scores", assessment.pk), stale, follow=True)
    assert "已保存 1 处成绩修改" in response.content.decode()
    assert values_of(assessment) == {
        (lanzhou.pk, site.pk): Decimal(10),
        (tianshui.pk, site.pk): Decimal(36),
    }


def test_a_cell_changed_meanwhile_is_refused_then_saved_once_checked(
    client, editor, second_editor, sheet
):
    assessment, (lanzhou, tianshui), (site, _) = (
        sheet["assessment"],
        sheet["units"],
        sheet["leaves"],
    )
    af.score(assessment, editor, {(lanzhou, site): 30, (tianshui, site): 35})
    workflow.save_scores(assessment, second_editor, {(lanzhou.pk, site.pk): (Decimal(10), "")})
    client.force_login(editor)
    grid = url("assessment_scores", assessment.pk)
    stale = {
        cell(lanzhou, site): "31",
        loaded(lanzhou, site): "30",
        cell(tianshui, site): "36",
        loaded(tianshui, site): "35",
    }
    response = client.post(grid, stale)
    page = response.content.decode()
    assert response.status_code == 200
    assert "兰州市人民政府「A1.1」的得分已被他人改为 10（您打开时为 30），请核对后再保存。" in page
    assert values_of(assessment)[(lanzhou.pk, site.pk)] == Decimal(10)
    assert values_of(assessment)[(tianshui.pk, site.pk)] == Decimal(35), "nothing is saved"
    # What was typed stays; the loaded value is now the current one, so saving again works.
    assert f'name="{cell(lanzhou, site)}" value="31"' in page
    assert f'name="{loaded(lanzhou, site)}" value="10"' in page
    assert f'name="{cell(tianshui, site)}" value="36"' in page
    assert f'name="{loaded(tianshui, site)}" value="35"' in page
    again = dict(stale, **{loaded(lanzhou, site): "10"})
    assert client.post(grid, again).status_code == 302
    assert values_of(assessment) == {
        (lanzhou.pk, site.pk): Decimal(31),
        (tianshui.pk, site.pk): Decimal(36),
    }


def test_the_same_value_saved_by_both_editors_is_no_conflict(client, editor, second_editor, sheet):
    assessment, (lanzhou, _), (site, _) = sheet["assessment"], sheet["units"], sheet["leaves"]
    af.score(assessment, editor, {(lanzhou, site): 30})
    workflow.save_scores(assessment, second_editor, {(lanzhou.pk, site.pk): (Decimal(31), "")})
    client.force_login(editor)
    form = {cell(lanzhou, site): "31", loaded(lanzhou, site): "30"}
    assert client.post(url("assessment_scores", assessment.pk), form).status_code == 302
    assert values_of(assessment) == {(lanzhou.pk, site.pk): Decimal(31)}


def test_a_remark_changed_meanwhile_is_refused(client, editor, second_editor, sheet):
    assessment, (lanzhou, _), (site, _) = sheet["assessment"], sheet["units"], sheet["leaves"]
    af.score(assessment, editor, {(lanzhou, site): 30})
    workflow.save_scores(
        assessment, second_editor, {(lanzhou.pk, site.pk): (Decimal(30), "网站有错链")}
    )
    client.force_login(editor)
    remark = f"remark-{lanzhou.pk}-{site.pk}"
    form = {
        cell(lanzhou, site): "31",
        loaded(lanzhou, site): "30",
        remark: "",
        f"orig-remark-{lanzhou.pk}-{site.pk}": "",
    }
    response = client.post(url("assessment_scores", assessment.pk) + "?remarks=1", form)
    assert "兰州市人民政府「A1.1」的备注已被他人改为“网站有错链”（您打开时为空）" in (
        response.content.decode()
    )
    score = Score.objects.get()
    assert (score.value, score.remark) == (Decimal(30), "网站有错链")


def test_a_bad_cell_keeps_the_loaded_values_so_a_later_change_is_still_noticed(
    client, editor, second_editor, sheet
):
    assessment, (lanzhou, tianshui), (site, column) = (
        sheet["assessment"],
        sheet["units"],
        sheet["leaves"],
    )
    af.score(assessment, editor, {(lanzhou, site): 30})
    workflow.save_scores(assessment, second_editor, {(lanzhou.pk, site.pk): (Decimal(10), "")})
    client.force_login(editor)
    form = {
        cell(lanzhou, site): "31",
        loaded(lanzhou, site): "30",
        cell(tianshui, column): "优",
        loaded(tianshui, column): "",
    }
    page = client.post(url("assessment_scores", assessment.pk), form).content.decode()
    assert "“优”不是数字" in page
    assert f'name="{loaded(lanzhou, site)}" value="30"' in page


# Statistics.


@pytest.fixture
def statistics_report(sheet):
    schema = StatisticSchema.objects.get(name=PRE_2019)
    return StatisticReport.objects.create(assessment=sheet["assessment"], schema=schema)


def value_forms(items: dict[str, int]) -> dict:
    data = {"values-TOTAL_FORMS": str(len(items)), "values-INITIAL_FORMS": "0"}
    for index, (code, value) in enumerate(items.items()):
        item = StatisticItem.objects.get(schema__name=PRE_2019, code=code)
        data.update({f"values-{index}-item": item.pk, f"values-{index}-value": value})
    return data


PROACTIVE = {
    "proactive_total": 1563668,
    "proactive_gazette": 1000,
    "proactive_portal": 1500000,
    "proactive_weibo": 30000,
    "proactive_wechat": 20000,
    "proactive_other": 12000,
}


def test_statistics_that_do_not_add_up_are_a_warning_on_save(client, editor, statistics_report):
    client.force_login(editor)
    data = {"unit": "", "schema": statistics_report.schema_id, "note": ""}
    response = client.post(
        url("statisticreport_change", statistics_report.pk),
        {**data, **value_forms(PROACTIVE)},
        follow=True,
    )
    page = response.content.decode()
    assert StatisticValue.objects.filter(report=statistics_report).count() == 6
    assert (
        "统计数据核对不一致：主动公开：各渠道之和等于总数：合计 1563668，分项之和 1563000，相差 668"
        in page
    )
    assert "依申请公开" not in page.split("messagelist")[1].split("</ul>")[0]


def test_statistics_form_offers_every_item_of_the_schema(client, editor, statistics_report):
    client.force_login(editor)
    response = client.get(url("statisticreport_change", statistics_report.pk))
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert len(formset.forms) == StatisticItem.objects.filter(schema__name=PRE_2019).count()


def test_statistics_list_shows_failures_in_a_constant_number_of_queries(
    client, editor, sheet, django_assert_max_num_queries
):
    schema = StatisticSchema.objects.get(name=PRE_2019)
    items = {item.code: item for item in schema.items.all()}
    for unit in [*sheet["units"], *(af.make_unit(sheet["group"]) for _ in range(8))]:
        report = StatisticReport.objects.create(
            assessment=sheet["assessment"], unit=unit, schema=schema
        )
        StatisticValue.objects.bulk_create(
            StatisticValue(report=report, item=items[code], value=value)
            for code, value in PROACTIVE.items()
        )
    client.force_login(editor)
    with django_assert_max_num_queries(16):
        page = client.get(url("statisticreport_changelist")).content.decode()
    assert page.count("1 项不一致") == 10
    assert "相差 668" in page


# Rectification.


@pytest.fixture
def published(sheet, editor, reviewer):
    """The sheet's assessment published with one requirement for 兰州市."""
    assessment = sheet["assessment"]
    requirement = assessment.requirements.create(
        title="加强政策解读", deadline=datetime.date(2030, 1, 1)
    )
    requirement.units.set([sheet["units"][0]])
    workflow.submit(assessment, editor)
    workflow.publish(assessment, reviewer)
    return requirement


def report_data(requirement, unit, **overrides) -> dict:
    return {
        "requirement": requirement.pk,
        "unit": unit.pk,
        "progress": "done",
        "text": "已开设政策解读专栏",
        **overrides,
    }


def test_editor_reports_and_a_reviewer_verifies(client, editor, reviewer, sheet, published):
    lanzhou = sheet["units"][0]
    client.force_login(editor)
    response = client.post(url("rectificationreport_add"), report_data(published, lanzhou))
    assert response.status_code == 302, response.content.decode()[:3000]
    report = RectificationReport.objects.get()
    assert (report.unit, report.submitted_by) == (lanzhou, editor)
    page = client.get(url("rectificationreport_change", report.pk)).content.decode()
    assert 'name="_save"' not in page and 'value="accept"' not in page

    client.force_login(reviewer)
    page = client.get(url("rectificationreport_change", report.pk)).content.decode()
    assert 'value="accept"' in page
    response = client.post(
        url("rectificationreport_verify", report.pk), {"decision": "accept"}, follow=True
    )
    assert "核验通过" in response.content.decode()
    report.refresh_from_db()
    assert report.verification == RectificationReport.Verification.ACCEPTED
    assert report.verified_by == reviewer


def test_report_errors_come_back_on_the_form(client, editor, sheet, published):
    tianshui = sheet["units"][1]
    client.force_login(editor)
    response = client.post(url("rectificationreport_add"), report_data(published, tianshui))
    assert response.status_code == 200
    assert "该单位不是这项整改要求的责任单位" in response.content.decode()
    assert not RectificationReport.objects.exists()


def test_returning_a_report_needs_a_note(client, editor, reviewer, sheet, published):
    report = workflow.report_rectification(published, sheet["units"][0], editor, "done", "已完成")
    client.force_login(reviewer)
    verify = url("rectificationreport_verify", report.pk)
    response = client.post(verify, {"decision": "return"}, follow=True)
    assert "必须填写意见或原因" in response.content.decode()
    client.post(verify, {"decision": "return", "note": "缺少佐证材料"})
    report.refresh_from_db()
    assert report.verification == RectificationReport.Verification.RETURNED


def test_the_reported_unit_sees_its_own_reports(client, editor, reviewer, sheet, published):
    lanzhou = sheet["units"][0]
    unit_editor = factories.make_editor(lanzhou.organ)
    client.force_login(unit_editor)
    response = client.post(url("rectificationreport_add"), report_data(published, lanzhou))
    assert response.status_code == 302, response.content.decode()[:3000]
    report = RectificationReport.objects.get()
    assert client.get(url("rectificationreport_change", report.pk)).status_code == 200
    assert client.get(url("assessment_change", sheet["assessment"].pk)).status_code == 302


def test_reports_are_hidden_from_other_organs(client, editor, other_editor, sheet, published):
    report = workflow.report_rectification(published, sheet["units"][0], editor, "done", "已完成")
    client.force_login(other_editor)
    assert "加强政策解读" not in client.get(url("rectificationreport_changelist")).content.decode()
    assert client.get(url("rectificationreport_change", report.pk)).status_code == 302
    client.post(url("rectificationreport_verify", report.pk), {"decision": "accept"})
    report.refresh_from_db()
    assert report.verification == RectificationReport.Verification.PENDING


def test_grid_shows_one_group_when_asked(client, editor, sheet):
    assessment = sheet["assessment"]
    af.make_unit(af.make_group(assessment, "省政府部门", 1), factories.make_organ(name="省财政厅"))
    client.force_login(editor)
    grid = url("assessment_scores", assessment.pk)
    assert "省财政厅" in client.get(grid).content.decode()
    page = client.get(grid + f"?group={sheet['group'].pk}").content.decode()
    assert "兰州市人民政府" in page and "省财政厅" not in page


def test_a_grid_too_large_to_post_offers_no_save_button(client, editor, sheet, settings):
    # Each cell also posts the value it was loaded with: 4 cells fit, 4 cells with remarks do not.
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 20
    client.force_login(editor)
    grid = url("assessment_scores", sheet["assessment"].pk)
    assert "保存成绩" in client.get(grid).content.decode()
    page = client.get(grid + "?remarks=1").content.decode()
    assert "本页格子太多" in page and "保存成绩" not in page


def test_a_new_indicator_is_offered_only_its_assessments_parents(client, organ, editor, sheet):
    other = af.make_assessment(organ, editor)
    af.make_indicator(other, "Z1", 10)
    client.force_login(editor)
    response = client.get(url("indicator_add") + f"?assessment={sheet['assessment'].pk}")
    parents = response.context["adminform"].form.fields["parent"].queryset
    assert {i.code for i in parents} == {"A1", "A1.1", "A1.2"}


def test_add_forms_offer_no_rows_of_other_organs(client, editor, sheet, other_organ, other_editor):
    theirs = af.make_assessment(other_organ, other_editor)
    af.make_unit(af.make_group(theirs, "他机构分组"), factories.make_organ(name="他机构单位"))
    client.force_login(editor)
    form = client.get(url("statisticreport_add")).context["adminform"].form
    assert {str(unit) for unit in form.fields["unit"].queryset} == {
        "兰州市人民政府",
        "天水市人民政府",
    }
    form = client.get(url("indicator_add")).context["adminform"].form
    assert {str(group) for group in form.fields["group"].queryset} == {"市州人民政府"}


def test_statistics_are_added_only_to_assessments_the_editor_prepares(
    client, editor, sheet, other_organ, other_editor
):
    theirs = af.make_assessment(other_organ, other_editor)
    schema = StatisticSchema.objects.get(name=PRE_2019)
    client.force_login(editor)
    data = {"unit": "", "schema": schema.pk, "note": ""}
    client.post(url("statisticreport_add"), {**data, "assessment": theirs.pk})
    assert not StatisticReport.objects.filter(assessment=theirs).exists()
    response = client.post(
        url("statisticreport_add"), {**data, "assessment": sheet["assessment"].pk}
    )
    assert response.status_code == 302
    assert StatisticReport.objects.filter(assessment=sheet["assessment"]).exists()


def test_auditor_reads_every_assessment_record_and_changes_nothing(
    client, editor, reviewer, auditor, sheet, published, statistics_report
):
    workflow.report_rectification(published, sheet["units"][0], editor, "done", "已完成")
    Score.objects.create(unit=sheet["units"][0], indicator=sheet["leaves"][0], value=30)
    records = [
        sheet["assessment"],
        sheet["leaves"][0],
        Score.objects.get(),
        RectificationReport.objects.get(),
        statistics_report,
    ]
    client.force_login(auditor)
    for record in records:
        name = record._meta.model_name
        assert client.get(url(f"{name}_changelist")).status_code == 200, name
        page = client.get(url(f"{name}_change", record.pk))
        assert page.status_code == 200, name
        assert 'name="_save"' not in page.content.decode(), name
        assert client.post(url(f"{name}_change", record.pk), {}).status_code == 403, name
        assert client.post(url(f"{name}_delete", record.pk), {"post": "yes"}).status_code == 403
        assert client.get(url(f"{name}_add")).status_code == 403, name
    assert (
        'value="accept"'
        not in client.get(
            url("rectificationreport_change", RectificationReport.objects.get().pk)
        ).content.decode()
    )


def report_token(client) -> str:
    page = client.get(url("rectificationreport_add")).content.decode()
    return re.search(r'name="submission_token" value="([0-9a-f-]{36})"', page).group(1)


def test_a_report_sent_twice_is_made_once(client, editor, sheet, published):
    lanzhou = sheet["units"][0]
    client.force_login(editor)
    data = report_data(published, lanzhou, submission_token=report_token(client))
    assert client.post(url("rectificationreport_add"), data).status_code == 302
    report = RectificationReport.objects.get()
    again = client.post(url("rectificationreport_add"), data, follow=True)
    assert again.redirect_chain[-1][0] == url("rectificationreport_change", report.pk)
    assert "该表单已经提交过，没有重复创建" in again.content.decode()
    assert RectificationReport.objects.count() == 1


def test_a_report_sent_back_with_errors_is_sent_again_with_its_token(
    client, editor, sheet, published
):
    lanzhou = sheet["units"][0]
    client.force_login(editor)
    data = report_data(published, lanzhou, submission_token=report_token(client), text=" ")
    assert client.post(url("rectificationreport_add"), data).status_code == 200
    data["text"] = "已开设政策解读专栏"
    assert client.post(url("rectificationreport_add"), data).status_code == 302
    assert RectificationReport.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_report_sent_twice_at_once_is_made_once(client, editor, sheet, published):
    client.force_login(editor)
    data = report_data(published, sheet["units"][0], submission_token=report_token(client))

    def send(_index: int):
        own = Client()
        own.force_login(editor)
        return own.post(url("rectificationreport_add"), data)

    responses = run_together(2, send)
    assert [response.status_code for response in responses] == [302, 302], responses
    assert RectificationReport.objects.count() == 1

"""Assessment workflow: organ scoping, review before publication, rectification rules."""

import pytest
from django.core.exceptions import PermissionDenied

from assessments import workflow
from assessments.models import Assessment, RectificationReport
from notices.workflow import WorkflowError
from tests import factories
from tests.assessments import factories as af


@pytest.fixture
def assessment(organ, editor):
    a = af.make_assessment(organ, editor)
    af.make_unit(af.make_group(a))
    return a


def test_new_assessment_gets_the_usual_grade_bands(assessment):
    bands = [(b.name, int(b.min_total)) for b in assessment.grade_bands.all()]
    assert bands == [("优秀", 90), ("良好", 70), ("合格", 60), ("不合格", 0)]


def test_editor_of_another_organ_cannot_create_or_score(organ, other_editor, assessment):
    with pytest.raises(PermissionDenied):
        af.make_assessment(organ, other_editor)
    unit = assessment.units.get()
    leaf = af.make_indicator(assessment, "A", 10)
    with pytest.raises(PermissionDenied):
        af.score(assessment, other_editor, {(unit, leaf): 5})


@pytest.mark.parametrize("who", ["reviewer", "auditor", "other_reviewer"])
def test_only_editors_of_the_organ_enter_scores(request, assessment, who):
    unit = assessment.units.get()
    leaf = af.make_indicator(assessment, "A", 10)
    with pytest.raises(PermissionDenied):
        af.score(assessment, request.getfixturevalue(who), {(unit, leaf): 5})


def test_results_become_public_only_after_review(assessment, editor, reviewer):
    assert not Assessment.objects.published().exists()
    with pytest.raises(PermissionDenied):
        workflow.publish(workflow.submit(assessment, editor), editor)
    published = workflow.publish(assessment, reviewer)
    assert published.status == Assessment.Status.PUBLISHED
    assert list(Assessment.objects.published()) == [published]


def test_last_editor_cannot_publish(organ, assessment, editor):
    both = factories.make_editor(organ)
    both.groups.add(*factories.make_reviewer(organ).groups.all())
    both = type(both).objects.get(pk=both.pk)
    leaf = af.make_indicator(assessment, "A", 10)
    af.score(assessment, both, {(assessment.units.get(), leaf): 5})
    workflow.submit(assessment, editor)
    with pytest.raises(PermissionDenied, match="不能审核自己的修改"):
        workflow.publish(assessment, both)


def test_reviewer_of_another_organ_cannot_publish(assessment, editor, other_reviewer):
    workflow.submit(assessment, editor)
    with pytest.raises(PermissionDenied):
        workflow.publish(assessment, other_reviewer)


def test_scores_are_frozen_once_submitted(assessment, editor):
    leaf = af.make_indicator(assessment, "A", 10)
    workflow.submit(assessment, editor)
    with pytest.raises(PermissionDenied):
        af.score(assessment, editor, {(assessment.units.get(), leaf): 5})


def test_send_back_needs_a_comment(assessment, editor, reviewer):
    workflow.submit(assessment, editor)
    with pytest.raises(WorkflowError):
        workflow.send_back(assessment, reviewer, "")
    assert workflow.send_back(assessment, reviewer, "补充指标说明").status == "preparing"


@pytest.fixture
def published_requirement(assessment, editor, reviewer):
    requirement = assessment.requirements.create(title="加强依申请公开工作")
    workflow.submit(assessment, editor)
    workflow.publish(assessment, reviewer)
    return requirement


def test_a_unit_reports_its_own_rectification(published_requirement, organ, reviewer):
    unit = published_requirement.assessment.units.get()
    unit_editor = factories.make_editor(unit.organ)
    report = workflow.report_rectification(
        published_requirement, unit, unit_editor, "in_progress", "正在修订办理流程"
    )
    assert report.submitted_by == unit_editor
    stranger = factories.make_editor(factories.make_organ())
    with pytest.raises(PermissionDenied):
        workflow.report_rectification(published_requirement, unit, stranger, "done", "完成")


def test_reports_wait_for_publication(assessment, editor):
    requirement = assessment.requirements.create(title="加强公开专栏建设")
    with pytest.raises(WorkflowError):
        workflow.report_rectification(requirement, assessment.units.get(), editor, "done", "已完成")


def test_verification_by_a_reviewer_other_than_the_reporter(
    published_requirement, editor, reviewer
):
    unit = published_requirement.assessment.units.get()
    report = workflow.report_rectification(published_requirement, unit, editor, "done", "已完成")
    with pytest.raises(PermissionDenied):
        workflow.verify_rectification(report, editor, accepted=True)
    with pytest.raises(WorkflowError):
        workflow.verify_rectification(report, reviewer, accepted=False, note="")
    returned = workflow.verify_rectification(report, reviewer, accepted=False, note="材料不全")
    assert returned.verification == RectificationReport.Verification.RETURNED
    with pytest.raises(WorkflowError, match="已经核验"):
        workflow.verify_rectification(report, reviewer, accepted=True)


def test_only_responsible_units_report(published_requirement, editor):
    assessment = published_requirement.assessment
    unit = assessment.units.get()
    other = af.make_unit(assessment.groups.get(), position=2)
    published_requirement.units.set([other])
    with pytest.raises(WorkflowError, match="责任单位"):
        workflow.report_rectification(published_requirement, unit, editor, "done", "完成")


def test_send_back_comment_is_kept_for_the_editor(assessment, editor, reviewer):
    workflow.submit(assessment, editor)
    workflow.send_back(assessment, reviewer, "请补充指标说明")
    assessment.refresh_from_db()
    assert assessment.review_note == "请补充指标说明"


def test_transitions_offered_follow_role_and_state(assessment, editor, reviewer, auditor):
    assert [t.name for t in workflow.available_transitions(editor, assessment)] == ["submit"]
    assert workflow.available_transitions(reviewer, assessment) == []
    assessment = workflow.submit(assessment, editor)
    assert [t.name for t in workflow.available_transitions(reviewer, assessment)] == [
        "publish",
        "send_back",
    ]
    assert workflow.available_transitions(auditor, assessment) == []

"""The checks on the notice's change page and the confirmation from there, for every role."""

import pytest
from django.urls import reverse

from editorial_checks import services
from editorial_checks.models import WordRule
from notices import workflow
from notices.models import Notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(notice_in):
    return notice_in("in_review", body="<p>请与经办人联系，手机13812345678，坚持不泄推进。</p>")


def change_page(client, notice) -> str:
    response = client.get(reverse("admin:notices_notice_change", args=[notice.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_reviewer_sees_each_finding_in_its_place_with_forms(client, in_review, reviewer):
    client.force_login(reviewer)
    page = change_page(client, in_review)
    assert "发布前检查" in page and "2 处待处理" in page
    assert "<mark>13812345678</mark>" in page and "<mark>坚持不泄</mark>" in page
    assert "正文 第 1 段" in page
    assert "确认可以公开" in page and "记录理由并放行" in page
    assert "建议：坚持不懈" in page


@pytest.mark.parametrize("who", ["editor", "auditor"])
def test_others_see_the_findings_without_forms(client, in_review, who, request):
    client.force_login(request.getfixturevalue(who))
    page = change_page(client, in_review)
    assert "<mark>13812345678</mark>" in page
    assert "确认可以公开" not in page and "待审核人员确认" in page


def test_confirming_from_the_page_then_approving(client, in_review, reviewer):
    client.force_login(reviewer)
    run = services.latest_run(in_review)
    personal = run.findings.get(kind="mobile")
    wording = run.findings.get(kind="miswriting")
    url = reverse("editorial_checks:resolve-finding", args=[personal.pk])
    assert client.post(url, {"reason": ""}).status_code == 302
    url = reverse("editorial_checks:resolve-finding", args=[wording.pk])
    response = client.post(url, {"reason": ""}, follow=True)
    assert "严重用词问题必须填写保留原文的理由" in response.content.decode()
    client.post(url, {"reason": "引用原文"})
    response = client.post(
        reverse("admin:notices_notice_workflow", args=[in_review.pk]),
        {"transition": "approve"},
        follow=True,
    )
    assert Notice.objects.get(pk=in_review.pk).status == Notice.Status.PUBLISHED
    assert "已由" in change_page(client, Notice.objects.get(pk=in_review.pk)) or response


def test_approving_with_open_findings_says_why(client, in_review, reviewer):
    client.force_login(reviewer)
    response = client.post(
        reverse("admin:notices_notice_workflow", args=[in_review.pk]),
        {"transition": "approve"},
        follow=True,
    )
    assert "发布前检查尚未处理完" in response.content.decode()
    assert Notice.objects.get(pk=in_review.pk).status == Notice.Status.IN_REVIEW


@pytest.mark.parametrize("who", ["editor", "other_reviewer", "auditor"])
def test_confirming_is_refused_to_everyone_else(client, in_review, who, request):
    client.force_login(request.getfixturevalue(who))
    finding = services.latest_run(in_review).findings.first()
    url = reverse("editorial_checks:resolve-finding", args=[finding.pk])
    assert client.post(url, {"reason": "x"}).status_code == 403
    finding.refresh_from_db()
    assert finding.resolved_at is None


def test_recheck_from_the_page(client, notice_in, editor):
    draft = notice_in("draft", body="<p>手机13812345678</p>")
    client.force_login(editor)
    response = client.post(reverse("editorial_checks:recheck", args=[draft.pk]), follow=True)
    assert "已重新检查，发现 1 处" in response.content.decode()
    assert workflow.available_transitions(editor, draft)


def test_site_admin_keeps_the_word_list(client, site_admin, reviewer):
    client.force_login(site_admin)
    response = client.post(
        reverse("admin:editorial_checks_wordrule_add"),
        {"wrong": "新区管委", "correct": "新区管委会", "kind": "miswriting", "severity": "serious",
         "note": "", "active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    assert WordRule.objects.filter(wrong="新区管委").exists()
    client.force_login(reviewer)
    assert client.get(reverse("admin:editorial_checks_wordrule_add")).status_code == 403
    assert client.get(reverse("admin:editorial_checks_wordrule_changelist")).status_code == 200


def test_the_starter_list_is_seeded():
    assert WordRule.objects.filter(wrong="坚持不泄", correct="坚持不懈").exists()
    assert WordRule.objects.count() >= 80

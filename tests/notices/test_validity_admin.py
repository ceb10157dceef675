"""Validity changes in the admin: an editor proposes from the notice's page, a reviewer of the
organ decides on the change's page; refusals are shown, never a 500."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from notices import validity
from notices.models import Notice, ValidityChange

pytestmark = pytest.mark.django_db
ADD = reverse("admin:notices_validitychange_add")


@pytest.fixture
def rules(notice_in):
    return notice_in(
        title="旧办法",
        document_category="rules",
        published_at=timezone.make_aware(datetime.datetime(2024, 1, 5, 9)),
    )


def proposal(notice, **overrides):
    data = {
        "notice": notice.pk,
        "validity": "repealed",
        "effective_on": "2026-03-01",
        "by_notice": "",
        "by_document": "关于废止部分规范性文件的决定",
        "reason": "",
    }
    data.update(overrides)
    return data


def test_the_notice_page_links_to_a_proposal_and_the_editor_proposes(client, rules, editor):
    client.force_login(editor)
    page = client.get(reverse("admin:notices_notice_change", args=[rules.pk])).content.decode()
    assert f"{ADD}?notice={rules.pk}" in page
    assert 'name="validity"' not in page  # 有效性 is not edited in the notice's form

    response = client.post(ADD, proposal(rules))

    assert response.status_code == 302
    change = ValidityChange.objects.get()
    assert (change.status, change.proposed_by) == ("proposed", editor)
    assert Notice.objects.get(pk=rules.pk).validity == "valid"


def test_a_refused_proposal_is_a_form_error_in_chinese(client, rules, editor):
    client.force_login(editor)
    response = client.post(ADD, proposal(rules, effective_on="2099-01-01"))
    assert response.status_code == 200
    assert "生效日期不能晚于今天" in response.content.decode()
    assert not ValidityChange.objects.exists()


def test_another_organs_editor_cannot_propose(client, rules, other_editor):
    client.force_login(other_editor)
    response = client.post(ADD, proposal(rules))
    assert response.status_code == 200
    assert "所选文件不存在或无权引用" in response.content.decode()
    assert not ValidityChange.objects.exists()


def test_the_reviewer_approves_on_the_change_page(client, rules, editor, reviewer):
    change = validity.propose(
        rules, editor, validity="expired", effective_on=datetime.date(2026, 3, 1)
    )
    url = reverse("admin:notices_validitychange_change", args=[change.pk])
    client.force_login(reviewer)
    assert "批准变更" in client.get(url).content.decode()

    response = client.post(url, {"_approve": "1", "decision_comment": "同意"})

    assert response.status_code == 302
    assert Notice.objects.get(pk=rules.pk).validity == "expired"


def test_the_proposer_sees_no_decision_and_a_post_is_refused(client, rules, editor):
    change = validity.propose(
        rules, editor, validity="expired", effective_on=datetime.date(2026, 3, 1)
    )
    url = reverse("admin:notices_validitychange_change", args=[change.pk])
    client.force_login(editor)
    assert "批准变更" not in client.get(url).content.decode()

    # Only the organ's reviewers may decide: anyone else's decision is forbidden outright.
    assert client.post(url, {"_approve": "1"}).status_code == 403
    assert ValidityChange.objects.get(pk=change.pk).status == "proposed"


def test_another_organs_reviewer_cannot_open_or_decide(client, rules, editor, other_reviewer):
    change = validity.propose(
        rules, editor, validity="expired", effective_on=datetime.date(2026, 3, 1)
    )
    url = reverse("admin:notices_validitychange_change", args=[change.pk])
    client.force_login(other_reviewer)
    assert client.get(url).status_code == 404
    assert client.post(url, {"_approve": "1"}).status_code == 404
    assert ValidityChange.objects.get(pk=change.pk).status == "proposed"


def test_the_admin_home_page_tells_other_reviewers_of_waiting_changes(
    client, rules, editor, reviewer
):
    validity.propose(rules, editor, validity="expired", effective_on=datetime.date(2026, 3, 1))
    client.force_login(reviewer)
    page = client.get(reverse("admin:index")).content.decode()
    assert "有 <strong>1</strong> 项有效性变更" in page
    client.force_login(editor)  # not a reviewer
    assert "项有效性变更" not in client.get(reverse("admin:index")).content.decode()

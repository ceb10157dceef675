"""有效性 changes: an editor proposes, another reviewer of the organ approves; the notice's page
shows a banner naming the abolishing document, and the catalogue filters 现行有效."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from notices import roles, validity, workflow
from notices.models import Notice, ValidityChange, WorkflowEvent
from notices.workflow import WorkflowError
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date


def at(year, month, day):
    return timezone.make_aware(datetime.datetime(year, month, day, 10))


@pytest.fixture
def rules(notice_in):
    return notice_in(title="旧办法", document_category="rules", published_at=at(2024, 1, 5))


@pytest.fixture
def abolishing(notice_in):
    return notice_in(
        title="新办法", document_number="甘政发〔2026〕3号", published_at=at(2026, 2, 1)
    )


def propose(notice, user, **fields):
    fields.setdefault("validity", "repealed")
    fields.setdefault("effective_on", D(2026, 3, 1))
    return validity.propose(notice, user, **fields)


def test_editor_proposes_and_another_reviewer_approves(rules, abolishing, editor, reviewer):
    change = propose(rules, editor, by_notice=abolishing, reason="被新办法取代")
    assert Notice.objects.get(pk=rules.pk).validity == "valid"  # nothing changes before review

    validity.approve(change, reviewer, "同意")

    rules.refresh_from_db()
    change.refresh_from_db()
    assert (rules.validity, rules.validity_changed_on) == ("repealed", D(2026, 3, 1))
    assert rules.superseded_by_id == abolishing.pk
    assert rules.superseded_by_title == "新办法（甘政发〔2026〕3号）"
    assert (change.status, change.decided_by) == ("approved", reviewer)
    event = rules.events.first()
    assert event.action == WorkflowEvent.Action.VALIDITY_CHANGED
    assert "2026年03月01日废止" in event.comment


def test_reviewer_rejects_with_a_reason(rules, editor, reviewer):
    change = propose(rules, editor)
    with pytest.raises(WorkflowError, match="必须填写"):
        validity.reject(change, reviewer, "  ")
    validity.reject(change, reviewer, "文件仍在执行")
    change.refresh_from_db()
    assert change.status == "rejected"
    assert Notice.objects.get(pk=rules.pk).validity == "valid"
    propose(rules, editor)  # may be proposed again


@pytest.mark.parametrize("who", ["anonymous", "other_editor", "reviewer", "auditor"])
def test_only_an_editor_of_the_organ_proposes(rules, who, other_editor, reviewer, auditor):
    user = {
        "anonymous": AnonymousUser(),
        "other_editor": other_editor,
        "reviewer": reviewer,
        "auditor": auditor,
    }[who]
    with pytest.raises(PermissionDenied):
        propose(rules, user)
    assert not ValidityChange.objects.exists()


@pytest.mark.parametrize("who", ["editor", "second_editor", "other_reviewer", "auditor"])
def test_only_a_reviewer_of_the_organ_decides(
    rules, editor, who, second_editor, other_reviewer, auditor
):
    change = propose(rules, editor)
    user = {
        "editor": editor,
        "second_editor": second_editor,
        "other_reviewer": other_reviewer,
        "auditor": auditor,
    }[who]
    with pytest.raises(PermissionDenied):
        validity.approve(change, user)
    with pytest.raises(PermissionDenied):
        validity.reject(change, user, "不同意")
    assert ValidityChange.objects.get(pk=change.pk).status == "proposed"


def test_nobody_approves_their_own_proposal(rules, organ):
    editor_and_reviewer = factories.make_user(roles.EDITOR, [organ])
    editor_and_reviewer.groups.add(Group.objects.get(name=roles.REVIEWER))
    editor_and_reviewer = type(editor_and_reviewer).objects.get(pk=editor_and_reviewer.pk)
    change = propose(rules, editor_and_reviewer)
    assert not validity.can_decide(editor_and_reviewer, change)
    with pytest.raises(PermissionDenied, match="不能审核自己的申请"):
        validity.approve(change, editor_and_reviewer)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"effective_on": D(2099, 1, 1)}, "不能晚于今天"),
        ({"effective_on": D(2023, 12, 31)}, "不能早于文件的发布日期"),
        ({"validity": "valid"}, "有效"),
        ({"validity": "amended"}, "必须写明修改它的文件"),
    ],
)
def test_bad_proposals_are_refused_in_chinese(rules, editor, fields, message):
    with pytest.raises(WorkflowError, match=message):
        propose(rules, editor, **fields)


def test_the_abolishing_document_must_be_public_and_not_itself(rules, notice_in, editor):
    draft = notice_in("draft")
    with pytest.raises(WorkflowError, match="尚未在本网站发布"):
        propose(rules, editor, by_notice=draft)
    with pytest.raises(WorkflowError, match="不能废止或修改它自己"):
        propose(rules, editor, by_notice=rules)


def test_a_draft_or_an_already_changed_notice_cannot_change(rules, notice_in, editor, reviewer):
    with pytest.raises(WorkflowError, match="已经发布"):
        propose(notice_in("draft"), editor)
    validity.approve(propose(rules, editor, validity="expired"), reviewer)
    with pytest.raises(WorkflowError, match="不能再次变更"):
        propose(rules, editor)


def test_one_open_proposal_per_notice(rules, editor, second_editor, reviewer):
    first = propose(rules, editor)
    with pytest.raises(WorkflowError, match="待审核"):
        propose(rules, second_editor)
    validity.approve(first, reviewer)
    with pytest.raises(WorkflowError, match="已经审核过"):
        validity.approve(first, reviewer)


def test_a_correction_published_later_keeps_the_changed_validity(rules, editor, reviewer):
    correction = workflow.start_correction(rules, editor)
    validity.approve(propose(rules, editor), reviewer)
    correction.refresh_from_db()
    correction.title, correction.change_note = "旧办法（更正）", "改标题"
    workflow.save_draft(correction, editor)
    workflow.submit(correction, editor)
    workflow.approve(correction, factories.make_reviewer(rules.organ))
    rules.refresh_from_db()
    assert (rules.title, rules.validity) == ("旧办法（更正）", "repealed")


def test_changes_are_in_the_audit_history(rules, editor, reviewer):
    change = propose(rules, editor)
    validity.approve(change, reviewer)
    of = ContentType.objects.get_for_model
    change_events = AuditEvent.objects.filter(
        content_type=of(ValidityChange), object_pk=str(change.pk)
    )
    assert change_events.count() == 2  # proposed, approved
    notice_events = AuditEvent.objects.filter(content_type=of(Notice), object_pk=str(rules.pk))
    assert any("validity" in (event.changes or {}) for event in notice_events)


def test_the_page_shows_a_banner_linking_the_abolishing_document(
    client, rules, abolishing, editor, reviewer
):
    assert "validity-banner" not in client.get(rules.get_absolute_url()).content.decode()
    validity.approve(propose(rules, editor, by_notice=abolishing), reviewer)

    page = client.get(rules.get_absolute_url()).content.decode()

    assert "本文件已于 2026年3月1日 废止" in page
    link = f'<a href="{abolishing.get_absolute_url()}">新办法（甘政发〔2026〕3号）</a>'
    assert f"废止文件：{link}" in page


def test_the_banner_names_a_document_not_on_the_site(client, rules, editor, reviewer):
    change = propose(rules, editor, validity="amended", by_document="关于修改部分规章的决定")
    validity.approve(change, reviewer)
    page = client.get(rules.get_absolute_url()).content.decode()
    assert "本文件已于 2026年3月1日 修改，修改文件：关于修改部分规章的决定。" in page


def test_catalogue_filters_documents_in_force(client, rules, abolishing, editor, reviewer):
    validity.approve(propose(rules, editor), reviewer)
    url = reverse("notices:notice-list")

    in_force = client.get(url, {"validity": "valid"}).content.decode()
    repealed = client.get(url, {"validity": "repealed"}).content.decode()

    assert "新办法" in in_force and "旧办法" not in in_force
    assert "旧办法" in repealed and "新办法" not in repealed
    assert '<option value="valid" selected>现行有效</option>' in in_force


@pytest.mark.django_db(transaction=True)
def test_cached_pages_show_the_change_at_once(client, settings, notice_in, editor, reviewer):
    from django.core.cache import cache

    settings.PORTAL_PAGE_CACHE_SECONDS = 300
    settings.PORTAL_LISTS_CACHE_SECONDS = 300
    cache.clear()
    rules = notice_in(title="旧办法", document_category="rules", published_at=at(2024, 1, 5))
    library = reverse("notices:organ-documents", args=[rules.organ_id])
    catalogue = reverse("notices:notice-list") + "?validity=valid"
    assert "validity-banner" not in client.get(rules.get_absolute_url()).content.decode()
    assert "现行有效（1 件）" in client.get(library).content.decode()
    assert "旧办法" in client.get(catalogue).content.decode()

    validity.approve(propose(rules, editor), reviewer)

    assert "validity-banner" in client.get(rules.get_absolute_url()).content.decode()
    assert "已废止（1 件）" in client.get(library).content.decode()
    assert "旧办法" not in client.get(catalogue).content.decode()
    cache.clear()

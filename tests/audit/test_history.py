"""The audit history records every kind of change, append-only, in a verifiable hash chain."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.urls import reverse

from audit import chain
from audit.context import acting
from audit.models import AppendOnlyError, AuditEvent
from notices import workflow
from notices.models import Notice
from tests import factories
from tests.conftest import OWNER_ROLE


def events_for(instance):
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(instance), object_pk=str(instance.pk)
    ).order_by("sequence")


def test_notice_create_change_and_delete_are_recorded_with_before_and_after(organ, editor):
    with acting(editor, "10.1.2.3", "网页"):
        notice = factories.make_draft(organ, editor, title="原标题")
        notice.title = "新标题"
        workflow.save_draft(notice, editor)
        notice_pk = notice.pk
        workflow.delete_draft(notice, editor)
    created, changed, deleted = AuditEvent.objects.filter(
        content_type__model="notice", object_pk=str(notice_pk)
    ).order_by("sequence")
    assert created.action == AuditEvent.Action.CREATE
    assert changed.changes["title"] == ["原标题", "新标题"]
    assert deleted.action == AuditEvent.Action.DELETE
    assert {e.actor_id for e in (created, changed, deleted)} == {editor.pk}
    assert changed.remote_addr == "10.1.2.3"
    assert changed.source == "网页"


def test_workflow_transitions_are_in_the_history(notice_in, reviewer):
    notice = notice_in("in_review")
    with acting(reviewer):
        workflow.approve(notice, reviewer)
    changes = [e.changes for e in events_for(notice) if e.actor_id == reviewer.pk]
    assert any(c.get("status") == ["in_review", "published"] for c in changes)


def test_bulk_admin_delete_records_each_row(client, site_admin, notice_in):
    drafts = [notice_in("draft") for _ in range(3)]
    client.force_login(site_admin)
    client.post(
        reverse("admin:notices_notice_changelist"),
        {"action": "delete_selected", "_selected_action": [d.pk for d in drafts], "post": "yes"},
        REMOTE_ADDR="192.0.2.7",
    )
    assert not Notice.objects.filter(pk__in=[d.pk for d in drafts]).exists()
    for draft in drafts:
        deleted = events_for(draft).get(action=AuditEvent.Action.DELETE)
        assert deleted.actor_id == site_admin.pk
        assert deleted.remote_addr == "192.0.2.7"


def test_role_and_organ_memberships_are_recorded(organ, editor, site_admin):
    newcomer = factories.make_user()
    with acting(site_admin):
        organ.members.add(newcomer)
        editor.groups.clear()
    organ_changes = [e.changes for e in events_for(organ)]
    assert any("members" in c for c in organ_changes)
    assert any("groups" in e.changes for e in events_for(editor) if e.changes)


def test_logins_and_failed_logins_are_recorded(client, editor):
    client.post(reverse("admin:login"), {"username": editor.username, "password": "wrong"})
    client.post(
        reverse("admin:login"), {"username": editor.username, "password": factories.PASSWORD}
    )
    kinds = [
        e.additional_data["event"] for e in AuditEvent.objects.filter(action=3).order_by("sequence")
    ]
    assert kinds == ["login_failed", "login"]


def test_commands_are_named_as_the_source(monkeypatch, organ):
    monkeypatch.setattr("sys.argv", ["manage.py", "load_demo"])
    topic = factories.make_topic()
    assert events_for(topic).get().source == "命令 load_demo"


def test_events_cannot_be_edited_or_deleted_through_the_model(organ):
    event = events_for(organ).first()
    event.object_repr = "篡改"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET object_repr = 'x'",
        "DELETE FROM audit_auditevent",
    ],
)
def test_database_refuses_update_and_delete_on_postgresql(organ, statement):
    """Even to the tables' owner (the application's role may not even try: test_tamper.py)."""
    with (
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"SET LOCAL ROLE {OWNER_ROLE}")
        cursor.execute(statement)


def test_chain_verifies_when_intact(organ, editor, notice_in):
    notice_in("published")
    report = chain.verify()
    assert report.intact and report.checked == AuditEvent.objects.count() > 5
    call_command("verify_audit_chain")


def _without_trigger():
    """Tampering as an attacker with database access would: around the trigger."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL ROLE NONE")
            cursor.execute("SET LOCAL session_replication_role = replica")


def test_chain_names_an_altered_event(organ, editor, notice_in):
    notice_in("published")
    victim = AuditEvent.objects.order_by("sequence")[3]
    _without_trigger()
    AuditEvent.objects.filter(pk=victim.pk).update(object_repr="篡改后的内容")
    report = chain.verify()
    assert report.broken_at == victim.sequence
    assert "改动" in report.reason
    with pytest.raises(CommandError, match=f"第 {victim.sequence} 条"):
        call_command("verify_audit_chain")


def test_chain_names_a_deleted_event(organ, editor, notice_in):
    notice_in("published")
    victim = AuditEvent.objects.order_by("sequence")[2]
    _without_trigger()
    AuditEvent.objects.filter(pk=victim.pk).delete()
    report = chain.verify()
    assert report.broken_at == victim.sequence
    assert "删除" in report.reason


def test_chain_notices_a_removed_tail(organ, notice_in):
    notice_in("published")
    last = AuditEvent.objects.order_by("-sequence").first()
    _without_trigger()
    AuditEvent.objects.filter(pk=last.pk).delete()
    assert chain.verify().broken_at == last.sequence


def test_score_entry_and_rectification_are_recorded(organ, editor, reviewer):
    from assessments import workflow as assessment_workflow
    from tests.assessments import factories as af

    with acting(editor, "10.0.0.9"):
        assessment = af.make_assessment(organ, editor)
        unit = af.make_unit(af.make_group(assessment))
        leaf = af.make_indicator(assessment, "A1", 10)
        af.score(assessment, editor, {(unit, leaf): 7})
        af.score(assessment, editor, {(unit, leaf): 8})
    score = unit.scores.get()
    created, changed = events_for(score)
    assert created.action == AuditEvent.Action.CREATE
    old, new = changed.changes["value"]
    assert (float(old), float(new)) == (7, 8)
    assert {created.actor_id, changed.actor_id} == {editor.pk}
    requirement = assessment.requirements.create(title="加强公开专栏建设")
    assessment_workflow.submit(assessment, editor)
    with acting(reviewer):
        assessment_workflow.publish(assessment, reviewer)
    report = assessment_workflow.report_rectification(requirement, unit, editor, "done", "已完成")
    with acting(reviewer):
        assessment_workflow.verify_rectification(report, reviewer, accepted=True)
    verified = events_for(report).last()
    assert verified.changes["verification"] == ["pending", "accepted"]
    assert verified.actor_id == reviewer.pk


def test_a_whole_score_grid_is_saved_in_a_few_queries_and_every_cell_is_in_the_history(
    organ, editor, django_assert_max_num_queries
):
    from decimal import Decimal

    from assessments import workflow as assessment_workflow
    from assessments.models import Score
    from tests.assessments import factories as af

    assessment = af.make_assessment(organ, editor)
    group = af.make_group(assessment)
    units = [af.make_unit(group, position=n) for n in range(30)]
    leaves = [af.make_indicator(assessment, f"A{n}", 10) for n in range(15)]
    grid = {(unit.pk, leaf.pk): (Decimal(5), "") for unit in units for leaf in leaves}
    with acting(editor, "10.0.0.9"), django_assert_max_num_queries(25):
        assessment_workflow.save_scores(assessment, editor, grid)
    assert Score.objects.filter(unit__assessment=assessment).count() == 450

    # Then one of each kind of change: a new value, a new remark, a cleared cell.
    first, second, third = list(grid)[:3]
    changes = {first: (Decimal(7), ""), second: (Decimal(5), "补充材料"), third: (None, "")}
    with acting(editor, "10.0.0.9"), django_assert_max_num_queries(25):
        assessment_workflow.save_scores(assessment, editor, changes)

    created = AuditEvent.objects.filter(
        content_type__model="score", action=AuditEvent.Action.CREATE
    )
    assert created.count() == 450
    assert {event.actor_id for event in created} == {editor.pk}
    assert {event.remote_addr for event in created} == {"10.0.0.9"}
    sample = created.get(object_pk=str(Score.objects.get(unit=units[1], indicator=leaves[2]).pk))
    assert sample.object_repr == f"{units[1].organ.name} · A2: 5"
    assert sample.changes["value"] == [None, "5"]
    later = AuditEvent.objects.filter(content_type__model="score").exclude(
        action=AuditEvent.Action.CREATE
    )
    by_kind = {(event.action, tuple(sorted(event.changes))): event for event in later}
    assert [float(v) for v in by_kind[(AuditEvent.Action.UPDATE, ("value",))].changes["value"]] == [
        5,
        7,
    ]
    assert by_kind[(AuditEvent.Action.UPDATE, ("remark",))].changes["remark"] == ["", "补充材料"]
    deleted = next(
        event for (action, _), event in by_kind.items() if action == AuditEvent.Action.DELETE
    )
    assert float(deleted.changes["value"][0]) == 5
    assert len(later) == 3
    assert chain.verify().intact


def test_scores_written_in_bulk_are_recorded_as_auditlog_records_a_single_save(organ, editor):
    from decimal import Decimal

    from assessments import workflow as assessment_workflow
    from assessments.models import Score
    from tests.assessments import factories as af

    assessment = af.make_assessment(organ, editor)
    group = af.make_group(assessment)
    by_hand, in_bulk = af.make_unit(group), af.make_unit(group, position=1)
    leaf = af.make_indicator(assessment, "A1", 10)
    saved = Score.objects.create(unit=by_hand, indicator=leaf, value=Decimal("6.5"), remark="甲")
    saved.value = Decimal(8)
    saved.save()
    assessment_workflow.save_scores(
        assessment, editor, {(in_bulk.pk, leaf.pk): (Decimal("6.5"), "甲")}
    )
    assessment_workflow.save_scores(assessment, editor, {(in_bulk.pk, leaf.pk): (Decimal(8), "甲")})
    bulk = Score.objects.get(unit=in_bulk)

    def recorded(score):
        return [
            (event.action, event.object_repr.split(" · ")[1], event.changes)
            for event in events_for(score)
        ]

    def without_ids(events):
        return [
            (action, name, {k: v for k, v in changes.items() if k not in ("id", "unit")})
            for action, name, changes in events
        ]

    assert without_ids(recorded(bulk)) == without_ids(recorded(saved))
    assert set(recorded(bulk)[0][2]) == set(recorded(saved)[0][2])

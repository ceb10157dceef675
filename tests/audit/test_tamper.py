"""The history holds against whoever controls the database: every way of rewriting it that a
database owner has (around the triggers, recomputing hashes) is caught by the seals and by the
signed checkpoints kept outside the database."""

import hashlib
import hmac
import json
import threading

import pytest
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction

from audit import chain, checkpoints, keys
from audit.models import AuditEvent, ChainHead, chain_hash
from audit.signals import record_access
from tests import factories
from tests.conftest import OWNER_ROLE

pytestmark = pytest.mark.postgres


def as_database_owner(cursor) -> None:
    """Tamper as the owner of the database would: around the triggers, for this transaction."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own pending checks first
    cursor.execute("SET LOCAL ROLE NONE")
    cursor.execute("SET LOCAL session_replication_role = replica")


def history(count: int = 8) -> None:
    organ = factories.make_organ()
    for _ in range(count):
        factories.make_topic()
    factories.make_editor(organ)


def rewrite_from(sequence: int, seal_with: bytes | None = None) -> None:
    """Recompute the hash of every event from ``sequence`` on, and the head, as an attacker who
    knows the hashing scheme (it is public) would after changing or removing an event."""
    events = list(AuditEvent.objects.filter(sequence__gte=sequence).order_by("sequence"))
    previous = AuditEvent.objects.filter(sequence__lt=sequence).order_by("-sequence").first()
    previous_hash = previous.hash if previous else "0" * 64
    with connection.cursor() as cursor:
        as_database_owner(cursor)
    for event in events:
        event.previous_hash = previous_hash
        event.hash = chain_hash(previous_hash, event.payload())
        event.seal = (
            hmac.new(seal_with, event.hash.encode(), hashlib.sha256).hexdigest()
            if seal_with
            else event.seal
        )
        AuditEvent.objects.filter(pk=event.pk).update(
            previous_hash=event.previous_hash, hash=event.hash, seal=event.seal
        )
        previous_hash = event.hash
    ChainHead.objects.filter(pk=1).update(sequence=events[-1].sequence, hash=previous_hash)


def remove_the_last_event() -> AuditEvent:
    """Delete the newest event and move the head back onto the one before, as an owner
    hiding the last thing done would. Returns the removed event."""
    last = AuditEvent.objects.order_by("-sequence").first()
    with connection.cursor() as cursor:
        as_database_owner(cursor)
    AuditEvent.objects.filter(pk=last.pk).delete()
    ChainHead.objects.filter(pk=1).update(sequence=last.sequence - 1, hash=last.previous_hash)
    return last


@pytest.fixture
def checkpointed(db):
    history()
    return chain.record_checkpoint()


def assert_broken(fragment: str) -> chain.ChainReport:
    report = chain.verify()
    assert not report.intact, report
    assert fragment in report.reason
    with pytest.raises(CommandError, match="断裂"):
        call_command("verify_audit_chain")
    return report


def test_an_untouched_history_verifies_against_its_checkpoint(checkpointed, capsys):
    report = chain.verify()
    assert report.intact and report.checkpoint == checkpointed
    call_command("verify_audit_chain")
    assert "与最新检查点相符" in capsys.readouterr().out


def test_the_database_refuses_truncate(checkpointed):
    for table in ("audit_auditevent", "audit_chainhead"):
        with (
            pytest.raises(Exception, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"SET LOCAL ROLE {OWNER_ROLE}")
            cursor.execute(f"TRUNCATE {table}")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET object_repr = 'x'",
        "DELETE FROM audit_auditevent",
        "TRUNCATE audit_auditevent",
        "ALTER TABLE audit_auditevent DISABLE TRIGGER USER",
        "DROP TRIGGER audit_event_append_only ON audit_auditevent",
        "DROP TABLE audit_auditevent CASCADE",
        "DELETE FROM audit_chainhead",
    ],
)
def test_the_application_role_may_only_read_and_append_the_history(checkpointed, statement):
    """The tests connect as the application's role of the two-role deployment (conftest.py)."""
    with (
        pytest.raises(Exception, match=r"permission denied|must be owner"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)


def test_the_database_refuses_deleting_the_head(checkpointed):
    with (
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"SET LOCAL ROLE {OWNER_ROLE}")
        cursor.execute("DELETE FROM audit_chainhead")


def test_truncating_the_history_is_caught(checkpointed):
    with connection.cursor() as cursor:
        as_database_owner(cursor)
        cursor.execute("TRUNCATE audit_auditevent; DELETE FROM audit_chainhead")
    report = assert_broken("截断")
    assert report.checked == 0


def test_removing_the_last_event_and_moving_the_head_back_is_caught(checkpointed):
    remove_the_last_event()
    assert_broken("末尾被删除")


def test_editing_one_event_removing_another_and_recomputing_every_hash_is_caught(checkpointed):
    edited = AuditEvent.objects.get(sequence=3)
    with connection.cursor() as cursor:
        as_database_owner(cursor)
    AuditEvent.objects.filter(pk=edited.pk).update(object_repr="改写后的对象")
    AuditEvent.objects.filter(sequence=5).delete()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET sequence = sequence - 1 WHERE sequence > 5")
    rewrite_from(3)
    report = assert_broken("封印")
    assert report.broken_at == 3


def test_a_rewritten_chain_sealed_with_another_key_is_caught(checkpointed):
    edited = AuditEvent.objects.get(sequence=2)
    with connection.cursor() as cursor:
        as_database_owner(cursor)
    AuditEvent.objects.filter(pk=edited.pk).update(object_repr="改写后的对象")
    rewrite_from(2, seal_with=b"a key the attacker made up")
    assert assert_broken("封印").broken_at == 2


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("actor_email", "someone-else@example.com"),
        ("cid", "forged-correlation"),
        ("object_id", 999999),
        ("remote_port", 4444),
        ("serialized_data", {"forged": True}),
        ("remote_addr", "10.9.8.7"),
        ("source", "伪造来源"),
        ("changes_text", "伪造说明"),
    ],
)
def test_every_column_is_covered_by_the_hash(checkpointed, column, value):
    victim = AuditEvent.objects.get(sequence=4)
    with connection.cursor() as cursor:
        as_database_owner(cursor)
    AuditEvent.objects.filter(pk=victim.pk).update(**{column: value})
    assert assert_broken("哈希不符").broken_at == 4


def test_downgrading_an_event_to_the_unsealed_format_is_caught(checkpointed):
    with connection.cursor() as cursor:
        as_database_owner(cursor)
    AuditEvent.objects.filter(sequence=3).update(hash_version=1, seal="")
    rewrite_from(3)
    assert assert_broken("旧格式").broken_at == 3


def test_events_written_before_the_history_was_sealed_still_verify(db):
    """An upgraded site: its older events carry unkeyed hashes over fewer columns."""
    history(3)
    legacy = list(AuditEvent.objects.order_by("sequence"))
    with connection.cursor() as cursor:
        as_database_owner(cursor)
    AuditEvent.objects.update(hash_version=1, seal="")
    rewrite_from(1)
    ChainHead.objects.filter(pk=1).update(sealed_from=len(legacy) + 1)
    factories.make_topic()
    report = chain.verify()
    assert report.intact, report
    assert AuditEvent.objects.get(sequence=len(legacy) + 1).seal


def test_a_forged_checkpoint_is_refused(checkpointed, settings):
    name = checkpoints.store().listdir(checkpoints.FOLDER)[1][0]
    path = checkpoints.store().path(f"{checkpoints.FOLDER}/{name}")
    with open(path, encoding="utf-8") as file:
        forged = json.load(file) | {"sequence": 1}
    with open(path, "w", encoding="utf-8") as file:
        json.dump(forged, file)
    assert_broken("签名")


@pytest.mark.django_db(transaction=True)
def test_checkpoints_are_written_once_their_events_commit(settings):
    settings.AUDIT_CHECKPOINT_EVERY = 4
    history(10)
    latest = checkpoints.latest()
    head_sequence, _ = chain.head()
    assert latest is not None
    assert latest.sequence % 4 == 0 and head_sequence - 4 < latest.sequence <= head_sequence
    assert latest.signed(keys.public_key_base64())
    assert chain.verify().intact


@pytest.mark.django_db(transaction=True)
def test_verification_never_raises_a_false_alarm_while_events_are_written(settings):
    settings.AUDIT_CHECKPOINT_EVERY = 3
    user = factories.make_user()
    stop = threading.Event()
    errors = []

    def log_in_and_out():
        try:
            while not stop.is_set():
                record_access("login", user)
                record_access("login_failed", None, username="nobody")
        except Exception as error:  # reported below: a writer must not fail either
            errors.append(error)
        finally:
            connections.close_all()

    writers = [threading.Thread(target=log_in_and_out) for _ in range(2)]
    for writer in writers:
        writer.start()
    try:
        reports = [chain.verify() for _ in range(12)]
    finally:
        stop.set()
        for writer in writers:
            writer.join()
    assert not errors
    assert all(report.intact for report in reports), [r.reason for r in reports if not r.intact]
    assert reports[-1].checked > reports[0].checked
    assert chain.verify().intact


def test_no_checkpoint_is_signed_over_a_removed_tail(checkpointed):
    """Otherwise the next checkpoint would bless the shortened history."""
    remove_the_last_event()
    with pytest.raises(checkpoints.CheckpointError, match="少于上一个检查点"):
        chain.record_checkpoint()
    assert checkpoints.latest() == checkpointed


def test_no_checkpoint_is_signed_over_a_rewritten_chain(checkpointed):
    with connection.cursor() as cursor:
        as_database_owner(cursor)
    AuditEvent.objects.filter(sequence=2).update(object_repr="改写后的对象")
    rewrite_from(2)
    with pytest.raises(CommandError, match="拒绝签名"):
        call_command("audit_checkpoint")
    assert checkpoints.latest() == checkpointed


def test_a_checkpoint_extends_the_last_one(checkpointed, capsys):
    factories.make_topic()
    call_command("audit_checkpoint")
    newer = checkpoints.latest()
    assert newer.sequence > checkpointed.sequence and newer.signed()
    assert "已写入检查点" in capsys.readouterr().out


def test_a_malformed_signing_key_stops_the_site_and_derived_keys_are_warned_of(settings):
    settings.AUDIT_SIGNING_KEY = "not base64!"
    assert "audit.E001" in {message.id for message in run_checks()}
    settings.AUDIT_SIGNING_KEY, settings.AUDIT_SEAL_KEY = "", ""
    assert "audit.W001" in {message.id for message in run_checks(include_deployment_checks=True)}
    fresh = keys.new_keys()
    settings.AUDIT_SIGNING_KEY, settings.AUDIT_SEAL_KEY = (
        fresh["AUDIT_SIGNING_KEY"],
        fresh["AUDIT_SEAL_KEY"],
    )
    found = {message.id for message in run_checks(include_deployment_checks=True)}
    assert not found & {"audit.E001", "audit.W001"}
    assert keys.public_key_base64() == fresh["public_key"]


def test_after_a_restore_operators_sign_the_shorter_history_with_their_reason(checkpointed, capsys):
    last = remove_the_last_event()
    call_command("audit_checkpoint", restored_because="自 3 月 1 日备份恢复")
    acknowledged = checkpoints.latest()
    assert acknowledged.sequence == last.sequence - 1
    assert "自 3 月 1 日备份恢复" in acknowledged.note
    assert f"共 {checkpointed.sequence} 条" in acknowledged.note
    call_command("verify_audit_chain")
    assert "自 3 月 1 日备份恢复" in capsys.readouterr().out

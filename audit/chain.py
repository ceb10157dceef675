"""Verifying the audit history: its hash chain, its seals and the newest signed checkpoint."""

import logging
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.dispatch import receiver

from audit import checkpoints, keys
from audit.models import GENESIS_HASH, AuditEvent, ChainHead, chain_hash, checkpoint_due

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChainReport:
    checked: int
    head_sequence: int
    head_hash: str
    broken_at: int | None = None
    reason: str = ""
    checkpoint: checkpoints.Checkpoint | None = None

    @property
    def intact(self) -> bool:
        return self.broken_at is None


@contextmanager
def snapshot():
    """On PostgreSQL, read in one read-only repeatable-read transaction: one consistent moment
    however many events are written meanwhile, and cursors that stream instead of being
    materialized.

    Not on SQLite, where a transaction here would hold the write lock for the whole read.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def head() -> tuple[int, str]:
    found = ChainHead.objects.filter(pk=1).first()
    return (found.sequence, found.hash) if found else (0, GENESIS_HASH)


def sealed_from() -> int:
    found = ChainHead.objects.filter(pk=1).values_list("sealed_from", flat=True).first()
    return found or 1


def record_checkpoint(restored_because: str = "") -> checkpoints.Checkpoint:
    """Sign the history as it stands and write the checkpoint to the store.

    ``restored_because`` is for operators after restoring a backup: the history then holds fewer
    events than the last checkpoint, which is refused unless they say why; the reason and the
    last checkpoint's count are signed into the new one (and the old one stays in the store).
    """
    previous = checkpoints.latest()
    with snapshot():
        checkpoint = sign_head(previous, restored_because)
    checkpoints.write(checkpoint)
    return checkpoint


def sign_head(
    previous: checkpoints.Checkpoint | None, restored_because: str = ""
) -> checkpoints.Checkpoint:
    """A checkpoint of the head as this transaction sees it; ``previous`` is the newest checkpoint,
    read before the transaction's snapshot was taken (so that every event it names is in it).

    Refused (CheckpointError) unless the history still extends ``previous`` and its head event is
    sealed: a head moved back over a removed tail, or a chain rewritten since, must never be
    signed. The full check of every link is verify()'s.
    """
    sequence, hash = head()
    first_sealed = sealed_from()
    note = ""
    if restored_because and previous is not None:
        note = (
            f"恢复备份后签署：{restored_because}（上一个检查点 {previous.time} 记载共 "
            f"{previous.sequence} 条）"
        )
        previous = None
    _check_extends(previous, sequence, hash, first_sealed)
    return checkpoints.sign(sequence, hash, first_sealed, note)


def _check_extends(
    previous: checkpoints.Checkpoint | None, sequence: int, hash: str, first_sealed: int
) -> None:
    refused = "拒绝签名检查点：{}。请运行 manage.py verify_audit_chain 查明。"
    events = AuditEvent.objects.filter(
        sequence__in=[sequence, previous.sequence if previous else 0]
    )
    found = {event.sequence: event for event in events.only("sequence", "hash", "seal")}
    last = found.get(sequence)
    sealed = sequence >= first_sealed
    if sequence and (
        last is None or last.hash != hash or (sealed and not keys.seal_fits(hash, last.seal))
    ):
        raise checkpoints.CheckpointError(refused.format(f"链头 #{sequence} 与记录不符"))
    if previous is None or not previous.sequence:
        return
    if sequence < previous.sequence:
        raise checkpoints.CheckpointError(
            refused.format(f"记录只有 {sequence} 条，少于上一个检查点的 {previous.sequence} 条")
        )
    at_previous = found.get(previous.sequence)
    if at_previous is None or at_previous.hash != previous.hash:
        raise checkpoints.CheckpointError(
            refused.format(f"第 {previous.sequence} 条与上一个检查点不符")
        )


@receiver(checkpoint_due, dispatch_uid="audit.checkpoint_due")
def _record_checkpoint_after_commit(sender, **kwargs) -> None:
    """Never fails the change that made a checkpoint due: a refusal or an unreachable store is
    logged, and the next checkpoint tries again."""
    try:
        record_checkpoint()
    except Exception:
        logger.exception("Could not write an audit checkpoint")


def verify(batch_size: int = 2000) -> ChainReport:
    """Recompute every link and seal in order, then compare with the newest checkpoint; name the
    first event that does not fit.

    The checkpoint is read before the snapshot is taken: it is written only once its events have
    committed, so every event it names is in the snapshot, however busy the history is.
    """
    try:
        checkpoint = checkpoints.latest()
    except checkpoints.CheckpointError as error:
        return ChainReport(0, *head(), broken_at=0, reason=str(error))
    with snapshot():
        report = _verify_snapshot(checkpoint, batch_size)
    return report


def _verify_snapshot(checkpoint, batch_size: int) -> ChainReport:
    head_sequence, head_hash = head()
    first_sealed = checkpoint.sealed_from if checkpoint else sealed_from()

    def broken(sequence: int, reason: str) -> ChainReport:
        return ChainReport(checked, head_sequence, head_hash, sequence, reason, checkpoint)

    expected_sequence, previous_hash, checked, hash_at_checkpoint = 1, GENESIS_HASH, 0, None
    events = AuditEvent.objects.select_related("content_type").order_by("sequence")
    for event in events.iterator(chunk_size=batch_size):
        if event.sequence != expected_sequence:
            return broken(expected_sequence, f"缺少第 {expected_sequence} 条记录（已被删除）")
        if event.previous_hash != previous_hash:
            return broken(event.sequence, "与上一条记录的哈希不衔接")
        if event.sequence >= first_sealed and event.hash_version == 1:
            return broken(event.sequence, "记录被改为旧格式以逃避封印（已被改动）")
        if chain_hash(previous_hash, event.payload()) != event.hash:
            return broken(event.sequence, "记录内容与其哈希不符（已被改动）")
        if event.sequence >= first_sealed and not keys.seal_fits(event.hash, event.seal):
            return broken(event.sequence, "记录的封印与密钥不符（整条链被重新计算过）")
        if checkpoint and event.sequence == checkpoint.sequence:
            hash_at_checkpoint = event.hash
        previous_hash, expected_sequence, checked = event.hash, expected_sequence + 1, checked + 1
    if checkpoint and checked < checkpoint.sequence:
        return broken(
            checked + 1,
            f"检查点（{checkpoint.time}）记载共 {checkpoint.sequence} 条，"
            f"数据库只有 {checked} 条（记录被截断或末尾被删除）",
        )
    if checkpoint and checkpoint.sequence and hash_at_checkpoint != checkpoint.hash:
        return broken(
            checkpoint.sequence,
            f"第 {checkpoint.sequence} 条的哈希与检查点（{checkpoint.time}）"
            "签名的不符（记录被改写）",
        )
    if (head_sequence, head_hash) != (checked, previous_hash):
        return broken(checked + 1, "链头与最后一条记录不符（末尾记录被删除或链头被改动）")
    return ChainReport(checked, head_sequence, head_hash, checkpoint=checkpoint)

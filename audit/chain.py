"""Verifying the audit hash chain."""

from dataclasses import dataclass

from audit.models import GENESIS_HASH, AuditEvent, ChainHead, chain_hash


@dataclass(frozen=True)
class ChainReport:
    checked: int
    head_sequence: int
    head_hash: str
    broken_at: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def head() -> tuple[int, str]:
    found = ChainHead.objects.filter(pk=1).first()
    return (found.sequence, found.hash) if found else (0, GENESIS_HASH)


def verify(batch_size: int = 2000) -> ChainReport:
    """Recompute every link in order; name the first event that does not fit."""
    expected_sequence, previous_hash, checked = 1, GENESIS_HASH, 0
    events = AuditEvent.objects.select_related("content_type").order_by("sequence")
    for event in events.iterator(chunk_size=batch_size):
        if event.sequence != expected_sequence:
            return _broken(
                checked, expected_sequence, f"缺少第 {expected_sequence} 条记录（已被删除）"
            )
        if event.previous_hash != previous_hash:
            return _broken(checked, event.sequence, "与上一条记录的哈希不衔接")
        if chain_hash(previous_hash, event.payload()) != event.hash:
            return _broken(checked, event.sequence, "记录内容与其哈希不符（已被改动）")
        previous_hash, expected_sequence, checked = event.hash, expected_sequence + 1, checked + 1
    head_sequence, head_hash = head()
    if (head_sequence, head_hash) != (checked, previous_hash):
        return _broken(checked, checked + 1, "链头与最后一条记录不符（末尾记录被删除或链头被改动）")
    return ChainReport(checked, head_sequence, head_hash)


def _broken(checked: int, sequence: int, reason: str) -> ChainReport:
    head_sequence, head_hash = head()
    return ChainReport(checked, head_sequence, head_hash, broken_at=sequence, reason=reason)

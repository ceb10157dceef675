"""Signed checkpoints of the history, kept outside the database.

A checkpoint says "at this time the history held this many events, and the last one's hash was
this", signed with the Ed25519 key (audit/keys.py), like a Certificate Transparency log's signed
tree head. It is written to the ``audit_checkpoints`` storage (a folder, or an S3-compatible bucket
with Object Lock), which the database's owner cannot rewrite. Verification compares the history
with the newest one: a truncated table, a removed tail or a rewritten chain no longer ends in the
hash that was signed.

One is written after every ``AUDIT_CHECKPOINT_EVERY`` events (once the append commits), by every
export (its manifest carries it), and by ``manage.py audit_checkpoint``; audit/chain.py signs one
only for a history that still extends the last one.
"""

import json
import logging
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils import timezone

from audit import keys

logger = logging.getLogger(__name__)

FORMAT = "disclosure-audit-checkpoint/1"
FOLDER = "checkpoints"


class CheckpointError(Exception):
    """A checkpoint that cannot be read or whose signature does not fit."""


@dataclass(frozen=True)
class Checkpoint:
    sequence: int
    hash: str
    sealed_from: int
    time: str
    key_id: str
    # Set only on a checkpoint that operators signed over a history that does not extend the
    # last one (after restoring a backup): why.
    note: str = ""
    signature: str = ""
    format: str = FORMAT

    def message(self) -> bytes:
        """The bytes the signature covers: every field but the signature, as canonical JSON."""
        fields = {name: value for name, value in asdict(self).items() if name != "signature"}
        return json.dumps(
            fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")
        ).encode()

    def signed(self, public_key: str | None = None) -> bool:
        return keys.signature_fits(self.message(), self.signature, public_key)

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def name(self) -> str:
        stamp = datetime.fromisoformat(self.time).astimezone(UTC)
        return f"{FOLDER}/{stamp:%Y%m%dT%H%M%S%fZ}-{self.sequence:015d}.json"


def sign(sequence: int, hash: str, sealed_from: int, note: str = "") -> Checkpoint:
    unsigned = Checkpoint(
        sequence=sequence,
        hash=hash,
        sealed_from=sealed_from,
        time=timezone.now().isoformat(),
        key_id=keys.key_id(),
        note=note,
    )
    return Checkpoint(**{**unsigned.as_dict(), "signature": keys.sign(unsigned.message())})


EMPTY_READ_RETRIES = 20


def store():
    return storages["audit_checkpoints"]


def write(checkpoint: Checkpoint) -> str:
    text = json.dumps(checkpoint.as_dict(), ensure_ascii=False, indent=2) + "\n"
    return store().save(checkpoint.name, ContentFile(text.encode()))


def write_quietly(checkpoint: Checkpoint) -> None:
    """Write it, logging instead of failing if the store cannot be reached: the signed
    checkpoint holds all the same wherever else it is kept (an export's manifest)."""
    try:
        write(checkpoint)
    except Exception:
        logger.exception("Could not write the audit checkpoint at #%s", checkpoint.sequence)


def latest() -> Checkpoint | None:
    """The newest checkpoint in the store (by the time it was signed, which its name begins
    with), its signature checked; None if there is none."""
    try:
        _, names = store().listdir(FOLDER)
    except FileNotFoundError:
        return None
    names = sorted(name for name in names if name.endswith(".json"))
    if not names:
        return None
    path = f"{FOLDER}/{names[-1]}"
    # A file-system store creates the file before writing it: a checkpoint being written in
    # another process reads empty for a moment. One that stays empty is an error like any other.
    for _ in range(EMPTY_READ_RETRIES):
        with store().open(path) as file:
            content = file.read()
        if content:
            break
        time.sleep(0.05)
    try:
        checkpoint = Checkpoint(**json.loads(content))
    except (ValueError, TypeError) as error:
        raise CheckpointError(f"检查点 {names[-1]} 无法读取：{error}") from error
    if not checkpoint.signed():
        raise CheckpointError(f"检查点 {names[-1]} 的签名与本站公钥不符")
    return checkpoint

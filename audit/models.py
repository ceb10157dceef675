"""The audit history: one append-only table of events linked into a hash chain.

django-auditlog records every create, change and delete of the registered models (see
audit/registry.py) with the fields before and after. Each event is hashed over every column
together with the hash of the event before it, so that altering or removing any event breaks the
chain; each hash is sealed with a key kept outside the database (audit/keys.py), so that a
rewritten chain does not fit its seals; and signed checkpoints written outside the database
(audit/checkpoints.py) catch truncation and a removed tail. ``manage.py verify_audit_chain``
checks all three. On PostgreSQL triggers refuse UPDATE, DELETE and TRUNCATE.
"""

import hashlib
import json
from collections.abc import Iterable

from auditlog.cid import get_cid
from auditlog.diff import model_instance_diff
from auditlog.models import AbstractLogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _

from audit import context, keys

GENESIS_HASH = "0" * 64
# Events written before the history was sealed (hash_version 1) were hashed over fewer columns
# and carry no seal; ChainHead.sealed_from says where sealed events begin.
LEGACY_HASH_VERSION, HASH_VERSION = 1, 2
# Sent once an append that crossed a multiple of AUDIT_CHECKPOINT_EVERY has committed;
# audit/chain.py signs a checkpoint then.
checkpoint_due = Signal()


# What each of auditlog's actions is called here (its own names are English).
ACTION_LABELS = {
    AbstractLogEntry.Action.CREATE: "新增",
    AbstractLogEntry.Action.UPDATE: "修改",
    AbstractLogEntry.Action.DELETE: "删除",
    AbstractLogEntry.Action.ACCESS: "访问",
}


class AppendOnlyError(Exception):
    pass


class AuditEvent(AbstractLogEntry):
    sequence = models.PositiveBigIntegerField(_("序号"), unique=True, editable=False)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    previous_hash = models.CharField(_("上一条的哈希"), max_length=64, editable=False)
    hash = models.CharField(_("哈希"), max_length=64, editable=False)
    hash_version = models.PositiveSmallIntegerField(
        _("哈希版本"), default=HASH_VERSION, editable=False
    )
    seal = models.CharField(_("封印"), max_length=64, blank=True, editable=False)
    # Deleting a user never touches the history: the database refuses to delete one it names
    # (notices/users.py explains why to the admin), and one it does not name is deleted without
    # the UPDATE … SET actor_id = NULL that SET_NULL would send, which the application's role
    # may not run on the history.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        blank=True,
        null=True,
        related_name="+",
        verbose_name=_("操作人"),
    )

    class Meta(AbstractLogEntry.Meta):
        ordering = ["-sequence"]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")

    def __str__(self) -> str:
        return f"#{self.sequence} {ACTION_LABELS.get(self.action, self.action)}：{self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("审计记录只能追加，不能修改。")
        self._take_context(context.current())
        # No savepoint of its own inside a transaction (two round trips saved on every audited
        # save): an event that cannot be written dooms the change it records, never only itself.
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
            first = head.sequence + 1
            self._link_after(head)
            super().save(*args, **kwargs)
            head.save(update_fields=["sequence", "hash"])
            _schedule_checkpoint(first, head.sequence)

    def _take_context(self, acting: context.AuditContext) -> None:
        """Who did it and from where, unless the event says so itself."""
        if self.actor_id is None:
            actor = context.resolve_actor(acting.actor)
            if actor is not None:
                self.actor = actor
                self.actor_email = getattr(actor, "email", None) or None
        if self.remote_addr is None:
            self.remote_addr = acting.remote_addr
        self.source = self.source or acting.source

    def _link_after(self, head: "ChainHead") -> None:
        """Make this event the chain's next link, and the head point at it."""
        self.sequence = head.sequence + 1
        self.previous_hash = head.hash
        self.hash_version = HASH_VERSION
        self.hash = chain_hash(self.previous_hash, self.payload())
        self.seal = keys.seal(self.hash)
        head.sequence, head.hash = self.sequence, self.hash

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("审计记录只能追加，不能删除。")

    def payload(self) -> dict:
        """Everything the hash covers, in the form it has after a round trip through the DB:
        every column but the chain's own (previous hash, hash, seal)."""
        content_type = self.content_type
        data = {
            "sequence": self.sequence,
            "timestamp": self.timestamp.isoformat(),
            "content_type": f"{content_type.app_label}.{content_type.model}",
            "object_pk": str(self.object_pk),
            "object_repr": self.object_repr,
            "action": self.action,
            "changes": self.changes,
            "changes_text": self.changes_text,
            "actor": self.actor_id,
            "remote_addr": self.remote_addr,
            "additional_data": self.additional_data,
            "source": self.source,
        }
        if self.hash_version != LEGACY_HASH_VERSION:
            data |= {
                "hash_version": self.hash_version,
                "object_id": self.object_id,
                "serialized_data": self.serialized_data,
                "cid": self.cid,
                "actor_email": self.actor_email,
                "remote_port": self.remote_port,
            }
        return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def canonical_json(payload: dict) -> str:
    """The text of a payload that its hash covers: sorted keys, no spaces, UTF-8 unescaped."""
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@transaction.atomic
def append(events: list[AuditEvent]) -> None:
    """Add events to the history at once, in order: what saving each would do, with one lock of
    the chain's head and one insert for all (for changes made in bulk, such as a score grid)."""
    if not events:
        return
    acting = context.current()
    head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
    first = head.sequence + 1
    for event in events:
        event._take_context(acting)
        event._link_after(head)
    AuditEvent.objects.bulk_create(events)
    head.save(update_fields=["sequence", "hash"])
    _schedule_checkpoint(first, head.sequence)


def _schedule_checkpoint(first: int, last: int) -> None:
    every = settings.AUDIT_CHECKPOINT_EVERY
    if every > 0 and (first - 1) // every != last // every:
        transaction.on_commit(lambda: checkpoint_due.send(sender=AuditEvent))


def changed_rows(
    created: Iterable[models.Model] = (),
    changed: Iterable[tuple[models.Model, models.Model]] = (),
    deleted: Iterable[models.Model] = (),
) -> list[AuditEvent]:
    """The events django-auditlog records when rows are saved one by one, for rows written in
    bulk (bulk_create, bulk_update, a queryset's delete, with auditlog's receivers disabled): the
    same fields before and after, from auditlog's own diff. ``changed`` pairs each row as it was
    with the row as it is now. Nothing is saved: see append().

    No serialized copy of the row is kept: audit/registry.py asks auditlog for none.
    """
    actions = AuditEvent.Action
    pairs = [
        *((actions.CREATE, None, row) for row in created),
        *((actions.UPDATE, old, new) for old, new in changed),
        *((actions.DELETE, row, None) for row in deleted),
    ]
    events = []
    for action, old, new in pairs:
        changes = model_instance_diff(old, new, use_json_for_changes=True)
        if not changes:
            continue
        row = new if new is not None else old
        events.append(
            AuditEvent(
                content_type=ContentType.objects.get_for_model(row),
                object_pk=str(row.pk),
                object_id=row.pk if isinstance(row.pk, int) else None,
                object_repr=str(row),
                action=action,
                changes=changes,
                cid=get_cid(),
            )
        )
    return events


def chain_hash(previous_hash: str, payload: dict) -> str:
    return hashlib.sha256(f"{previous_hash}\n{canonical_json(payload)}".encode()).hexdigest()


class ChainHead(models.Model):
    """The newest event's sequence and hash: the single row that serializes appends. Not trusted
    by verification, which checks the events themselves against the checkpoints."""

    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)
    sealed_from = models.PositiveBigIntegerField(
        default=1, help_text="The first event hashed over every column and sealed."
    )

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")

    def __str__(self) -> str:
        return f"#{self.sequence} {self.hash[:12]}"

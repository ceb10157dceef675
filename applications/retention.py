"""The applicant's identity documents are kept for a period after the application is archived,
then deleted from storage. The attachment's row stays, with the time of deletion and no file,
and an event on the application's timeline records it; django-auditlog records the change.

The period (``APPLICATION_IDENTITY_RETENTION_DAYS``, calendar days after 归档) is one year by
default: longer than the six months in which a lawsuit may be filed (《行政诉讼法》第四十六条),
and no identity document is deleted while a 行政复议 or 行政诉讼 recorded against the
application is pending (尚未审结): it may be evidence.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from applications.models import ApplicationAttachment, ApplicationEvent, ReviewOutcome, State


def retention_days() -> int:
    return settings.APPLICATION_IDENTITY_RETENTION_DAYS


def expired(today: datetime.date | None = None) -> QuerySet[ApplicationAttachment]:
    """Identity documents still stored whose application was archived at least the retention
    period before ``today`` and has no pending review or lawsuit."""
    today = today or timezone.localdate()
    cutoff = today - datetime.timedelta(days=retention_days())
    return (
        ApplicationAttachment.objects.filter(
            kind=ApplicationAttachment.Kind.IDENTITY,
            deleted_at__isnull=True,
            application__state=State.ARCHIVED,
            application__archived_on__lte=cutoff,
        )
        .exclude(application__reviews__outcome=ReviewOutcome.PENDING)
        .exclude(application__lawsuits__outcome=ReviewOutcome.PENDING)
    )


def delete_expired(today: datetime.date | None = None) -> int:
    """Delete the expired identity documents, one application per transaction; returns how
    many files were deleted. Rows another run holds are skipped (it deletes them)."""
    deleted = 0
    application_ids = set(expired(today).values_list("application_id", flat=True))
    for application_id in sorted(application_ids):
        deleted += _delete_for(application_id, today)
    return deleted


@transaction.atomic
def _delete_for(application_id: int, today: datetime.date | None) -> int:
    attachments = list(
        expired(today)
        .filter(application_id=application_id)
        .select_for_update(of=("self",), skip_locked=True)
        .select_related("application")
    )
    if not attachments:
        return 0
    now = timezone.now()
    for attachment in attachments:
        # The file goes first: should the row's update fail, the next run finds the row again
        # and deleting a missing file is no error; a file must never outlive its period.
        if attachment.file.name:
            attachment.file.storage.delete(attachment.file.name)
        attachment.file = ""
        attachment.deleted_at = now
        attachment.save(update_fields=["file", "deleted_at"])
    application = attachments[0].application
    names = "、".join(attachment.original_name for attachment in attachments)
    ApplicationEvent.objects.create(
        application=application,
        action=ApplicationEvent.Action.IDENTITY_DELETED,
        from_state=application.state,
        to_state=application.state,
        comment=f"归档满{retention_days()}日，按保存期限删除身份证明材料：{names}",
        created_at=now,
    )
    return len(attachments)


def schedule(application) -> None:
    """Queue the deletion for the day the archived application's period ends, in the current
    transaction (the database task queue's row is written with the archive). A task backend
    that cannot run work later (the tests' immediate one) is not asked; the daily command
    (``delete_expired_identity_documents``) catches up in any case."""
    from applications import tasks

    if not tasks.delete_expired_identity_documents.get_backend().supports_defer:
        return
    day = application.archived_on + datetime.timedelta(days=retention_days())
    when = timezone.make_aware(datetime.datetime.combine(day, datetime.time(1, 0)))
    tasks.delete_expired_identity_documents.using(run_after=when).enqueue()

"""Attachments chosen in a form that then failed validation are kept (staged) until the form is
sent again, so that an editor never has to choose the files a second time.

A staged file is written to the configured storage (shared by every app server) and recorded
with a random token, which the form carries back in a hidden field next to the file's input. On
the next sending the staged file takes the place of an upload and goes through the same content
checks (notices/uploads.py) as any upload; once the form saves, the staged copy is removed.
Staged files nobody came back for are removed after STAGED_UPLOAD_HOURS.
"""

import datetime
import os
import uuid

from django.conf import settings
from django.core.files import File
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

STAGED_UPLOAD_HOURS = 24
STAGED_SUFFIX = "-staged"
REMOVE_SUFFIX = "-staged-remove"


def staged_upload_to(instance: "StagedUpload", filename: str) -> str:
    extension = os.path.splitext(filename)[1].lower()
    return f"staged/{timezone.now():%Y/%m/%d}/{uuid.uuid4().hex}{extension}"


class StagedUpload(models.Model):
    """A file chosen in a form that failed validation, kept for its next sending."""

    token = models.UUIDField(_("暂存标识"), default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    file = models.FileField(_("文件"), upload_to=staged_upload_to, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)
    created_at = models.DateTimeField(_("暂存时间"), default=timezone.now, db_index=True)

    class Meta:
        app_label = "notices"
        ordering = ["created_at", "pk"]
        verbose_name = _("暂存的附件")
        verbose_name_plural = _("暂存的附件")
        constraints = [
            models.UniqueConstraint(fields=["token"], name="staged_upload_unique_token"),
        ]

    def __str__(self) -> str:
        return self.original_name


def stage(upload, user) -> StagedUpload:
    """Keep an upload that passed its checks, for the form's next sending."""
    prune()
    upload.seek(0)
    name = os.path.basename(upload.name or "")
    staged = StagedUpload(user=user, original_name=name, size=upload.size or 0)
    staged.file.save(name, File(upload), save=False)
    staged.save()
    return staged


def find(token: str, user) -> StagedUpload | None:
    """The user's staged file with this token (anyone else's is not found)."""
    try:
        return StagedUpload.objects.get(token=uuid.UUID(str(token)), user=user)
    except (ValueError, StagedUpload.DoesNotExist):
        return None


def as_upload(staged: StagedUpload) -> File:
    """The staged file as a form's upload, under its original name."""
    handle = staged.file.storage.open(staged.file.name, "rb")
    return File(handle, name=staged.original_name)


def discard(staged: list[StagedUpload]) -> None:
    """Remove staged files once used or dropped: the rows now, the files after the commit."""
    names = [item.file.name for item in staged]
    StagedUpload.objects.filter(pk__in=[item.pk for item in staged]).delete()
    storage = StagedUpload._meta.get_field("file").storage

    def remove_files():
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove_files)


def prune(now: datetime.datetime | None = None) -> int:
    """Remove the staged files older than STAGED_UPLOAD_HOURS; how many."""
    cutoff = (now or timezone.now()) - datetime.timedelta(hours=STAGED_UPLOAD_HOURS)
    old = list(StagedUpload.objects.filter(created_at__lt=cutoff)[:200])
    if old:
        discard(old)
    return len(old)

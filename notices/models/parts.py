"""What a notice carries besides its text: stored files, attachments and cited documents."""

import os
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notices import document_numbers, uploads
from notices.models.notice import Notice


def attachment_upload_to(instance: "StoredFile", filename: str) -> str:
    extension = os.path.splitext(filename)[1].lower()
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


class StoredFile(models.Model):
    """A file uploaded by staff: accepted by what its bytes are (notices/uploads.py), stored
    under a random name, with its original name, type, size and SHA-256 kept."""

    title = models.CharField(_("附件名称"), max_length=200)
    file = models.FileField(_("文件"), upload_to=attachment_upload_to, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200, editable=False, blank=True)
    content_type = models.CharField(_("文件类型"), max_length=100, editable=False, blank=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title

    @property
    def extension(self) -> str:
        return os.path.splitext(self.original_name or self.file.name)[1].lstrip(".").upper()

    def clean(self) -> None:
        """A newly uploaded file is checked by content and its facts recorded."""
        if self.file and not getattr(self.file, "_committed", True):
            try:
                info = uploads.inspect_upload(self.file)
            except ValidationError as error:
                raise ValidationError({"file": error.error_list}) from error
            self.original_name = info.original_name
            self.content_type = info.content_type
            self.size = info.size
            self.sha256 = info.sha256


class Attachment(StoredFile):
    notice = models.ForeignKey(
        Notice, verbose_name=_("公告"), on_delete=models.CASCADE, related_name="attachments"
    )
    position = models.PositiveSmallIntegerField(_("序号"), default=0)
    # Images inserted into the body through the editor (notices/images.py) are attachments, so
    # that they are checked, stored and served like any other; the public page shows them in
    # the body and does not list them again for download unless the editor unticks this.
    body_image = models.BooleanField(
        _("正文图片"),
        default=False,
        help_text=_(
            "勾选：在正文中显示，不列入公开页面的“附件”下载列表；取消勾选则同时作为附件列出。"
        ),
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def get_absolute_url(self) -> str:
        return reverse("notices:attachment-download", args=[self.notice.original_id, self.pk])

    @property
    def affects_portal(self) -> bool:
        return self.notice.affects_portal


class CitedDocument(models.Model):
    """A document the notice rests on: another notice here, or a title and 文号 from elsewhere."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("公告"), on_delete=models.CASCADE, related_name="citations"
    )
    position = models.PositiveSmallIntegerField(_("序号"), default=0)
    target = models.ForeignKey(
        Notice,
        verbose_name=_("本平台的信息"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cited_by",
        limit_choices_to={"correction_of__isnull": True},
    )
    title = models.CharField(_("文件名称"), max_length=300, blank=True)
    document_number = models.CharField(
        _("文号"),
        max_length=60,
        blank=True,
        validators=[document_numbers.validate_document_number],
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("引用文件")
        verbose_name_plural = _("引用文件")
        constraints = [
            models.CheckConstraint(
                condition=Q(target__isnull=False) | ~Q(title=""),
                name="citation_needs_target_or_title",
            )
        ]

    def __str__(self) -> str:
        return self.display_title

    @property
    def affects_portal(self) -> bool:
        return self.notice.affects_portal

    @property
    def display_title(self) -> str:
        return self.title or (self.target.title if self.target_id else "")

    @property
    def display_number(self) -> str:
        return self.document_number or (self.target.document_number if self.target_id else "")

    def clean(self) -> None:
        self.document_number = document_numbers.normalize(self.document_number)
        if not self.target_id and not self.title.strip():
            raise ValidationError(_("请选择本平台的信息，或填写文件名称。"))

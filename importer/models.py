"""What an import keeps beside the draft it made: the raw file, exactly as it came, and the places
an editor must check. Both live exactly as long as the notice (CASCADE)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from notices.models import Notice, Organ


class ImportedSource(models.Model):
    """The legacy file a draft notice was imported from, and what the import found in it."""

    class Kind(models.TextChoices):
        TEXT = "text", _("纯文本")
        HTML = "html", _("网页")
        DOCX = "docx", _("Word 文档")

    notice = models.OneToOneField(
        Notice,
        verbose_name=_("公告"),
        on_delete=models.CASCADE,
        related_name="imported_source",
    )
    organ = models.ForeignKey(
        Organ, verbose_name=_("导入到机构"), on_delete=models.CASCADE, related_name="+"
    )
    filename = models.CharField(_("文件名"), max_length=255)
    kind = models.CharField(_("文件类型"), max_length=10, choices=Kind.choices)
    encoding = models.CharField(_("编码"), max_length=20, blank=True)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(
        _("SHA-256"), max_length=64, help_text=_("原始文件内容的指纹；同一文件不会重复导入。")
    )
    raw = models.BinaryField(_("原始文件"), help_text=_("导入时的原始字节，未经任何改动。"))
    text = models.TextField(_("识别出的文本"), blank=True)
    source_published_on = models.DateField(
        _("原网站发布日期"), null=True, blank=True, help_text=_("原网站页面上显示的发布时间。")
    )
    source_view_count = models.PositiveIntegerField(
        _("原网站点击数"), null=True, blank=True, help_text=_("原网站页面上显示的点击或浏览次数。")
    )
    source_name = models.CharField(_("原网站来源"), max_length=200, blank=True)
    attachment_titles = models.JSONField(
        _("正文所列附件"), default=list, blank=True, help_text=_("原文列出、但未随文件提供的附件。")
    )
    source_issuer = models.CharField(
        _("原网站发布机构"),
        max_length=200,
        blank=True,
        help_text=_("原网站页面上标注的发布机构；转载网站的名称不等于发文机关，仅供核对。"),
    )
    source_signed_on = models.DateField(
        _("原网站标注的成文日期"),
        null=True,
        blank=True,
        help_text=_("原网站页面信息栏中的“成文日期/发文日期”，常是转载或上网的时间，仅供核对。"),
    )
    removed_lines = models.JSONField(
        _("导入时去除的内容"),
        default=list,
        blank=True,
        help_text=_("导入时作为网站栏目、页眉页脚或转载网站信息去除的行，及去除的原因。"),
    )
    report = models.JSONField(_("导入报告"), default=dict, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        ordering = ["-imported_at", "-pk"]
        verbose_name = _("导入的原始文件")
        verbose_name_plural = _("导入的原始文件")
        constraints = [
            models.UniqueConstraint(
                fields=["organ", "sha256"],
                name="imported_source_unique_file_per_organ",
                violation_error_message=_("这个文件已经导入过本机构。"),
            )
        ]

    def __str__(self) -> str:
        return self.filename

    @property
    def open_flags(self):
        return self.flags.filter(resolved=False)


class ImportFlag(models.Model):
    """A place in an imported draft that an editor must check, with the exact raw text."""

    class Kind(models.TextChoices):
        DAMAGED_HEADING = "damaged_heading", _("标题乱码")
        DAMAGED_TEXT = "damaged_text", _("正文乱码")
        NUMBERING = "numbering", _("编号")
        MISSING = "missing", _("缺少信息")
        STATISTICS = "statistics", _("统计数据")
        ATTACHMENT = "attachment", _("附件")
        CHECK = "check", _("请核对")
        SPAM = "spam", _("疑似广告")

    source = models.ForeignKey(
        ImportedSource, verbose_name=_("原始文件"), on_delete=models.CASCADE, related_name="flags"
    )
    position = models.PositiveIntegerField(_("序号"), default=0)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    location = models.CharField(_("位置"), max_length=200)
    message = models.TextField(_("说明"))
    raw_fragment = models.TextField(_("原文片段"), blank=True)
    suggestion = models.CharField(_("建议"), max_length=300, blank=True)
    finding = models.ForeignKey(
        "assessments.Finding",
        verbose_name=_("特点或问题"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requirement = models.ForeignKey(
        "assessments.Requirement",
        verbose_name=_("整改要求"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved = models.BooleanField(_("已处理"), default=False)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolution = models.TextField(
        _("处理说明"), blank=True, help_text=_("如何处理的，例如“已对照原件改正”。")
    )

    class Meta:
        ordering = ["source", "position", "pk"]
        verbose_name = _("待核对之处")
        verbose_name_plural = _("待核对之处")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(resolved=False) | models.Q(resolved_at__isnull=False),
                name="import_flag_resolved_has_time",
                violation_error_message=_("已处理的核对项必须记录处理时间。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.location}：{self.get_kind_display()}"


class ImportJobQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status__in=ImportJob.PENDING)

    def fail_interrupted(self, started_before) -> int:
        """Jobs still running long after their time limit (for an archive: long after its last
        file) lost their worker: say so."""
        silent = models.Q(progress_at__lt=started_before) | models.Q(
            progress_at__isnull=True, started_at__lt=started_before
        )
        return self.filter(silent, status=ImportJob.Status.RUNNING).update(
            status=ImportJob.Status.FAILED,
            reason="处理中断（超时或服务重启），本文件未导入，请重新上传。",
            data=b"",
        )


class ImportJob(models.Model):
    """One uploaded file waiting for, or done with, its import in the task queue
    (importer.tasks.import_upload). The bytes are kept only until the job ends."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("处理中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    PENDING = (Status.QUEUED, Status.RUNNING)

    organ = models.ForeignKey(
        Organ, verbose_name=_("导入到机构"), on_delete=models.CASCADE, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    remote_addr = models.GenericIPAddressField(_("上传地址"), null=True, blank=True)
    filename = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveIntegerField(_("大小（字节）"))
    data = models.BinaryField(_("上传的文件"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    reason = models.TextField(_("原因"), blank=True)
    result = models.JSONField(_("导入报告"), default=dict, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始处理"), null=True, blank=True)
    total = models.PositiveIntegerField(
        _("文件数"), default=0, help_text=_("压缩包中可导入的文件数；单个文件为 0。")
    )
    done = models.PositiveIntegerField(_("已处理"), default=0)
    progress_at = models.DateTimeField(_("最近进展"), null=True, blank=True)
    finished_at = models.DateTimeField(_("处理完成"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")

    def __str__(self) -> str:
        return f"{self.filename}（{self.get_status_display()}）"

    @property
    def is_archive(self) -> bool:
        return self.filename.lower().endswith(".zip")

from django.db import models
from django.utils.translation import gettext_lazy as _

from notices.models import Notice, Organ, Topic
from search.fields import GramsField


class SearchEntry(models.Model):
    """What the public may find of one notice: one row per published notice or withdrawal page.

    Text is stored folded (see ``search.text.fold``). A withdrawn notice keeps only its title and
    numbers; a notice whose body is not disclosed online keeps no body. Rows are written by
    ``search.index`` whenever a notice changes, never by hand.
    """

    notice = models.OneToOneField(
        Notice,
        verbose_name=_("公告"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_entry",
    )
    organ = models.ForeignKey(
        Organ, verbose_name=_("发布机构"), on_delete=models.CASCADE, related_name="+"
    )
    topics = models.ManyToManyField(Topic, verbose_name=_("主题分类"), blank=True, related_name="+")
    genre = models.CharField(_("体裁"), max_length=20)
    validity = models.CharField(_("有效性"), max_length=20)
    year = models.PositiveSmallIntegerField(_("发布年份"))
    published_at = models.DateTimeField(_("发布日期"))
    withdrawn = models.BooleanField(_("已撤回"), default=False)
    title = models.TextField(_("标题、文号和索引号（折叠后）"))
    body = models.TextField(_("正文（折叠后）"), blank=True)
    document_key = models.CharField(_("文号（规范化）"), max_length=80, blank=True)
    index_key = models.CharField(_("索引号（规范化）"), max_length=60, blank=True)
    title_grams = GramsField(null=True, editable=False)
    grams = GramsField(null=True, editable=False)
    indexed_at = models.DateTimeField(_("索引时间"), auto_now=True)

    class Meta:
        ordering = ["-published_at", "-notice_id"]
        verbose_name = _("检索条目")
        verbose_name_plural = _("检索条目")
        indexes = [
            models.Index(fields=["-published_at", "-notice"], name="search_entry_recent"),
            models.Index(fields=["organ", "-published_at"], name="search_entry_organ"),
            models.Index(fields=["document_key"], name="search_entry_document_key"),
            models.Index(fields=["index_key"], name="search_entry_index_key"),
        ]

    def __str__(self) -> str:
        return f"检索条目 #{self.notice_id}"


class PendingPublication(models.Model):
    """A scheduled notice waiting for its time; indexed by the first search after it is due."""

    notice = models.OneToOneField(
        Notice, verbose_name=_("公告"), on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    due_at = models.DateTimeField(_("发布时间"), db_index=True)

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("待发布检索条目")
        verbose_name_plural = _("待发布检索条目")

    def __str__(self) -> str:
        return f"#{self.notice_id} @ {self.due_at:%Y-%m-%d %H:%M}"

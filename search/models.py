from django.db import models
from django.utils.translation import gettext_lazy as _

from notices.models import Notice, Organ
from search.fields import CodesField


class SearchEntry(models.Model):
    """What the public may find of one notice: one row per published notice or withdrawal page.

    Text is stored folded (see ``search.text.fold``). A withdrawn notice keeps only its title and
    numbers; a notice whose body is not disclosed online keeps no body. Rows are written by
    ``search.index`` whenever a notice changes, never by hand. On PostgreSQL the table is split
    into hash partitions (migration 0002), so that its indexes can be built in parallel.
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
    genre = models.CharField(_("体裁"), max_length=20)
    validity = models.CharField(_("有效性"), max_length=20)
    year = models.PositiveSmallIntegerField(_("发布年份"))
    published_at = models.DateTimeField(_("发布日期"))
    withdrawn = models.BooleanField(_("已撤回"), default=False)
    # A fixed pseudo-random order, for estimating counts from a uniform sample of entries.
    shuffle = models.IntegerField(_("抽样序号"), default=0)
    title = models.TextField(_("标题、文号和索引号（折叠后）"))
    body = models.TextField(_("正文（折叠后）"), blank=True)
    document_key = models.CharField(_("文号（规范化）"), max_length=80, blank=True)
    index_key = models.CharField(_("索引号（规范化）"), max_length=60, blank=True)
    # Gram codes (search.codes): every code of the title, and every code of title and body —
    # except, for entries in the common-gram bitmaps (``ordinal`` set by a full rebuild), the
    # common ones (CommonGram.indexed = False), which the bitmaps hold instead.
    title_grams = CodesField(null=True, editable=False)
    grams = CodesField(null=True, editable=False)
    ordinal = models.IntegerField(_("位图序号"), null=True, editable=False)
    indexed_at = models.DateTimeField(_("索引时间"), auto_now=True)

    class Meta:
        ordering = ["-published_at", "-notice_id"]
        verbose_name = _("检索条目")
        verbose_name_plural = _("检索条目")
        indexes = [
            models.Index(fields=["-published_at", "-notice"], name="search_entry_recent"),
            models.Index(fields=["organ", "-published_at", "-notice"], name="search_entry_organ"),
            models.Index(fields=["genre", "-published_at", "-notice"], name="search_entry_genre"),
            models.Index(
                fields=["validity", "-published_at", "-notice"], name="search_entry_validity"
            ),
            # The estimates' samples (search.backends.date_order.estimate), read from these
            # indexes alone: the first entries in shuffle order that pass the filters, with
            # their places in the common-gram bitmaps.
            models.Index(
                fields=["shuffle"],
                include=["notice", "organ", "genre", "year", "validity", "published_at", "ordinal"],
                name="search_entry_shuffle",
            ),
            models.Index(
                fields=["organ", "shuffle"],
                include=["notice", "genre", "year", "validity", "published_at", "ordinal"],
                name="search_entry_organ_shuffle",
            ),
            models.Index(fields=["ordinal"], name="search_entry_ordinal"),
            models.Index(fields=["document_key"], name="search_entry_document_key"),
            models.Index(fields=["index_key"], name="search_entry_index_key"),
        ]

    def __str__(self) -> str:
        return f"检索条目 #{self.notice_id}"


class CommonGram(models.Model):
    """A gram found in a large share of entries, measured on a sample at the last full rebuild.

    Grams common in bodies (``indexed`` is false) make up most of the postings of a gram index,
    which would then take hours to build; a full rebuild keeps them in bitmaps instead
    (CommonGramBitmap), one bit per entry. Shares also guide how each search is run.
    """

    code = models.IntegerField(_("编码"), primary_key=True)
    share = models.FloatField(_("正文中出现比例"))
    title_share = models.FloatField(_("标题中出现比例"))
    indexed = models.BooleanField(_("已编入索引"))

    class Meta:
        ordering = ["-share"]
        verbose_name = _("常见字词")
        verbose_name_plural = _("常见字词")

    def __str__(self) -> str:
        return f"{self.code}: {self.share:.1%}"


class CommonGramBitmap(models.Model):
    """Which entries of a full rebuild hold a common gram: bit ``i`` (least significant first)
    of ``bits`` is the entry whose ordinal is ``start + i``. One part per process of the rebuild;
    entries written since (ordinal NULL) keep all their grams in the gram index instead."""

    code = models.IntegerField(_("编码"))
    part = models.PositiveSmallIntegerField(_("分段"))
    start = models.IntegerField(_("起始序号"))
    bits = models.BinaryField(_("位图"))

    class Meta:
        ordering = ["code", "part"]
        verbose_name = _("常见字词位图")
        verbose_name_plural = _("常见字词位图")
        constraints = [
            models.UniqueConstraint(fields=["code", "part"], name="search_bitmap_code_part")
        ]

    def __str__(self) -> str:
        return f"{self.code} #{self.part}"


class PendingPublication(models.Model):
    """A notice waiting to be indexed: a scheduled one until its time, or a change made while a
    full rebuild ran. ``search.index.catch_up`` indexes it, queued in the task queue for then."""

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


class PageEntry(models.Model):
    """What the public may find of one page of a kind registered in ``core.searchable`` (an
    assessment's results, 考核结果): one row per public page, written by ``search.kinds`` in
    the transaction that changed the row it shows, never by hand.

    ``title`` and ``body`` are folded like a notice's entry (``search.text.fold``), ``body``
    holding the page's text and then its kind's words; ``text`` is the page's plain text, for
    the snippet. They are few (an assessment a year or so per organ): a search reads them with
    one statement, without a gram index."""

    kind = models.CharField(_("类别"), max_length=40)
    object_id = models.BigIntegerField(_("对象编号"))
    url = models.CharField(_("网址"), max_length=200)
    title = models.TextField(_("标题（折叠后）"))
    shown_title = models.TextField(_("标题"))
    organ = models.ForeignKey(
        Organ, verbose_name=_("发布机构"), on_delete=models.CASCADE, related_name="+"
    )
    published_at = models.DateTimeField(_("发布日期"))
    body = models.TextField(_("正文（折叠后）"), blank=True)
    text = models.TextField(_("正文"), blank=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("其他栏目检索条目")
        verbose_name_plural = _("其他栏目检索条目")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_page_kind_object")
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.object_id}"

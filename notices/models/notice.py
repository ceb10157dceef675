"""The notice (公告) and the rule of what the public may read."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import links
from notices import access, document_numbers
from notices.fields import HTMLSealField, SanitizedHTMLField
from notices.models.classification import Genre, Topic, genre_labels
from notices.models.labels import choice_label
from notices.models.organs import Organ

DUPLICATE_DOCUMENT_NUMBER = _("本机构已有使用该文号的信息，文号不能重复。")
# What NoticeQuerySet.published() asks of a notice besides being due; the catalogue's partial
# indexes are built on it. Only 主动公开 information goes on the portal: 依申请公开 is given to
# an applicant who asks, 不予公开 to nobody (国办发〔2016〕80号; 条例 §19–20, §27).
PUBLIC = Q(status="published", correction_of__isnull=True, disclosure="proactive")
# A withdrawn notice keeps a public page saying so.
WITHDRAWAL_PAGE = Q(status="withdrawn", correction_of__isnull=True, disclosure="proactive")
# The catalogue sorted by 成文日期 puts notices without one last: it sorts on this key, which the
# prepared SQL writes out (notices/prepared.py) and an index is built on.
UNSIGNED = datetime.date.min
# The genre (notices.Genre's code) of policy interpretations (政策解读).
INTERPRETATION_GENRE = "interpretation"


def signed_key():
    """The catalogue's sort key for 成文日期: the date, or UNSIGNED for a notice without one."""
    return Coalesce("signed_on", Value(UNSIGNED))


RESTRICTED_NEEDS_REASON = _("公开属性为“依申请公开”或“不予公开”时，必须填写不主动公开的理由。")


def public_now(at=None) -> Q:
    """The condition of NoticeQuerySet.published(): public and due at ``at`` (now)."""
    return PUBLIC & Q(published_at__lte=at or timezone.now())


class NoticeQuerySet(models.QuerySet):
    def originals(self):
        """Notices themselves, not the pending corrections of published ones."""
        return self.filter(correction_of__isnull=True)

    def published(self, at=None):
        """What the public may read now: approved, due, and disclosed."""
        return self.filter(public_now(at))

    def scheduled(self, at=None):
        return self.originals().filter(
            status=Notice.Status.PUBLISHED, published_at__gt=at or timezone.now()
        )

    def withdrawn(self):
        return self.filter(WITHDRAWAL_PAGE)

    def public_pages(self, at=None):
        """Notices whose public URL answers: published ones and withdrawal pages."""
        return self.filter(public_now(at) | WITHDRAWAL_PAGE)

    def visible_to(self, user):
        """What a member of staff may read or cite: every public page, and anything of the
        organs they work for (access.organ_ids)."""
        allowed = access.organ_ids(user)
        if allowed is None:
            return self
        return self.filter(public_now() | WITHDRAWAL_PAGE | Q(organ__in=allowed))

    def for_lists(self):
        """For pages that list many notices: with the organ, without the long body."""
        return self.select_related("organ").defer("body")


class Notice(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        IN_REVIEW = "in_review", _("待审核")
        PUBLISHED = "published", _("已发布")
        WITHDRAWN = "withdrawn", _("已撤回")

    class Disclosure(models.TextChoices):
        PROACTIVE = "proactive", _("主动公开")
        ON_REQUEST = "on_request", _("依申请公开")
        WITHHELD = "withheld", _("不予公开")

    class InterpretationForm(models.TextChoices):
        TEXT = "text", _("文字解读")
        GRAPHIC = "graphic", _("图文解读")
        VIDEO = "video", _("视频解读")

    class Validity(models.TextChoices):
        VALID = "valid", _("有效")
        EXPIRED = "expired", _("失效")
        REPEALED = "repealed", _("废止")
        AMENDED = "amended", _("已修改")

    class Category(models.TextChoices):
        """文件类别: which documents count as 规章 or 行政规范性文件 (table 2 of the annual
        report, the organ's 规范性文件库), whatever their 体裁."""

        RULES = "rules", _("规章")
        NORMATIVE = "normative", _("行政规范性文件")
        OTHER = "other", _("其他")

    organ = models.ForeignKey(
        Organ, verbose_name=_("发布机构"), on_delete=models.PROTECT, related_name="notices"
    )
    title = models.CharField(_("标题"), max_length=300)
    # NULL until first publication: unique among the assigned ones, and "" would collide.
    index_number = models.CharField(  # noqa: DJ001
        _("索引号"),
        max_length=40,
        null=True,
        blank=True,
        editable=False,
        help_text=_("首次发布时由系统生成，此后不再改变。"),
    )
    document_number = models.CharField(
        _("文号"),
        max_length=60,
        blank=True,
        validators=[document_numbers.validate_document_number],
        help_text=_(
            "例如 甘政办发〔2017〕136号、国务院令第711号、2024年第3号公告；没有文号的信息留空。"
            "年份外的 [] () 【】 会自动改为 〔〕。"
        ),
    )
    # The column holds the genre's code (to_field), as the filter URLs and the search index do.
    genre = models.ForeignKey(
        Genre,
        verbose_name=_("体裁"),
        on_delete=models.PROTECT,
        to_field="code",
        db_column="genre",
        db_index=False,  # led by the genre indexes in Meta
        related_name="notices",
    )
    topics = models.ManyToManyField(Topic, verbose_name=_("主题分类"), blank=True)
    keywords = models.CharField(
        _("主题词"), max_length=200, blank=True, help_text=_("多个主题词用空格分隔。")
    )
    summary = models.TextField(_("内容概述"), max_length=1000, blank=True)
    addressees = models.CharField(
        _("主送机关"),
        max_length=500,
        blank=True,
        help_text=_("例如：各市、自治州人民政府，省政府各部门"),
    )
    signed_on = models.DateField(_("成文日期"), null=True, blank=True)
    published_at = models.DateTimeField(
        _("发布日期"),
        null=True,
        blank=True,
        help_text=_("留空则审核通过时立即发布；填写将来的时间则到时自动发布。"),
    )
    disclosure = models.CharField(
        _("公开属性"), max_length=20, choices=Disclosure.choices, default=Disclosure.PROACTIVE
    )
    withheld_reason = models.TextField(
        _("不主动公开的理由"),
        blank=True,
        help_text=_(
            "公开属性为“依申请公开”或“不予公开”时必须填写理由及依据，"
            "例如《政府信息公开条例》第十四条、第十五条或第十六条。只有“主动公开”的信息发布到网站。"
        ),
    )
    document_category = models.CharField(
        _("文件类别"),
        max_length=20,
        choices=Category.choices,
        default=Category.OTHER,
        help_text=_(
            "规章、行政规范性文件计入政府信息公开工作年度报告，并列入本机构的规范性文件库；"
            "与体裁分类无关，其他信息选“其他”。"
        ),
    )
    # Changed only by an approved validity change (notices/validity.py) once published.
    validity = models.CharField(
        _("有效性"), max_length=20, choices=Validity.choices, default=Validity.VALID
    )
    validity_changed_on = models.DateField(
        _("失效或废止日期"),
        null=True,
        blank=True,
        help_text=_("有效性不是“有效”时的失效、废止或修改日期。"),
    )
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("废止或修改文件"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    superseded_by_title = models.CharField(
        _("废止或修改文件名称"), max_length=400, blank=True, editable=False
    )
    # 政策解读 (国办发〔2016〕80号): a notice of the genre 解读 names the document it interprets;
    # a document may have several interpretations (notices/interpretations.py).
    interprets = models.ForeignKey(
        "self",
        verbose_name=_("解读的文件"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interpretations",
        limit_choices_to={"correction_of__isnull": True},
        help_text=_("体裁为“解读”时，选择被解读的文件（本平台已有的信息）。"),
    )
    interpretation_form = models.CharField(
        _("解读形式"),
        max_length=20,
        choices=InterpretationForm.choices,
        blank=True,
        help_text=_("体裁为“解读”时填写：文字解读、图文解读（图片插入正文）或视频解读。"),
    )
    video_url = models.CharField(
        _("视频地址"),
        max_length=500,
        blank=True,
        validators=[
            URLValidator(
                schemes=["http", "https"], message=_("请填写完整的网址，以 https:// 开头。")
            )
        ],
        help_text=_("视频解读的播放页面地址，以 https:// 开头。"),
    )
    body = SanitizedHTMLField(_("正文"), blank=True)
    # After the body: its pre_save runs once the body's has sanitized it.
    body_seal = HTMLSealField(_("正文校验码"), of="body", default="")
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    correction_of = models.ForeignKey(
        "self",
        verbose_name=_("更正的公告"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        editable=False,
        related_name="corrections",
    )
    change_note = models.CharField(
        _("更正说明"),
        max_length=500,
        blank=True,
        help_text=_("更正已发布的信息时必须填写，发布后向公众显示。"),
    )
    sent_back_at = models.DateTimeField(_("退回时间"), null=True, blank=True, editable=False)
    sent_back_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("退回给"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True, editable=False)
    withdrawal_reason = models.TextField(_("撤回原因"), blank=True, editable=False)
    view_count = models.PositiveBigIntegerField(_("浏览次数"), default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("最后编辑人"),
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("最后修改时间"), auto_now=True)
    lock_version = models.PositiveIntegerField(_("版本号"), default=0)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("公告")
        verbose_name_plural = _("公告")
        permissions = [
            ("review_notice", _("可以审核、发布和撤回公告")),
            ("access_all_organs", _("可以查看所有机构的信息")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["index_number"],
                name="notice_unique_index_number",
                violation_error_message=_("索引号重复。"),
            ),
            models.UniqueConstraint(
                fields=["organ", "document_number"],
                condition=~Q(document_number="") & Q(correction_of__isnull=True),
                name="notice_unique_document_number_per_organ",
                violation_error_message=DUPLICATE_DOCUMENT_NUMBER,
            ),
            models.CheckConstraint(
                condition=Q(disclosure="proactive") | ~Q(withheld_reason=""),
                name="notice_restricted_needs_reason",
                violation_error_message=RESTRICTED_NEEDS_REASON,
            ),
            models.CheckConstraint(
                condition=Q(validity="valid") | Q(validity_changed_on__isnull=False),
                name="notice_invalidity_needs_date",
                violation_error_message=_("有效性为“失效”“废止”或“已修改”时必须填写日期。"),
            ),
            models.CheckConstraint(
                condition=~Q(interprets=models.F("id")),
                name="notice_interprets_not_itself",
                violation_error_message=_("解读不能关联它自己。"),
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | ~Q(withdrawal_reason=""),
                name="notice_withdrawal_needs_reason",
                violation_error_message=_("撤回必须填写原因。"),
            ),
        ]
        indexes = [
            # The portal's catalogue, newest first, alone and by each of its filters (a topic
            # goes through notices_notice_topics' own index); partial, so that deep pages and
            # capped counts walk the public rows only, in the index.
            models.Index(fields=["-published_at", "-id"], condition=PUBLIC, name="notice_public"),
            models.Index(
                fields=["organ", "-published_at", "-id"],
                condition=PUBLIC,
                name="notice_public_organ",
            ),
            models.Index(
                fields=["genre", "-published_at", "-id"],
                condition=PUBLIC,
                name="notice_public_genre",
            ),
            models.Index(
                fields=["validity", "-published_at", "-id"],
                condition=PUBLIC,
                name="notice_public_validity",
            ),
            # The catalogue sorted by 成文日期.
            models.Index(
                signed_key().desc(),
                F("published_at").desc(),
                F("id").desc(),
                condition=PUBLIC,
                name="notice_public_signed",
            ),
            # The admin's list: every notice, by its filters and sortable columns.
            models.Index(fields=["-published_at", "-id"], name="notice_published_order"),
            models.Index(fields=["status", "-published_at"], name="notice_status_published"),
            models.Index(
                fields=["organ", "status", "-published_at"], name="notice_organ_published"
            ),
            models.Index(fields=["genre", "-published_at"], name="notice_genre_published"),
            models.Index(fields=["-updated_at"], name="notice_updated"),
            # The annual report's table 2 and the organs' 规范性文件库: the few public notices
            # that are 规章 or 行政规范性文件, with what table 2 counts them by (index only).
            models.Index(
                fields=["organ", "document_category", "published_at"],
                include=["validity", "validity_changed_on"],
                condition=PUBLIC & Q(document_category__in=["rules", "normative"]),
                name="notice_public_documents",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return links.url_for_id("notices:notice-detail", self.original_id)

    def get_status_display(self) -> str:
        return choice_label(self, "status")

    def get_validity_display(self) -> str:
        return choice_label(self, "validity")

    def get_document_category_display(self) -> str:
        return choice_label(self, "document_category")

    def get_disclosure_display(self) -> str:
        return choice_label(self, "disclosure")

    def get_interpretation_form_display(self) -> str:
        return choice_label(self, "interpretation_form")

    @property
    def validity_verb(self) -> str:
        """What happened to a document no longer in force, as its banner says it: 废止, 失效,
        修改 (empty while it is in force)."""
        return {"expired": "失效", "repealed": "废止", "amended": "修改"}.get(self.validity, "")

    @property
    def superseded_by_label(self) -> str:
        """How the banner names the document that abolished or amended this one."""
        return {"repealed": "废止文件", "amended": "修改文件"}.get(self.validity, "相关文件")

    @property
    def original_id(self) -> int:
        return self.correction_of_id or self.pk

    @property
    def is_correction(self) -> bool:
        return self.correction_of_id is not None

    @property
    def affects_portal(self) -> bool:
        """Whether a change to this row can change a public page (it was ever approved)."""
        return self.index_number is not None and not self.is_correction

    def is_live(self, at=None) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= (at or timezone.now())
        )

    def is_scheduled(self, at=None) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > (at or timezone.now())
        )

    @property
    def genre_name(self) -> str:
        """The genre's name, without a query when the list of genres is kept."""
        if Notice.genre.is_cached(self):
            return self.genre.name
        return genre_labels().get(self.genre_id, self.genre_id or "")

    @property
    def is_sent_back(self) -> bool:
        """A draft a reviewer sent back, not yet submitted again."""
        return self.status == self.Status.DRAFT and self.sent_back_at is not None

    @property
    def state_label(self) -> str:
        """The status as an editor thinks of it: a due-later publication is 已排期, a draft sent
        back by a reviewer 已退回."""
        if self.is_scheduled():
            return str(_("已排期"))
        if self.is_sent_back:
            return str(_("已退回"))
        if self.is_correction and self.status == self.Status.DRAFT:
            return str(_("更正草稿"))
        return self.get_status_display()

    @property
    def body_is_public(self) -> bool:
        return self.disclosure == self.Disclosure.PROACTIVE

    @property
    def is_proactive(self) -> bool:
        """Whether the notice may go on the portal at all (PUBLIC asks the same)."""
        return self.disclosure == self.Disclosure.PROACTIVE

    def clean(self) -> None:
        self.document_number = document_numbers.normalize(self.document_number)
        self.withheld_reason = (self.withheld_reason or "").strip()
        if not self.is_proactive and not self.withheld_reason:
            raise ValidationError({"withheld_reason": RESTRICTED_NEEDS_REASON})
        if self.validity == self.Validity.VALID and self.validity_changed_on:
            raise ValidationError({"validity_changed_on": _("有效的信息不填写失效或废止日期。")})
        self.clean_interpretation()
        if self.is_correction:
            # Corrections are outside the uniqueness constraint until they replace the original.
            clash = Notice.objects.originals().filter(
                organ_id=self.organ_id, document_number=self.document_number
            )
            if self.document_number and clash.exclude(pk=self.correction_of_id).exists():
                raise ValidationError({"document_number": DUPLICATE_DOCUMENT_NUMBER})

    @property
    def is_interpretation(self) -> bool:
        return self.genre_id == INTERPRETATION_GENRE

    def clean_interpretation(self) -> None:
        """Only a 解读 names a document, never itself nor another 解读; a video interpretation
        gives its address."""
        if not self.is_interpretation:
            if self.interprets_id or self.interpretation_form or self.video_url:
                raise ValidationError(
                    {
                        "interprets": _(
                            "只有体裁为“解读”的信息才能填写解读的文件、解读形式和视频地址。"
                        )
                    }
                )
            return
        if self.interprets_id is not None:
            if self.interprets_id in (self.pk, self.correction_of_id):
                raise ValidationError({"interprets": _("解读不能关联它自己。")})
            document = Notice.objects.filter(pk=self.interprets_id).first()
            if document is not None and document.is_interpretation:
                raise ValidationError({"interprets": _("请选择被解读的文件，而不是另一篇解读。")})
        if self.interpretation_form == self.InterpretationForm.VIDEO and not self.video_url:
            raise ValidationError({"video_url": _("视频解读请填写视频地址。")})
        if self.video_url and not self.video_url.lower().startswith(("https://", "http://")):
            raise ValidationError({"video_url": _("视频地址须以 https:// 或 http:// 开头。")})


class IndexSequence(models.Model):
    """The last serial handed out for an organ's 索引号 in one year."""

    organ = models.ForeignKey(Organ, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["organ", "year"]
        verbose_name = _("索引号序列")
        verbose_name_plural = _("索引号序列")
        constraints = [
            models.UniqueConstraint(fields=["organ", "year"], name="index_sequence_unique_year")
        ]

    def __str__(self) -> str:
        return f"{self.organ.code}/{self.year}: {self.last_serial}"

import functools
import os
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, router, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

from core import links, page_cache
from notices import access, document_numbers, genres, uploads
from notices.fields import HTMLSealField, SanitizedHTMLField


@functools.cache
def _choice_labels(field: models.Field) -> dict:
    return dict(field.flatchoices)


def choice_label(instance: models.Model, field_name: str) -> str:
    """What ``get_FOO_display()`` answers, from a dict made once per field: Django's own rebuilds
    one from the field's choices on every call, hashing each lazy label (the three on a notice
    page cost a tenth of its Python, and a list page calls one per row). The models below
    define their ``get_FOO_display`` with it, which Django then leaves as they are."""
    field = instance._meta.get_field(field_name)
    value = getattr(instance, field.attname)
    return force_str(_choice_labels(field).get(value, value), strings_only=True)


class OrganQuerySet(models.QuerySet):
    def publishing(self):
        """Organs with at least one notice the public can open (units that are only ever
        assessed, and organs not yet publishing, are left out of the portal's lists)."""
        # Two EXISTS rather than one over public_pages(): each is a probe of one index.
        published = Notice.objects.published().filter(organ=models.OuterRef("pk"))
        withdrawn = Notice.objects.withdrawn().filter(organ=models.OuterRef("pk"))
        return self.filter(models.Exists(published) | models.Exists(withdrawn))


class Organ(models.Model):
    """A publishing body (发布机构) sharing the platform."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("人民政府")
        DEPARTMENT = "department", _("政府部门")

    name = models.CharField(
        _("全称"), max_length=100, unique=True, help_text=_("机构的正式全称，不用简称。")
    )
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    code = models.CharField(
        _("机构代码"),
        max_length=20,
        unique=True,
        help_text=_("索引号前缀，通常为组织机构代码，例如 000014349。"),
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级机构"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    position = models.PositiveIntegerField(_("排序"), default=0)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("工作人员"),
        related_name="organs",
        blank=True,
        help_text=_("编辑和审核人员只能处理所属机构的信息。"),
    )

    objects = OrganQuerySet.as_manager()

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("发布机构")
        verbose_name_plural = _("发布机构")
        constraints = [
            models.CheckConstraint(condition=~Q(code=""), name="organ_code_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("notices:notice-list") + f"?organ={self.pk}"

    def get_kind_display(self) -> str:
        return choice_label(self, "kind")

    def clean(self) -> None:
        if self.code and not self.code.isalnum():
            raise ValidationError({"code": _("机构代码只能包含字母和数字。")})


TOPIC_PATH_SEPARATOR = " › "


class TopicQuerySet(models.QuerySet):
    def paths(self) -> dict[int, str]:
        """Every topic's full path (综合政务 › 政务公开), in the topics' order."""
        return dict(self.values_list("pk", "path"))


class Topic(models.Model):
    """主题分类: a tree of subjects."""

    name = models.CharField(_("名称"), max_length=50)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级分类"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    position = models.PositiveIntegerField(_("排序"), default=0)
    # The names from the top of the tree down to this one (综合政务 › 政务公开), kept by save()
    # for the topic and every topic below it, so that pages read it with their rows.
    path = models.TextField(_("完整路径"), editable=False, default="")

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name", "pk"]
        verbose_name = _("主题分类")
        verbose_name_plural = _("主题分类")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="topic_unique_name_in_parent"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(parent__isnull=True), name="topic_unique_root_name"
            ),
        ]

    def __str__(self) -> str:
        return self.path or self.name

    def save(self, *args, **kwargs) -> None:
        """Saves the topic with its path, and the new paths of the topics below it, at once."""
        with transaction.atomic(using=kwargs.get("using") or router.db_for_write(Topic)):
            above = ""
            if self.parent_id is not None:
                above = Topic.objects.filter(pk=self.parent_id).values_list("path", flat=True)
                above = above.first() or ""
            self.path = topic_path(above, self.name)
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "path"}
            super().save(*args, **kwargs)
            self._repath_below()

    def get_absolute_url(self) -> str:
        return reverse("notices:notice-list") + f"?topic={self.pk}"

    def clean(self) -> None:
        node = self.parent
        while node is not None:
            if node.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("上级分类不能是它自己或它的下级。")})
            node = node.parent

    def _repath_below(self) -> None:
        rows = list(Topic.objects.values_list("pk", "name", "parent_id", "path"))
        stored = {pk: path for pk, _name, _parent_id, path in rows}
        below = paths_below({self.pk: self.path}, [row[:3] for row in rows])
        changed = [
            Topic(pk=pk, path=path)
            for pk, path in below.items()
            if pk != self.pk and path != stored[pk]
        ]
        Topic.objects.bulk_update(changed, ["path"])


def topic_path(above: str, name: str) -> str:
    """A topic's path: the path of the topic above it (empty at the top), then its name."""
    return f"{above}{TOPIC_PATH_SEPARATOR}{name}" if above else name


def paths_below(level: dict, rows: list[tuple[int, str, int | None]]) -> dict[int, str]:
    """The paths of the topics below those of ``level`` (pk → path; None → "" for the top of
    the tree), level by level, from every topic's (pk, name, parent_id)."""
    found: dict[int, str] = {}
    while level:
        level = {
            pk: topic_path(level[parent_id], name)
            for pk, name, parent_id in rows
            if parent_id in level and pk not in found
        }
        found.update(level)
    return found


class GenreQuerySet(models.QuerySet):
    def labels(self) -> dict[str, str]:
        """Every genre's name by its code, in the genres' order."""
        return dict(self.values_list("code", "name"))

    def choosable(self, current: str | None = None):
        """The genres an editor may choose: the active ones, and the one a notice has now."""
        return self.filter(Q(active=True) | Q(code=current or ""))


class Genre(models.Model):
    """体裁分类: the kinds of document a government publishes (公文 kinds of GB/T 9704 and the
    党政机关公文处理工作条例, and the disclosure catalogue's own kinds); a site admin adds,
    orders and retires them. Notices refer to a genre by its code, which is also what the
    portal's filter URLs (?genre=notice) and the search index hold."""

    OTHER = "other"

    name = models.CharField(_("名称"), max_length=20, unique=True)
    code = models.CharField(
        _("网址标识"),
        max_length=20,
        unique=True,
        validators=[RegexValidator(r"^[a-z0-9]+$", _("网址标识只能由小写英文字母和数字组成。"))],
        help_text=_("用在筛选网址中，例如 notice；只能用小写英文字母和数字，创建后不能修改。"),
    )
    position = models.PositiveIntegerField(_("排序"), default=0)
    active = models.BooleanField(
        _("启用"), default=True, help_text=_("停用后新信息不能再选用；已使用的信息不受影响。")
    )

    objects = GenreQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("体裁分类")
        verbose_name_plural = _("体裁分类")
        constraints = [
            models.CheckConstraint(condition=~Q(code=""), name="genre_code_not_empty"),
            models.CheckConstraint(condition=~Q(name=""), name="genre_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        # Portal pages show the genres' names and offer them as filters.
        page_cache.invalidate(page_cache.SITE)

    def get_absolute_url(self) -> str:
        return reverse("notices:notice-list") + f"?genre={self.code}"

    def delete(self, *args, **kwargs):
        page_cache.invalidate(page_cache.SITE)
        return super().delete(*args, **kwargs)


def genre_labels() -> dict[str, str]:
    """Every genre's name by its code, kept in the cache like the portal's shared lists."""
    return page_cache.cached("genre-labels", Genre.objects.labels)


DUPLICATE_DOCUMENT_NUMBER = _("本机构已有使用该文号的信息，文号不能重复。")
# What NoticeQuerySet.published() asks of a notice besides being due; the catalogue's partial
# indexes are built on it. Only 主动公开 information goes on the portal: 依申请公开 is given to
# an applicant who asks, 不予公开 to nobody (国办发〔2016〕80号; 条例 §19–20, §27).
PUBLIC = Q(status="published", correction_of__isnull=True, disclosure="proactive")
# A withdrawn notice keeps a public page saying so.
WITHDRAWAL_PAGE = Q(status="withdrawn", correction_of__isnull=True, disclosure="proactive")
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

    class Validity(models.TextChoices):
        VALID = "valid", _("有效")
        EXPIRED = "expired", _("失效")
        REPEALED = "repealed", _("废止")

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
    validity = models.CharField(
        _("有效性"), max_length=20, choices=Validity.choices, default=Validity.VALID
    )
    validity_changed_on = models.DateField(
        _("失效或废止日期"), null=True, blank=True, help_text=_("有效性为“失效”或“废止”时填写。")
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
                violation_error_message=_("有效性为“失效”或“废止”时必须填写失效或废止日期。"),
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
            # The admin's list: every notice, by its filters and sortable columns.
            models.Index(fields=["-published_at", "-id"], name="notice_published_order"),
            models.Index(fields=["status", "-published_at"], name="notice_status_published"),
            models.Index(
                fields=["organ", "status", "-published_at"], name="notice_organ_published"
            ),
            models.Index(fields=["genre", "-published_at"], name="notice_genre_published"),
            models.Index(fields=["-updated_at"], name="notice_updated"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return links.url_for_id("notices:notice-detail", self.original_id)

    def get_status_display(self) -> str:
        return choice_label(self, "status")

    def get_validity_display(self) -> str:
        return choice_label(self, "validity")

    def get_disclosure_display(self) -> str:
        return choice_label(self, "disclosure")

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
        if self.is_correction:
            # Corrections are outside the uniqueness constraint until they replace the original.
            clash = Notice.objects.originals().filter(
                organ_id=self.organ_id, document_number=self.document_number
            )
            if self.document_number and clash.exclude(pk=self.correction_of_id).exists():
                raise ValidationError({"document_number": DUPLICATE_DOCUMENT_NUMBER})


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


class NoticeVersion(models.Model):
    """A snapshot of a notice's content each time it is published or corrected."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("公告"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本"))
    content = models.JSONField(_("内容"))
    change_note = models.CharField(_("更正说明"), max_length=500, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("编辑人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        ordering = ["notice", "number"]
        verbose_name = _("历史版本")
        verbose_name_plural = _("历史版本")
        constraints = [
            models.UniqueConstraint(fields=["notice", "number"], name="notice_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.notice} v{self.number}"


class WorkflowEvent(models.Model):
    """Who moved a notice through the workflow, when, and what they said."""

    class Action(models.TextChoices):
        CREATED = "created", _("创建")
        EDITED = "edited", _("修改")
        SUBMITTED = "submitted", _("提交审核")
        SENT_BACK = "sent_back", _("退回修改")
        PUBLISHED = "published", _("审核发布")
        SCHEDULED = "scheduled", _("审核通过，定时发布")
        UNSCHEDULED = "unscheduled", _("取消定时发布")
        CORRECTION_STARTED = "correction_started", _("发起更正")
        CORRECTED = "corrected", _("发布更正")
        RESTORED = "restored", _("恢复历史版本")
        WITHDRAWN = "withdrawn", _("撤回")

    notice = models.ForeignKey(
        Notice, verbose_name=_("公告"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=30, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    comment = models.TextField(_("意见"), blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("流程记录")
        verbose_name_plural = _("流程记录")

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.notice}"


class PageGeneration(models.Model):
    """How many times the public content has changed: bumped after every publication,
    correction or withdrawal (core.page_cache.invalidate). A cached page records the number
    it was rendered under and is not served once the database holds a larger one, so an
    invalidation is not lost while the cache cannot be reached. One row."""

    value = models.BigIntegerField(_("版本号"), default=0)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("门户内容版本")
        verbose_name_plural = _("门户内容版本")

    def __str__(self) -> str:
        return f"门户内容版本 {self.value}"


class FormSubmission(models.Model):
    """The one-time token of an add form and what its first sending created, so that a form
    sent twice creates once (notices.submissions). Kept for a day."""

    token = models.UUIDField(_("表单标识"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        verbose_name=_("创建的对象类型"),
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
    )
    object_id = models.PositiveBigIntegerField(_("创建的对象"), null=True)
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("表单提交记录")
        verbose_name_plural = _("表单提交记录")
        constraints = [
            models.UniqueConstraint(fields=["token"], name="form_submission_unique_token"),
        ]

    def __str__(self) -> str:
        return f"表单提交 {self.token}"


# Defined beside the service that uses it; imported here so that the app registers it.
from notices.staging import StagedUpload  # noqa: E402, F401

models.signals.post_migrate.connect(genres.seed_after_migrate, dispatch_uid="notices.genres")

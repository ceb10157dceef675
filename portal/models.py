"""The portal's own pages: the site's identity (one row), and for each organ its 机构信息, its
政府信息公开指南 and 制度, and the columns of its 法定主动公开内容 (条例 第二十条)."""

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from notices.fields import HTMLSealField, SanitizedHTMLField
from notices.sanitize import displayed_html
from portal import statutory

IDENTITY_PK = 1


def sealed_html(html: str, stored_seal: str) -> SafeString:
    # Sanitized on save (notices/sanitize.py) and checked against its seal: safe as it is.
    return mark_safe(displayed_html(html, stored_seal))  # noqa: S308


digits_only = RegexValidator(r"^\d+$", _("只能填写数字。"))


class SiteIdentity(models.Model):
    """Who runs the portal, as the footer of every page says (国办发〔2017〕47号 政府网站发展指引:
    主办单位, 承办单位, 网站标识码, ICP备案号, 公安机关备案号, 联系方式). One row only."""

    portal_name = models.CharField(
        _("网站名称"),
        max_length=60,
        help_text=_(
            "页面顶部和浏览器标题显示的名称，应写明政府名称，例如“甘肃省人民政府 · 政府信息公开”。"
        ),
    )
    sponsor = models.CharField(
        _("主办单位"), max_length=100, blank=True, help_text=_("例如：甘肃省人民政府办公厅。")
    )
    operator = models.CharField(_("承办单位"), max_length=100, blank=True)
    site_code = models.CharField(
        _("网站标识码"),
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^\d{10}$", _("网站标识码是 10 位数字。"))],
        help_text=_("全国政府网站信息报送系统分配的 10 位数字。"),
    )
    icp_number = models.CharField(
        _("ICP备案号"),
        max_length=50,
        blank=True,
        help_text=_("例如：陇ICP备05000251号-1；页脚链接到工业和信息化部备案管理系统。"),
    )
    police_number = models.CharField(
        _("公安机关备案号"),
        max_length=50,
        blank=True,
        validators=[RegexValidator(r"\d{6,}", _("公安机关备案号应含备案编号的数字。"))],
        help_text=_(
            "例如：甘公网安备 62010202000123号；页脚链接到全国互联网安全管理服务平台的查询页。"
        ),
    )
    contact_address = models.CharField(_("联系地址"), max_length=200, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=50, blank=True)
    contact_email = models.CharField(
        _("电子邮箱"), max_length=100, blank=True, validators=[EmailValidator()]
    )
    contact_note = models.TextField(
        _("联系我们说明"),
        blank=True,
        help_text=_("显示在“联系我们”页面，例如网站纠错和意见建议的受理方式。纯文本。"),
    )
    emblem = models.BinaryField(_("网站标志图片"), blank=True, default=b"", editable=False)
    emblem_type = models.CharField(_("标志图片类型"), max_length=20, blank=True, editable=False)
    emblem_digest = models.CharField(max_length=64, blank=True, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("网站标识")
        verbose_name_plural = _("网站标识")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(pk=IDENTITY_PK), name="site_identity_single_row"),
            models.CheckConstraint(condition=~Q(portal_name=""), name="site_identity_has_name"),
        ]

    def __str__(self) -> str:
        return self.portal_name

    def save(self, *args, **kwargs) -> None:
        self.pk = IDENTITY_PK
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("portal:contact")

    @property
    def police_record_code(self) -> str:
        """The record's number, the digits the 备案 query page takes."""
        return "".join(character for character in self.police_number if character.isdigit())


class OrganPage(models.Model):
    """What belongs to one organ's pages; the date each was last changed is shown on them."""

    organ = models.OneToOneField(
        "notices.Organ", verbose_name=_("机构"), on_delete=models.CASCADE, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True
        ordering = ["organ__position", "organ__code"]

    def __str__(self) -> str:
        return f"{self.organ} · {self._meta.verbose_name}"


class OrganProfile(OrganPage):
    """机构信息 (条例 第二十条 第二项): functions, leaders, address, hours and how to reach it."""

    functions = models.TextField(
        _("机构职能"), help_text=_("按“三定”规定填写主要职责，每条一段。纯文本。")
    )
    address = models.CharField(_("办公地址"), max_length=200, blank=True)
    office_hours = models.CharField(
        _("办公时间"),
        max_length=100,
        blank=True,
        help_text=_("例如：工作日 9:00—12:00，13:30—17:30"),
    )
    phone = models.CharField(_("联系电话"), max_length=50, blank=True)
    website = models.URLField(_("网站"), blank=True)

    class Meta(OrganPage.Meta):
        verbose_name = _("机构信息")
        verbose_name_plural = _("机构信息")

    def get_absolute_url(self) -> str:
        return reverse("portal:organ-profile", args=[self.organ_id])


class LeaderQuerySet(models.QuerySet):
    def current(self):
        return self.filter(current=True)


class Leader(models.Model):
    """A leader (领导姓名和职务), kept once: the 机构信息 page of the leader's organ lists the
    current ones (领导信息), and the checks before publication (editorial_checks) flag a current
    leader's name written after another title, and the wrong forms of the name."""

    profile = models.ForeignKey(
        OrganProfile,
        verbose_name=_("机构"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="leaders",
        help_text=_("留空则不在任何机构信息页显示，只用于发布前的领导姓名职务检查。"),
    )
    name = models.CharField(_("姓名"), max_length=20)
    post = models.CharField(
        _("职务"),
        max_length=60,
        help_text=_("正文中写在姓名前面的职务，例如“副省长”；多个职务用顿号分隔。"),
    )
    duties = models.TextField(_("分工"), blank=True)
    wrong_forms = models.CharField(
        _("姓名常见错误写法"),
        max_length=200,
        blank=True,
        help_text=_("发布前检查提示这些写法，多个用空格或逗号分隔。"),
    )
    current = models.BooleanField(
        _("在任"), default=True, help_text=_("离任后取消勾选：不再显示，也不再检查。")
    )
    position = models.PositiveIntegerField(_("排序"), default=0)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = LeaderQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("领导")
        verbose_name_plural = _("领导信息")
        constraints = [
            models.CheckConstraint(
                condition=~Q(name="") & ~Q(post=""),
                name="leader_has_name_and_post",
                violation_error_message=_("请填写领导的姓名和职务。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post} {self.name}"

    @property
    def organ_id(self) -> int | None:
        return self.profile.organ_id if self.profile_id is not None else None

    def titles(self) -> tuple[str, ...]:
        """The posts as the checks look for them before the name."""
        separated = self.post.replace("，", "、").replace(",", "、").replace(" ", "、")
        return tuple(part for part in separated.split("、") if part)

    def wrong_names(self) -> list[str]:
        return [
            form for form in self.wrong_forms.replace("，", ",").replace(",", " ").split() if form
        ]


class DisclosureGuide(OrganPage):
    """政府信息公开指南 (条例 第十二条): the office that handles disclosure and how to reach it,
    as fields, so that no guide leaves one out; how to apply and the rest as rich text."""

    office_name = models.CharField(
        _("政府信息公开工作机构"),
        max_length=100,
        help_text=_("负责本机关政府信息公开日常工作的机构名称。"),
    )
    address = models.CharField(_("办公地址"), max_length=200)
    postcode = models.CharField(
        _("邮政编码"),
        max_length=6,
        blank=True,
        validators=[RegexValidator(r"^\d{6}$", _("邮政编码是 6 位数字。"))],
    )
    office_hours = models.CharField(_("办公时间"), max_length=100)
    phone = models.CharField(_("联系电话"), max_length=50)
    fax = models.CharField(_("传真"), max_length=50, blank=True)
    email = models.CharField(
        _("电子邮箱"), max_length=100, blank=True, validators=[EmailValidator()]
    )
    how_to_apply = SanitizedHTMLField(
        _("申请方式和程序"),
        help_text=_("申请的渠道（在线、信函、当面）、应当载明的内容、答复期限和收费规定。"),
    )
    how_to_apply_seal = HTMLSealField(of="how_to_apply")
    body = SanitizedHTMLField(
        _("其他内容"),
        blank=True,
        help_text=_("主动公开的范围和方式、监督和救济途径等。"),
    )
    body_seal = HTMLSealField(of="body")

    class Meta(OrganPage.Meta):
        verbose_name = _("政府信息公开指南")
        verbose_name_plural = _("政府信息公开指南")

    def get_absolute_url(self) -> str:
        return reverse("portal:guide", args=[self.organ_id])

    def how_to_apply_html(self) -> SafeString:
        """申请方式和程序 as the 指南 page and the 依申请公开 page show it."""
        return sealed_html(self.how_to_apply, self.how_to_apply_seal)


class DisclosureRules(OrganPage):
    """政府信息公开制度: the organ's rules on disclosure (审查, 发布, 依申请公开办理, 考核…)."""

    body = SanitizedHTMLField(_("制度内容"))
    body_seal = HTMLSealField(of="body")

    class Meta(OrganPage.Meta):
        verbose_name = _("政府信息公开制度")
        verbose_name_plural = _("政府信息公开制度")

    def get_absolute_url(self) -> str:
        return reverse("portal:rules", args=[self.organ_id])


class StatutoryColumn(models.Model):
    """A column of 法定主动公开内容: the organ's public notices of some topics or genres, or its
    机构信息 page. A column without an organ appears in every organ's 专栏."""

    class Kind(models.TextChoices):
        NOTICES = "notices", _("信息列表")
        PROFILE = "profile", _("机构信息页")

    organ = models.ForeignKey(
        "notices.Organ",
        verbose_name=_("机构"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("留空则所有机构的专栏都显示本栏目。"),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级栏目"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    name = models.CharField(_("栏目名称"), max_length=40)
    article_item = models.PositiveSmallIntegerField(
        _("条例第二十条项次"),
        null=True,
        blank=True,
        help_text=_("本栏目对应《政府信息公开条例》第二十条的第几项（1–15）。"),
    )
    kind = models.CharField(
        _("栏目内容"), max_length=20, choices=Kind.choices, default=Kind.NOTICES
    )
    topics = models.ManyToManyField(
        "notices.Topic",
        verbose_name=_("主题分类"),
        blank=True,
        related_name="+",
        help_text=_("列出属于这些主题（含下级主题）的信息；留空则不按主题筛选。"),
    )
    genres = models.ManyToManyField(
        "notices.Genre",
        verbose_name=_("体裁分类"),
        blank=True,
        related_name="+",
        help_text=_("列出这些体裁的信息；留空则不按体裁筛选。"),
    )
    position = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("法定主动公开栏目")
        verbose_name_plural = _("法定主动公开内容栏目")
        constraints = [
            models.CheckConstraint(
                condition=Q(article_item__isnull=True)
                | Q(article_item__gte=1, article_item__lte=15),
                name="statutory_column_article_item_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def item_label(self) -> str:
        return statutory.item_label(self.article_item) if self.article_item else ""

    @property
    def item_text(self) -> str:
        return statutory.item_text(self.article_item) if self.article_item else ""

    def clean(self) -> None:
        if self.parent_id is not None:
            if self.parent.parent_id is not None:
                raise ValidationError({"parent": _("栏目最多两级：上级栏目不能再有上级。")})
            if self.parent.organ_id is not None and self.parent.organ_id != self.organ_id:
                raise ValidationError({"parent": _("上级栏目属于另一机构。")})

"""The checks before publication (内容保障), as data: the word list that a site admin keeps (the
leaders' names and titles are the portal's, portal.Leader); the findings of each check of a
notice with who confirmed them; the hosts outside *.gov.cn that may be linked; and the last
result of each link checked."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from notices.models import Notice


class Severity(models.TextChoices):
    SERIOUS = "serious", _("严重")
    WARNING = "warning", _("提示")


class WordRule(models.Model):
    """A wrong or unsuitable wording and, where there is one, the form to use instead."""

    class Kind(models.TextChoices):
        MISWRITING = "miswriting", _("错误表述")
        AVOID = "avoid", _("禁用或慎用词")

    wrong = models.CharField(
        _("错误或应避免的写法"),
        max_length=100,
        unique=True,
        help_text=_("正文中出现这段文字即提示，例如“坚持不泄”。区分全角半角，不区分前后文。"),
    )
    correct = models.CharField(
        _("正确写法"),
        max_length=100,
        blank=True,
        help_text=_("例如“坚持不懈”；禁用词可留空。"),
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices, default=Kind.MISWRITING)
    severity = models.CharField(
        _("严重程度"),
        max_length=20,
        choices=Severity.choices,
        default=Severity.SERIOUS,
        help_text=_("“严重”的问题须由审核人员填写理由后才能发布；“提示”只提醒。"),
    )
    note = models.CharField(_("说明或依据"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        ordering = ["wrong"]
        verbose_name = _("用词规范")
        verbose_name_plural = _("用词规范")
        constraints = [
            models.CheckConstraint(
                condition=~Q(wrong=""),
                name="wordrule_wrong_not_empty",
                violation_error_message=_("请填写错误或应避免的写法。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.wrong} → {self.correct}" if self.correct else self.wrong


class CheckRun(models.Model):
    """One check of a notice as submitted (its content at ``lock_version``)."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("公告"), on_delete=models.CASCADE, related_name="check_runs"
    )
    lock_version = models.PositiveIntegerField(_("内容版本"))
    checked_at = models.DateTimeField(_("检查时间"), auto_now_add=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("触发人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    unread = models.TextField(
        _("未能读取的内容"), blank=True, help_text=_("无法提取文字的附件等，需人工检查。")
    )

    class Meta:
        ordering = ["-checked_at", "-pk"]
        get_latest_by = ["checked_at", "pk"]
        verbose_name = _("内容检查")
        verbose_name_plural = _("内容检查")

    def __str__(self) -> str:
        return f"{self.notice} · {self.checked_at:%Y-%m-%d %H:%M}"


class Finding(models.Model):
    """One thing found in a notice, at one place in one part of it."""

    class Category(models.TextChoices):
        WORDING = "wording", _("用词")
        LEADER = "leader", _("领导姓名职务")
        PERSONAL = "personal", _("个人信息")

    class Kind(models.TextChoices):
        MISWRITING = "miswriting", _("错误表述")
        AVOID = "avoid", _("禁用或慎用词")
        LEADER_NAME = "leader_name", _("领导姓名写错")
        LEADER_TITLE = "leader_title", _("领导职务不符")
        RESIDENT_ID = "resident_id", _("身份证号码")
        MOBILE = "mobile", _("手机号码")
        LANDLINE = "landline", _("固定电话")
        BANK_CARD = "bank_card", _("银行卡号")
        EMAIL = "email", _("电子邮箱")
        ADDRESS = "address", _("详细住址")

    run = models.ForeignKey(
        CheckRun, verbose_name=_("检查"), on_delete=models.CASCADE, related_name="findings"
    )
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    kind = models.CharField(_("问题"), max_length=20, choices=Kind.choices)
    severity = models.CharField(_("严重程度"), max_length=20, choices=Severity.choices)
    part = models.CharField(
        _("位置"), max_length=250, help_text=_("正文、内容概述、标题或附件名。")
    )
    paragraph = models.PositiveIntegerField(_("段落"), default=1)
    offset = models.PositiveIntegerField(_("字符位置"), default=0)
    text = models.CharField(_("发现的内容"), max_length=200)
    suggestion = models.CharField(_("建议"), max_length=200, blank=True)
    before = models.CharField(_("前文"), max_length=60, blank=True)
    after = models.CharField(_("后文"), max_length=60, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    reason = models.TextField(_("理由"), blank=True)

    class Meta:
        ordering = ["run", "pk"]
        verbose_name = _("检查发现")
        verbose_name_plural = _("检查发现")
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_by__isnull=False),
                name="finding_resolved_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.text}"

    @property
    def needs_resolution(self) -> bool:
        """Personal data must be confirmed, serious wording explained, before publication."""
        return self.category == self.Category.PERSONAL or self.severity == Severity.SERIOUS

    @property
    def needs_reason(self) -> bool:
        return self.category != self.Category.PERSONAL and self.severity == Severity.SERIOUS

    @property
    def key(self) -> tuple:
        """What makes two findings of two checks of the same notice the same finding."""
        return (self.kind, self.part, self.text, self.before, self.after)


class AllowedHost(models.Model):
    """A host outside *.gov.cn that notices may link to without being flagged (暗链 checks)."""

    host = models.CharField(
        _("域名"),
        max_length=200,
        unique=True,
        help_text=_("例如 www.people.com.cn；填写 people.com.cn 则包括它的所有子域名。"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    added_at = models.DateTimeField(_("添加时间"), auto_now_add=True)

    class Meta:
        ordering = ["host"]
        verbose_name = _("外部链接白名单")
        verbose_name_plural = _("外部链接白名单")

    def __str__(self) -> str:
        return self.host


class LinkResult(models.Model):
    """The last check of one link in one notice's body."""

    class Problem(models.TextChoices):
        NONE = "", _("正常")
        HTTP_ERROR = "http_error", _("无法访问（错误状态码）")
        DNS = "dns", _("域名无法解析")
        TIMEOUT = "timeout", _("连接超时")
        CONNECTION = "connection", _("无法连接")
        NOT_FOUND = "not_found", _("本站页面不存在")
        PRIVATE = "private", _("内网地址")
        INVALID = "invalid", _("链接格式错误")

    notice = models.ForeignKey(
        Notice, verbose_name=_("公告"), on_delete=models.CASCADE, related_name="link_results"
    )
    url = models.TextField(_("链接"))
    host = models.CharField(_("域名"), max_length=255, blank=True)
    government = models.BooleanField(
        _("政府网站或白名单"), help_text=_("否：链接到非政府网站，需核查是否为暗链。")
    )
    problem = models.CharField(
        _("问题"), max_length=20, choices=Problem.choices, default=Problem.NONE, blank=True
    )
    status_code = models.PositiveSmallIntegerField(_("状态码"), null=True, blank=True)
    checked_at = models.DateTimeField(_("检查时间"))

    class Meta:
        ordering = ["notice", "pk"]
        verbose_name = _("链接检查结果")
        verbose_name_plural = _("链接检查结果")
        indexes = [models.Index(fields=["problem", "government"], name="linkresult_flags")]

    def __str__(self) -> str:
        return self.url

    @property
    def flagged(self) -> bool:
        return bool(self.problem) or not self.government

"""An application for government information (政府信息公开申请) and its number sequence."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from applications import identity
from applications.models.outcomes import CATEGORY, Outcome
from notices.models import Organ

LOOKUP_SALT = "applications.lookup-code"


class State(models.TextChoices):
    SUBMITTED = "submitted", _("待登记")
    ACCEPTED = "accepted", _("已受理")
    AWAITING_CORRECTION = "awaiting_correction", _("需补正")
    CORRECTED = "corrected", _("已补正")
    ABANDONED = "abandoned", _("视为放弃")
    CONSULTING_THIRD_PARTY = "consulting_third_party", _("征求第三方意见")
    CONSULTING_ORGAN = "consulting_organ", _("征求其他机关意见")
    EXTENDED = "extended", _("延期")
    ANSWERED = "answered", _("已答复")
    ARCHIVED = "archived", _("已归档")


# The states in which the organ owes an answer and the clock runs (or is paused for a
# consultation, whose projected end is already in due_on).
OPEN_STATES = [
    State.ACCEPTED,
    State.CORRECTED,
    State.CONSULTING_THIRD_PARTY,
    State.CONSULTING_ORGAN,
    State.EXTENDED,
]
CLOSED_STATES = [State.ANSWERED, State.ABANDONED, State.ARCHIVED]


def normalized_description(text: str) -> str:
    """The description folded for comparing requests (§44): full-width to half-width, lower
    case, and nothing but letters and digits (punctuation and spaces say nothing)."""
    folded = unicodedata.normalize("NFKC", text or "").lower()
    return re.sub(r"[\W_]+", "", folded)


class ApplicationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=OPEN_STATES)

    def overdue(self, today=None):
        """Open applications whose answer is due before today."""
        return self.open().filter(due_on__lt=today or timezone.localdate())

    def due_by(self, last_day, today=None):
        """Open applications due between today and last_day (both included), not yet late."""
        return self.open().filter(due_on__gte=today or timezone.localdate(), due_on__lte=last_day)

    def correction_lapsed(self, today=None):
        """Waiting for a correction whose period has ended: to be treated as abandoned (§30)."""
        return self.filter(
            state=State.AWAITING_CORRECTION,
            correction__reply_by__lt=today or timezone.localdate(),
        )

    def deadlines(self, today, due_soon_limit) -> dict:
        """The counts a handler's dashboard shows, in one query."""
        return self.aggregate(
            open=models.Count("pk", filter=Q(state__in=OPEN_STATES)),
            overdue=models.Count("pk", filter=Q(state__in=OPEN_STATES, due_on__lt=today)),
            due_soon=models.Count(
                "pk",
                filter=Q(state__in=OPEN_STATES, due_on__gte=today, due_on__lte=due_soon_limit),
            ),
            to_register=models.Count("pk", filter=Q(state=State.SUBMITTED)),
        )

    def for_organ(self, organ):
        return self.filter(organ=organ)


class ApplicationSequence(models.Model):
    """The last serial of the 申请编号 handed out in one year."""

    year = models.PositiveSmallIntegerField(_("年份"), primary_key=True)
    last_serial = models.PositiveIntegerField(_("已用序号"), default=0)

    class Meta:
        ordering = ["year"]
        verbose_name = _("申请编号序列")
        verbose_name_plural = _("申请编号序列")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_serial}"


class Application(models.Model):
    """One application under 《政府信息公开条例》 §27–§45, from submission to archive.

    The clock fields (clock_started_on, excluded_days, due_on) are written only by
    applications/clock.py through the service functions in applications/services.py."""

    State = State

    class ApplicantType(models.TextChoices):
        NATURAL_PERSON = "natural_person", _("自然人")
        ORGANIZATION = "organization", _("法人或其他组织")

    class OrganizationKind(models.TextChoices):
        COMMERCIAL = "commercial", _("商业企业")
        RESEARCH = "research", _("科研机构")
        PUBLIC_WELFARE = "public_welfare", _("社会公益组织")
        LEGAL_SERVICE = "legal_service", _("法律服务机构")
        OTHER = "other", _("其他")

    class IdType(models.TextChoices):
        RESIDENT_ID = "resident_id", _("居民身份证")
        PASSPORT = "passport", _("护照")
        HK_MACAO_PERMIT = "hk_macao_permit", _("港澳居民来往内地通行证")
        TAIWAN_PERMIT = "taiwan_permit", _("台湾居民来往大陆通行证")
        FOREIGN_RESIDENCE = "foreign_residence", _("外国人永久居留身份证")
        CREDIT_CODE = "credit_code", _("统一社会信用代码")
        OTHER = "other", _("其他证件")

    class Channel(models.TextChoices):
        ONLINE = "online", _("网络")
        LETTER = "letter", _("信函")
        IN_PERSON = "in_person", _("当面")

    class Delivery(models.TextChoices):
        EMAIL = "email", _("电子邮件")
        POST = "post", _("邮寄")
        PICKUP = "pickup", _("自行领取")
        ONLINE = "online", _("在线查看")

    class Medium(models.TextChoices):
        PAPER = "paper", _("纸质")
        ELECTRONIC = "electronic", _("电子文档")
        DISC = "disc", _("光盘")

    number = models.CharField(_("申请编号"), max_length=20, unique=True, editable=False)
    lookup_code_hash = models.CharField(_("查询码摘要"), max_length=64, editable=False)
    organ = models.ForeignKey(
        Organ, verbose_name=_("受理机关"), on_delete=models.PROTECT, related_name="applications"
    )
    state = models.CharField(
        _("状态"), max_length=30, choices=State.choices, default=State.SUBMITTED, editable=False
    )
    channel = models.CharField(_("申请渠道"), max_length=20, choices=Channel.choices)

    applicant_type = models.CharField(_("申请人类型"), max_length=20, choices=ApplicantType.choices)
    organization_kind = models.CharField(
        _("法人或其他组织类别"),
        max_length=20,
        choices=OrganizationKind.choices,
        blank=True,
        help_text=_("申请人为法人或其他组织时必填，按年度报告的分类。"),
    )
    applicant_name = models.CharField(_("姓名或名称"), max_length=100)
    id_type = models.CharField(_("证件类型"), max_length=30, choices=IdType.choices)
    id_number = models.CharField(_("证件号码"), max_length=50)
    contact_person = models.CharField(
        _("联系人"), max_length=50, blank=True, help_text=_("法人或其他组织申请时的经办人。")
    )
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    postal_address = models.CharField(_("通信地址"), max_length=200, blank=True)
    postcode = models.CharField(_("邮政编码"), max_length=10, blank=True)

    description = models.TextField(
        _("所需信息描述"), help_text=_("信息的名称、文号或者便于查询的其他特征性描述。")
    )
    description_key = models.TextField(_("描述规范化文本"), blank=True, editable=False)
    delivery = models.CharField(_("获取方式"), max_length=20, choices=Delivery.choices)
    medium = models.CharField(_("载体形式"), max_length=20, choices=Medium.choices)

    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now, editable=False)
    received_on = models.DateField(
        _("收到申请日期"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("条例第三十一条：当面提交为提交之日，邮寄为签收之日，网络提交为双方确认之日。"),
    )
    clock_started_on = models.DateField(_("起算日"), null=True, blank=True, editable=False)
    excluded_days = models.PositiveSmallIntegerField(
        _("不计入期限的工作日"), default=0, editable=False
    )
    due_on = models.DateField(_("答复期限"), null=True, blank=True, editable=False)

    outcome = models.CharField(
        _("办理结果"), max_length=30, choices=Outcome.choices, blank=True, editable=False
    )
    legal_basis = models.TextField(_("法律依据"), blank=True, editable=False)
    withheld = models.TextField(
        _("不予公开的部分及理由"), blank=True, editable=False, help_text=_("部分公开时必填。")
    )
    answer_summary = models.TextField(_("答复内容摘要"), blank=True, editable=False)
    answered_on = models.DateField(_("答复日期"), null=True, blank=True, editable=False)
    archived_on = models.DateField(_("归档日期"), null=True, blank=True, editable=False)

    is_example = models.BooleanField(
        _("示例"), default=False, help_text=_("演示用的虚构申请，不计入统计。")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("政府信息公开申请")
        verbose_name_plural = _("政府信息公开申请")
        permissions = [("handle_application", _("办理政府信息公开申请"))]
        indexes = [
            models.Index(fields=["organ", "state", "due_on"], name="application_queue"),
            # The queue's order (ApplicationAdmin.ordering), whole or by state: a page of a queue
            # that spans every organ (auditors, site admins) reads its 50 rows in order instead
            # of sorting 100,000 (bench/applications_bench.py: 225 ms to a few).
            models.Index(fields=["due_on", "-submitted_at", "-id"], name="application_queue_order"),
            models.Index(
                fields=["state", "due_on", "-submitted_at", "-id"], name="application_state_order"
            ),
            # The filters 已逾期 and 3日内到期 in the queue's order; closed applications, whose
            # old due dates come first in the whole-queue index, are not in it.
            models.Index(
                fields=["due_on", "-submitted_at", "-id"],
                condition=Q(state__in=OPEN_STATES),
                name="application_open_due",
            ),
            # A handler's queue of one organ in the queue's order: its first page reads 50
            # rows instead of sorting all of the organ's (bench/applications_bench.py).
            models.Index(
                fields=["organ", "due_on", "-submitted_at", "-id"], name="application_organ_queue"
            ),
            # §44 (applications/repeats.py): an organ's most recent applications, read up to
            # MAX_COMPARED without visiting the older ones.
            models.Index(fields=["organ", "-submitted_at", "-id"], name="application_organ_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(phone="") | ~Q(email=""),
                name="application_has_contact",
                violation_error_message=_("请至少留下联系电话或电子邮箱中的一种联系方式。"),
            ),
            models.CheckConstraint(
                condition=Q(applicant_type="natural_person", organization_kind="")
                | (Q(applicant_type="organization") & ~Q(organization_kind="")),
                name="application_organization_kind",
                violation_error_message=_("法人或其他组织须选择类别；自然人申请不填写组织类别。"),
            ),
            models.CheckConstraint(
                condition=Q(state="submitted")
                | Q(received_on__isnull=False, clock_started_on__isnull=False),
                name="application_received_date",
                violation_error_message=_("已登记的申请须有收到申请日期。"),
            ),
            models.CheckConstraint(
                condition=~Q(state__in=CLOSED_STATES)
                | (~Q(outcome="") & Q(answered_on__isnull=False)),
                name="application_closed_has_outcome",
                violation_error_message=_("已答复、视为放弃或已归档的申请须有办理结果和日期。"),
            ),
            models.CheckConstraint(
                condition=~Q(outcome="partial") | ~Q(withheld=""),
                name="application_partial_withheld",
                violation_error_message=_("部分公开须写明不予公开的部分及理由。"),
            ),
            models.CheckConstraint(
                condition=~Q(state="archived") | Q(archived_on__isnull=False),
                name="application_archived_on",
                violation_error_message=_("已归档的申请须有归档日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}（{self.organ.name if self.organ_id else ''}）"

    def save(self, *args, **kwargs):
        self.description_key = normalized_description(self.description)
        if kwargs.get("update_fields") is not None and "description" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "description_key"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        self.id_number = identity.normalized(self.id_number)
        problem = ""
        if self.id_type == self.IdType.RESIDENT_ID:
            problem = identity.resident_id_problem(self.id_number)
        elif self.id_type == self.IdType.CREDIT_CODE:
            problem = identity.credit_code_problem(self.id_number)
        if problem:
            raise ValidationError({"id_number": problem})

    @property
    def outcome_category(self) -> str:
        return CATEGORY.get(self.outcome, "")

    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.is_open() and self.due_on is not None and self.due_on < today

    def set_lookup_code(self, code: str) -> None:
        self.lookup_code_hash = self._lookup_digest(code)

    def check_lookup_code(self, code: str) -> bool:
        return bool(self.lookup_code_hash) and constant_time_compare(
            self.lookup_code_hash, self._lookup_digest(code)
        )

    def _lookup_digest(self, code: str) -> str:
        # A fast keyed hash is enough: the code is random with 50 bits, never chosen by a person,
        # and look-ups are rate-limited; a slow password hash would cost every look-up.
        normalized = (code or "").strip().upper().replace("-", "")
        return salted_hmac(
            LOOKUP_SALT, f"{self.number}:{normalized}", algorithm="sha256"
        ).hexdigest()


def number_for(year: int, serial: int) -> str:
    return f"{year}-{serial:06d}"


__all__ = ["Application", "ApplicationSequence", "State"]

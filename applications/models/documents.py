"""What the applicant reads from the portal and receives: the guide to applying (指南) and the
editable templates of the documents sent to them (登记回执, 补正告知书, 答复书 …)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from applications.models.outcomes import OutcomeCategory
from applications.models.records import ApplicationDocument, ApplicationEvent


class ApplicationGuide(models.Model):
    """The site's general 申请指南, shown above the form when no organ is chosen, or when the
    organ chosen has no 政府信息公开指南 (portal.DisclosureGuide, whose 申请方式和程序 is that
    organ's guide to applying). One row."""

    text = models.TextField(
        _("指南正文"),
        help_text=_("纯文本，空一行为一段。写明申请的渠道、应当载明的内容、答复期限和收费规定。"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("通用申请指南")
        verbose_name_plural = _("通用申请指南")
        constraints = [
            models.UniqueConstraint(
                models.Value(1),
                name="application_guide_single_row",
                violation_error_message=_("通用申请指南只能有一份，请修改已有的那一份。"),
            ),
        ]

    def __str__(self) -> str:
        return "通用申请指南"

    @classmethod
    def general(cls) -> "ApplicationGuide | None":
        return cls.objects.order_by("pk").first()


class DocumentTemplate(models.Model):
    """The text of one kind of document, a Django template a site admin edits. It is rendered
    with a few plain values only (applications/documents.py lists them) and its output is
    sanitized before it is kept."""

    kind = models.CharField(_("文书类型"), max_length=30, choices=ApplicationDocument.Kind.choices)
    outcome_category = models.CharField(
        _("适用的办理结果"),
        max_length=20,
        choices=OutcomeCategory.choices,
        blank=True,
        help_text=_("只用于答复书：每类办理结果一份模板。其他文书留空。"),
    )
    title = models.CharField(_("文书标题"), max_length=100)
    body = models.TextField(
        _("模板正文"),
        help_text=_(
            "HTML，可用 {{ 变量 }} 插入申请的内容，例如 {{ number }}、{{ applicant_name }}、"
            "{{ organ_name }}、{{ received_on }}、{{ due_on }}；可用 {% if %} 判断。"
            "不能引用其他模板。"
        ),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["kind", "outcome_category"]
        verbose_name = _("文书模板")
        verbose_name_plural = _("文书模板")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "outcome_category"],
                name="document_template_one_per_kind",
                violation_error_message=_("每种文书（答复书按办理结果）只能有一份模板。"),
            ),
            models.CheckConstraint(
                condition=Q(kind="answer") | Q(outcome_category=""),
                name="document_template_category_only_answer",
                violation_error_message=_("只有答复书按办理结果区分模板。"),
            ),
        ]

    def __str__(self) -> str:
        if self.outcome_category:
            return f"{self.get_kind_display()}（{self.get_outcome_category_display()}）"
        return self.get_kind_display()

    def clean(self) -> None:
        super().clean()
        from applications import documents

        problem = documents.template_problem(self.body)
        if problem:
            raise ValidationError({"body": problem})


@receiver(post_save, sender=ApplicationEvent, dispatch_uid="applications.event_documents")
def event_saved(sender, instance, created, raw=False, **kwargs):
    """Each recorded step sends its documents and tells the applicant (notifications.py)."""
    if created and not raw:
        from applications import notifications

        notifications.event_recorded(instance)

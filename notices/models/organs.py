"""The publishing bodies (发布机构)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from notices.models.labels import choice_label


class OrganQuerySet(models.QuerySet):
    def publishing(self):
        """Organs with at least one notice the public can open (units that are only ever
        assessed, and organs not yet publishing, are left out of the portal's lists)."""
        # Two EXISTS rather than one over public_pages(): each is a probe of one index.
        from notices.models.notice import Notice

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

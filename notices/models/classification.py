"""How notices are classified: topics (主题分类) and genres (体裁)."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, router, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import page_cache

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

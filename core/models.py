from django.db import models
from django.utils.translation import gettext_lazy as _


class PageGeneration(models.Model):
    """A number bumped when a change could not reach the cache to invalidate the pages it
    touched (core.page_cache). Every cached page records it and is not served once the database
    holds a larger one, so an invalidation is not lost while the cache cannot be reached. One
    row."""

    value = models.BigIntegerField(_("版本号"), default=0)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("门户内容版本")
        verbose_name_plural = _("门户内容版本")

    def __str__(self) -> str:
        return f"门户内容版本 {self.value}"

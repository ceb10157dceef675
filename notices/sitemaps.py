from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from notices.models import Notice


class NoticeSitemap(Sitemap):
    changefreq = "monthly"
    limit = 20000

    def items(self):
        return Notice.objects.published().only("pk", "updated_at").order_by("pk")

    def location(self, notice: Notice) -> str:
        # Published notices are originals, so their pk is their URL; get_absolute_url would
        # load the deferred correction_of_id with one query per notice.
        return reverse("notices:notice-detail", args=[notice.pk])

    def lastmod(self, notice: Notice):
        return notice.updated_at


class PortalPagesSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return [
            "notices:home",
            "notices:notice-list",
            "notices:organ-list",
            "assessments:assessment-index",
        ]

    def location(self, name: str) -> str:
        return reverse(name)

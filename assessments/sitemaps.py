from django.contrib.sitemaps import Sitemap

from assessments.models import Assessment


class AssessmentSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Assessment.objects.published().only("pk", "updated_at").order_by("pk")

    def lastmod(self, assessment: Assessment):
        return assessment.updated_at

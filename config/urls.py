from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from assessments.sitemaps import AssessmentSitemap
from config import security
from core import reading_mode
from core.page_cache import cache_page_for_public as cached
from notices import sitemaps

# Sections of one page each; the notices have a sitemap of their own (notices/sitemaps.py).
SITEMAPS = {"pages": sitemaps.PortalPagesSitemap, "assessments": AssessmentSitemap}

admin.site.site_header = "政府信息公开平台 · 管理后台"
admin.site.site_title = "信息公开管理"
admin.site.index_title = "工作台"
security.harden_admin(admin.site)
# Errors that escape every view: a database that is down answers 503, not 500.
handler500 = "core.reliability.server_error"

urlpatterns = [
    path("admin/exports/", include("exports.urls")),
    path("admin/checks/", include("editorial_checks.urls")),
    path("admin/", admin.site.urls),
    path(
        "sitemap.xml",
        cached(sitemaps.index, shows=("notices", "assessments")),
        {"sitemaps": SITEMAPS},
        name="sitemap-index",
    ),
    path(
        "sitemap-notices.xml", cached(sitemaps.notices, shows=("notices",)), name="sitemap-notices"
    ),
    path(
        "sitemap-<section>.xml",
        cached(sitemap_views.sitemap, shows=("notices", "assessments")),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("reading-mode/", reading_mode.switch, name="reading-mode"),
    path("assessments/", include("assessments.urls")),
    path("search/", include("search.urls")),
    path("apply/", include("applications.urls")),
    path("annual-reports/", include("annual_reports.urls")),
    path("", include("portal.urls")),
    path("", include("notices.urls")),
]

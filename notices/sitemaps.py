"""sitemap.xml: the portal's pages and assessments through Django's sitemaps, and the notices
by ranges of ids, written out directly.

Page p of the notices' sitemap lists the published notices with ids in ((p-1)·N, p·N]: one range
scan of the primary key, no count and no offset, and a page keeps listing the same notices as
more are published. Django's own sitemap view took four seconds for a page of 20,000 notices,
its index counted every notice and read all of them for the latest change.
"""

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem, x_robots_tag
from django.db.models import F
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import http_date

from core import links
from notices.models import Notice

NOTICES_PER_PAGE = 20_000
CHANGEFREQ = "monthly"


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


def _notices_url(request) -> str:
    return request.build_absolute_uri(reverse("sitemap-notices"))


@x_robots_tag
def index(request, sitemaps: dict):
    """The sections of ``sitemaps`` (each one page) and every page of the notices' sitemap."""
    items = []
    for section, sitemap in sitemaps.items():
        url = request.build_absolute_uri(reverse("sitemap-section", args=[section]))
        items.append(SitemapIndexItem(url, sitemap().get_latest_lastmod()))
    published = Notice.objects.published()
    latest = published.order_by("-updated_at").values_list("updated_at", flat=True).first()
    # Which id ranges hold a published notice: one pass over an index of ids, on the index page
    # only (which the page cache keeps).
    pages = (
        published.annotate(page=(F("pk") - 1) / NOTICES_PER_PAGE + 1)
        .order_by("page")
        .values_list("page", flat=True)
        .distinct()
    )
    notices_url = _notices_url(request)
    items.append(SitemapIndexItem(notices_url, latest))
    items += [SitemapIndexItem(f"{notices_url}?p={page}", latest) for page in pages if page > 1]
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": items}, content_type="application/xml"
    )


@x_robots_tag
def notices(request):
    try:
        page = int(request.GET.get("p", 1))
    except ValueError:
        raise Http404("没有这一页。") from None
    if not 0 < page < 2**63 // NOTICES_PER_PAGE:
        raise Http404("没有这一页。")
    rows = list(
        Notice.objects.published()
        .filter(pk__gt=(page - 1) * NOTICES_PER_PAGE, pk__lte=page * NOTICES_PER_PAGE)
        .order_by("pk")
        .values_list("pk", "updated_at")
    )
    if not rows and page > 1:
        raise Http404("没有这一页。")
    # Published notices are originals: their URL is the detail URL of their id.
    site = request.build_absolute_uri("/").removesuffix("/")
    before, after = links.url_parts("notices:notice-detail")
    before, after = escape(site + before), escape(after)
    local = timezone.get_current_timezone()
    entries = [
        f"<url><loc>{before}{pk}{after}</loc>"
        f"<lastmod>{updated.astimezone(local):%Y-%m-%d}</lastmod>"
        f"<changefreq>{CHANGEFREQ}</changefreq></url>"
        for pk, updated in rows
    ]
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "\n".join(entries)
        + "\n</urlset>\n"
    )
    response = HttpResponse(body, content_type="application/xml")
    if rows:
        latest = max(updated for _, updated in rows)
        response["Last-Modified"] = http_date(latest.timestamp())
    return response

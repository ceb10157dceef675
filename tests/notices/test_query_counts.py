"""Every portal page kind does a fixed number of queries, however much there is to show."""

import pytest
from django.urls import reverse

from core import pagination
from notices import views
from tests import factories
from tests.queries import queries_for

# The most each page kind may do: a regression shows here even when the count stays constant.
# With the shared lists read each time (PORTAL_LISTS_CACHE_SECONDS = 0 in tests): the genres a
# site admin keeps are one of them on the home page and the catalogue, and the site's identity
# (portal/identity.py, in every page's header and footer) one on every HTML page. With the lists
# kept, as in production, neither costs a query (tests/portal/test_identity.py); the feed's
# title is the identity's name too (core/site_name.py). The admin's navigation asks whether the
# site's one general application guide exists yet (applications/admin: it may not have two).
MOST = {
    "home": 5,
    "list": 6,
    "list-filtered": 7,
    "list-numbered-page": 6,
    "list-after-a-notice": 7,
    "list-before-a-notice": 7,
    "list-by-signed-date": 6,
    "list-by-signed-date-page-2": 6,
    "list-by-signed-date-after-a-notice": 7,
    "detail": 5,
    "feed": 2,
    "organ-feed": 2,
    "organs": 2,
    "organ-documents": 3,
    "interpretations": 3,
    "sitemap": 3,
    "sitemap-notices": 1,
    "admin-list": 10,
}


def grow(organ, editor, reviewer, notice_in, size: int) -> None:
    """Add notices, topics (three levels deep), attachments and citations."""
    root = factories.make_topic()
    for _ in range(size):
        child = factories.make_topic(parent=root)
        leaf = factories.make_topic(parent=child)
        notice = notice_in("published")
        notice.topics.set([child, leaf])
        factories.make_attachment(notice)
        notice_in("published", genre="interpretation", interprets=notice)
        notice.citations.create(title="引用的文件", document_number="甘政办发〔2016〕70号")
        notice.citations.create(target=factories.make_notice(organ, editor, reviewer))


@pytest.mark.parametrize("page", MOST)
def test_portal_pages_take_a_constant_number_of_queries(
    client, organ, editor, reviewer, notice_in, site_admin, monkeypatch, page
):
    # Small pages and cap, so that every kind of page (numbered, after and before a notice)
    # exists with few notices.
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(pagination, "COUNT_CAP", 4)

    def url_for(kind):
        latest = organ.notices.order_by("-pk").first()
        middle = organ.notices.order_by("-pk")[2]
        return {
            "home": reverse("notices:home"),
            "list": reverse("notices:notice-list"),
            "list-filtered": reverse("notices:notice-list") + f"?organ={organ.pk}&genre=notice",
            "list-numbered-page": reverse("notices:notice-list") + "?page=2",
            "list-after-a-notice": reverse("notices:notice-list") + f"?after={middle.pk}",
            "list-before-a-notice": reverse("notices:notice-list") + f"?before={middle.pk}",
            "list-by-signed-date": reverse("notices:notice-list") + "?sort=signed",
            "list-by-signed-date-page-2": reverse("notices:notice-list") + "?sort=signed&page=2",
            "list-by-signed-date-after-a-notice": (
                reverse("notices:notice-list") + f"?sort=signed&after={middle.pk}"
            ),
            "detail": latest.get_absolute_url(),
            "feed": reverse("notices:feed"),
            "organ-feed": reverse("notices:organ-feed", args=[organ.pk]),
            "organs": reverse("notices:organ-list"),
            "organ-documents": reverse("notices:organ-documents", args=[organ.pk]),
            "interpretations": reverse("notices:interpretation-list"),
            "sitemap": "/sitemap.xml",
            "sitemap-notices": "/sitemap-notices.xml",
            "admin-list": reverse("admin:notices_notice_changelist"),
        }[kind]

    if page.startswith("admin"):
        client.force_login(site_admin)
    grow(organ, editor, reviewer, notice_in, 3)
    small = queries_for(client, url_for(page))
    grow(organ, editor, reviewer, notice_in, 12)
    large = queries_for(client, url_for(page))
    assert large == small, f"{page}: {small} queries with few rows, {large} with more"
    assert large <= MOST[page], f"{page}: {large} queries, at most {MOST[page]} expected"

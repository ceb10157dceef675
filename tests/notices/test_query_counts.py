"""Every portal page kind does a fixed number of queries, however much there is to show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def grow(organ, editor, reviewer, notice_in, size: int) -> None:
    """Add notices, topics (three levels deep), attachments and citations."""
    root = factories.make_topic()
    for _ in range(size):
        child = factories.make_topic(parent=root)
        leaf = factories.make_topic(parent=child)
        notice = notice_in("published")
        notice.topics.set([child, leaf])
        factories.make_attachment(notice)
        notice.citations.create(title="引用的文件", document_number="甘政办发〔2016〕70号")


@pytest.mark.parametrize(
    "page",
    ["home", "list", "list-filtered", "detail", "feed", "organs", "sitemap", "sitemap-notices"],
)
def test_portal_pages_take_a_constant_number_of_queries(
    client, organ, editor, reviewer, notice_in, page
):
    def url_for(kind):
        latest = organ.notices.order_by("-pk").first()
        return {
            "home": reverse("notices:home"),
            "list": reverse("notices:notice-list"),
            "list-filtered": reverse("notices:notice-list") + f"?organ={organ.pk}&genre=notice",
            "detail": latest.get_absolute_url() if latest else "",
            "feed": reverse("notices:feed"),
            "organs": reverse("notices:organ-list"),
            "sitemap": "/sitemap.xml",
            "sitemap-notices": "/sitemap-notices.xml",
        }[kind]

    grow(organ, editor, reviewer, notice_in, 2)
    small = queries_for(client, url_for(page))
    grow(organ, editor, reviewer, notice_in, 12)
    large = queries_for(client, url_for(page))
    assert large == small, f"{page}: {small} queries with few rows, {large} with more"

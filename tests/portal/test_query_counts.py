"""The 专栏's pages, the 网站地图, 联系我们 and the 开放数据 page do a fixed number of queries,
however many organs, columns, leaders and notices there are (as the notices' pages do:
tests/notices/test_query_counts.py, which says what the shared lists and the identity cost)."""

import pytest
from django.urls import reverse

from notices.models import Genre
from portal.models import StatutoryColumn
from tests import factories
from tests.portal.factories import make_guide, make_profile, make_rules
from tests.queries import queries_for

# The most each page may do, with the shared lists and the identity read each time (tests).
MOST = {
    "column-index": 2,
    "organ-column": 5,
    "guide": 3,
    "rules": 3,
    "organ-profile": 4,
    "statutory-column": 9,
    "site-map": 3,
    "contact": 1,
    "open-data": 2,
}


def grow(organ, profile, notice_in, column, size: int) -> None:
    """Add organs with their pages, topics, leaders, notices the column lists, own columns."""
    for _ in range(size):
        other = factories.make_organ()
        make_guide(other)
        topic = factories.make_topic(parent=factories.make_topic())
        column.topics.add(topic)
        notice = notice_in("published", genre="notice")
        notice.topics.set([topic])
        StatutoryColumn.objects.create(organ=organ, name=f"本机构栏目{topic.pk}", parent=column)
        profile.leaders.create(name=f"领导{topic.pk}", post="副厅长")


@pytest.mark.parametrize("page", MOST)
def test_portal_pages_take_a_constant_number_of_queries(client, organ, notice_in, page):
    make_guide(organ)
    make_rules(organ)
    profile = make_profile(organ)
    column = StatutoryColumn.objects.create(organ=organ, name="财政预决算")
    column.genres.set(Genre.objects.filter(code="notice"))
    url = {
        "column-index": reverse("portal:column-index"),
        "organ-column": reverse("portal:organ-column", args=[organ.pk]),
        "guide": reverse("portal:guide", args=[organ.pk]),
        "rules": reverse("portal:rules", args=[organ.pk]),
        "organ-profile": reverse("portal:organ-profile", args=[organ.pk]),
        "statutory-column": reverse("portal:statutory-column", args=[organ.pk, column.pk]),
        "site-map": reverse("portal:site-map"),
        "contact": reverse("portal:contact"),
        "open-data": reverse("search:open-data"),
    }[page]
    grow(organ, profile, notice_in, column, 2)
    small = queries_for(client, url)
    grow(organ, profile, notice_in, column, 8)
    large = queries_for(client, url)
    assert large == small, f"{page}: {small} queries with few rows, {large} with more"
    assert large <= MOST[page], f"{page}: {large} queries, at most {MOST[page]} expected"

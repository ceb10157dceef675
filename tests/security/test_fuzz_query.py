"""Property-based fuzzing of every public URL's query string: whatever is asked, never a 500."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.models import StatutoryColumn
from tests.assessments.test_portal import add_findings, advance, make_sheet
from tests.security.test_permission_matrix import portal_patterns

# The parameters the portal reads, and a few it does not.
KNOWN = ["page", "organ", "topic", "genre", "year", "validity", "q", "sort", "dir", "group"]
KNOWN += ["page_size", "format", "a", "b", "id", "next"]
EXAMPLES = 25

hostile_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "1e309",
            "9" * 40,
            "NaN",
            "\x00",
            "a\x00b",
            "％",
            "'; drop table notices_notice; --",
            "<script>alert(1)</script>",
            "../../etc/passwd",
            "\ud7ff\ue000",
            "𠀀" * 200,
            " ",
            "[]",
            "{}",
            "asc",
            "desc",
        ]
    ),
)
query_strategy = st.lists(
    st.tuples(st.one_of(st.sampled_from(KNOWN), st.text(min_size=1, max_size=8)), hostile_text),
    max_size=6,
)


@pytest.fixture
def public_urls(organ, editor, reviewer, notice_in):
    notice = notice_in("published")
    sheet = make_sheet(organ, editor)
    add_findings(sheet)
    assessment = advance(sheet, "published", editor, reviewer)
    filled = {
        "notices:notice-detail": [notice.pk],
        "notices:organ-feed": [organ.pk],
        "notices:organ-documents": [organ.pk],
        "assessments:assessment-detail": [assessment.pk],
        "assessments:unit-history": [sheet.units[0][0].organ_id],
        "sitemap-section": ["notices"],
        "applications:document": ["made-up-token"],
        "applications:document-docx": ["made-up-token"],
        "annual_reports:organ-reports": [organ.pk],
        "annual_reports:year-summary": [2025],
        "annual_reports:year-summary-examples": [2025],
        "annual_reports:report-detail": [organ.pk, 2025],
        "annual_reports:report-csv": [organ.pk, 2025],
        "annual_reports:report-xlsx": [organ.pk, 2025],
        "portal:organ-column": [organ.pk],
        "portal:guide": [organ.pk],
        "portal:rules": [organ.pk],
        "portal:organ-profile": [organ.pk],
        "portal:statutory-column": [organ.pk, StatutoryColumn.objects.order_by("pk").first().pk],
        "portal:emblem": ["0" * 16],
    }
    urls = []
    for name, route in portal_patterns():
        if name in {"exports:export", "notices:attachment-download"}:
            continue
        if "<" in route:
            urls.append(reverse(name, args=filled[name]))
        else:
            urls.append(reverse(name))
    return urls


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
    database=None,
)
@given(query=query_strategy)
def test_no_public_url_fails_on_any_query(client, public_urls, query):
    for url in public_urls:
        response = client.get(url, query)
        assert response.status_code < 500, (url, query, response.status_code)

"""Hostile text through every text field, shown on the portal and in the admin: nothing executes.

Each payload of tests/notices/xss_payloads.txt is stored through the real workflow in every
text field of a notice, an organ, a topic, an assessment and its parts; the pages that show
them are parsed as a browser would, and must hold no script, event handler or script URL that
the page did not have of its own.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments import workflow as assessment_workflow
from assessments.models import Finding
from notices import workflow
from notices.models import Notice
from tests import factories
from tests.assessments.factories import make_assessment, make_group, make_indicator, make_unit

PAYLOADS = [
    line
    for line in (Path(__file__).parents[1] / "notices/xss_payloads.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
]
SCRIPT_URL = re.compile(r"^\s*(javascript|vbscript|data\s*:\s*text/html)", re.I)
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "background"}
ACTIVE_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet", "math"}
# The scripts a page may have of its own: files from this site, and JSON data.
SCRIPT_TYPES_OF_DATA = {"application/json", "text/json"}


class ActiveContent(HTMLParser):
    """Collects whatever in a page a browser would run."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in URL_ATTRIBUTES and value and SCRIPT_URL.match(_visible(value)):
                self.found.append(f"<{tag} {name}={value[:40]}>")
        if tag in ACTIVE_TAGS:
            self.found.append(f"<{tag}>")
        if tag == "meta" and "http-equiv" in attributes:
            self.found.append("<meta http-equiv>")
        if tag == "script":
            source = attributes.get("src") or ""
            if source and (not source.startswith("/") or source.startswith("//")):
                self.found.append(f"<script src={source[:40]}>")
            data = (attributes.get("type") or "").lower() in SCRIPT_TYPES_OF_DATA
            self._in_inline_script = not source and not data

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False

    def handle_data(self, data):
        if self._in_inline_script and data.strip():
            self.found.append(f"inline script {data.strip()[:40]!r}")


def _visible(value: str) -> str:
    # Browsers ignore control characters and whitespace inside a URL's scheme.
    return re.sub(r"[\x00-\x20]", "", value)


def active_content(page: str) -> list[str]:
    parser = ActiveContent()
    parser.feed(page)
    parser.close()
    return parser.found


def assert_inert(response, where: str) -> None:
    assert response.status_code == 200, f"{where}: {response.status_code}"
    found = active_content(response.content.decode())
    assert not found, f"{where}: {found}"


def store_notice(organ, editor, reviewer, payload: str) -> Notice:
    """A published notice with the payload in every text field that accepts it."""
    notice = factories.make_draft(
        organ,
        editor,
        title=payload[:300],
        summary=payload,
        keywords=payload[:200],
        addressees=payload[:500],
        body=f"<p>正文</p>{payload}",
    )
    notice.document_number = payload[:60]
    try:
        notice.full_clean()
    except ValidationError as error:
        if "document_number" not in error.message_dict:
            raise
        notice.document_number = ""
    workflow.save_draft(notice, editor)
    notice = workflow.submit(notice, editor)
    return workflow.approve(notice, reviewer)


@pytest.fixture
def hostile_world(organ, editor, reviewer, second_editor):
    for n, payload in enumerate(PAYLOADS):
        factories.make_topic(name=f"{n}{payload}"[:50])
    hostile_organ = factories.make_organ(name=f"恶意{PAYLOADS[0]}"[:100], short_name=PAYLOADS[1])
    editor.organs.add(hostile_organ)
    reviewer.organs.add(hostile_organ)
    notices = [store_notice(organ, editor, reviewer, payload) for payload in PAYLOADS]
    store_notice(hostile_organ, editor, reviewer, PAYLOADS[2])
    assessment = make_assessment(
        organ, editor, title=PAYLOADS[3][:200], summary="\n".join(PAYLOADS), basis=PAYLOADS[4]
    )
    group = make_group(assessment, name=PAYLOADS[5][:100])
    indicator = make_indicator(assessment, "A1", 10, notes=PAYLOADS[6])
    units = [
        make_unit(group, factories.make_organ(name=f"{n}{payload}"[:100]), position=n)
        for n, payload in enumerate(PAYLOADS)
    ]
    assessment_workflow.save_scores(
        assessment,
        editor,
        {
            (unit.pk, indicator.pk): (1, payload)
            for unit, payload in zip(units, PAYLOADS, strict=True)
        },
    )
    for n, payload in enumerate(PAYLOADS):
        finding = assessment.findings.create(
            kind=Finding.Kind.PROBLEM, title=payload[:200], text=payload, position=n
        )
        finding.units.set(units[n : n + 1])
        requirement = assessment.requirements.create(title=payload[:200], text=payload, position=n)
        requirement.units.set(units[n : n + 1])
    assessment = assessment_workflow.submit(assessment, editor)
    reviewer_of_results = factories.make_reviewer(organ)
    assessment = assessment_workflow.publish(assessment, reviewer_of_results)
    return {"notices": notices, "assessment": assessment, "units": units}


def test_the_corpus_is_not_empty():
    assert len(PAYLOADS) > 100


def test_stored_payloads_do_not_execute_on_the_portal_or_in_the_admin(
    client, hostile_world, site_admin
):
    pages = ["/", "/notices/", "/organs/", "/assessments/", "/search/?q=script"]
    pages += [notice.get_absolute_url() for notice in hostile_world["notices"]]
    assessment = hostile_world["assessment"]
    pages.append(reverse("assessments:assessment-detail", args=[assessment.pk]))
    pages += [
        reverse("assessments:unit-history", args=[unit.organ_id])
        for unit in hostile_world["units"][:20]
    ]
    for page in pages:
        assert_inert(client.get(page), page)
    # The same content as staff see it in the admin (one test: the world takes seconds to build).
    client.force_login(site_admin)
    assessment = hostile_world["assessment"]
    pages = [
        reverse("admin:notices_notice_changelist"),
        reverse("admin:notices_notice_changelist") + "?p=2",
        reverse("admin:notices_organ_changelist"),
        reverse("admin:notices_topic_changelist"),
        reverse("admin:assessments_assessment_changelist"),
        reverse("admin:assessments_assessment_change", args=[assessment.pk]),
        reverse("admin:assessments_assessment_scores", args=[assessment.pk]) + "?remarks=1",
        reverse("admin:assessments_score_changelist"),
        reverse("admin:audit_auditevent_changelist"),
    ]
    for notice in hostile_world["notices"]:
        pages.append(reverse("admin:notices_notice_change", args=[notice.pk]))
        pages.append(reverse("admin:notices_notice_preview", args=[notice.pk]))
    for page in pages:
        assert_inert(client.get(page), page)


@pytest.mark.parametrize(
    "page, found",
    [
        ('<p onclick="x()">a</p>', ["<p onclick=…>"]),
        ('<a href=" java\tscript:alert(1)">a</a>', ["<a href= java\tscript:alert(1)>"]),
        ("<script>alert(1)</script>", ["inline script 'alert(1)'"]),
        ('<script src="//evil.example/x.js"></script>', ["<script src=//evil.example/x.js>"]),
        ("<iframe src=/></iframe>", ["<iframe>"]),
        ("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>", []),
        ('<script src="/static/admin/js/core.js"></script>', []),
        ('<script type="application/json" id="x">{"a": 1}</script>', []),
    ],
)
def test_the_detector_finds_what_a_browser_would_run(page, found):
    assert active_content(page) == found

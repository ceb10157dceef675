"""Every kind of portal page in a real browser: accessible (axe-core), fits a phone and a desktop
screen, loads nothing from other hosts, and can be used with the keyboard alone.

axe-core comes from the axe-playwright-python package (its bundled axe.min.js). It is injected
with page.evaluate, which goes through the DevTools protocol and is not subject to the page's
Content-Security-Policy, so the pages are tested under the policy they really have (no
bypass_csp). Screenshots go to var/screenshots/ (git-ignored), with axe's full findings.
"""

import json
import re
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe

from assessments.models import Assessment
from core import reading_mode
from notices import views as notice_views
from notices.models import Notice, Organ
from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS

pytestmark = pytest.mark.browser

BLOCKING_IMPACTS = {"serious", "critical"}
AXE = Axe()


@dataclass(frozen=True)
class PageKind:
    name: str
    path: str
    status: int = 200


def page_kinds() -> list[PageKind]:
    """One URL per kind of portal page, from the demo content."""
    office = Organ.objects.get(code="000014349")
    report = Notice.objects.published().get(title__contains="2026年政务公开工作要点")
    seed = Notice.objects.published().get(title__contains="2016年政务公开工作考核")
    withdrawn = Notice.objects.get(status=Notice.Status.WITHDRAWN)
    example = Assessment.objects.published().get(is_example=True)
    group = example.groups.first()
    unit = example.units.select_related("organ").first()
    too_many_fields = "&".join(f"f{n}=1" for n in range(1001))
    return [
        PageKind("home", "/"),
        PageKind("catalogue", "/notices/"),
        PageKind("catalogue-filtered", f"/notices/?organ={office.pk}&genre=report&validity=valid"),
        PageKind("catalogue-empty", "/notices/?genre=reply"),
        PageKind("catalogue-invalid-filter", "/notices/?year=abc", 400),
        PageKind("catalogue-interpreted", "/notices/?interpreted=1"),
        PageKind("notice", report.get_absolute_url()),
        PageKind("notice-interpretation", report.interpretations.get().get_absolute_url()),
        PageKind("interpretations", "/interpretations/"),
        PageKind("notice-with-tables", seed.get_absolute_url()),
        PageKind("notice-withdrawn", withdrawn.get_absolute_url()),
        PageKind("search-form", "/search/"),
        PageKind("search-results", "/search/?q=政务公开"),
        PageKind("search-filtered", f"/search/?q=公开&organ={office.pk}&sort=date"),
        PageKind("search-no-results", "/search/?q=不存在的检索词语"),
        PageKind("search-punctuation-only", "/search/?q=！？"),
        PageKind("search-invalid", "/search/?q=公开&page=abc", 400),
        PageKind("search-kinds", "/search/?q=考核结果"),
        PageKind("search-reports", "/search/?q=年报"),
        PageKind("open-data", "/search/open-data/"),
        PageKind("organs", "/organs/"),
        PageKind("assessments", "/assessments/"),
        PageKind("assessment", example.get_absolute_url()),
        PageKind(
            "assessment-sorted",
            f"{example.get_absolute_url()}?sort=total&dir=asc&group={group.pk}",
        ),
        PageKind(
            "assessment-bad-sort", f"{example.get_absolute_url()}?sort=x&group={group.pk}", 400
        ),
        PageKind(
            "assessment-seed", Assessment.objects.published().get(year=2016).get_absolute_url()
        ),
        PageKind("unit-history", f"/assessments/units/{unit.organ_id}/"),
        PageKind("not-found", "/notices/999999/", 404),
        PageKind("bad-request", f"/notices/?{too_many_fields}", 400),
    ]


def overflow(page) -> int:
    """How many pixels the page is wider than the window (0 when it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def space_below_header(page) -> float:
    """Pixels between the site header and the page's first content (breadcrumbs or main)."""
    return page.evaluate(
        """() => {
          const header = document.querySelector('.site-header').getBoundingClientRect();
          const first = document.querySelector('main').firstElementChild.getBoundingClientRect();
          return first.top - header.bottom;
        }"""
    )


def in_mode(page, live_server, mode: str) -> None:
    """Read in a reading mode (core/reading_mode.py), as its cookie says."""
    if mode != reading_mode.STANDARD:
        page.context.add_cookies(
            [{"name": reading_mode.COOKIE, "value": mode, "url": live_server.url}]
        )


@pytest.mark.parametrize("mode", [reading_mode.STANDARD, "larger"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_page_kind_is_accessible_fits_the_screen_and_stays_on_its_origin(
    demo, new_page, live_server, requests_made, viewport, mode
):
    page = new_page(viewport)
    in_mode(page, live_server, mode)
    width = f"{viewport['width']}-{mode}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems, findings = [], {}
    for kind in page_kinds():
        response = page.goto(kind.path)
        if response.status != kind.status:
            problems.append(f"{kind.name}: status {response.status}, expected {kind.status}")
        page.screenshot(path=SCREENSHOTS / f"{kind.name}-{width}.png", full_page=True)
        if (extra := overflow(page)) > 0:
            problems.append(f"{kind.name}: {extra}px wider than a {width} window")
        if space_below_header(page) < 12:
            problems.append(f"{kind.name}: the content touches the header")
        violations = AXE.run(page).response["violations"]
        findings[kind.name] = [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
            for v in violations
        ]
        problems += [
            f"{kind.name}: axe {v['id']} ({v['impact']}) at {[n['target'] for n in v['nodes']]}"
            for v in violations
            if v["impact"] in BLOCKING_IMPACTS
        ]
    (SCREENSHOTS / f"axe-{width}.json").write_text(
        json.dumps(findings, ensure_ascii=False, indent=1)
    )
    foreign = requests_made.foreign(live_server.url)
    assert problems == [], "\n".join(problems)
    assert foreign == [], f"pages loaded from other hosts: {foreign}"


FOCUSED = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  const box = e.getBoundingClientRect();
  return {
    tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute('name') || '',
    cls: e.className || '', text: (e.innerText || '').trim().slice(0, 40),
    rel: e.getAttribute('rel') || '',
    visible: e.matches(':focus-visible') && style.outlineStyle !== 'none'
      && parseFloat(style.outlineWidth) >= 2,
    onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
      && box.left < window.innerWidth,
  };
}"""


def tab(page) -> dict:
    page.keyboard.press("Tab")
    return page.evaluate(FOCUSED)


def tab_to(page, wanted, limit: int = 100) -> dict:
    """Press Tab until the focused element is the one wanted (a predicate on FOCUSED)."""
    for _ in range(limit):
        if wanted(focused := tab(page)):
            return focused
    raise AssertionError(f"not reached with {limit} presses of Tab")


def test_the_catalogue_is_used_with_the_keyboard_alone(demo, page, monkeypatch):
    monkeypatch.setattr(notice_views, "PAGE_SIZE", 2)  # so that the demo's notices paginate
    page.goto("/notices/")

    skip = tab(page)
    assert skip["cls"] == "skip-link" and skip["visible"] and skip["onScreen"], skip
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert tab(page)["id"] == "id_organ"  # the header's links were skipped

    page.goto("/notices/")
    seen = []
    while len(seen) < 200 and (focused := tab(page))["tag"] != "body":  # body: past the end
        seen.append(focused)
    hidden = [each for each in seen if not (each["visible"] and each["onScreen"])]
    assert hidden == [], f"focus not visible on {hidden}"
    order = [each["id"] or each["name"] or each["text"] or each["rel"] for each in seen]
    assert order[0] == "跳到主要内容"
    search_box = order.index("site-search-q")
    filters = [order.index(f"id_{name}") for name in ("organ", "topic", "genre", "year")]
    first_result = next(n for n, each in enumerate(seen) if "notice-row__title" in each["cls"])
    next_page = next(n for n, each in enumerate(seen) if each["rel"] == "next")
    assert search_box < min(filters) < max(filters) < first_result < next_page

    # A filter is chosen and submitted from the keyboard; the next page is reached the same way.
    page.goto("/notices/")
    tab_to(page, lambda focused: focused["id"] == "id_genre")
    page.keyboard.press("ArrowDown")
    tab_to(page, lambda focused: focused["text"] == "筛选")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert re.search(r"genre=\w+", page.url), page.url
    assert page.locator("#id_genre").input_value() != ""
    page.goto("/notices/")
    tab_to(page, lambda focused: focused["rel"] == "next")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "page=2" in page.url
    assert page.locator(".pagination [aria-current=page]").inner_text().startswith("第 2 页")

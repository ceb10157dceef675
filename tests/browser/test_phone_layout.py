"""The portal and the admin on a 375 px phone, as their users hold it: a header of a few short
rows whose navigation scrolls sideways (with and without JavaScript, in both reading modes),
admin tables that keep readable columns and scroll in their own box rather than widening the
page, and text boxes whose text is not clipped in 长者模式."""

import importlib

import pytest
from django.apps import apps

from annual_reports import demo_loader as annual_demo
from annual_reports.models import AnnualReport
from applications import demo_loader as application_demo
from applications.models import Application
from core import reading_mode
from notices.models import Notice
from portal import demo_loader as portal_demo
from tests.browser.conftest import DESKTOP, PHONE, log_in
from tests.browser.test_portal import FOCUSED, in_mode, overflow

pytestmark = pytest.mark.browser

APPLICATION_SEED = importlib.import_module("applications.migrations.0004_seed_guide_and_templates")
# The header at 375 px was 280 px tall in the standard mode and 577 px in 长者模式 (特大字)
# while its navigation wrapped to four lines; it is now about 157 and 289 px.
HEADER_LIMIT = {reading_mode.STANDARD: 180, "larger": 330}

NAV_ROWS = """() => new Set([...document.querySelectorAll('.site-nav li')]
  .map(item => Math.round(item.getBoundingClientRect().top))).size"""
HEADER_HEIGHT = "() => document.querySelector('.site-header').getBoundingClientRect().height"
# How many lines the text of the matching elements takes, at most (1: never wrapped).
LINES = """selector => Math.max(0, ...[...document.querySelectorAll(selector)].map(element => {
  const range = document.createRange();
  range.selectNodeContents(element);
  return new Set([...range.getClientRects()].map(rect => Math.round(rect.top))).size;
}))"""
# Whether a text box shows the whole of the given text (or its placeholder) without clipping.
TEXT_FITS = """([selector, text]) => {
  const box = document.querySelector(selector);
  const style = getComputedStyle(box);
  const context = document.createElement('canvas').getContext('2d');
  context.font = style.font;
  const room = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return context.measureText(text || box.placeholder).width <= room;
}"""


@pytest.fixture
def full_demo(demo, load_once):
    """Everything `manage.py load_demo` loads: with applications, annual reports and the site's
    identity besides the notices and assessments."""
    load_once(
        "full_demo",
        lambda: APPLICATION_SEED.seed(apps, None),
        portal_demo.load,
        application_demo.load,
        annual_demo.load,
    )


@pytest.mark.parametrize("mode", [reading_mode.STANDARD, "larger"])
def test_the_phone_header_is_a_few_short_rows_with_a_sideways_navigation(
    demo, new_page, live_server, mode
):
    page = new_page(PHONE)
    in_mode(page, live_server, mode)
    page.goto("/notices/")
    assert page.evaluate(NAV_ROWS) == 1
    assert page.evaluate(HEADER_HEIGHT) <= HEADER_LIMIT[mode]
    assert overflow(page) <= 0
    assert page.evaluate(TEXT_FITS, ["#site-search-q", ""]), "the search box's hint is clipped"

    # Every link of the row is reached with Tab and scrolled wholly into sight when focused
    # (static/js/site.js: Chromium leaves a half-hidden link where it is); the last one, off
    # screen at first, is followed with Enter.
    seen = []
    while len(seen) < 12:
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('.site-nav') !== null"):
            seen.append(
                page.evaluate(FOCUSED)
                | page.evaluate(
                    """() => { const box = document.activeElement.getBoundingClientRect();
                  return {left: box.left, right: box.right}; }"""
                )
            )
        elif seen:
            break
    assert [each["text"] for each in seen][-1] == "依申请公开"
    assert len(seen) >= 7
    off = [each["text"] for each in seen if each["left"] < 0 or each["right"] > PHONE["width"]]
    assert off == [], f"focused but off screen: {off}"
    page.keyboard.press("Shift+Tab")  # back from the search box to the row's last link
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/apply/")
    assert page.locator(".site-nav [aria-current=page]").inner_text() == "依申请公开"


def test_the_phone_header_needs_no_javascript(demo, browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, locale="zh-CN", java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto("/")
        # Without scripts the page cannot be measured from inside; the row is scrolled by the
        # browser itself: the last link is scrolled into sight and followed.
        last = page.locator(".site-nav a", has_text="依申请公开")
        last.scroll_into_view_if_needed()
        box = last.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        rows = {round(item.bounding_box()["y"]) for item in page.locator(".site-nav li").all()}
        assert len(rows) == 1
        header = page.locator(".site-header").bounding_box()
        assert header["height"] <= HEADER_LIMIT[reading_mode.STANDARD]
        with page.expect_navigation():
            last.click()
        assert page.url.endswith("/apply/")
    finally:
        context.close()


def test_the_desktop_header_keeps_its_navigation_on_one_row(demo, new_page):
    page = new_page(DESKTOP)
    page.goto("/")
    assert page.evaluate(NAV_ROWS) == 1
    # No sideways scrolling box on a desktop: every link is in sight.
    assert page.evaluate(
        "() => { const nav = document.querySelector('.site-nav');"
        " return nav.scrollWidth <= nav.clientWidth; }"
    )


def test_group_headings_and_breadcrumbs_on_a_phone(full_demo, new_page, live_server):
    page = new_page(PHONE)
    page.goto(AnnualReport.objects.published().order_by("-year").first().get_absolute_url())
    starts = page.evaluate(
        """() => [...document.querySelectorAll('.annual-body th[scope=rowgroup]')].map(cell => {
          const range = document.createRange();
          range.selectNodeContents(cell);
          return range.getBoundingClientRect().left;
        })"""
    )
    assert starts, "the report has no group headings"
    # A group heading spanning the scrolled table begins in sight, not centred off screen.
    assert max(starts) < PHONE["width"] / 2
    assert overflow(page) <= 0
    for path, name in (("/interpretations/", "政策解读"), ("/search/open-data/", "开放数据")):
        page.goto(path)
        assert page.locator(".breadcrumbs [aria-current=page]").inner_text() == name


def test_the_application_form_shows_a_whole_id_number_in_the_largest_text(
    full_demo, new_page, live_server
):
    page = new_page(PHONE)
    in_mode(page, live_server, "larger")
    page.goto("/apply/")
    assert page.evaluate(TEXT_FITS, ["#id_id_number", "11010519491231002X"])
    assert overflow(page) <= 0


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_the_admin_fits_a_phone_and_its_tables_keep_readable_columns(full_demo, new_page, viewport):
    page = new_page(viewport)
    log_in(page, "siteadmin")

    # The home page: its wide tables scroll in their own box, never the page; on a desktop
    # the column-freshness table is shown whole.
    page.goto("/admin/")
    assert page.locator(".annual-deadlines table").is_visible()
    assert overflow(page) <= 0
    freshness = page.evaluate(
        "() => { const box = document.querySelector('#column-freshness .admin-table-scroll');"
        " return box.scrollWidth - box.clientWidth; }"
    )
    if viewport == DESKTOP:
        assert freshness <= 0
    # The annual-report deadlines reflow to the width (the organ's name wraps): the days left
    # are in sight without scrolling.
    deadlines = page.evaluate(
        "() => { const box = document.querySelector('.annual-deadlines .admin-table-scroll');"
        " return box.scrollWidth - box.clientWidth; }"
    )
    assert deadlines <= 0
    late = page.locator(".annual-deadlines__late").first
    assert late.evaluate("mark => getComputedStyle(mark).borderTopStyle") == "none"

    # The lists: a notice's title, an application's number and its state are not broken one
    # character a line.
    page.goto("/admin/notices/notice/")
    assert overflow(page) <= 0
    # (The longest demo title took 28 lines, one character each; it now takes 5.)
    assert page.evaluate(LINES, "#result_list th.field-title_and_number a") <= 6
    page.goto("/admin/applications/application/")
    assert overflow(page) <= 0
    assert page.evaluate(LINES, "#result_list th.field-number a") == 1
    assert page.evaluate(LINES, "#result_list td.field-state") == 1

    # One application and a notice in review: their history tables keep whole words.
    handled = Application.objects.filter(events__isnull=False).order_by("pk").first()
    page.goto(f"/admin/applications/application/{handled.pk}/change/")
    assert overflow(page) <= 0
    assert page.evaluate(LINES, ".workflow-history td:nth-child(1)") == 1
    assert page.evaluate(LINES, ".workflow-history td:nth-child(2)") <= 2
    in_review = Notice.objects.get(status=Notice.Status.IN_REVIEW)
    page.goto(f"/admin/notices/notice/{in_review.pk}/change/")
    page.locator(".workflow-history summary").first.click()
    assert overflow(page) <= 0
    assert page.evaluate(LINES, ".workflow-history td:nth-child(2)") <= 2

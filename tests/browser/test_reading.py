"""Reading comfortably, in a real browser: the reading modes' switch with the keyboard alone,
and charts whose every value shows, on a phone and a desktop, in each mode."""

import pytest

from assessments.charts import format_points
from assessments.models import Assessment
from assessments.results import group_results
from core import reading_mode
from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS
from tests.browser.test_portal import in_mode, overflow, tab, tab_to

pytestmark = pytest.mark.browser

VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
MODES = pytest.mark.parametrize("mode", [reading_mode.STANDARD, "large", "larger"])

# Each shown bar chart's values as drawn, with whether each lies wholly inside its chart's
# box and the window (an <svg> clips what it draws outside itself).
SHOWN_VALUES = """() => [...document.querySelectorAll('svg.chart--bars')]
  .filter(svg => getComputedStyle(svg).display !== 'none')
  .map(svg => {
    const box = svg.getBoundingClientRect();
    return [...svg.querySelectorAll('.chart__value')].map(text => {
      const r = text.getBoundingClientRect();
      return {
        text: text.textContent,
        inside: r.left >= box.left - 0.5 && r.right <= box.right + 0.5
          && r.right <= document.documentElement.clientWidth && r.width > 0,
        height: r.height,
      };
    });
  })"""
BAR_WIDTHS = """() => [...document.querySelectorAll('svg.chart--bars')]
  .filter(svg => getComputedStyle(svg).display !== 'none')
  .map(svg => [...svg.querySelectorAll('.chart__bar')]
    .map(bar => bar.getBoundingClientRect().width))"""


@MODES
@VIEWPORTS
def test_every_value_of_the_score_charts_shows_beside_its_bar(
    demo, new_page, live_server, viewport, mode
):
    example = Assessment.objects.published().get(is_example=True)
    expected = [
        [format_points(row.total) for row in group.rows]
        for group in group_results([example])[example.pk]
        if group.rows
    ]
    page = new_page(viewport)
    in_mode(page, live_server, mode)
    page.goto(example.get_absolute_url())
    charts = page.evaluate(SHOWN_VALUES)
    page.locator("svg.chart--bars:visible").first.screenshot(
        path=SCREENSHOTS / f"chart-{viewport['width']}-{mode}.png"
    )
    assert [[value["text"] for value in chart] for chart in charts] == expected
    hidden = [value for chart in charts for value in chart if not value["inside"]]
    assert hidden == [], f"values cut or outside the chart: {hidden}"
    # Readable: no value drawn smaller than 10 CSS pixels high.
    assert min(value["height"] for chart in charts for value in chart) >= 10
    for widths, totals in zip(page.evaluate(BAR_WIDTHS), expected, strict=True):
        # Longer for a higher total, never cut to one length.
        highest, lowest = totals.index(max(totals, key=float)), totals.index(min(totals, key=float))
        assert widths[highest] > widths[lowest]
    assert overflow(page) <= 0


@VIEWPORTS
def test_the_reading_mode_is_switched_with_the_keyboard_on_any_page_and_kept(
    demo, new_page, viewport
):
    page = new_page(viewport)
    page.goto("/notices/?genre=report")
    assert tab(page)["cls"] == "skip-link"
    switch = tab(page)  # the next stop after the skip link
    assert switch["text"] == "长者模式" and switch["visible"] and switch["onScreen"], switch
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/notices/?genre=report")  # back where the reader was
    assert page.evaluate("document.documentElement.className") == "reading-elder reading-large"
    large = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")

    bigger = tab_to(page, lambda focused: focused["text"] == "特大字")
    assert bigger["visible"] and bigger["onScreen"], bigger
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("document.documentElement.className") == "reading-elder reading-larger"
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") > large

    page.goto("/assessments/")  # kept for every page
    assert "reading-larger" in page.evaluate("document.documentElement.className")
    assert page.locator(".reading-switch [aria-current=true]").inner_text() == "特大字"
    tab_to(page, lambda focused: focused["text"] == "标准模式")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/assessments/")
    assert page.evaluate("document.documentElement.className") == ""
    standard = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert standard < large


def test_the_switch_works_without_javascript(demo, browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/organs/")
        with page.expect_navigation():
            page.click("text=长者模式")
        assert page.url.endswith("/organs/")
        cookies = {cookie["name"]: cookie["value"] for cookie in context.cookies()}
        assert cookies[reading_mode.COOKIE] == "large"
        assert "reading-large" in (page.locator("html").get_attribute("class") or "")
    finally:
        context.close()

"""The 政府信息公开 专栏, the 网站地图 and 联系我们 in a real browser, at 375 and 1280 px and in
the standard and the elder-friendly reading modes: accessible (axe-core), no wider than the
window, nothing loaded from other hosts, and the footer's identity with its record links."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from core import reading_mode
from notices.models import Organ
from portal import demo_loader as portal_demo
from portal.models import StatutoryColumn
from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS

pytestmark = pytest.mark.browser

BLOCKING_IMPACTS = {"serious", "critical"}
AXE = Axe()


def column_pages() -> list[tuple[str, str]]:
    office = Organ.objects.get(code="000014349")
    finance = Organ.objects.get(code="000014351")
    budgets = StatutoryColumn.objects.get(organ__isnull=True, article_item=7)
    return [
        ("column-index", "/open/"),
        ("organ-column", f"/open/{office.pk}/"),
        ("guide", f"/open/{office.pk}/guide/"),
        ("rules", f"/open/{office.pk}/rules/"),
        ("organ-profile", f"/open/{office.pk}/profile/"),
        ("statutory-column", f"/open/{finance.pk}/columns/{budgets.pk}/"),
        ("site-map", "/site-map/"),
        ("contact", "/contact/"),
    ]


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("mode", [reading_mode.STANDARD, "larger"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_column_pages_are_accessible_fit_the_screen_and_stay_on_their_origin(
    demo, new_page, live_server, requests_made, viewport, mode
):
    portal_demo.load()
    page = new_page(viewport)
    if mode != reading_mode.STANDARD:
        page.context.add_cookies(
            [{"name": reading_mode.COOKIE, "value": mode, "url": live_server.url}]
        )
    width = viewport["width"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for name, path in column_pages():
        response = page.goto(path)
        if response.status != 200:
            problems.append(f"{name}: status {response.status}")
        page.screenshot(path=SCREENSHOTS / f"column-{name}-{mode}-{width}.png", full_page=True)
        if (extra := overflow(page)) > 0:
            problems.append(f"{name}: {extra}px wider than a {width}px window")
        if name == "statutory-column" and page.locator(".notice-row").count() == 0:
            problems.append(f"{name}: the demo's budget notice is not listed")
        if page.locator("nav.breadcrumbs [aria-current=page]").count() != 1:
            problems.append(f"{name}: no breadcrumb trail ending at this page")
        problems += [
            f"{name}: axe {v['id']} ({v['impact']}) at {[n['target'] for n in v['nodes']]}"
            for v in AXE.run(page).response["violations"]
            if v["impact"] in BLOCKING_IMPACTS
        ]
    footer = page.locator("footer.site-footer")
    assert footer.locator('a[href="https://beian.miit.gov.cn/"]').count() == 1
    police = footer.locator('a[href^="https://beian.mps.gov.cn/#/query/webSearch?code="]')
    assert police.locator("img").evaluate("image => image.naturalWidth") > 0
    assert "网站标识码" in footer.inner_text()
    assert problems == [], "\n".join(problems)
    assert requests_made.foreign(live_server.url) == []


def test_a_reader_reaches_an_organs_guide_from_the_header(demo, page):
    portal_demo.load()
    page.goto("/")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="政府信息公开").click()
    page.get_by_role("link", name="甘肃省人民政府办公厅", exact=True).click()
    page.get_by_role("link", name="政府信息公开指南").first.click()
    assert (
        page.get_by_role("heading", level=1).inner_text() == "甘肃省人民政府办公厅政府信息公开指南"
    )
    assert "办公时间" in page.inner_text("main") and "更新日期" in page.inner_text("main")
    page.get_by_role("contentinfo").get_by_role("link", name="网站地图").click()
    assert page.get_by_role("heading", level=1).inner_text() == "网站地图"

"""A published annual report in a real browser, on a phone and a desktop screen: the page has
no horizontal overflow (wide tables scroll inside their own box), no serious accessibility
problem, and prints."""

import datetime
import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from annual_reports import services
from tests import factories
from tests.annual_reports.factories import application, lawsuit, report, review
from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS

pytestmark = pytest.mark.browser

# var/screenshots/annual_reports by default; SCREENSHOTS_DIR=/tmp/shots29 to look at them elsewhere.
SHOTS = Path(os.environ.get("SCREENSHOTS_DIR") or SCREENSHOTS / "annual_reports")
AXE = Axe()
BLOCKING_IMPACTS = {"serious", "critical"}
D = datetime.date


@pytest.fixture
def published(transactional_db):
    organ = factories.make_organ(name="示例市人民政府办公室", code="990001")
    editor, reviewer = factories.make_editor(organ), factories.make_reviewer(organ)
    application(organ, D(2024, 12, 20), "disclosed", D(2025, 1, 8))
    app = application(organ, D(2025, 2, 3), "state_secret", D(2025, 2, 20), kind="commercial")
    application(organ, D(2025, 5, 3), "partial", D(2025, 5, 21), kind="legal_service")
    application(organ, D(2025, 12, 30))
    first = review(app, D(2025, 3, 1), "upheld", D(2025, 5, 1))
    lawsuit(app, D(2025, 6, 1), after=first)
    made = report(
        organ,
        editor,
        overview="<p>本年度，本机关坚持以公开为常态、不公开为例外，全面推进政务公开。</p>",
        problems="<p>政策解读形式还不够丰富。</p>",
        other_matters="<p>本年度未收取信息处理费。</p>",
        licensing_decisions=126,
        penalty_decisions=8,
        coercion_decisions=0,
        fee_amount="0",
    )
    services.submit(made, editor)
    services.approve(made, reviewer)
    return made


A4_CONTENT_WIDTH = 680
TABLES_WIDER_THAN_THEIR_BOX = (
    "[...document.querySelectorAll('.annual-body table')].map(t => t.scrollWidth - t.clientWidth)"
)


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_published_report_reads_on_phone_and_desktop(new_page, published, viewport):
    SHOTS.mkdir(parents=True, exist_ok=True)
    width = viewport["width"]
    page = new_page(viewport)
    page.goto(published.get_absolute_url())
    assert page.locator("h1").inner_text() == published.title
    # Tables 2, 3 and 4, each with its caption.
    assert page.locator("caption").count() == 3
    assert overflow(page) <= 0
    violations = AXE.run(page).response["violations"]
    assert [v["id"] for v in violations if v["impact"] in BLOCKING_IMPACTS] == []
    page.screenshot(path=SHOTS / f"report-{width}.png", full_page=True)
    page.screenshot(path=SHOTS / f"report-top-{width}.png")
    page.locator("table").nth(0).screenshot(path=SHOTS / f"report-table2-{width}.png")
    page.locator("table").nth(1).screenshot(path=SHOTS / f"report-table3-{width}.png")
    page.locator("table").nth(2).screenshot(path=SHOTS / f"report-table4-{width}.png")
    page.emulate_media(media="print")
    page.screenshot(path=SHOTS / f"report-print-{width}.png", full_page=True)
    # Printed, every table fits the width of A4 inside its margins (180 mm, 680 px at 96 dpi).
    page.set_viewport_size({"width": A4_CONTENT_WIDTH, "height": viewport["height"]})
    assert page.evaluate(TABLES_WIDER_THAN_THEIR_BOX) == [0, 0, 0]
    page.set_viewport_size(viewport)
    page.emulate_media(media="screen")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载统计表（Excel）").click()
    assert download.value.suggested_filename == "annual-report-990001-2025.xlsx"
    # The report as a notice: its tables scroll inside the body on a phone, and a keyboard can
    # scroll them (static/js/site.js makes each table that scrolls focusable).
    published.refresh_from_db()
    page.goto(published.notice.get_absolute_url())
    assert page.locator(".notice__body caption").count() == 3
    assert overflow(page) <= 0
    violations = AXE.run(page).response["violations"]
    assert [v["id"] for v in violations if v["impact"] in BLOCKING_IMPACTS] == []
    page.screenshot(path=SHOTS / f"report-notice-{width}.png", full_page=True)


def test_editor_adjusts_cells_in_the_admin_and_an_unbalanced_one_is_refused(
    new_page, transactional_db
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    organ = factories.make_organ(name="示例市人民政府办公室", code="990002")
    editor = factories.make_editor(organ)
    application(organ, D(2025, 2, 3), "disclosed", D(2025, 2, 20))
    made = report(organ, editor)

    def logged_in(viewport):
        page = new_page(viewport)
        page.goto("/admin/login/?next=/admin/")
        page.fill("#id_username", editor.username)
        page.fill("#id_password", factories.PASSWORD)
        with page.expect_navigation():
            page.click("input[type=submit]")
        page.goto(f"/admin/annual_reports/annualreport/{made.pk}/change/")
        return page

    # On a phone the form's long cell names stay in their boxes.
    phone = logged_in(PHONE)
    assert overflow(phone) <= 0
    phone.locator("#report-adjust-form").screenshot(path=SHOTS / "admin-adjust-375.png")
    page = logged_in(DESKTOP)
    assert "勾稽关系全部成立" in page.content()
    # One cell alone would break the column's balance: refused, saying why.
    page.select_option("#adjust-cell-1", "3:new:natural_person")
    page.fill("#adjust-value-1", "3")
    page.fill("#adjust-reason", "1月至2月纸质台账补录2件")
    with page.expect_navigation():
        page.get_by_role("button", name="保存调整").click()
    assert "调整未保存" in page.content()
    assert "本年新收3件加上年结转0件共3件" in page.content()
    assert made.adjustments.count() == 0
    # With the results of those two applications in the same adjustment, it is kept.
    page.select_option("#adjust-cell-1", "3:new:natural_person")
    page.fill("#adjust-value-1", "3")
    page.select_option("#adjust-cell-2", "3:disclosed:natural_person")
    page.fill("#adjust-value-2", "3")
    page.fill("#adjust-reason", "1月至2月纸质台账补录2件，均予以公开")
    with page.expect_navigation():
        page.get_by_role("button", name="保存调整").click()
    assert "3*（1）" in page.content()
    assert "勾稽关系全部成立" in page.content()
    assert made.adjustments.count() == 2
    page.screenshot(path=SHOTS / "admin-report-1280.png", full_page=True)

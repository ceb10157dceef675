"""Applying and looking up in a real browser, on a phone and a desktop screen: the form shows
its Chinese errors and keeps what was typed, the receipt gives number and code, and the
look-up with them shows the application and, once registered, its receipt as a printable
page and a .docx."""

import importlib
import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps

from applications import services
from applications.models import Application
from tests.applications.factories import make_handler
from tests.applications.public_helpers import resident_id
from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS
from tests.factories import make_organ

pytestmark = pytest.mark.browser

# var/screenshots/applications by default; SCREENSHOTS_DIR=/tmp/shots28 to look at them elsewhere.
SHOTS = Path(os.environ.get("SCREENSHOTS_DIR") or SCREENSHOTS / "applications")
AXE = Axe()
BLOCKING_IMPACTS = {"serious", "critical"}
SEED = importlib.import_module("applications.migrations.0004_seed_guide_and_templates")


@pytest.fixture
def organ(transactional_db):
    # The guide and templates come from a data migration, which the flush of an earlier
    # transactional test removed; the seed is idempotent.
    SEED.seed(apps, None)
    return make_organ(name="示例市政府办公室")


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def blocking(page) -> list[str]:
    violations = AXE.run(page).response["violations"]
    return [v["id"] for v in violations if v["impact"] in BLOCKING_IMPACTS]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_apply_and_look_up(new_page, organ, viewport):
    SHOTS.mkdir(parents=True, exist_ok=True)
    width = viewport["width"]
    page = new_page(viewport)
    page.goto("/")
    page.get_by_role("link", name="依申请公开").click()
    # Measured once the page and its stylesheets have loaded, not as soon as its heading exists.
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "依申请公开"
    assert overflow(page) <= 0
    assert blocking(page) == []
    page.select_option("#id_organ", label=organ.name)
    page.check("input[name=applicant_type][value=natural_person]")
    page.fill("#id_applicant_name", "示例申请人乙")
    page.select_option("#id_id_type", "resident_id")
    page.fill("#id_id_number", "110105194912310021")  # a wrong check digit
    page.fill("#id_email", "yi@example.invalid")
    page.fill("#id_description", "2026年示例街道道路维修工程的招标文件")
    page.check("input[name=delivery][value=email]")
    page.check("input[name=medium][value=electronic]")
    page.screenshot(path=SHOTS / f"apply-form-{width}.png", full_page=True)
    page.get_by_role("button", name="提交申请").click()
    assert "校验位不正确" in page.content()
    assert page.input_value("#id_applicant_name") == "示例申请人乙"
    assert "道路维修工程" in page.input_value("#id_description")
    page.screenshot(path=SHOTS / f"apply-errors-{width}.png", full_page=True)
    assert overflow(page) <= 0
    page.fill("#id_id_number", resident_id())
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_selector("text=政府信息公开申请已提交")
    facts = page.locator(".apply-secret").all_inner_texts()
    number, code = facts[0].strip(), facts[1].strip()
    assert re.fullmatch(r"\d{4}-\d{6}", number) and len(code) == 10
    assert overflow(page) <= 0
    page.screenshot(path=SHOTS / f"receipt-{width}.png", full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=SHOTS / f"receipt-print-{width}.png", full_page=True)
    assert not page.locator(".site-header").is_visible()
    page.emulate_media(media="screen")

    page.goto("/apply/lookup/")
    page.fill("#id_number", number)
    page.fill("#id_code", "WRONGCODE2")
    page.get_by_role("button", name="查询").click()
    assert "申请编号或查询码不正确" in page.content()
    page.fill("#id_code", code)
    page.get_by_role("button", name="查询").click()
    page.wait_for_selector(f"h1:has-text('{number}')")
    assert "待登记" in page.content()
    assert "道路维修工程" in page.content()
    assert overflow(page) <= 0
    assert blocking(page) == []
    page.screenshot(path=SHOTS / f"lookup-result-{width}.png", full_page=True)

    handler = make_handler(organ)
    services.register(Application.objects.get(number=number), handler)
    page.goto("/apply/lookup/")
    page.fill("#id_number", number)
    page.fill("#id_code", code)
    page.get_by_role("button", name="查询").click()
    page.get_by_role("link", name="政府信息公开申请登记回执").click()
    page.wait_for_selector("text=登记回执")
    assert number in page.content()
    assert overflow(page) <= 0
    page.screenshot(path=SHOTS / f"document-{width}.png", full_page=True)
    page.emulate_media(media="print")
    assert not page.locator(".document-tools").is_visible()
    page.screenshot(path=SHOTS / f"document-print-{width}.png", full_page=True)
    with page.expect_download() as download:
        page.emulate_media(media="screen")
        page.get_by_role("link", name="下载 Word 文档").click()
    assert download.value.suggested_filename.endswith(".docx")

"""An organ's 规范性文件库 and an abolished document's banner in a real browser, on a phone and
a desktop screen: no horizontal overflow, no serious accessibility problem."""

import datetime
import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import timezone

from core import reading_mode
from notices import validity
from tests import factories
from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("SCREENSHOTS_DIR") or SCREENSHOTS / "document_library")
AXE = Axe()
BLOCKING_IMPACTS = {"serious", "critical"}


def at(year, month, day):
    return timezone.make_aware(datetime.datetime(year, month, day, 10))


@pytest.fixture
def library(transactional_db):
    organ = factories.make_organ(name="示例市人民政府办公室", code="990002")
    editor, reviewer = factories.make_editor(organ), factories.make_reviewer(organ)

    def make(title, category, published, number=""):
        return factories.make_notice(
            organ,
            editor,
            reviewer,
            title=title,
            document_category=category,
            document_number=number,
            published_at=published,
        )

    new = make(
        "示例市城乡居民最低生活保障实施细则", "normative", at(2026, 2, 1), "示政发〔2026〕3号"
    )
    old = make(
        "示例市城乡居民最低生活保障暂行办法", "normative", at(2022, 5, 1), "示政发〔2022〕9号"
    )
    make("示例市政府信息公开工作规定", "rules", at(2025, 4, 1), "示例市人民政府令第12号")
    lapsed = make("示例市2023年冬季供暖保障临时措施", "normative", at(2023, 11, 1))
    for notice, to, by in ((old, "repealed", new), (lapsed, "expired", None)):
        change = validity.propose(
            notice, editor, validity=to, effective_on=datetime.date(2026, 3, 1), by_notice=by
        )
        validity.approve(change, reviewer)
    return organ, old, new


# Cells of the counts table that the reader cannot see without scrolling sideways.
CELLS_OUT_OF_SIGHT = """() => [...document.querySelectorAll('.library-counts tbody > tr > *')]
  .filter(cell => { const box = cell.getBoundingClientRect();
                    return box.left < 0 || box.right > window.innerWidth; })
  .map(cell => cell.textContent)"""


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def serious(page) -> list[str]:
    violations = AXE.run(page).response["violations"]
    return [v["id"] for v in violations if v["impact"] in BLOCKING_IMPACTS]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_library_and_banner_read_on_phone_and_desktop(new_page, library, viewport):
    organ, old, new = library
    SHOTS.mkdir(parents=True, exist_ok=True)
    width = viewport["width"]
    page = new_page(viewport)
    page.goto(reverse("notices:organ-documents", args=[organ.pk]))
    assert page.locator("h1").inner_text() == "示例市人民政府办公室规范性文件库"
    assert page.locator("#library-valid").inner_text() == "现行有效（2 件）"
    assert page.locator("#library-repealed").inner_text() == "已废止（1 件）"
    assert overflow(page) <= 0
    assert page.evaluate(CELLS_OUT_OF_SIGHT) == []
    assert serious(page) == []
    page.screenshot(path=SHOTS / f"library-{width}.png", full_page=True)
    if viewport == PHONE:  # the counts read as cards on a phone, in the largest text too
        valid = page.locator(".library-counts tbody tr").first.locator("td").first
        assert (valid.get_attribute("data-label"), valid.inner_text()) == ("现行有效", "1")
        page.context.add_cookies(
            [{"name": reading_mode.COOKIE, "value": "larger", "url": page.url}]
        )
        page.reload()
        assert overflow(page) <= 0
        assert page.evaluate(CELLS_OUT_OF_SIGHT) == []
        assert serious(page) == []
        page.screenshot(path=SHOTS / f"library-{width}-larger.png", full_page=True)

    page.goto(old.get_absolute_url())
    banner = page.locator(".validity-banner")
    assert banner.inner_text().startswith("本文件已于 2026年3月1日 废止")
    assert overflow(page) <= 0
    assert serious(page) == []
    page.screenshot(path=SHOTS / f"banner-{width}.png")
    banner.get_by_role("link").click()
    assert page.locator("h1").inner_text() == new.title

"""Handling and answering in a real browser: a handler opens the queue, registers the
application, asks for 补正 and records it, extends, answers, and the documents are issued; the
applicant then reads the answer with number and 查询码 on a phone and a desktop screen. Also
the guide of the organ chosen on the form, with and without JavaScript."""

import datetime
import importlib
import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps
from django.utils import timezone

from applications import services
from applications.models import Application, ApplicationDocument
from tests.applications.factories import applicant, make_handler
from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS, log_in
from tests.factories import PASSWORD, make_organ
from tests.portal.factories import make_guide

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("SCREENSHOTS_DIR") or SCREENSHOTS / "applications")
AXE = Axe()
BLOCKING_IMPACTS = {"serious", "critical"}
SEED = importlib.import_module("applications.migrations.0004_seed_guide_and_templates")
DESCRIPTION = "2026年示例街道老旧小区改造项目的验收报告"


@pytest.fixture
def organ(transactional_db):
    # The guide and templates come from a data migration, which the flush of an earlier
    # transactional test removed; the seed is idempotent. So are the holidays.
    SEED.seed(apps, None)
    importlib.import_module("applications.migrations.0002_holidays_2025_2026").seed(apps, None)
    return make_organ(name="示例市住房和城乡建设局")


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def blocking(page) -> list[str]:
    violations = AXE.run(page).response["violations"]
    return [v["id"] for v in violations if v["impact"] in BLOCKING_IMPACTS]


def take_step(page, label: str, fields: dict[str, str] | None = None, select=None) -> None:
    """Open the step's panel on the application's admin page, fill it and send it."""
    panel = page.locator(
        "details.application-step", has=page.locator(f"summary:text-is('{label}')")
    )
    panel.locator("summary").click()
    for name, value in (fields or {}).items():
        panel.locator(f"[name$='-{name}']").fill(value)
    for name, value in (select or {}).items():
        panel.locator(f"select[name$='-{name}']").select_option(value)
    with page.expect_navigation():
        panel.get_by_role("button", name=label).click()
    assert page.locator(".errorlist").count() == 0, page.locator(".errorlist").all_inner_texts()


def test_handler_answers_and_the_applicant_reads_the_answer(new_page, organ):
    SHOTS.mkdir(parents=True, exist_ok=True)
    application, code = services.submit(
        organ, channel=Application.Channel.ONLINE, **applicant(description=DESCRIPTION)
    )
    handler = make_handler(organ)
    today = timezone.localdate()

    page = new_page(DESKTOP)
    log_in(page, handler.username, PASSWORD)
    page.goto("/admin/applications/application/")
    assert page.get_by_role("link", name=application.number).is_visible()
    page.get_by_role("link", name=application.number).click()
    page.wait_for_selector("#clock-heading")
    assert "待登记" in page.locator("#clock-heading").inner_text()

    take_step(page, "登记受理")
    assert "已受理" in page.locator("#clock-heading").inner_text()
    reply_by = (today + datetime.timedelta(days=15)).isoformat()
    take_step(
        page, "告知补正", {"what": "请说明所需验收报告的项目名称和年份。", "reply_by": reply_by}
    )
    assert "需补正" in page.locator("#clock-heading").inner_text()
    assert "等待补正，暂停计时" in page.content()
    take_step(page, "登记补正", {"content": "示例街道3号院改造项目，2026年验收。"})
    take_step(
        page,
        "延期答复",
        {"days": "10", "reason": "需要调取档案。", "approved_by": "示例局办公室主任"},
    )
    assert "延期10个工作日" in page.content()
    take_step(
        page,
        "答复",
        {
            "legal_basis": "《中华人民共和国政府信息公开条例》第三十六条第二项",
            "summary": "验收报告见附件。",
        },
        select={"outcome": "disclosed"},
    )
    heading = page.locator("#clock-heading").inner_text()
    assert "已答复" in heading
    history = page.locator(".workflow-history").inner_text()
    for title in (
        "政府信息公开申请登记回执",
        "政府信息公开申请补正告知书",
        "政府信息公开申请延期答复告知书",
        "政府信息公开申请答复书（予以公开）",
    ):
        assert title in history
    assert overflow(page) <= 0
    page.screenshot(path=SHOTS / "handled-1280.png", full_page=True)
    kinds = set(
        ApplicationDocument.objects.filter(application=application).values_list("kind", flat=True)
    )
    assert {"receipt", "correction_notice", "extension_notice", "answer"} <= kinds

    for viewport in (PHONE, DESKTOP):
        width = viewport["width"]
        reader = new_page(viewport)
        reader.goto("/apply/lookup/")
        reader.fill("#id_number", application.number)
        reader.fill("#id_code", code)
        reader.get_by_role("button", name="查询").click()
        reader.wait_for_selector(f"h1:has-text('{application.number}')")
        text = reader.content()
        assert "已答复" in text and "予以公开" in text and "验收报告见附件" in text
        for step in ("登记受理", "告知补正", "收到补正", "延期答复", "答复"):
            assert step in reader.locator(".apply-events").inner_text()
        assert overflow(reader) <= 0
        assert blocking(reader) == []
        reader.screenshot(path=SHOTS / f"answer-lookup-{width}.png", full_page=True)
        reader.get_by_role("link", name="政府信息公开申请答复书（予以公开）").click()
        reader.wait_for_selector("text=政府信息公开申请答复书")
        assert application.number in reader.content()
        assert overflow(reader) <= 0
        assert blocking(reader) == []
        reader.screenshot(path=SHOTS / f"answer-document-{width}.png", full_page=True)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_the_guide_follows_the_organ_chosen_with_javascript(new_page, organ, viewport):
    other = make_organ(name="示例市民政局")
    make_guide(organ, how_to_apply="<p>受理地点：示例市政务服务中心3号窗口</p>")
    page = new_page(viewport)
    page.goto("/apply/")
    page.wait_for_load_state("load")
    page.select_option("#guide-organ", label=organ.name)
    guide = page.locator("#apply-guide")
    guide.get_by_text("示例市政务服务中心3号窗口").wait_for()
    assert f"{organ.name}政府信息公开申请指南" in guide.inner_text()
    assert page.input_value("#id_organ") == str(organ.pk)  # the form starts with it
    assert overflow(page) <= 0
    assert blocking(page) == []
    page.screenshot(path=SHOTS / f"apply-guide-{viewport['width']}.png", full_page=True)
    page.fill("#id_applicant_name", "示例申请人丙")
    page.select_option("#id_organ", label=other.name)  # changed in the form: the guide follows
    guide.get_by_text(f"{other.name}没有单独发布申请指南").wait_for()
    assert page.input_value("#id_applicant_name") == "示例申请人丙"  # nothing typed is lost


def test_the_guide_follows_the_organ_chosen_without_javascript(browser, live_server, organ):
    make_guide(organ, how_to_apply="<p>受理地点：示例市政务服务中心3号窗口</p>")
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, locale="zh-CN", java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto("/apply/")
        page.select_option("#guide-organ", label=organ.name)
        with page.expect_navigation():
            page.get_by_role("button", name="查看申请指南").click()
        assert f"organ={organ.pk}" in page.url
        assert "示例市政务服务中心3号窗口" in page.locator("#apply-guide").inner_text()
        assert page.input_value("#id_organ") == str(organ.pk)
        assert overflow(page) <= 0
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_the_deadlines_panel_shows_overdue_in_red(new_page, organ, viewport):
    from applications import calendar, clock
    from tests.applications import factories

    handler = make_handler(organ)
    late = factories.accepted(organ, handler)  # received 2 March 2026: long overdue
    soon = factories.accepted(organ, handler)
    tomorrow = calendar.add_working_days(timezone.localdate(), 1, clock.working_calendar())
    Application.objects.filter(pk=soon.pk).update(due_on=tomorrow)
    page = new_page(viewport)
    log_in(page, handler.username, PASSWORD)
    panel = page.locator("#application-deadlines")
    assert panel.is_visible()
    late_row = panel.locator("tr", has=page.get_by_role("link", name=late.number))
    soon_row = panel.locator("tr", has=page.get_by_role("link", name=soon.number))
    assert "已逾期" in late_row.inner_text() and "1 个工作日" in soon_row.inner_text()
    red = late_row.locator("td").first.evaluate("cell => getComputedStyle(cell).color")
    assert red == "rgb(122, 0, 20)"
    assert soon_row.locator("td").first.evaluate("cell => getComputedStyle(cell).color") != red
    assert blocking(page) == []
    panel.screenshot(path=SHOTS / f"deadlines-panel-{viewport['width']}.png")


def test_an_auditor_exports_personal_data_only_with_a_reason(new_page, organ):
    import io
    import json
    import zipfile

    from notices import roles
    from tests.factories import make_user

    services.submit(
        organ, channel=Application.Channel.ONLINE, **applicant(applicant_name="示例申请人丁")
    )
    auditor = make_user(roles.AUDITOR)
    page = new_page(DESKTOP)
    log_in(page, auditor.username, PASSWORD)
    page.goto("/admin/exports/")
    page.get_by_label("依申请公开（申请与办理记录）").check()
    page.get_by_label("包含个人信息").check()
    page.get_by_role("button", name="导出").click()
    page.get_by_text("导出个人信息须写明理由").wait_for()
    assert page.get_by_label("包含个人信息").is_checked()  # kept as typed
    page.screenshot(path=SHOTS / "export-personal-data-1280.png", full_page=True)
    page.get_by_label("导出个人信息的理由").fill("核对2026年度依申请公开答复送达情况")
    with page.expect_download() as download:
        page.get_by_role("button", name="导出").click()
    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["personal_data"] is True
    assert "示例申请人丁" in archive.read("applications.csv").decode("utf-8-sig")

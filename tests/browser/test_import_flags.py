"""In the browser: an editor opens a draft imported from a mirror site's page, reads each flag
with its raw fragment and the lines the import took out, and resolves a flag on the draft
itself; on a desk and on a phone."""

import pytest
from django.contrib.auth import get_user_model

from audit.context import acting
from importer import saving
from importer.models import ImportFlag
from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS, log_in
from tests.importer import corpus_variants

pytestmark = pytest.mark.browser


def test_editor_resolves_import_flags_on_the_draft_on_desk_and_phone(new_page, demo):
    editor = get_user_model().objects.get(username="editor")
    organ = editor.organs.first()
    case = next(
        c for c in corpus_variants.all_cases() if c.name == "fuzhou-2017-294-inspection.mirror.html"
    )
    with acting(actor=editor, source="测试"):
        result = saving.import_file(case.data, case.name, organ, editor)
    assert result.notice_id, result.reason
    url = f"/admin/notices/notice/{result.notice_id}/change/"
    for name, viewport in (("desk", DESKTOP), ("phone", PHONE)):
        page = new_page(viewport=viewport)
        log_in(page, "editor")
        page.goto(url)
        panel = page.locator("section.import-flags")
        assert panel.locator("tr.import-flag-open").count() >= 1
        panel.locator("summary", has_text="导入时去除的内容").click()
        assert panel.locator("td", has_text="我要纠错").count() == 1
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{name}: the page is {width}px wide"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        panel.screenshot(path=SCREENSHOTS / f"import-flags-{name}.png")
    first = panel.locator("tr.import-flag-open").first
    first.locator("input[name=note]").fill("已对照原件核对")
    with page.expect_navigation():
        first.locator("button", has_text="已核对").click()
    assert page.locator("section.import-flags td", has_text="已对照原件核对").count() == 1
    resolved = ImportFlag.objects.get(source__notice_id=result.notice_id, resolved=True)
    assert resolved.resolved_by == editor

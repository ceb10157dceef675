"""In the browser: the editor lays out a 公文 with classes (centred heading, signature at the
right, a table, an uploaded image), the portal shows it that way under its strict policy, and a
reviewer reads a correction side by side with the published version, on a desk and on a phone."""

import base64
import re
import zlib

import pytest
from django.contrib.auth import get_user_model

from notices import workflow
from notices.models import Notice
from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS, log_in

pytestmark = pytest.mark.browser

EDITOR_READY = "() => Boolean(window.CKEDITOR && CKEDITOR.instances.id_body?.status === 'ready')"


def tiny_png() -> bytes:
    """A valid 1×1 PNG, so that the browser really decodes it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = (1).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    pixels = zlib.compress(b"\x00\xa4\x16\x1a")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def wait_for_editor(page) -> None:
    for _ in range(200):
        if page.evaluate(EDITOR_READY):
            return
        page.wait_for_timeout(50)
    raise AssertionError("the rich-text editor did not get ready in 10 s")


ALIGN = """([selector, command]) => {
  const editor = CKEDITOR.instances.id_body;
  const range = editor.createRange();
  range.selectNodeContents(editor.editable().findOne(selector));
  range.select();
  editor.execCommand(command);
}"""

UPLOAD = """async (png) => {
  const bytes = Uint8Array.from(atob(png), c => c.charCodeAt(0));
  const form = new FormData();
  form.append('upload', new Blob([bytes], {type: 'image/png'}), '示意图.png');
  const answer = await fetch('../images/', {method: 'POST', body: form});
  return answer.json();
}"""


def test_editor_lays_out_a_document_that_the_portal_shows_the_same_way(new_page, demo):
    editor = get_user_model().objects.get(username="editor")
    notice = Notice.objects.filter(
        status=Notice.Status.DRAFT, correction_of=None, organ__in=editor.organs.all()
    ).first()
    # Published in full (主动公开), so that the preview shows the body.
    Notice.objects.filter(pk=notice.pk).update(
        disclosure=Notice.Disclosure.PROACTIVE, withheld_reason=""
    )
    page = new_page()
    log_in(page, "editor")
    page.goto(f"/admin/notices/notice/{notice.pk}/change/")
    wait_for_editor(page)
    # The topic picker is drawn by the admin's script, in words from the JavaScript catalogue.
    picker = page.locator("div.field-topics .selector").inner_text()
    assert "可选的主题分类" in picker and not re.search(r"[A-Za-z]{2,}", picker), picker
    for button in ("justifycenter", "justifyright", "table", "image"):
        assert page.locator(f".cke_button__{button}").count() == 1, button

    uploaded = page.evaluate(UPLOAD, base64.b64encode(tiny_png()).decode())
    assert uploaded["uploaded"] == 1, uploaded
    page.evaluate(
        """(url) => CKEDITOR.instances.id_body.setData(
          '<h2>一、总体情况</h2><p>正文。</p><table><tbody><tr><td>单位</td><td>得分</td></tr>' +
          '</tbody></table><p><img alt="示意图" src="' + url + '"></p>' +
          '<p>甘肃省人民政府办公厅</p><p style="color:red">2027年11月9日</p>')""",
        uploaded["url"],
    )
    page.wait_for_timeout(300)
    page.evaluate(ALIGN, ["h2", "justifycenter"])
    page.evaluate(ALIGN, ["p:nth-last-of-type(2)", "justifyright"])
    with page.expect_navigation():
        page.click("input[name=_continue]")

    notice.refresh_from_db()
    assert '<h2 class="text-center">一、总体情况</h2>' in notice.body
    assert '<p class="text-right">甘肃省人民政府办公厅</p>' in notice.body
    assert f'<img alt="示意图" src="{uploaded["url"]}">' in notice.body
    assert "style" not in notice.body
    assert notice.attachments.filter(title="正文图片：示意图.png").exists()

    # The preview is the portal's page under the portal's policy (no inline style at all).
    preview = new_page()
    log_in(preview, "editor")
    preview.goto(f"/admin/notices/notice/{notice.pk}/preview/")
    assert preview.locator(".notice__body").count() == 1, preview.content()[:3000]
    body = preview.locator(".notice__body")
    assert body.locator("h2").evaluate("e => getComputedStyle(e).textAlign") == "center"
    assert body.locator("p.text-right").evaluate("e => getComputedStyle(e).textAlign") == "right"
    assert body.locator("img").evaluate("e => e.complete && e.naturalWidth") == 1


def test_reviewer_reads_a_correction_side_by_side_on_desk_and_phone(new_page, demo):
    editor = get_user_model().objects.get(username="editor")
    original = next(
        notice
        for notice in Notice.objects.filter(
            status=Notice.Status.PUBLISHED,
            correction_of=None,
            organ__in=editor.organs.all(),
        )
        if notice.is_live() and not notice.corrections.exists()
    )
    correction = workflow.start_correction(original, editor)
    correction.title = f"{original.title}（更正）"
    correction.body = original.body + '<p class="text-right">2027年11月9日</p>'
    correction.change_note = "补充成文日期"
    workflow.save_draft(correction, editor)
    workflow.submit(correction, editor)

    for name, viewport in (("desk", DESKTOP), ("phone", PHONE)):
        page = new_page(viewport=viewport)
        log_in(page, "reviewer")
        page.goto(f"/admin/notices/notice/{correction.pk}/change/")
        comparison = page.locator("section.review-panel", has_text="更正前后对比")
        assert comparison.locator("ins", has_text="2027年11月9日").count() == 1
        assert comparison.locator("ins", has_text="（更正）").count() == 1
        rendered = page.locator("section.review-panel", has_text="送审内容")
        assert rendered.locator(".notice__body p.text-right").count() == 1
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{name}: the page is {width}px wide"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        comparison.screenshot(path=SCREENSHOTS / f"review-correction-{name}.png")

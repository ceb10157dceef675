"""The two-person workflows as people do them: in the admin, then on the portal."""

import hashlib
import io
import json
import zipfile

import docx
import pytest

from assessments.models import Score
from core import middleware
from notices import roles
from notices.models import Notice
from tests import factories
from tests.assessments import factories as assessment_factories
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

TITLE = "关于开展政务公开标准化规范化试点工作的通知"
BODY_WORD = "标准化试点"  # typed in the editor, found by the public's search


def attachment_docx(tmp_path):
    """A real Word document, as an editor would attach one."""
    document = docx.Document()
    document.add_heading("试点工作方案", level=1)
    document.add_paragraph("一、试点范围：省政府办公厅及省民政厅。")
    path = tmp_path / "试点工作方案.docx"
    document.save(path)
    return path


CARET_AT_END = """() => {
  const editor = CKEDITOR.instances.id_body;
  editor.focus();
  const range = editor.createRange();
  range.moveToElementEditEnd(range.root);
  editor.getSelection().selectRanges([range]);
}"""


EDITOR_READY = "() => Boolean(window.CKEDITOR && CKEDITOR.instances.id_body?.status === 'ready')"


def type_in_editor(page, text: str) -> None:
    """Type at the end of the CKEditor 4 body, in its editing iframe, like a person."""
    # Polled from here: Playwright's own polling (wait_for_function) evaluates a string in the
    # page, which the admin's CSP forbids ('unsafe-eval') whenever the editor is not ready yet.
    for _ in range(200):
        if page.evaluate(EDITOR_READY):
            break
        page.wait_for_timeout(50)
    else:
        raise AssertionError("the rich-text editor did not get ready in 10 s")
    page.frame_locator("iframe.cke_wysiwyg_frame").locator("body").click()
    page.evaluate(CARET_AT_END)
    page.keyboard.type(text)


def do_transition(page, label: str, comment: str = "") -> None:
    if comment:
        page.fill("#workflow-comment", comment)
    with page.expect_navigation():
        page.click(f".workflow-buttons button:has-text('{label}')")
    assert page.locator(".messagelist .success").count() == 1, page.inner_text(".messagelist")


def test_notice_is_drafted_sent_back_published_found_downloaded_and_exported(
    new_page, live_server, requests_made, tmp_path
):
    organ = factories.make_organ(name="甘肃省人民政府办公厅", code="000014349")
    other_organ = factories.make_organ(name="甘肃省财政厅", code="000014351")
    editor = factories.make_editor(organ)
    reviewer = factories.make_reviewer(organ)
    auditor = factories.make_user(roles.AUDITOR)
    document = attachment_docx(tmp_path)

    # The editor drafts the notice with the rich-text editor and attaches the Word file.
    editing = new_page()
    log_in(editing, editor.username, factories.PASSWORD)
    editing.goto("/admin/notices/notice/add/")
    organ_choices = editing.locator("#id_organ option").all_inner_texts()
    assert organ.name in organ_choices and other_organ.name not in organ_choices
    editing.select_option("#id_organ", str(organ.pk))
    editing.fill("#id_title", TITLE)
    editing.select_option("#id_genre", "notice")
    type_in_editor(editing, f"各市州人民政府：现就开展{BODY_WORD}工作通知如下。")
    editing.click("#attachments-group .add-row a")
    editing.fill("#id_attachments-0-position", "1")
    editing.fill("#id_attachments-0-title", "试点工作方案")
    editing.set_input_files("#id_attachments-0-file", document)
    with editing.expect_navigation():
        editing.click("input[name=_continue]")
    assert editing.locator(".messagelist .success").count() == 1, editing.inner_text("#content")
    notice = Notice.objects.get(title=TITLE)
    assert BODY_WORD in notice.body and notice.body.startswith("<p>")
    assert notice.attachments.get().original_name == document.name
    do_transition(editing, "提交审核")
    assert editing.locator(".workflow-buttons button").count() == 0

    # The reviewer sends it back with a comment; the editor reads it, corrects and resubmits.
    reviewing = new_page()
    log_in(reviewing, reviewer.username, factories.PASSWORD)
    reviewing.goto(f"/admin/notices/notice/{notice.pk}/change/")
    do_transition(reviewing, "退回修改", comment="请补充试点时间安排。")
    editing.reload()
    editing.click(".workflow-history summary")
    assert "请补充试点时间安排。" in editing.inner_text(".workflow-history")
    type_in_editor(editing, "试点时间为2025年全年。")
    with editing.expect_navigation():
        editing.click("input[name=_continue]")
    assert "试点时间为2025年全年。" in Notice.objects.get(pk=notice.pk).body
    do_transition(editing, "提交审核")

    # The reviewer, who did not write it, publishes it.
    reviewing.reload()
    do_transition(reviewing, "审核通过并发布")
    notice.refresh_from_db()
    assert notice.status == Notice.Status.PUBLISHED
    assert notice.index_number in reviewing.inner_text("#workflow-heading")

    # The public finds it by a word of its body, opens it and downloads the attachment.
    public = new_page()
    public.goto("/")
    public.fill("#site-search-q", BODY_WORD)
    with public.expect_navigation():
        public.press("#site-search-q", "Enter")
    assert "/search/?q=" in public.url
    with public.expect_navigation():
        public.click(f".search-results a:has-text('{TITLE}')")
    assert public.inner_text("#notice-title") == TITLE
    assert notice.index_number in public.inner_text("table.metadata")
    with public.expect_download() as download_info:
        public.click(".attachments a")
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    downloaded = download.path().read_bytes()
    assert hashlib.sha256(downloaded).digest() == hashlib.sha256(document.read_bytes()).digest()

    # The auditor exports the organ's notices: the ZIP holds the notice and a manifest.
    auditing = new_page()
    log_in(auditing, auditor.username, factories.PASSWORD)
    auditing.goto("/admin/exports/")
    auditing.check("input[name=dataset][value=notices]")
    auditing.check("input[name=format][value=csv]")
    auditing.select_option("#id_organ", str(organ.pk))
    with auditing.expect_download() as export_info:
        auditing.click("input[type=submit][value=导出]")
    archive = zipfile.ZipFile(io.BytesIO(export_info.value.path().read_bytes()))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["generated_by"]["username"] == auditor.username
    assert manifest["rows"] == 1
    (data_file,) = manifest["files"]
    content = archive.read(data_file["name"])
    assert hashlib.sha256(content).hexdigest() == data_file["sha256"]
    assert TITLE in content.decode("utf-8-sig") and notice.index_number in content.decode()

    assert requests_made.foreign(live_server.url) == []


def test_scores_entered_in_the_grid_are_published_as_a_table_and_a_chart(new_page):
    office = factories.make_organ(name="甘肃省人民政府办公厅", code="000014349")
    editor = factories.make_editor(office)
    reviewer = factories.make_reviewer(office)
    assessment = assessment_factories.make_assessment(office, editor, year=2024)
    group = assessment_factories.make_group(assessment)
    cities = [
        assessment_factories.make_unit(group, factories.make_organ(name=name), position=n)
        for n, name in enumerate(["兰州市人民政府", "天水市人民政府", "酒泉市人民政府"])
    ]
    platform = assessment_factories.make_indicator(assessment, "A1", "60", name="平台建设")
    disclosure = assessment_factories.make_indicator(assessment, "A2", "40", name="主动公开")
    scores = {
        "兰州市人民政府": ("55", "38.5"),
        "天水市人民政府": ("48", "30"),
        "酒泉市人民政府": ("40", "21"),
    }

    editing = new_page()
    log_in(editing, editor.username, factories.PASSWORD)
    editing.goto(f"/admin/assessments/assessment/{assessment.pk}/scores/")
    for unit, (first, second) in scores.items():
        editing.get_by_label(f"{unit} A1 得分", exact=True).fill(first)
        editing.get_by_label(f"{unit} A2 得分", exact=True).fill(second)
    with editing.expect_navigation():
        editing.click("input[type=submit][value=保存成绩]")
    assert "已保存 6 处成绩修改。" in editing.inner_text(".messagelist")
    assert Score.objects.filter(indicator__in=[platform, disclosure]).count() == 6
    assert "93.5" in editing.inner_text("table.score-grid")
    editing.goto(f"/admin/assessments/assessment/{assessment.pk}/change/")
    do_transition(editing, "提交审核")
    assert editing.locator(".workflow-buttons button").count() == 0

    reviewing = new_page()
    log_in(reviewing, reviewer.username, factories.PASSWORD)
    reviewing.goto(f"/admin/assessments/assessment/{assessment.pk}/change/")
    do_transition(reviewing, "审核发布")

    public = new_page()
    public.goto(f"/assessments/{assessment.pk}/")
    rows = public.locator("table.score-table tbody tr")
    assert rows.count() == len(cities)
    first_row = rows.first.inner_text()
    assert "兰州市人民政府" in first_row and "93.5" in first_row
    chart = public.locator("svg.chart").first
    assert chart.is_visible()
    assert chart.locator(".chart__bar").count() == len(cities)
    assert "兰州市人民政府" in chart.inner_html()


def test_the_editor_is_swapped_by_one_setting_and_the_admin_then_runs_without_inline_code(
    page, settings, monkeypatch, requests_made
):
    """SECURITY.md: RICH_TEXT_WIDGET removes CKEditor, and the admin's policy can then lose
    'unsafe-inline' (tried here: no page breaks the stricter policy)."""
    settings.RICH_TEXT_WIDGET = "django.forms.Textarea"
    monkeypatch.setattr(
        middleware, "ADMIN_POLICY", middleware.ADMIN_POLICY.replace(" 'unsafe-inline'", "")
    )
    organ = factories.make_organ()
    editor = factories.make_editor(organ)
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    log_in(page, editor.username, factories.PASSWORD)
    page.goto("/admin/notices/notice/add/")
    assert page.evaluate("typeof window.CKEDITOR") == "undefined"
    page.select_option("#id_organ", str(organ.pk))
    page.fill("#id_title", TITLE)
    page.select_option("#id_genre", "notice")
    page.fill("textarea#id_body", '<p onclick="steal()">正文</p><script>alert(1)</script>')
    with page.expect_navigation():
        page.click("input[name=_continue]")
    assert Notice.objects.get(title=TITLE).body == "<p>正文</p>"
    page.goto("/admin/notices/notice/")
    assert refused == []
    assert not [url for url in requests_made.urls if "/ckeditor/" in url]

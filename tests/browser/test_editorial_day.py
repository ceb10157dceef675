"""A whole editorial day through the screens editors and reviewers use: a failed save that keeps
the chosen attachment, the body rendered for the reviewer, content findings shown and confirmed,
the sent-back flag, a correction compared table cell by table cell, and a document with its
interpretation side by side — at 1280 px, with the review screens also looked at on a phone."""

import pytest

from notices.models import Notice
from tests import factories
from tests.browser.conftest import PHONE, SCREENSHOTS, log_in
from tests.browser.test_workflows import EDITOR_READY, attachment_docx, do_transition

pytestmark = pytest.mark.browser

TITLE = "甘肃省政务公开工作规范化管理办法"
TABLE = (
    "<p>（演示）各单位按下表报送。</p>"
    "<table><tbody><tr><th>信息内容</th><th>本年制发件数</th><th>现行有效件数</th></tr>"
    "<tr><td>规章</td><td>3</td><td>41</td></tr>"
    "<tr><td>行政规范性文件</td><td>12</td><td>130</td></tr></tbody></table>"
)
WITH_MOBILE = TABLE + "<p>联系人：张三，手机 13912345678。</p>"
WITH_OFFICE_PHONE = TABLE + "<p>联系电话：0931-8928888。</p>"


def set_body(page, html: str) -> None:
    """Put ``html`` into the CKEditor 4 body, as pasting it would."""
    for _ in range(200):
        if page.evaluate(EDITOR_READY):
            break
        page.wait_for_timeout(50)
    else:
        raise AssertionError("the rich-text editor did not get ready in 10 s")
    page.evaluate("(html) => CKEDITOR.instances.id_body.setData(html)", html)
    page.wait_for_timeout(200)


def save_and_continue(page) -> None:
    with page.expect_navigation():
        page.click("input[name=_continue]")


def confirm_findings(page) -> None:
    """The reviewer confirms, one by one, that what the checks found may be published."""
    while page.locator(".checks-finding.checks-open").count():
        with page.expect_navigation():
            page.locator(
                ".checks-finding.checks-open button:has-text('确认可以公开')"
            ).first.click()
    assert page.locator(".checks-resolved").count() >= 1


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_an_editorial_day_through_the_new_screens(new_page, tmp_path):
    organ = factories.make_organ(name="甘肃省人民政府办公厅", code="000014349")
    editor = factories.make_editor(organ)
    reviewer = factories.make_reviewer(organ)
    document = attachment_docx(tmp_path)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # A save that fails (no title) keeps the chosen attachment, staged on the server, and says
    # where the error is; the next save attaches it without choosing it again.
    editing = new_page()
    log_in(editing, editor.username, factories.PASSWORD)
    editing.goto("/admin/notices/notice/add/")
    editing.select_option("#id_organ", str(organ.pk))
    editing.select_option("#id_genre", "measures")
    editing.select_option("#id_document_category", "normative")
    set_body(editing, WITH_MOBILE)
    editing.click("#attachments-group .add-row a")
    editing.fill("#id_attachments-0-position", "1")
    editing.fill("#id_attachments-0-title", "工作方案")
    editing.set_input_files("#id_attachments-0-file", document)
    save_and_continue(editing)
    summary = editing.inner_text(".error-summary")
    assert "保存失败" in summary and "标题" in summary
    assert document.name in editing.inner_text(".staged-uploads")
    editing.fill("#id_title", TITLE)
    save_and_continue(editing)
    assert editing.locator(".messagelist .success").count() == 1, editing.inner_text("#content")
    notice = Notice.objects.get(title=TITLE)
    assert notice.attachments.get().original_name == document.name

    # Submitted: the editor is warned that a 规范性文件 has no interpretation yet.
    with editing.expect_navigation():
        editing.click(".workflow-buttons button:has-text('提交审核')")
    assert "尚未关联政策解读" in editing.inner_text(".messagelist")

    # The reviewer reads the body rendered (its table a table), sees the personal data found on
    # submission, and sends the notice back.
    reviewing = new_page()
    log_in(reviewing, reviewer.username, factories.PASSWORD)
    reviewing.goto(f"/admin/notices/notice/{notice.pk}/change/")
    assert reviewing.locator(".review-panel .notice__body table td:has-text('130')").count() == 1
    assert "<table>" not in reviewing.inner_text(".review-panel")
    checks = reviewing.inner_text("#content-checks")
    assert "个人信息" in checks and "13912345678" in checks
    assert reviewing.locator(".workflow-buttons button:has-text('审核通过并发布')").count() == 1
    do_transition(reviewing, "退回修改", comment="请删去个人手机号码，改为单位办公电话。")
    assert "已退回给" in reviewing.inner_text(".messagelist")

    # The editor sees the flag and the comment at the top, and the notice in 退回给我的.
    editing.goto("/admin/notices/notice/?sent_back=mine")
    assert TITLE in editing.inner_text("#result_list")
    assert "已退回" in editing.inner_text("#result_list")
    editing.goto(f"/admin/notices/notice/{notice.pk}/change/")
    banner = editing.inner_text(".sent-back-banner")
    assert "已退回" in banner and "请删去个人手机号码" in banner
    set_body(editing, WITH_OFFICE_PHONE)
    save_and_continue(editing)
    do_transition(editing, "提交审核")

    # The reviewer confirms the office telephone may be published, then publishes.
    reviewing.reload()
    assert "0931-8928888" in reviewing.inner_text(".checks-finding.checks-open")
    confirm_findings(reviewing)
    assert "0931-8928888" in reviewing.inner_text(".checks-finding:has(.checks-resolved)")
    do_transition(reviewing, "审核通过并发布")
    assert Notice.objects.get(pk=notice.pk).status == Notice.Status.PUBLISHED

    # A correction of one figure: the reviewer sees the table cell by cell, on desk and phone.
    editing.reload()
    do_transition(editing, "更正")
    correction = Notice.objects.get(correction_of=notice)
    assert editing.url.endswith(f"/{correction.pk}/change/")
    set_body(editing, WITH_OFFICE_PHONE.replace("<td>130</td>", "<td>131</td>"))
    editing.locator("fieldset:has(#id_change_note) summary").click()
    editing.fill("#id_change_note", "更正现行有效件数")
    save_and_continue(editing)
    do_transition(editing, "提交审核")
    reviewing.goto(f"/admin/notices/notice/{correction.pk}/change/")
    comparison = reviewing.locator(".review-panel:has(#review-comparison-heading)")
    assert comparison.locator(".review-table td del").all_inner_texts() == ["130"]
    assert comparison.locator(".review-table td ins").all_inner_texts() == ["131"]
    assert " | " not in comparison.inner_text()
    reviewing.screenshot(path=SCREENSHOTS / "review-correction-table-1280.png", full_page=True)
    phone = new_page(PHONE)
    log_in(phone, reviewer.username, factories.PASSWORD)
    phone.goto(f"/admin/notices/notice/{correction.pk}/change/")
    phone.screenshot(path=SCREENSHOTS / "review-correction-table-375.png", full_page=True)
    assert phone.locator(".review-table td ins").all_inner_texts() == ["131"]
    confirm_findings(reviewing)
    do_transition(reviewing, "审核通过并发布")

    # The interpretation: drafted, linked to the document, read beside it by the reviewer.
    editing.goto("/admin/notices/notice/add/")
    editing.select_option("#id_organ", str(organ.pk))
    editing.fill("#id_title", "《甘肃省政务公开工作规范化管理办法》解读")
    editing.select_option("#id_genre", "interpretation")
    editing.select_option("#id_interpretation_form", "text")
    editing.fill("#id_interprets", str(notice.pk))
    set_body(editing, "<p>（演示）办法共五章，明确了规范化管理的要求。</p>")
    save_and_continue(editing)
    interpretation = Notice.objects.get(interprets=notice)
    do_transition(editing, "提交审核")
    reviewing.goto(f"/admin/notices/notice/{interpretation.pk}/change/")
    pair = reviewing.inner_text(".review-pair")
    assert "办法共五章" in pair and "0931-8928888" in pair
    reviewing.screenshot(path=SCREENSHOTS / "review-interpretation-1280.png", full_page=True)
    assert overflow(reviewing) <= 0
    do_transition(reviewing, "审核通过并发布")

    # The public reads both, each linking to the other.
    public = new_page()
    public.goto(notice.get_absolute_url())
    with public.expect_navigation():
        public.click("#interpretations-heading + ul a")
    assert public.inner_text("#notice-title") == interpretation.title
    with public.expect_navigation():
        public.click(f".notice__related a:has-text('{TITLE}')")
    assert public.inner_text("#notice-title") == TITLE

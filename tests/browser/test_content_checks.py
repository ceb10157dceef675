"""In the browser: a reviewer reads what the checks before publication found in a notice, at
its place in the text, confirms the personal data, records a reason for a serious wording and
publishes; the dashboard shows the columns' freshness. On a desk and on a phone."""

import pytest
from django.contrib.auth import get_user_model

from editorial_checks.models import WordRule
from notices import workflow
from notices.models import Notice
from tests import factories
from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS, log_in

pytestmark = pytest.mark.browser

BODY = (
    "<p>各市州人民政府：</p>"
    "<p>为做好政务公开工作，要坚持不泄抓好落实。</p>"
    "<p>联系人：李某，联系电话13912345678，办公电话0931-8928517。</p>"
)


def no_wider_than_the_window(page) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page is {overflow}px wider than the window"


def test_reviewer_confirms_findings_then_publishes(new_page, demo):
    WordRule.objects.get_or_create(
        wrong="坚持不泄", defaults={"correct": "坚持不懈", "severity": "serious"}
    )
    User = get_user_model()
    editor = User.objects.get(username="editor")
    organ = editor.organs.order_by("pk").first()
    notice = factories.make_draft(organ, editor, title="关于做好政务公开工作的通知", body=BODY)
    notice = workflow.submit(notice, editor)

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone = new_page(PHONE)
    log_in(phone, "reviewer")
    phone.goto(f"/admin/notices/notice/{notice.pk}/change/#content-checks")
    panel = phone.locator("#content-checks")
    assert "3 处待处理" in panel.locator("h2").inner_text()
    no_wider_than_the_window(phone)
    panel.screenshot(path=str(SCREENSHOTS / "content-checks-375.png"))

    page = new_page(DESKTOP)
    log_in(page, "reviewer")
    page.goto(f"/admin/notices/notice/{notice.pk}/change/#content-checks")
    panel = page.locator("#content-checks")
    assert panel.locator("mark", has_text="13912345678").count() == 1
    assert panel.locator("mark", has_text="坚持不泄").count() == 1
    assert "建议：坚持不懈" in panel.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "content-checks-1280.png"), full_page=True)

    # Publishing now is refused, and says why.
    page.click("button[value=approve]")
    assert "发布前检查尚未处理完" in page.locator(".messagelist").inner_text()

    for item in page.locator(".checks-finding").all():
        if item.locator("button", has_text="确认可以公开").count():
            item.locator("button", has_text="确认可以公开").click()
            page.wait_for_load_state()
    wording = page.locator(".checks-finding", has=page.locator("mark", has_text="坚持不泄"))
    wording.locator("input[name=reason]").fill("引用会议原话，保留原文")
    wording.locator("button", has_text="记录理由并放行").click()
    page.wait_for_load_state()
    assert page.locator(".checks-resolved").count() == 3
    assert "引用会议原话" in page.locator("#content-checks").inner_text()

    page.click("button[value=approve]")
    assert Notice.objects.get(pk=notice.pk).status == Notice.Status.PUBLISHED

    page.goto("/admin/")
    freshness = page.locator("#column-freshness")
    assert "栏目更新情况" in freshness.inner_text()
    freshness.screenshot(path=str(SCREENSHOTS / "column-freshness-1280.png"))
    phone.goto("/admin/")
    # The table scrolls inside its box; the box itself fits the phone.
    right = phone.evaluate(
        "() => document.querySelector('#column-freshness').getBoundingClientRect().right"
    )
    assert right <= PHONE["width"], right
    phone.locator("#column-freshness").screenshot(
        path=str(SCREENSHOTS / "column-freshness-375.png")
    )

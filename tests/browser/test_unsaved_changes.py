"""The notice form warns before its unsaved changes are lost: typed into the rich-text body (in
CKEditor's own frame) as well as into a plain field, when leaving the page and when another form
of the page (a workflow button) would post without them; never after saving."""

import pytest

from notices.models import Notice
from tests import factories
from tests.browser.conftest import log_in
from tests.browser.test_workflows import EDITOR_READY, type_in_editor

pytestmark = pytest.mark.browser


@pytest.fixture
def draft_page(new_page):
    organ = factories.make_organ(name="甘肃省人民政府办公厅")
    editor = factories.make_editor(organ)
    factories.make_reviewer(organ)
    draft = factories.make_draft(organ, editor, title="关于做好冬季安全生产工作的通知")
    page = new_page()
    log_in(page, editor.username, factories.PASSWORD)
    page.goto(f"/admin/notices/notice/{draft.pk}/change/")
    for _ in range(200):
        if page.evaluate(EDITOR_READY):
            break
        page.wait_for_timeout(50)
    dialogs = []

    def answer(dialog):
        dialogs.append((dialog.type, dialog.message))
        dialog.dismiss()

    page.on("dialog", answer)
    return page, draft, dialogs


def leave(page) -> None:
    page.click(".breadcrumbs a >> nth=0")
    page.wait_for_timeout(500)


def test_leaving_after_typing_in_the_body_asks_first(draft_page):
    page, draft, dialogs = draft_page
    type_in_editor(page, "请各单位于12月底前报送。")
    page.wait_for_timeout(300)
    leave(page)
    assert [kind for kind, _ in dialogs] == ["beforeunload"]
    assert page.url.endswith(f"/{draft.pk}/change/")


def test_leaving_after_typing_in_a_field_asks_first(draft_page):
    page, draft, dialogs = draft_page
    page.fill("#id_keywords", "安全生产")
    leave(page)
    assert [kind for kind, _ in dialogs] == ["beforeunload"]
    assert page.url.endswith(f"/{draft.pk}/change/")


def test_leaving_an_untouched_form_or_after_saving_asks_nothing(draft_page):
    page, draft, dialogs = draft_page
    leave(page)
    assert dialogs == [] and page.url.endswith("/admin/")
    page.goto(f"/admin/notices/notice/{draft.pk}/change/")
    type_in_editor(page, "请各单位于12月底前报送。")
    with page.expect_navigation():
        page.click("input[name=_continue]")
    assert dialogs == []
    assert "12月底前报送" in Notice.objects.get(pk=draft.pk).body
    leave(page)
    assert dialogs == []


def test_a_workflow_button_with_unsaved_body_asks_and_can_be_cancelled(draft_page):
    page, draft, dialogs = draft_page
    type_in_editor(page, "请各单位于12月底前报送。")
    page.wait_for_timeout(300)
    page.click(".workflow-buttons button:has-text('提交审核')")
    page.wait_for_timeout(500)
    assert [kind for kind, _ in dialogs] == ["confirm"]
    assert "尚未保存的修改" in dialogs[0][1]
    assert Notice.objects.get(pk=draft.pk).status == Notice.Status.DRAFT

    # Saved first, the same button submits without asking.
    with page.expect_navigation():
        page.click("input[name=_continue]")
    with page.expect_navigation():
        page.click(".workflow-buttons button:has-text('提交审核')")
    assert len(dialogs) == 1
    assert Notice.objects.get(pk=draft.pk).status == Notice.Status.IN_REVIEW

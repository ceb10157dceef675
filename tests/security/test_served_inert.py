"""Attachments are downloaded, never rendered; the rich-text editor is one setting."""

import json

from ckeditor.widgets import CKEditorWidget
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests import factories


def download_url(attachment) -> str:
    return reverse(
        "notices:attachment-download", args=[attachment.notice.original_id, attachment.pk]
    )


def test_a_download_is_an_inert_attachment(client, notice_in):
    attachment = factories.make_attachment(notice_in("published"), name="通知.pdf")
    response = client.get(download_url(attachment))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert "sandbox" in policy and "default-src 'none'" in policy


def test_a_draft_attachment_is_not_found_by_the_public(client, notice_in):
    attachment = factories.make_attachment(notice_in("draft"))
    assert client.get(download_url(attachment)).status_code == 404


def test_another_organs_editor_cannot_download_a_draft_attachment(
    client, notice_in, other_editor, editor
):
    attachment = factories.make_attachment(notice_in("draft"))
    client.force_login(other_editor)
    assert client.get(download_url(attachment)).status_code == 404
    client.force_login(editor)
    response = client.get(download_url(attachment))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_the_rich_text_widget_is_one_setting(client, settings, editor, notice_in):
    notice = notice_in("draft")
    url = reverse("admin:notices_notice_change", args=[notice.pk])
    client.force_login(editor)
    assert "ckeditor/ckeditor-init.js" in client.get(url).content.decode()
    settings.RICH_TEXT_WIDGET = "django.forms.Textarea"
    page = client.get(url).content.decode()
    assert "ckeditor" not in page
    assert '<textarea name="body"' in page


def test_no_file_that_a_ckeditor_advisory_names_is_served():
    """SECURITY.md: CVE-2024-24816 and CVE-2023-4771 are in CKEditor's samples, CVE-2024-43407
    in the GeSHi library (PHP) of the Code Snippet GeSHi plugin; none of them is a static file."""
    served = [path for finder in finders.get_finders() for path, _ in finder.list([])]
    editor_files = [path for path in served if path.startswith("ckeditor/")]
    assert "ckeditor/ckeditor/ckeditor.js" in editor_files
    assert [path for path in editor_files if "/samples/" in path or path.endswith(".php")] == []


def test_the_editor_never_asks_ckeditors_servers_for_its_version():
    """CVE-2024-43411 needs the editor's version notifications, which fetch from another host."""
    context = CKEditorWidget().get_context("body", "", {"id": "id_body"})
    assert json.loads(context["widget"]["config"])["versionCheck"] is False

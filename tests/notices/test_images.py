"""Images in a notice's body: uploaded from the editor, checked and stored as attachments of the
notice by whoever may edit it, and kept in the body only when they point at such an attachment."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from notices import images, views, workflow
from notices.models import Attachment
from notices.sanitize import sanitize_html
from tests import factories

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HTML_AS_PNG = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
ORIGIN = "http://testserver"


def post_image(client, notice, content=PNG, name="图表.png", **headers):
    url = reverse("admin:notice-image-upload", args=[notice.pk] if notice else [])
    headers.setdefault("HTTP_ORIGIN", ORIGIN)
    response = client.post(url, {"upload": SimpleUploadedFile(name, content)}, **headers)
    return response, json.loads(response.content)


def test_editor_inserts_an_image_stored_as_a_checked_attachment(client, editor, notice_in):
    draft = notice_in("draft")
    client.force_login(editor)
    response, answer = post_image(client, draft)
    assert response.status_code == 200 and answer["uploaded"] == 1
    image = Attachment.objects.get(notice=draft)
    assert image.title == "正文图片：图表.png"
    assert image.content_type == "image/png" and len(image.sha256) == 64
    assert answer["url"] == image.get_absolute_url()
    # The editor can show it while drafting (staff preview of the attachment view).
    assert client.get(answer["url"]).status_code == 200


def test_the_body_keeps_the_image_the_upload_gave(client, editor, notice_in):
    draft = notice_in("draft")
    client.force_login(editor)
    _, answer = post_image(client, draft)
    body = f'<p class="text-center"><img src="{answer["url"]}" alt="图表"></p>'
    assert sanitize_html(body) == body
    draft.body = body
    workflow.save_draft(draft, editor)
    assert f'src="{answer["url"]}"' in draft.body


@pytest.mark.parametrize(
    "source",
    [
        "https://example.com/tracker.png",
        "//evil.example/x.png",
        "/media/attachments/2026/01/x.png",
        "data:image/png;base64,AAAA",
        "/notices/1/attachments/2/../../../admin/",
        "javascript:alert(1)",
    ],
)
def test_any_other_image_is_dropped(source):
    assert sanitize_html(f'<p>图：<img src="{source}" alt="x"></p>') == "<p>图：</p>"


def test_content_not_matching_its_name_is_refused_with_a_message(client, editor, notice_in):
    draft = notice_in("draft")
    client.force_login(editor)
    _, answer = post_image(client, draft, HTML_AS_PNG)
    assert answer["uploaded"] == 0 and "不符" in answer["error"]["message"]
    assert not Attachment.objects.filter(notice=draft).exists()


def test_only_images_go_into_the_body(client, editor, notice_in):
    draft = notice_in("draft")
    client.force_login(editor)
    _, answer = post_image(client, draft, b"%PDF-1.4\n%%EOF\n", "通知.pdf")
    assert answer["uploaded"] == 0 and "PNG 或 JPEG" in answer["error"]["message"]


def test_unsaved_notice_is_asked_to_be_saved_first(client, editor, db):
    client.force_login(editor)
    _, answer = post_image(client, None)
    assert answer["uploaded"] == 0 and "请先保存草稿" in answer["error"]["message"]


@pytest.mark.parametrize("who", ["reviewer", "auditor"])
def test_who_cannot_edit_the_notice_cannot_add_images(request, client, notice_in, who):
    draft = notice_in("draft")
    client.force_login(request.getfixturevalue(who))
    response, answer = post_image(client, draft)
    assert response.status_code == 403 and answer["uploaded"] == 0
    assert not Attachment.objects.filter(notice=draft).exists()


def test_editor_of_another_organ_gets_nothing(client, other_editor, notice_in):
    draft = notice_in("draft")
    client.force_login(other_editor)
    response = client.post(
        reverse("admin:notice-image-upload", args=[draft.pk]),
        {"upload": SimpleUploadedFile("a.png", PNG)},
        HTTP_ORIGIN=ORIGIN,
    )
    assert response.status_code == 404
    assert not Attachment.objects.filter(notice=draft).exists()


def test_published_notice_takes_images_only_through_a_correction(client, editor, notice_in):
    published = notice_in("published")
    client.force_login(editor)
    response, answer = post_image(client, published)
    assert response.status_code == 403 and answer["uploaded"] == 0


def test_uploads_from_another_site_are_refused(client, editor, notice_in):
    draft = notice_in("draft")
    client.force_login(editor)
    response, _ = post_image(client, draft, HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403
    response, _ = post_image(client, draft, HTTP_ORIGIN="", HTTP_REFERER="https://evil.example/")
    assert response.status_code == 403
    assert not Attachment.objects.filter(notice=draft).exists()


def test_anonymous_upload_goes_to_the_login(client, notice_in):
    draft = notice_in("draft")
    url = reverse("admin:notice-image-upload", args=[draft.pk])
    response = client.post(url, HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_image_limit_is_checked_before_reading(editor, notice_in):
    draft = notice_in("draft")
    big = SimpleUploadedFile("大图.png", PNG)
    big.size = images.IMAGE_MAX_BYTES + 1
    with pytest.raises(ValidationError, match="10 MB"):
        images.add_image(draft, editor, big)


def publish_with_image(client, editor, reviewer, notice_in, listed: bool = False):
    """A notice whose body shows an uploaded image, beside an ordinary attachment."""
    draft = notice_in("draft")
    client.force_login(editor)
    _, answer = post_image(client, draft)
    image = Attachment.objects.get(notice=draft)
    if listed:
        image.body_image = False
        image.save(update_fields=["body_image"])
    draft.body = f'<p><img src="{answer["url"]}" alt="图表"></p>'
    workflow.save_draft(draft, editor)
    factories.make_attachment(draft, title="附件一：统计表")
    published = workflow.approve(workflow.submit(draft, editor), reviewer)
    client.logout()
    return published, image


def test_an_uploaded_image_is_flagged_as_used_in_the_body(client, editor, notice_in):
    draft = notice_in("draft")
    client.force_login(editor)
    post_image(client, draft)
    assert Attachment.objects.get(notice=draft).body_image


def test_the_public_page_shows_a_body_image_in_the_body_not_among_the_attachments(
    client, editor, reviewer, notice_in
):
    notice, image = publish_with_image(client, editor, reviewer, notice_in)
    page = client.get(notice.get_absolute_url()).content.decode()
    listed = page.split('id="attachments-heading"', 1)[1]
    assert "附件一：统计表" in listed and "正文图片" not in listed
    assert f'src="{image.get_absolute_url()}"' in page
    # Still served: the body shows it.
    assert client.get(image.get_absolute_url()).status_code == 200


def test_the_editor_may_list_a_body_image_as_an_attachment_too(client, editor, reviewer, notice_in):
    notice, _image = publish_with_image(client, editor, reviewer, notice_in, listed=True)
    listed = client.get(notice.get_absolute_url()).content.decode()
    assert "正文图片：图表.png" in listed.split('id="attachments-heading"', 1)[1]


def test_a_page_whose_only_attachment_is_a_body_image_lists_none(
    client, editor, reviewer, notice_in
):
    draft = notice_in("draft")
    client.force_login(editor)
    _, answer = post_image(client, draft)
    draft.body = f'<p><img src="{answer["url"]}" alt="图表"></p>'
    workflow.save_draft(draft, editor)
    notice = workflow.approve(workflow.submit(draft, editor), reviewer)
    client.logout()
    found = views.NOTICE_PAGE.get(notice.pk)
    assert not found.has_attachments
    assert 'id="attachments-heading"' not in client.get(notice.get_absolute_url()).content.decode()


def test_a_correction_and_the_published_versions_keep_the_flag(client, editor, reviewer, notice_in):
    notice, _image = publish_with_image(client, editor, reviewer, notice_in)
    correction = workflow.start_correction(notice, editor)
    assert correction.attachments.get(title__startswith="正文图片").body_image
    correction.change_note = "补充说明"
    correction.last_edited_by = editor
    correction.save()
    corrected = workflow.approve(workflow.submit(correction, editor), reviewer)
    assert corrected.attachments.get(title__startswith="正文图片").body_image
    recorded = corrected.versions.order_by("-number").first().content["attachments"]
    assert [item["body_image"] for item in recorded] == [True, False]

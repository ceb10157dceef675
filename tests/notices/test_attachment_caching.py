"""How attachments may be kept by browsers and a CDN: only with a check here before each use,
so that a withdrawn file is never served from a copy."""

import pytest

from notices import workflow
from tests.factories import make_attachment

pytestmark = pytest.mark.django_db


def test_a_public_attachment_is_revalidated_on_every_use(client, notice_in):
    attachment = make_attachment(notice_in("published"))
    response = client.get(attachment.get_absolute_url())
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, no-cache"
    assert response["ETag"] == f'"{attachment.sha256}"'


def test_an_unchanged_attachment_answers_304_until_it_is_withdrawn(client, notice_in, reviewer):
    notice = notice_in("published")
    attachment = make_attachment(notice)
    url = attachment.get_absolute_url()
    etag = client.get(url)["ETag"]
    not_modified = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304
    assert not_modified["Cache-Control"] == "public, no-cache"
    workflow.withdraw(notice, reviewer, "内容有误")
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 404


def test_a_staff_preview_of_an_attachment_is_never_kept(client, notice_in, editor):
    attachment = make_attachment(notice_in("draft"))
    client.force_login(editor)
    response = client.get(
        attachment.get_absolute_url(), HTTP_IF_NONE_MATCH=f'"{attachment.sha256}"'
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "ETag" not in response

"""The admin of the guide, the document templates and the documents sent: site admins edit
templates (a template reaching beyond its values is refused), handlers of the organ asked
print documents and download them as .docx, nobody else sees them."""

import pytest
from django.urls import reverse

from applications.models import ApplicationDocument, DocumentTemplate
from tests.applications import factories


@pytest.fixture
def receipt(organ, handler):
    application = factories.accepted(organ, handler)
    return application.documents.get(kind=ApplicationDocument.Kind.RECEIPT)


def print_url(document):
    return reverse("admin:applications_applicationdocument_print", args=[document.pk])


def docx_url(document):
    return reverse("admin:applications_applicationdocument_docx", args=[document.pk])


def test_site_admin_edits_a_template_and_a_bad_one_is_refused(client, site_admin, db):
    template = DocumentTemplate.objects.get(kind="receipt")
    url = reverse("admin:applications_documenttemplate_change", args=[template.pk])
    client.force_login(site_admin)
    page = client.get(url)
    assert page.status_code == 200 and "applicant_name" in page.content.decode()
    refused = client.post(url, {"title": "回执", "body": "{% include 'base.html' %}"})
    assert refused.status_code == 200
    assert "模板中不能使用" in refused.content.decode()
    saved = client.post(url, {"title": "回执", "body": "<p>{{ number }} 已收到</p>"})
    assert saved.status_code == 302
    template.refresh_from_db()
    assert template.body == "<p>{{ number }} 已收到</p>"


def test_handler_cannot_edit_templates(client, handler, db):
    template = DocumentTemplate.objects.get(kind="receipt")
    client.force_login(handler)
    url = reverse("admin:applications_documenttemplate_change", args=[template.pk])
    response = client.post(url, {"title": "改", "body": "<p>改</p>"})
    assert response.status_code == 403
    assert DocumentTemplate.objects.get(pk=template.pk).title != "改"


def test_handler_of_the_organ_prints_and_downloads(client, handler, receipt):
    client.force_login(handler)
    page = client.get(print_url(receipt))
    assert page.status_code == 200
    assert receipt.application.number in page.content.decode()
    assert "applications-document.css" in page.content.decode()
    word = client.get(docx_url(receipt))
    assert word.status_code == 200 and word.content[:2] == b"PK"
    listing = client.get(reverse("admin:applications_applicationdocument_changelist"))
    assert receipt.application.number in listing.content.decode()


@pytest.mark.parametrize("who", ["other_handler", "editor"])
def test_others_cannot_see_the_documents(client, request, receipt, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(print_url(receipt)).status_code == 403
    assert client.get(docx_url(receipt)).status_code == 403
    listing = client.get(reverse("admin:applications_applicationdocument_changelist"))
    assert receipt.application.number not in listing.content.decode()


def test_anonymous_is_sent_to_log_in(client, receipt):
    response = client.get(print_url(receipt))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]

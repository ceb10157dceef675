"""The admin upload page, from both sides of every permission boundary."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from importer.models import ImportedSource, ImportJob
from notices.models import Notice
from tests import factories
from tests.importer.helpers import corpus_bytes, seed_bytes

pytestmark = pytest.mark.django_db
UPLOAD = reverse("admin:importer_importedsource_upload")
CHANGELIST = reverse("admin:importer_importedsource_changelist")
JOBS = reverse("admin:importer_importedsource_jobs")


def login(client, user):
    client.login(username=user.username, password=factories.PASSWORD)
    return client


def upload(client, organ, *files):
    return client.post(
        UPLOAD,
        {"organ": organ.pk, "files": [SimpleUploadedFile(name, data) for name, data in files]},
    )


def test_anonymous_is_sent_to_login(client):
    response = client.get(UPLOAD)
    assert response.status_code == 302 and "login" in response["Location"]


def test_editor_sees_the_upload_page_for_own_organs_only(client, editor, organ, other_organ):
    response = login(client, editor).get(UPLOAD)
    assert response.status_code == 200
    choices = list(response.context["form"].fields["organ"].queryset)
    assert choices == [organ]


def test_editor_imports_files_and_sees_the_report(client, editor, organ):
    response = upload(
        login(client, editor),
        organ,
        ("gansu-2016-notice.raw.txt", seed_bytes()),
        ("empty.txt", b""),
        ("page.html", corpus_bytes("inspection-page.html")),
    )
    assert response.status_code == 302 and response["Location"] == JOBS
    response = client.get(JOBS)
    assert response.status_code == 200
    jobs = sorted(response.context["jobs"], key=lambda job: job.pk)
    assert [job.status for job in jobs] == ["done", "failed", "done"]
    content = response.content.decode()
    assert "已导入为草稿" in content and "文件是空的" in content
    assert "?。ㄒ唬" in content and "公开渠道更加畅通" in content  # flagged, with a suggestion
    assert Notice.objects.filter(organ=organ, status=Notice.Status.DRAFT).count() == 2
    assert not Notice.objects.published().exists()


@pytest.mark.parametrize("role", ["reviewer", "auditor"])
def test_reviewers_and_auditors_cannot_import(client, organ, role, request):
    user = request.getfixturevalue(role)
    login(client, user)
    assert client.get(UPLOAD).status_code == 403
    assert upload(client, organ, ("seed.txt", seed_bytes())).status_code == 403
    assert not Notice.objects.exists()


def test_other_organs_editor_cannot_import_into_this_organ(client, organ, other_editor):
    response = upload(login(client, other_editor), organ, ("seed.txt", seed_bytes()))
    assert response.status_code == 200
    assert response.context["form"].errors["organ"]
    assert not ImportJob.objects.exists()
    assert not Notice.objects.exists()


def test_huge_upload_is_refused_with_the_limit(client, editor, organ, settings):
    settings.IMPORT_MAX_BYTES = 1000
    upload(login(client, editor), organ, ("seed.txt", seed_bytes()))
    assert "文件太大" in client.get(JOBS).content.decode()
    assert not Notice.objects.exists()


def test_no_file_chosen(client, editor, organ):
    response = login(client, editor).post(UPLOAD, {"organ": organ.pk})
    assert "请选择要导入的文件" in response.content.decode()


def test_imported_sources_list_is_scoped(client, editor, organ, other_editor, other_organ):
    upload(login(client, editor), organ, ("seed.txt", seed_bytes()))
    source = ImportedSource.objects.get()
    response = client.get(CHANGELIST)
    assert response.status_code == 200 and "导入旧稿" in response.content.decode()
    detail = reverse("admin:importer_importedsource_change", args=[source.pk])
    assert client.get(detail).status_code == 200
    client.logout()
    login(client, other_editor)
    assert source.filename not in client.get(CHANGELIST).content.decode()
    assert client.get(detail).status_code in (302, 403, 404)


def test_auditor_may_read_imported_sources_but_not_import(client, editor, organ, auditor):
    upload(login(client, editor), organ, ("seed.txt", seed_bytes()))
    client.logout()
    login(client, auditor)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert "导入旧稿" not in response.content.decode()

"""A folder's worth of files as one .zip: queued by the upload, imported file by file in the
background with its progress counted, each file under the single file's limits."""

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from importer import tasks
from importer.models import ImportJob
from notices.models import Notice
from tests import factories
from tests.importer import corpus_variants
from tests.importer.helpers import seed_bytes

pytestmark = pytest.mark.django_db
UPLOAD = reverse("admin:importer_importedsource_upload")
JOBS = reverse("admin:importer_importedsource_jobs")


def zipped(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def zipped_on_chinese_windows(name: str, data: bytes) -> bytes:
    """An archive whose member name is GBK bytes without the UTF-8 flag, as old tools wrote."""
    raw = name.encode("gbk")
    stand_in = b"x" * (len(raw) - 4) + b".txt"
    return zipped({stand_in.decode(): data}).replace(stand_in, raw)


def upload(client, user, organ, name, data):
    client.login(username=user.username, password=factories.PASSWORD)
    return client.post(UPLOAD, {"organ": organ.pk, "files": [SimpleUploadedFile(name, data)]})


def real_files(count: int) -> dict[str, bytes]:
    originals = [corpus_variants.variants(e)[0] for e in corpus_variants.index()][:count]
    return {f"旧网站/{case.name}": case.data for case in originals}


def test_a_zip_is_imported_file_by_file_with_its_progress(client, editor, organ):
    files = {**real_files(4), "旧网站/说明.pdf": b"%PDF-1.4", "__MACOSX/._a.txt": b"x"}
    upload(client, editor, organ, "旧稿.zip", zipped(files))
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE, job.reason
    assert (job.total, job.done) == (4, 4) and bytes(job.data) == b""
    assert len(job.result["files"]) == 4 and "导入 4 个" in job.reason
    assert Notice.objects.filter(organ=organ, status=Notice.Status.DRAFT).count() == 4
    page = client.get(JOBS).content.decode()
    assert "已处理 4/4 个文件" in page and "已导入为草稿" in page


def test_names_stored_in_gbk_are_read_as_chinese(client, editor, organ):
    upload(client, editor, organ, "旧稿.zip", zipped_on_chinese_windows("通报.txt", seed_bytes()))
    job = ImportJob.objects.get()
    assert job.result["files"][0]["name"] == "通报.txt"


def test_an_archive_without_importable_files_fails_with_a_reason(client, editor, organ):
    upload(client, editor, organ, "图片.zip", zipped({"a.png": b"\x89PNG"}))
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and "没有可导入的文件" in job.reason


def test_a_member_over_the_single_file_limit_fails_the_archive(client, editor, organ, settings):
    settings.IMPORT_MAX_BYTES = 1000
    upload(client, editor, organ, "旧稿.zip", zipped({"大.txt": "通知".encode() * 5000}))
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and "压缩包未导入" in job.reason
    assert not Notice.objects.exists()


def test_an_archive_over_its_limit_is_refused_before_it_is_read(client, editor, organ, settings):
    settings.IMPORT_ARCHIVE_MAX_BYTES = 100
    upload(client, editor, organ, "旧稿.zip", zipped(real_files(2)))
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and "压缩包太大" in job.reason
    assert bytes(job.data) == b""


def test_an_editor_of_another_organ_cannot_import_into_this_one(client, other_editor, organ):
    response = upload(client, other_editor, organ, "旧稿.zip", zipped(real_files(1)))
    assert response.status_code == 200  # the form refuses the organ
    assert not ImportJob.objects.exists() and not Notice.objects.exists()


def test_a_long_archive_is_not_taken_for_a_lost_worker_while_it_progresses(editor, organ):
    hour_ago = timezone.now() - datetime.timedelta(hours=1)
    running = {"organ": organ, "created_by": editor, "size": 10, "started_at": hour_ago}
    alive = ImportJob.objects.create(
        filename="大.zip", status=ImportJob.Status.RUNNING, progress_at=timezone.now(), **running
    )
    lost = ImportJob.objects.create(
        filename="丢.zip", status=ImportJob.Status.RUNNING, progress_at=hour_ago, **running
    )
    ImportJob.objects.fail_interrupted(tasks.interrupted_before())
    alive.refresh_from_db()
    lost.refresh_from_db()
    assert alive.status == ImportJob.Status.RUNNING
    assert lost.status == ImportJob.Status.FAILED

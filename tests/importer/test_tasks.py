"""Imports run in the task queue, each file's parsing under time and memory limits, and the
editor follows them on the 导入任务 page."""

import datetime
import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from importer import saving, tasks
from importer.models import ImportJob
from notices.models import Notice
from tests import factories
from tests.importer.helpers import make_docx, seed_bytes

UPLOAD = reverse("admin:importer_importedsource_upload")
JOBS = reverse("admin:importer_importedsource_jobs")
DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DOCUMENT_START = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
)


def login(client, user):
    client.login(username=user.username, password=factories.PASSWORD)
    return client


def upload(client, organ, name: str, data: bytes):
    return client.post(UPLOAD, {"organ": organ.pk, "files": [SimpleUploadedFile(name, data)]})


def docx_with_document(document_xml: bytes) -> bytes:
    """A real .docx whose word/document.xml is replaced."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(make_docx(["通知"]))) as original,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        for name in original.namelist():
            content = original.read(name)
            copy.writestr(name, document_xml if name == "word/document.xml" else content)
    return out.getvalue()


def job_after_upload(client, editor, organ, name: str, data: bytes) -> ImportJob:
    started = time.monotonic()
    upload(login(client, editor), organ, name, data)
    assert time.monotonic() - started < 10, "not refused fast"
    return ImportJob.objects.get()


@pytest.mark.django_db
def test_the_upload_request_only_queues_the_file(client, editor, organ, settings, monkeypatch):
    settings.TASKS = DATABASE_BACKEND

    def no_parsing_here(*args):
        raise AssertionError("the request parsed the file")

    monkeypatch.setattr(saving, "read_and_parse", no_parsing_here)
    monkeypatch.setattr(tasks.saving, "read_and_parse", no_parsing_here)
    response = upload(login(client, editor), organ, "seed.txt", seed_bytes())
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.QUEUED and bytes(job.data) == seed_bytes()
    assert not Notice.objects.exists()
    page = client.get(JOBS).content.decode()
    assert "排队中" in page and 'http-equiv="refresh"' in page


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_a_queued_import(client, editor, organ, settings):
    settings.TASKS = DATABASE_BACKEND
    upload(login(client, editor), organ, "seed.txt", seed_bytes())
    assert ImportJob.objects.get().status == ImportJob.Status.QUEUED
    call_command(
        "db_worker", batch=True, max_tasks=1, startup_delay=False, reload=False, interval=0
    )
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE, job.reason
    assert job.started_at and job.finished_at and bytes(job.data) == b""
    notice = Notice.objects.get()
    assert notice.status == Notice.Status.DRAFT and job.result["notice_id"] == notice.pk
    page = client.get(JOBS).content.decode()
    assert "已完成" in page and "已导入为草稿" in page and 'http-equiv="refresh"' not in page


@pytest.mark.django_db
def test_a_zip_bomb_fails_its_job_fast_with_a_reason(client, editor, organ):
    bomb = docx_with_document(DOCUMENT_START + b" " * (30 * 1024 * 1024) + b"</w:document>")
    assert len(bomb) < 100 * 1024
    job = job_after_upload(client, editor, organ, "通报.docx", bomb)
    assert job.status == ImportJob.Status.FAILED
    assert "压缩炸弹" in job.reason or "解压后超过" in job.reason
    assert not Notice.objects.exists()
    page = client.get(JOBS).content.decode()
    assert "失败" in page and job.reason.split("，")[0] in page


@pytest.mark.django_db
def test_entity_expansion_fails_its_job(client, editor, organ):
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        + DOCUMENT_START.split(b"?>", 1)[1]
        + b"<w:body><w:p><w:r><w:t>&c;</w:t></w:r></w:p></w:body></w:document>"
    )
    job = job_after_upload(client, editor, organ, "通报.docx", docx_with_document(laughs))
    assert job.status == ImportJob.Status.FAILED and "实体声明" in job.reason


@pytest.mark.django_db
def test_xml_nested_too_deep_fails_its_job(client, editor, organ):
    deep = DOCUMENT_START + b"<w:body>" + b"<w:sdt>" * 10000 + b"</w:sdt>" * 10000
    deep += b"</w:body></w:document>"
    job = job_after_upload(client, editor, organ, "通报.docx", docx_with_document(deep))
    assert job.status == ImportJob.Status.FAILED and "嵌套超过" in job.reason


def spin(data, name):
    while True:
        pass


def wait(data, name):
    time.sleep(60)


def hog(data, name):
    return [bytearray(64 * 1024 * 1024) for _ in range(64)]


@pytest.mark.parametrize("work", [spin, wait, hog], ids=["cpu", "wall clock", "memory"])
def test_parsing_is_stopped_at_its_limits(settings, monkeypatch, work):
    settings.IMPORT_TIME_LIMIT_SECONDS = 1
    settings.IMPORT_MEMORY_LIMIT_BYTES = 256 * 1024 * 1024
    monkeypatch.setattr(saving, "read_and_parse", work)
    started = time.monotonic()
    with pytest.raises(tasks.LimitExceeded, match=r"超过 1 秒或超出内存|超出内存限制"):
        tasks.bounded_read_and_parse(b"x", "a.txt")
    assert time.monotonic() - started < 5


def test_errors_and_results_come_back_from_the_child_process():
    source, parsed = tasks.bounded_read_and_parse(seed_bytes(), "seed.txt")
    assert source.kind == "text" and parsed.title
    with pytest.raises(tasks.reading.ReadError, match="文件是空的"):
        tasks.bounded_read_and_parse(b"", "empty.txt")


@pytest.mark.django_db
def test_a_job_that_lost_its_worker_is_shown_as_failed(client, editor, organ):
    job = ImportJob.objects.create(
        organ=organ,
        created_by=editor,
        filename="旧稿.docx",
        size=10,
        status=ImportJob.Status.RUNNING,
        started_at=timezone.now() - datetime.timedelta(hours=1),
    )
    page = login(client, editor).get(JOBS).content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "处理中断" in page


@pytest.mark.django_db
def test_the_jobs_page_shows_only_ones_own_jobs(client, editor, organ, other_editor):
    upload(login(client, editor), organ, "seed.txt", seed_bytes())
    assert "seed.txt" in client.get(JOBS).content.decode()
    client.logout()
    assert "seed.txt" not in login(client, other_editor).get(JOBS).content.decode()
    client.logout()
    response = client.get(JOBS)
    assert response.status_code == 302 and "login" in response["Location"]

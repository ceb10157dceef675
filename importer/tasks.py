"""Imports run in the task queue (django-tasks; `manage.py db_worker` in production), never in
the request that uploaded the file, and each file's reading and parsing runs in a child process
with a CPU-time, wall-clock and memory limit: a hostile or pathological file fails its own job
with a reason and never holds a worker. The admin's 导入任务 page shows each job's status."""

import datetime
import io
import logging
import multiprocessing
import os
import zipfile
from pathlib import PurePosixPath

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from audit.context import acting
from core import office_files
from importer import reading, saving
from importer.models import ImportJob
from importer.report import FileResult, ImportReport, Status

logger = logging.getLogger(__name__)


class LimitExceeded(reading.ReadError):
    """Reading or parsing the file went past its time or memory limit."""


def limits() -> tuple[int, int]:
    """(seconds, bytes) one file's reading and parsing may take."""
    return settings.IMPORT_TIME_LIMIT_SECONDS, settings.IMPORT_MEMORY_LIMIT_BYTES


def interrupted_before() -> datetime.datetime:
    """A job started before this and still running has lost its worker."""
    return timezone.now() - datetime.timedelta(seconds=limits()[0] + 60)


def bounded_read_and_parse(data: bytes, name: str):
    """saving.read_and_parse in a forked child under limits; its result or its error back."""
    seconds, memory = limits()
    if not hasattr(os, "fork"):  # no fork (Windows): the size checks alone bound the work
        return saving.read_and_parse(data, name)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, data, name, seconds, memory), daemon=True)
    child.start()
    sender.close()
    outcome = None
    try:
        # The wall clock covers a child that waits instead of computing.
        if receiver.poll(seconds + 1):
            outcome = receiver.recv()
    except EOFError:  # the child died: killed by its CPU limit, or out of memory
        pass
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
    if outcome is None:
        raise LimitExceeded(
            f"文件处理超过 {seconds} 秒或超出内存限制，内容可能过于复杂或已损坏，"
            "请另存为简单的 .docx 或 .txt 后再导入。"
        )
    ok, value = outcome
    if ok:
        return value
    raise value


def _child(sender, data: bytes, name: str, seconds: int, memory: int) -> None:
    import resource  # Unix only, as fork is

    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    address_space = _address_space()
    if address_space is not None:
        resource.setrlimit(resource.RLIMIT_AS, (address_space + memory,) * 2)
    try:
        outcome = (True, saving.read_and_parse(data, name))
    except MemoryError:
        outcome = (False, LimitExceeded("文件处理超出内存限制，内容可能过于复杂，未导入。"))
    except Exception as error:
        outcome = (False, error)
    try:
        sender.send(outcome)
    except Exception:  # an error that cannot be pickled: say what it was
        sender.send((False, reading.ReadError(f"读取文件时出错（{type(outcome[1]).__name__}）。")))
    sender.close()


def _address_space() -> int | None:
    """The process's virtual memory now (a forked child starts with its parent's)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return None


@task()
def import_upload(job_id: int) -> str:
    """Import one uploaded file as a draft; the job records how it went."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:  # already run, or withdrawn
        return "skipped"
    job = ImportJob.objects.select_related("organ", "created_by").get(pk=job_id)
    try:
        with acting(actor=job.created_by, remote_addr=job.remote_addr, source="导入任务"):
            result = saving.import_file(
                bytes(job.data), job.filename, job.organ, job.created_by, bounded_read_and_parse
            )
    except Exception:
        logger.exception("import job %s failed", job_id)
        _finish(job, ImportJob.Status.FAILED, "导入时出错，本文件未导入。", {})
        return ImportJob.Status.FAILED
    status = ImportJob.Status.FAILED if result.status == Status.FAILED else ImportJob.Status.DONE
    _finish(job, status, result.reason, result.as_dict())
    return status


PARTIAL_REPORT_EVERY = 25


def member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as its author saw it: archives made on Chinese Windows store names in
    GBK without saying so, which Python reads as CP437."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def importable_members(archive: zipfile.ZipFile) -> list[tuple[zipfile.ZipInfo, str]]:
    found = []
    for info in archive.infolist():
        name = member_name(info)
        path = PurePosixPath(name.replace("\\", "/"))
        if info.is_dir() or any(part.startswith((".", "__MACOSX")) for part in path.parts):
            continue
        if path.suffix.lower() in saving.IMPORTABLE_SUFFIXES:
            found.append((info, name))
    return sorted(found, key=lambda pair: pair[1])


@task()
def import_archive(job_id: int) -> str:
    """Import every file of an uploaded .zip as a draft, one by one, each under the limits of
    a single file; the job counts its progress as it goes, for the 导入任务 page."""
    now = timezone.now()
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=now, progress_at=now
    )
    if not claimed:
        return "skipped"
    job = ImportJob.objects.select_related("organ", "created_by").get(pk=job_id)
    data = bytes(job.data)
    try:
        office_files.check_zip(data, reading.archive_limits())
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = importable_members(archive)
    except (office_files.UnsafeFile, zipfile.BadZipFile) as error:
        _finish(job, ImportJob.Status.FAILED, f"{error}（压缩包未导入）", {})
        return ImportJob.Status.FAILED
    if not members:
        reason = f"压缩包中没有可导入的文件（可导入的类型：{reading.SUPPORTED}）。"
        _finish(job, ImportJob.Status.FAILED, reason, {})
        return ImportJob.Status.FAILED
    ImportJob.objects.filter(pk=job.pk).update(total=len(members), data=b"")
    report = ImportReport()
    lookups = saving.Lookups()
    with acting(actor=job.created_by, remote_addr=job.remote_addr, source="导入任务（压缩包）"):
        for done, (info, name) in enumerate(members, start=1):
            try:
                result = saving.import_file(
                    archive.read(info),
                    name,
                    job.organ,
                    job.created_by,
                    bounded_read_and_parse,
                    lookups=lookups,
                )
            except Exception:
                logger.exception("import of %s from job %s failed", name, job_id)
                result = FileResult(name=name, reason="导入时出错，本文件未导入。")
            report.files.append(result)
            progress = {"done": done, "progress_at": timezone.now()}
            if done % PARTIAL_REPORT_EVERY == 0:  # the whole report now and then, not each time
                progress["result"] = {"files": [file.as_dict() for file in report.files]}
            ImportJob.objects.filter(pk=job.pk).update(**progress)
    _finish(
        job,
        ImportJob.Status.DONE,
        report.summary,
        {"files": [file.as_dict() for file in report.files]},
    )
    return ImportJob.Status.DONE


def _finish(job: ImportJob, status: str, reason: str, result: dict) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, reason=reason, result=result, data=b"", finished_at=timezone.now()
    )

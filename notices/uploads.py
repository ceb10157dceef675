"""Attachment uploads are accepted by what their bytes are, not by what their name claims."""

import hashlib
import os
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from core import office_files

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"
# Extension → (content type, leading bytes, files the zip container must hold).
FORMATS = {
    "pdf": ("application/pdf", b"%PDF-", None),
    "doc": ("application/msword", OLE, None),
    "xls": ("application/vnd.ms-excel", OLE, None),
    "ppt": ("application/vnd.ms-powerpoint", OLE, None),
    "wps": ("application/vnd.ms-works", OLE, None),
    "et": ("application/vnd.ms-excel", OLE, None),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ZIP,
        ("[Content_Types].xml", "word/document.xml"),
    ),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ZIP,
        ("[Content_Types].xml", "xl/workbook.xml"),
    ),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ZIP,
        ("[Content_Types].xml", "ppt/presentation.xml"),
    ),
    "ofd": ("application/ofd", ZIP, ("OFD.xml",)),
    "zip": ("application/zip", ZIP, None),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n", None),
    "jpg": ("image/jpeg", b"\xff\xd8\xff", None),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff", None),
    "csv": ("text/csv", None, None),
    "txt": ("text/plain", None, None),
}
MARKUP_SIGNS = (b"<html", b"<script", b"<svg", b"<!doctype", b"<body", b"<iframe", b"<?xml")
MARKUP_SIGN_BYTES = max(len(sign) for sign in MARKUP_SIGNS)
TEXT_PROBE_BYTES = 64 * 1024
# A binary file with web markup near its start is a polyglot: a browser that sniffs, or a reader
# that opens it in one, may take it for a page. "<?xml" is left out: image metadata has it.
POLYGLOT_SIGNS = (*(sign for sign in MARKUP_SIGNS if sign != b"<?xml"), b"<head", b"<meta")
POLYGLOT_PROBE_BYTES = 1024
OFFICE_ZIP_LIMITS = office_files.Limits()
PLAIN_ZIP_LIMITS = office_files.Limits(office_xml=False)


@dataclass(frozen=True)
class UploadInfo:
    original_name: str
    content_type: str
    size: int
    sha256: str


def allowed_extensions() -> str:
    return "、".join(sorted(FORMATS))


def inspect_upload(upload) -> UploadInfo:
    """Check an uploaded file's size and content; raise a ValidationError people can act on."""
    name = os.path.basename(upload.name or "")
    extension = os.path.splitext(name)[1].lower().lstrip(".")
    if extension not in FORMATS:
        raise ValidationError(
            "不支持的文件类型“%(ext)s”。允许的类型：%(allowed)s。",
            params={"ext": extension or "无扩展名", "allowed": allowed_extensions()},
            code="extension",
        )
    size = upload.size or 0
    if size == 0:
        raise ValidationError("文件是空的（0 字节），请重新选择文件。", code="empty")
    limit = settings.ATTACHMENT_MAX_BYTES
    if size > limit:
        raise ValidationError(
            "文件太大（%(size)s），单个附件不能超过 %(limit)s。",
            params={"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    content_type, magic, members = FORMATS[extension]
    upload.seek(0)
    head = upload.read(TEXT_PROBE_BYTES)
    upload.seek(0)
    mismatch = ValidationError(
        "文件内容与扩展名“.%(ext)s”不符，可能已损坏或被改名，请上传原始文件。",
        params={"ext": extension},
        code="content_mismatch",
    )
    if magic is None:
        _check_plain_text(upload, head)
    elif not head.startswith(magic):
        raise mismatch
    else:
        if any(sign in head[:POLYGLOT_PROBE_BYTES].lower() for sign in POLYGLOT_SIGNS):
            raise ValidationError(
                "文件开头含有网页或脚本内容（可能是伪装成“.%(ext)s”的网页），不予接收。",
                params={"ext": extension},
                code="polyglot",
            )
        if magic == ZIP:
            _check_zip(upload, members, mismatch)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return UploadInfo(name, content_type, size, digest.hexdigest())


def _check_plain_text(upload, head: bytes) -> None:
    """Text attachments must be text all the way through, in an encoding people use here."""
    # The whole file is scanned: a browser that sniffs, or a reader that opens the file in one,
    # finds markup anywhere in it, not only at the top.
    carry = b""
    for chunk in upload.chunks():
        window = carry + chunk.lower()
        if b"\x00" in window:
            raise ValidationError(
                "文本文件中含有空字节（二进制内容），"
                "请另存为 UTF-8 或 GB18030 编码的文本后再上传。",
                code="binary_text",
            )
        if any(sign in window for sign in MARKUP_SIGNS):
            raise ValidationError("文本附件中不能包含网页或脚本内容。", code="markup")
        carry = window[-MARKUP_SIGN_BYTES:]
    upload.seek(0)
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return
        except UnicodeDecodeError as error:
            # A multi-byte character cut off at the end of the probe is not an error.
            if len(head) == TEXT_PROBE_BYTES and error.start >= len(head) - 3:
                return
    raise ValidationError(
        "无法识别文本文件的编码，请另存为 UTF-8 或 GB18030 编码的文本后再上传。",
        code="text_encoding",
    )


def _check_zip(upload, members: tuple[str, ...] | None, mismatch: ValidationError) -> None:
    """The container holds what its type needs, then passes core.office_files' checks."""
    try:
        with zipfile.ZipFile(upload) as archive:
            if members and not set(members) <= set(archive.namelist()):
                raise mismatch
    except zipfile.BadZipFile as error:
        raise mismatch from error
    finally:
        upload.seek(0)
    try:
        office_files.check_zip(upload, OFFICE_ZIP_LIMITS if members else PLAIN_ZIP_LIMITS)
    except office_files.UnsafeFile as error:
        raise ValidationError(str(error), code="unsafe_zip") from error

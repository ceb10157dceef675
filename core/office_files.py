"""Zip containers (.docx, .xlsx, .pptx, .ofd, .zip) checked before anything opens them.

One module for every upload that is a zip: notice attachments (notices/uploads.py), the importer
(importer/reading.py) and the score import (assessments/score_io.py). It reads the archive's
directory, then inflates every member as a stream, counting the bytes that really come out (a
member's declared size may lie), and refuses:

- too many members, a member or a whole archive too large once inflated, and a member that
  inflates more than ``max_ratio`` times its compressed size (zip bombs);
- executables by name (.exe, .dll, .bat, .js, .vbs, .scr, .msi, .ps1 …) or by content (MZ, ELF),
  also inside zips nested in the archive;
- macros: a vbaProject.bin anywhere, or a macro-enabled content type (.docm, .xlsm, .pptm);
- in office documents, XML with a document type declaration (OOXML and OFD never have one;
  it is how entity expansion attacks begin), and, when the caller parses the XML itself
  (``parse_xml``), XML nested deeper than ``max_xml_depth`` or not well-formed;
- and, past ``deadline`` (a time.monotonic() value), whatever is still being checked.

Every refusal is an UnsafeFile whose message tells an editor, in Chinese, what is wrong.
"""

import io
import time
import zipfile
from dataclasses import dataclass
from xml.parsers import expat

from django.template.defaultfilters import filesizeformat

ZIP_MAGIC = b"PK\x03\x04"
EXECUTABLE_MAGICS = (b"MZ", b"\x7fELF")
EXECUTABLE_EXTENSIONS = frozenset({
    "exe", "dll", "com", "bat", "cmd", "js", "jse", "vbs", "vbe", "wsf", "wsh", "scr", "msi",
    "msp", "ps1", "psm1", "hta", "cpl", "lnk", "jar", "sys",
})  # fmt: skip
MACRO_MEMBERS = ("vbaproject.bin", "vbadata.xml")
MACRO_CONTENT_TYPES = (b"macroenabled", b"vbaproject")
XML_SUFFIXES = (".xml", ".rels", ".vml")
DOCTYPE_SIGNS = (b"<!DOCTYPE", b"<!ENTITY")
CHUNK = 64 * 1024
MiB = 1024 * 1024


class UnsafeFile(Exception):
    """The file is refused; the message is for people."""


@dataclass(frozen=True)
class Limits:
    max_members: int = 2000
    max_member_bytes: int = 100 * MiB
    max_total_bytes: int = 200 * MiB
    max_ratio: int = 100
    # Small members may compress very well (a page of repeated markup); the ratio is only
    # checked once a member has inflated past this.
    ratio_floor_bytes: int = 1 * MiB
    max_nesting: int = 2
    max_xml_depth: int = 200
    # The XML members are the parts of an office document (OOXML, OFD), held to their rules;
    # off for a plain .zip, whose files are only passed on.
    office_xml: bool = True
    parse_xml: bool = False


@dataclass
class _Budget:
    limits: Limits
    deadline: float | None
    total: int = 0

    def tick(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise UnsafeFile("文件处理超时，内容可能过于复杂，请简化或拆分后再上传。")


def check_zip(file, limits: Limits = Limits(), *, deadline: float | None = None) -> None:
    """Check a zip archive (bytes or a binary file object); raise UnsafeFile if it is refused.

    A file object is read from its start and left at its start."""
    if isinstance(file, bytes | bytearray | memoryview):
        file = io.BytesIO(file)
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            _check_archive(archive, _Budget(limits, deadline), nesting=0)
    except zipfile.BadZipFile as error:
        raise UnsafeFile("压缩文件已损坏，无法读取，请上传原始文件。") from error
    except (zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError) as error:
        # Zip64 beyond what is allowed, an unknown compression method, encrypted members.
        raise UnsafeFile("压缩文件使用了不支持的格式或已加密，请上传原始文件。") from error
    finally:
        file.seek(0)


def _check_archive(archive: zipfile.ZipFile, budget: _Budget, nesting: int) -> None:
    limits = budget.limits
    members = archive.infolist()
    if len(members) > limits.max_members:
        raise UnsafeFile(
            f"压缩文件中有 {len(members)} 个文件，超过 {limits.max_members} 个的上限，"
            "为安全起见不予接收。"
        )
    for info in members:
        _check_name(info.filename)
        if info.file_size > limits.max_member_bytes:
            raise _too_large(info.filename, limits.max_member_bytes)
    declared = sum(info.file_size for info in members)
    if budget.total + declared > limits.max_total_bytes:
        raise _total_too_large(limits)
    for info in members:
        if not info.is_dir():
            _check_member(archive, info, budget, nesting)


def _check_name(name: str) -> None:
    base = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
    extension = base.rsplit(".", 1)[-1] if "." in base else ""
    if extension in EXECUTABLE_EXTENSIONS:
        raise UnsafeFile(f"压缩文件中含有可执行文件或脚本（{name}），不予接收。")
    if base in MACRO_MEMBERS:
        raise UnsafeFile("文档中含有宏（VBA 代码），不予接收。请另存为不含宏的文档后再上传。")


def _check_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget, nesting):
    limits = budget.limits
    name = info.filename
    is_xml = limits.office_xml and name.lower().endswith(XML_SUFFIXES)
    is_content_types = name == "[Content_Types].xml"
    parser = (
        _DepthCheckingParser(name, limits.max_xml_depth) if is_xml and limits.parse_xml else None
    )
    size, head, tail = 0, b"", b""
    nested = io.BytesIO() if nesting < limits.max_nesting else None
    with archive.open(info) as stream:
        while chunk := stream.read(CHUNK):
            budget.tick()
            size += len(chunk)
            budget.total += len(chunk)
            if size > limits.max_member_bytes:
                raise _too_large(name, limits.max_member_bytes)
            if budget.total > limits.max_total_bytes:
                raise _total_too_large(limits)
            if size > limits.ratio_floor_bytes and size > limits.max_ratio * max(
                info.compress_size, 1
            ):
                raise UnsafeFile(
                    f"压缩文件中的“{name}”解压后是压缩时的 {limits.max_ratio} 倍以上，"
                    "疑似“压缩炸弹”，不予接收。"
                )
            if not head:
                head = chunk[:8]
                if head.startswith(EXECUTABLE_MAGICS):
                    raise UnsafeFile(f"压缩文件中含有可执行程序（{name}），不予接收。")
                if not head.startswith(ZIP_MAGIC):
                    nested = None
            if nested is not None:
                nested.write(chunk)
            if is_xml:
                window = tail + chunk
                if any(sign in window for sign in DOCTYPE_SIGNS):
                    raise UnsafeFile(
                        f"文档中的“{name}”含有 DTD 或实体声明，正常的 Office 文档不会有，不予接收。"
                    )
                if is_content_types and any(t in window.lower() for t in MACRO_CONTENT_TYPES):
                    raise UnsafeFile(
                        "文档中含有宏（启用宏的文档类型），不予接收。请另存为不含宏的文档后再上传。"
                    )
                tail = window[-32:]
                if parser is not None:
                    parser.feed(chunk)
    if parser is not None and size:  # an empty part is no XML to check
        parser.close()
    if nested is not None and head.startswith(ZIP_MAGIC):
        nested.seek(0)
        try:
            with zipfile.ZipFile(nested) as inner:
                _check_archive(inner, budget, nesting + 1)
        except zipfile.BadZipFile as error:
            raise UnsafeFile(f"压缩文件中的“{name}”已损坏，无法读取。") from error


class _DepthCheckingParser:
    """Expat over one XML member, as a stream: refuses depth past the limit and broken XML."""

    def __init__(self, name: str, max_depth: int):
        self.name, self.max_depth, self.depth = name, max_depth, 0
        self.parser = expat.ParserCreate()
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end

    def _start(self, _name, _attributes) -> None:
        self.depth += 1
        if self.depth > self.max_depth:
            raise UnsafeFile(
                f"文档中的“{self.name}”嵌套超过 {self.max_depth} 层，内容异常，不予接收。"
            )

    def _end(self, _name) -> None:
        self.depth -= 1

    def feed(self, chunk: bytes) -> None:
        self._parse(chunk, final=False)

    def close(self) -> None:
        self._parse(b"", final=True)

    def _parse(self, data: bytes, final: bool) -> None:
        try:
            self.parser.Parse(data, final)
        except expat.ExpatError as error:
            raise UnsafeFile(f"文档中的“{self.name}”不是有效的 XML，文件可能已损坏。") from error


def _too_large(name: str, limit: int) -> UnsafeFile:
    return UnsafeFile(
        f"压缩文件中的“{name}”解压后超过 {filesizeformat(limit)}，为安全起见不予接收。"
    )


def _total_too_large(limits: Limits) -> UnsafeFile:
    return UnsafeFile(
        f"文件解压后超过 {filesizeformat(limits.max_total_bytes)}，为安全起见不予接收。"
        "请拆分或压缩其中的图片后再上传。"
    )

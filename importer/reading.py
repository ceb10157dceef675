"""Bytes of a legacy file → text: plain text in the encodings people use here, HTML pages as saved
from an old portal (menus, footers and scripts left out), and .docx documents.

Every refusal is a ReadError whose message tells an editor what is wrong and what to do.
"""

import codecs
import io
import re
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.conf import settings
from django.template.defaultfilters import filesizeformat

from core import office_files

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
# A .docx passes core/office_files.py before python-docx opens it. Its main part is parsed
# into a tree in memory, some ten times its size; a notice's document.xml is rarely 1 MB.
DOCX_LIMITS = office_files.Limits(
    max_members=500, max_member_bytes=10 * 1024 * 1024, max_total_bytes=20 * 1024 * 1024,
    parse_xml=True,
)  # fmt: skip
# Longer texts are not notices, and parsing time grows with the text.
MAX_TEXT_CHARS = 500_000
TEXT_EXTENSIONS = {"txt", "text", ""}
HTML_EXTENSIONS = {"htm", "html", "shtml", "xhtml"}
DOCX_EXTENSIONS = {"docx"}
SUPPORTED = "、".join([".txt", ".html", ".htm", ".docx"])


class ReadError(Exception):
    """The file cannot be read as a notice; the message is for people."""


@dataclass
class Source:
    text: str
    kind: str  # "text", "html" or "docx"
    encoding: str = ""
    # What the page said about itself outside the text: <title>, <meta name="PubDate">…
    meta: dict[str, str] = field(default_factory=dict)
    # Text of recognized site chrome (menus, footers) left out of an HTML page.
    chrome: list[str] = field(default_factory=list)


def max_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def size_problem(size: int) -> str:
    """Why a file of this size is refused, or ""."""
    limit = max_bytes()
    if size == 0:
        return "文件是空的（0 字节）。"
    if size > limit:
        return (
            f"文件太大（{filesizeformat(size)}），单个文件不能超过 {filesizeformat(limit)}。"
            "请拆分后再导入。"
        )
    return ""


DEFAULT_ARCHIVE_MAX_BYTES = 100 * 1024 * 1024
# A .zip of a folder's files: each member is held to the single file's limit.
ARCHIVE_MAX_MEMBERS = 5000


def archive_max_bytes() -> int:
    return int(getattr(settings, "IMPORT_ARCHIVE_MAX_BYTES", DEFAULT_ARCHIVE_MAX_BYTES))


def archive_size_problem(size: int) -> str:
    limit = archive_max_bytes()
    if size == 0:
        return "压缩包是空的（0 字节）。"
    if size > limit:
        return (
            f"压缩包太大（{filesizeformat(size)}），不能超过 {filesizeformat(limit)}。"
            "请分成几个压缩包上传。"
        )
    return ""


def archive_limits() -> office_files.Limits:
    return office_files.Limits(
        max_members=ARCHIVE_MAX_MEMBERS,
        max_member_bytes=max_bytes(),
        max_total_bytes=archive_max_bytes() * 20,
        office_xml=False,
    )


def extension_of(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def read(data: bytes, name: str) -> Source:
    """Decode a file; raise ReadError with a reason an editor can act on."""
    source = _read(data, name)
    if len(source.text) > MAX_TEXT_CHARS:
        raise ReadError(
            f"文件的正文超过 {MAX_TEXT_CHARS // 10000} 万字，不像是一条公告，请拆分后再导入。"
        )
    return source


def _read(data: bytes, name: str) -> Source:
    problem = size_problem(len(data))
    if problem:
        raise ReadError(problem)
    extension = extension_of(name)
    if data.startswith(b"%PDF-"):
        raise ReadError("暂不支持 PDF 文件，请另存为 .docx 或 .txt 后再导入。")
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise ReadError("这是旧版 Word/WPS（.doc/.wps）文件，请另存为 .docx 后再导入。")
    if data.startswith(b"PK\x03\x04") or extension in DOCX_EXTENSIONS:
        return read_docx(data)
    if extension not in TEXT_EXTENSIONS | HTML_EXTENSIONS:
        raise ReadError(f"不支持的文件类型“.{extension}”，可导入的类型：{SUPPORTED}。")
    text, encoding = decode(data)
    if extension in HTML_EXTENSIONS or _looks_like_html(text):
        return read_html(text, encoding)
    return Source(text=text, kind="text", encoding=encoding)


_BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "hz-gb-2312"}


def decode(data: bytes) -> tuple[str, str]:
    """UTF-8 or UTF-16 (with a byte-order mark), UTF-8, or GB18030 (which includes GBK and
    GB2312); the charset an HTML page declares is tried first."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(encoding), encoding), encoding
            except UnicodeDecodeError as error:
                raise ReadError(
                    f"文件声明为 {encoding.upper()} 编码，但第 {error.start} 字节处内容无效，"
                    "文件可能已损坏。"
                ) from error
    declared = _CHARSET.search(data[:4096])
    candidates = ["utf-8", "gb18030"]
    if declared:
        name = declared.group(1).decode("ascii", "replace").lower()
        name = "gb18030" if name in _GB_FAMILY else name
        if name in candidates:
            candidates.remove(name)
            candidates.insert(0, name)
    nuls = data.count(0)
    if nuls > 3:  # a stray NUL or two is noise; many are UTF-16 or a binary file
        return _decode_utf16_without_bom(data)
    for encoding in candidates:
        try:
            return _checked(data.decode(encoding), encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ReadError(
        "无法识别文件的编码（既不是 UTF-8，也不是 GBK/GB18030）。"
        "请用记事本或 WPS 另存为 UTF-8 编码后再导入。"
    )


def _decode_utf16_without_bom(data: bytes) -> tuple[str, str]:
    # Text saved as UTF-16 without a byte-order mark has its zero bytes (the high half of every
    # ASCII character) nearly all on one side; binary files have them anywhere.
    if len(data) % 2 == 0:
        even, odd = data[0::2].count(0), data[1::2].count(0)
        if max(even, odd) >= 4 * min(even, odd):
            encoding = "utf-16-le" if odd > even else "utf-16-be"
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                text = ""
            readable = sum(1 for c in text if c.isprintable() or c in "\n\r\t")
            if text and readable / len(text) > 0.95 and _mostly_text(text):
                return _checked(text, encoding), encoding
    raise ReadError("文件中含有二进制内容（空字节），不是文本文件，也不是 .docx 文档。")


def _mostly_text(text: str) -> bool:
    common = sum(
        1
        for c in text
        if c.isascii()
        or "\u4e00" <= c <= "\u9fff"
        or "\u3000" <= c <= "\u303f"
        or "\uff00" <= c <= "\uffef"
    )
    return common / len(text) > 0.9


def _checked(text: str, encoding: str) -> str:
    """Refuse text that decoded but is mostly control characters: a binary file."""
    sample = text[:20000]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\t\n\r\f\v")
    if sample and controls > max(3, len(sample) // 100):
        raise ReadError("文件中含有大量控制字符，看起来是二进制文件，不是文本。")
    # A stray NUL carries no text, and PostgreSQL cannot store it in a text column.
    return text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")


def _looks_like_html(text: str) -> bool:
    head = text[:2048].lower()
    return any(sign in head for sign in ("<html", "<!doctype html", "<body", "<head"))


# Elements whose text is site chrome, by tag or by a class/id word.
CHROME_TAGS = {"nav", "footer", "aside", "form", "select", "button", "menu"}
DROPPED_TAGS = {"script", "style", "noscript", "template", "svg", "iframe", "object", "head"}
CHROME_WORDS = {
    "nav", "navbar", "navigation", "menu", "menus", "footer", "foot", "breadcrumb", "crumb",
    "crumbs", "sidebar", "share", "copyright", "banner", "topbar", "toolbar",
    "friendlink", "links", "search", "login", "position", "location",
}  # fmt: skip
BLOCK_TAGS = {
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol",
    "section", "article", "blockquote", "pre", "dd", "dt", "hr", "center", "caption",
}  # fmt: skip
VOID_TAGS = {"br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr", "source"}
META_NAMES = {
    "articletitle": "title",
    "pubdate": "published",
    "firstpublishedtime": "published",
    "contentsource": "source",
}


class _PageText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = []  # (tag, "" | "chrome" | "drop")
        self.parts: list[str] = []
        self.chrome: list[list[str]] = []
        self.meta: dict[str, str] = {}
        self.in_title = False
        self.title: list[str] = []
        self.h1: list[str] = []
        self.in_h1 = False

    def _state(self) -> str:
        for _tag, state in reversed(self.stack):
            if state:
                return state
        return ""

    def handle_starttag(self, tag, attrs):
        attributes = {name: (value or "") for name, value in attrs}
        if tag == "meta":
            name = attributes.get("name", "").lower()
            if name in META_NAMES and attributes.get("content"):
                self.meta.setdefault(META_NAMES[name], attributes["content"].strip())
            return
        if tag == "title":
            self.in_title = True
        if tag in BLOCK_TAGS and self._state() != "drop":
            self._newline()
        if tag in VOID_TAGS:
            return
        state = ""
        words = set(
            re.split(
                r"[\s_\-]+", f"{attributes.get('class', '')} {attributes.get('id', '')}".lower()
            )
        )
        if tag in DROPPED_TAGS:
            state = "drop"
        elif tag in CHROME_TAGS or words & CHROME_WORDS:
            state = "chrome"
            if self._state() == "":
                self.chrome.append([])
        if tag == "h1":
            self.in_h1 = True
        self.stack.append((tag, state))

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if tag == "h1":
            self.in_h1 = False
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break
        if tag in BLOCK_TAGS:
            self._newline()
        if tag in ("td", "th"):
            self.parts.append(" ")

    def handle_data(self, data):
        if self.in_title:
            self.title.append(data)
            return
        state = self._state()
        if state == "drop":
            return
        if state == "chrome":
            if self.chrome:
                self.chrome[-1].append(data)
            return
        if self.in_h1:
            self.h1.append(data)
        self.parts.append(data)

    def _newline(self):
        self.parts.append("\n")


def read_html(text: str, encoding: str = "") -> Source:
    parser = _PageText()
    try:
        parser.feed(text)
        parser.close()
    except Exception as error:  # html.parser is lenient; anything it still rejects is broken
        raise ReadError(f"网页无法解析：{error}") from error
    meta = dict(parser.meta)
    title = " ".join("".join(parser.title).split())
    if title:
        meta.setdefault("page_title", title)
    h1 = " ".join("".join(parser.h1).split())
    if h1:
        meta.setdefault("h1", h1)
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    chrome = [" ".join("".join(block).split()) for block in parser.chrome]
    return Source(
        text="\n".join(line for line in lines if line),
        kind="html",
        encoding=encoding,
        meta=meta,
        chrome=[block for block in chrome if block],
    )


def read_docx(data: bytes) -> Source:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except zipfile.BadZipFile as error:
        raise ReadError("不是有效的 .docx 文档（文件已损坏或被改名）。") from error
    if "word/document.xml" not in names:
        raise ReadError("这是一个压缩包，不是 Word（.docx）文档。")
    try:
        office_files.check_zip(data, DOCX_LIMITS)
    except office_files.UnsafeFile as error:
        raise ReadError(f"{error}（未导入）") from error
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        for child in document.element.body.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                lines.append(Paragraph(child, document).text)
            elif tag == "tbl":
                for row in Table(child, document).rows:
                    cells = []
                    for cell in row.cells:
                        value = " ".join(cell.text.split())
                        if not cells or cells[-1] != value:  # merged cells repeat
                            cells.append(value)
                    lines.append("\t".join(cells))
        title = (document.core_properties.title or "").strip()
    except ReadError:
        raise
    except Exception as error:
        raise ReadError(f".docx 文档已损坏，无法读取（{type(error).__name__}）。") from error
    meta = {"document_title": title} if title else {}
    return Source(text="\n".join(lines), kind="docx", encoding="", meta=meta)

"""The text of a notice that the checks read: title, summary, body (as the reader sees it, one
paragraph a line) and the text of its attachments (.docx, .xlsx, text PDFs, .txt)."""

import io
import os
from dataclasses import dataclass
from html.parser import HTMLParser

from core import office_files

# An attachment's text past this is not read: a check must not stall a submission.
MAX_ATTACHMENT_CHARACTERS = 500_000
MAX_PDF_PAGES = 300
BLOCK_TAGS = frozenset({
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol",
    "blockquote", "section", "article", "pre", "hr", "dd", "dt",
})  # fmt: skip
CELL_TAGS = frozenset({"td", "th"})


@dataclass(frozen=True)
class Part:
    """A named part of a notice and its text."""

    name: str
    text: str


class _TextOf(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skipping += 1
        elif tag in BLOCK_TAGS:
            self.pieces.append("\n")
        elif tag in CELL_TAGS:
            self.pieces.append(" ")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCK_TAGS:
            self.pieces.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.pieces.append(data.replace("\n", " "))


def html_text(html: str) -> str:
    """The text of sanitized HTML as a reader sees it: one paragraph (or table row) a line."""
    parser = _TextOf()
    parser.feed(html or "")
    parser.close()
    text = "".join(parser.pieces).replace("\xa0", " ")
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


class UnreadableAttachment(Exception):
    """An attachment whose text could not be read; the message is for people."""


def attachment_text(name: str, data: bytes) -> str:
    """The text of an attachment's bytes by its extension; "" for kinds without text (images).
    Raises UnreadableAttachment for a file that should have text and gave none."""
    extension = os.path.splitext(name)[1].lower().lstrip(".")
    try:
        if extension == "docx":
            office_files.check_zip(io.BytesIO(data))
            text = _docx_text(data)
        elif extension == "xlsx":
            office_files.check_zip(io.BytesIO(data))
            text = _xlsx_text(data)
        elif extension == "pdf":
            text = _pdf_text(data)
            if not text.strip():
                raise UnreadableAttachment("PDF 中没有可提取的文字（可能是扫描件），请人工检查。")
        elif extension in ("txt", "csv"):
            text = data.decode("utf-8", errors="replace")
        else:
            return ""
    except UnreadableAttachment:
        raise
    except office_files.UnsafeFile as error:
        raise UnreadableAttachment(str(error)) from error
    except Exception as error:  # any parser failure: a person reads it
        raise UnreadableAttachment(
            "文件已损坏或格式无法识别，未能读取文字，请人工检查。"
        ) from error
    return text[:MAX_ATTACHMENT_CHARACTERS]


def _docx_text(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" ".join(cell.text for cell in row.cells))
    for section in document.sections:
        for paragraph in [*section.header.paragraphs, *section.footer.paragraphs]:
            lines.append(paragraph.text)
    return "\n".join(line for line in lines if line.strip())


def _xlsx_text(data: bytes) -> str:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    lines: list[str] = []
    size = 0
    try:
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows(values_only=True):
                line = " ".join(str(value) for value in row if value is not None)
                if line:
                    lines.append(line)
                    size += len(line)
                if size > MAX_ATTACHMENT_CHARACTERS:
                    return "\n".join(lines)
    finally:
        workbook.close()
    return "\n".join(lines)


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    lines: list[str] = []
    size = 0
    for page in reader.pages[:MAX_PDF_PAGES]:
        text = page.extract_text() or ""
        lines.append(text)
        size += len(text)
        if size > MAX_ATTACHMENT_CHARACTERS:
            break
    return "\n".join(lines)


def notice_parts(notice) -> tuple[list[Part], list[str]]:
    """The parts of a notice to check, and what could not be read (for a person to check)."""
    parts = [
        Part("标题", notice.title),
        Part("内容概述", notice.summary),
        Part("正文", html_text(notice.body)),
    ]
    unread = []
    for attachment in notice.attachments.all():
        label = f"附件：{attachment.title}"
        name = attachment.original_name or attachment.file.name
        try:
            with attachment.file.open("rb") as handle:
                data = handle.read()
            text = attachment_text(name, data)
        except UnreadableAttachment as error:
            unread.append(f"{label}（{name}）：{error}")
            continue
        except OSError:
            unread.append(f"{label}（{name}）：文件无法打开，请人工检查。")
            continue
        if text:
            parts.append(Part(label[:250], text))
    return [part for part in parts if part.text], unread

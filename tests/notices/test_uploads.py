"""Attachments are accepted by what their bytes are, and refused with a message to act on."""

import hashlib
import io
import re
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

from notices.models import Attachment
from notices.uploads import TEXT_PROBE_BYTES, inspect_upload

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels"'
    ' ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/{part}" ContentType="{type}"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="{part}" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument"/></Relationships>'
)
DOCUMENT_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>考核成绩表</w:t></w:r></w:p></w:body></w:document>"
)
WORKBOOK_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheets><sheet name="A组" sheetId="1"/></sheets></workbook>'
)
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(document.domain)</script></svg>"
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"


def minimal_pdf() -> bytes:
    """A one-page PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def ooxml(part: str, part_type: str, xml: str, *, content_types: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if content_types:
            archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(part=part, type=part_type))
        archive.writestr("_rels/.rels", RELS.format(part=part))
        archive.writestr(part, xml)
    return buffer.getvalue()


def docx(**options) -> bytes:
    return ooxml(
        "word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        DOCUMENT_XML,
        **options,
    )


def xlsx() -> bytes:
    return ooxml(
        "xl/workbook.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        WORKBOOK_XML,
    )


def zip_of(**files: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.fixture(params=["in memory", "on disk"])
def uploaded(request):
    """Uploads as Django hands them over: small ones in memory (read as one chunk), large ones in
    a temporary file (read in 64 KB chunks)."""
    opened = []

    def make(name: str, content: bytes):
        if request.param == "in memory":
            return SimpleUploadedFile(name, content)
        upload = TemporaryUploadedFile(name, "application/octet-stream", len(content), None)
        upload.write(content)
        upload.seek(0)
        opened.append(upload)
        return upload

    yield make
    for upload in opened:
        upload.close()


def refusal(name: str, content: bytes, make=SimpleUploadedFile) -> str:
    with pytest.raises(ValidationError) as caught:
        inspect_upload(make(name, content))
    [message] = caught.value.messages
    assert re.search(r"[\u4e00-\u9fff]{4,}", message), f"not a Chinese message: {message}"
    return message


def attach(notice, name: str, content: bytes) -> Attachment:
    attachment = Attachment(notice=notice, title="附件1：考核成绩表")
    attachment.file = SimpleUploadedFile(name, content)
    attachment.full_clean()
    return attachment


def test_minimal_pdf_is_accepted_and_its_facts_recorded():
    content = minimal_pdf()
    info = inspect_upload(SimpleUploadedFile("考核通报.pdf", content))
    assert info.original_name == "考核通报.pdf"
    assert info.content_type == "application/pdf"
    assert info.size == len(content)
    assert info.sha256 == hashlib.sha256(content).hexdigest()


def test_attachment_clean_records_the_facts_and_saves_the_whole_file(notice_in):
    content = minimal_pdf()
    attachment = attach(notice_in("draft"), "考核通报.PDF", content)
    assert attachment.original_name == "考核通报.PDF"
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    attachment.save()
    with Attachment.objects.get(pk=attachment.pk).file.open("rb") as stored:
        assert stored.read() == content


@pytest.mark.parametrize(
    ("name", "build", "content_type"),
    [("附件1.docx", docx, DOCX_TYPE), ("附件2.xlsx", xlsx, XLSX_TYPE)],
)
def test_office_documents_are_accepted(notice_in, name, build, content_type):
    content = build()
    attachment = attach(notice_in("draft"), name, content)
    assert attachment.content_type == content_type
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("培训安排.csv", "序号,单位,时间\n1,兰州市,2017年3月\n".encode()),
        ("培训安排.csv", "\ufeff序号,单位,时间\n1,兰州市,2017年3月\n".encode()),
        ("培训安排.csv", "序号,单位,时间\n1,兰州市,2017年3月\n".encode("gb18030")),
        ("说明.txt", "甘肃省人民政府办公厅\r\n".encode("gb18030") * 3000),
    ],
    ids=["utf-8", "utf-8 with BOM", "gb18030", "long gb18030"],
)
def test_text_in_utf8_or_gb18030_is_accepted(uploaded, name, content):
    info = inspect_upload(uploaded(name, content))
    assert info.size == len(content)


def test_a_multibyte_character_cut_by_the_probe_is_not_an_encoding_error():
    content = b"a" + "政".encode() * TEXT_PROBE_BYTES
    assert inspect_upload(SimpleUploadedFile("长文本.txt", content)).size == len(content)


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("通知.pdf", HTML, "与扩展名“.pdf”不符"),
        ("图表.svg", SVG, "不支持的文件类型“svg”"),
        ("图表.png", SVG, "与扩展名“.png”不符"),
        ("成绩表.docx", minimal_pdf(), "与扩展名“.docx”不符"),
        ("成绩表.docx", zip_of(**{"[Content_Types].xml": "<Types/>"}), "与扩展名“.docx”不符"),
        ("成绩表.docx", zip_of(**{"word/document.xml": DOCUMENT_XML}), "与扩展名“.docx”不符"),
        ("成绩表.xlsx", docx(), "与扩展名“.xlsx”不符"),
        ("成绩表.docx", b"PK\x03\x04 not really a zip", "与扩展名“.docx”不符"),
        ("通知.pdf", EXE, "与扩展名“.pdf”不符"),
        ("通知.exe", EXE, "不支持的文件类型“exe”"),
        ("通知.pdf.exe", EXE, "不支持的文件类型“exe”"),
        ("通知.html", HTML, "不支持的文件类型“html”"),
        ("通知", minimal_pdf(), "不支持的文件类型“无扩展名”"),
        (".pdf", minimal_pdf(), "不支持的文件类型“无扩展名”"),
        ("通知.pdf", b"", "文件是空的"),
    ],
    ids=[
        "html renamed pdf",
        "svg",
        "svg renamed png",
        "pdf named docx",
        "zip without document named docx",
        "zip without content types named docx",
        "docx named xlsx",
        "broken zip named docx",
        "exe named pdf",
        "exe",
        "exe with double extension",
        "html",
        "no extension",
        "only an extension",
        "empty",
    ],
)
def test_dangerous_or_mislabelled_files_are_refused(name, content, problem):
    assert problem in refusal(name, content)


def test_refusal_of_an_unknown_type_lists_what_is_allowed():
    message = refusal("压缩包.rar", b"Rar!\x1a\x07\x00")
    assert "允许的类型" in message
    assert "pdf" in message
    assert "docx" in message


def test_oversized_file_is_refused_with_both_sizes(settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    content = minimal_pdf() + b"%" * 2048
    message = refusal("通知.pdf", content)
    assert "文件太大" in message
    assert "2.3\xa0KB" in message
    assert "1.0\xa0KB" in message
    assert inspect_upload(SimpleUploadedFile("通知.pdf", minimal_pdf())).size <= 1024


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("名单.csv", b"name,note\n1,<script>alert(1)</script>\n"),
        ("名单.csv", b"<html><body>1,2</body></html>"),
        ("说明.txt", b"  <HTML><BODY>text</BODY></HTML>"),
        ("说明.txt", b"\xef\xbb\xbf<!DOCTYPE html><p>x</p>"),
        ("说明.txt", "说明\n".encode() * 400 + b"<ScRiPt src=//evil.example/x.js></script>"),
        ("名单.csv", b"1,2\n" * (TEXT_PROBE_BYTES // 4 + 10) + b"<iframe src=//evil.example>"),
        ("名单.csv", b"1,2\n" * (TEXT_PROBE_BYTES // 4 - 1) + b"1,<scr" + b"ipt>alert(1)</script>"),
    ],
    ids=[
        "csv with script",
        "csv with html",
        "txt with html",
        "txt with doctype after BOM",
        "markup after the first kilobyte",
        "markup after the probe",
        "markup split across chunks",
    ],
)
def test_text_with_markup_is_refused(uploaded, name, content):
    assert "不能包含网页或脚本内容" in refusal(name, content, uploaded)


def test_text_with_nul_bytes_is_refused(uploaded):
    assert "空字节" in refusal("说明.txt", b"abc\x00def", uploaded)
    assert "空字节" in refusal("说明.txt", "Notepad 的 Unicode 文本".encode("utf-16"), uploaded)
    assert "空字节" in refusal("名单.csv", b"1,2\n" * (TEXT_PROBE_BYTES // 2) + b"\x00", uploaded)


def test_text_in_an_unknown_encoding_is_refused():
    assert "编码" in refusal("说明.txt", b"abc\x80\x80\xff")


def test_attachment_clean_refuses_with_the_same_message(notice_in):
    notice = notice_in("draft")
    with pytest.raises(ValidationError) as caught:
        attach(notice, "通知.pdf", HTML)
    assert any("与扩展名“.pdf”不符" in message for message in caught.value.messages)
    with pytest.raises(ValidationError) as caught:
        attach(notice, "通知.exe", EXE)
    assert any("不支持的文件类型“exe”" in message for message in caught.value.messages)


def zip_with(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def docx_with(extra: dict[str, bytes], content_type: str = DOCX_TYPE + ".main+xml") -> bytes:
    """A minimal .docx with more members, or with another main content type."""
    return zip_with(
        {
            "[Content_Types].xml": CONTENT_TYPES.format(
                part="word/document.xml", type=content_type
            ).encode(),
            "_rels/.rels": RELS.format(part="word/document.xml").encode(),
            "word/document.xml": DOCUMENT_XML.encode(),
            **extra,
        }
    )


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    + ']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
).encode()


def test_documents_made_by_word_and_excel_libraries_are_accepted():
    import docx as python_docx
    import openpyxl

    document = python_docx.Document()
    document.add_paragraph("关于开展政务公开考核的通知")
    document.add_table(rows=2, cols=2).cell(0, 0).text = "单位"
    out = io.BytesIO()
    document.save(out)
    assert inspect_upload(SimpleUploadedFile("通知.docx", out.getvalue())).content_type == DOCX_TYPE
    workbook = openpyxl.Workbook()
    workbook.active.append(["单位名称", "A1"])
    out = io.BytesIO()
    workbook.save(out)
    assert inspect_upload(SimpleUploadedFile("成绩.xlsx", out.getvalue())).content_type == XLSX_TYPE


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (
            "通知.pdf",
            minimal_pdf().replace(b"%\xe2\xe3\xcf\xd3\n", b"%<html><script>alert(1)</script>\n"),
        ),
        (
            "通知.pdf",
            b"%PDF-1.4\n" + b"%" * 500 + b"\n<!-- <BODY onload=alert(1)> -->\n" + minimal_pdf(),
        ),
        ("图表.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100 + b"<svg onload=alert(1)>"),
        ("旧稿.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1<iframe src=//evil.example>"),
    ],
    ids=[
        "script in a pdf comment",
        "body in the first kilobyte",
        "svg in a png",
        "iframe in a doc",
    ],
)
def test_binary_files_with_markup_in_the_first_kilobyte_are_refused(name, content):
    assert "网页或脚本内容" in refusal(name, content)


def test_html_with_a_pdf_after_it_is_refused():
    assert "与扩展名“.pdf”不符" in refusal("通知.pdf", b"<html><script>x</script>" + minimal_pdf())


def test_markup_past_the_first_kilobyte_of_a_pdf_is_its_own_business():
    content = minimal_pdf() + b"%" * 1024 + b"\n% <html> in a late comment\n"
    assert inspect_upload(SimpleUploadedFile("通知.pdf", content)).size == len(content)


@pytest.mark.parametrize(
    "member", ["setup.exe", "lib/x.DLL", "run.bat", "a.js", "b.vbs", "c.scr", "d.msi", "e.ps1"]
)
def test_zips_holding_executables_by_name_are_refused(member):
    assert "可执行文件或脚本" in refusal("材料.zip", zip_with({"说明.txt": b"x", member: b"x"}))


@pytest.mark.parametrize(("member", "content"), [("照片.jpg", EXE), ("readme", ELF)])
def test_zips_holding_executables_by_content_are_refused(member, content):
    assert "可执行程序" in refusal("材料.zip", zip_with({member: content}))


def test_an_executable_in_a_zip_inside_a_zip_is_refused():
    inner = zip_with({"tool.exe": EXE})
    assert "可执行" in refusal("材料.zip", zip_with({"inner.zip": inner}))


def test_a_docx_with_an_executable_disguised_as_an_image_is_refused():
    assert "可执行程序" in refusal("通知.docx", docx_with({"word/media/image1.png": EXE}))


def test_macro_enabled_documents_are_refused():
    assert "宏" in refusal("通知.docx", docx_with({"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"}))
    macro_type = "application/vnd.ms-word.document.macroEnabled.main+xml"
    assert "宏" in refusal("通知.docx", docx_with({}, content_type=macro_type))


def test_a_zip_bomb_is_refused_fast():
    import time

    bomb = docx_with({"word/header1.xml": b"<a>" + b" " * (8 * 1024 * 1024) + b"</a>"})
    assert len(bomb) < 64 * 1024
    started = time.monotonic()
    assert "压缩炸弹" in refusal("通知.docx", bomb)
    assert time.monotonic() - started < 2


def test_an_archive_too_large_once_inflated_is_refused(monkeypatch):
    from notices import uploads

    small = uploads.office_files.Limits(max_total_bytes=4096)
    monkeypatch.setattr(uploads, "PLAIN_ZIP_LIMITS", small)
    content = zip_with({f"{n}.txt": bytes(range(256)) * 8 for n in range(4)})
    assert "解压后超过" in refusal("材料.zip", content)


def test_office_xml_with_entity_declarations_is_refused():
    assert "实体声明" in refusal("通知.docx", docx_with({"word/document.xml": BILLION_LAUGHS}))

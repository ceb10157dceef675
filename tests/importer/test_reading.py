"""Bytes → text, and every way a file can be unreadable, each with a message people can act on."""

import codecs
import io
import zipfile

import pytest

from importer import parsing, reading
from tests.importer.helpers import make_docx, seed_bytes

NOTICE = (
    "示例市人民政府办公室关于做好政务公开工作的通知\n各县区人民政府：\n"
    "现将有关事项通知如下。\n示例市人民政府办公室\n2019年3月5日\n"
)


def test_utf8_text():
    source = reading.read(NOTICE.encode("utf-8"), "a.txt")
    assert source.kind == "text" and source.encoding == "utf-8"
    assert source.text == NOTICE


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "gb2312"])
def test_gbk_family_text(encoding):
    source = reading.read(NOTICE.encode(encoding), "a.txt")
    assert source.text == NOTICE and source.encoding == "gb18030"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (codecs.BOM_UTF8 + NOTICE.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + NOTICE.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + NOTICE.encode("utf-16-be"), "utf-16"),
    ],
)
def test_byte_order_marks(data, encoding):
    source = reading.read(data, "a.txt")
    assert source.text == NOTICE and source.encoding == encoding


def test_utf16_without_bom():
    source = reading.read(NOTICE.encode("utf-16-le"), "a.txt")
    assert source.text == NOTICE


def test_windows_line_endings():
    source = reading.read(NOTICE.replace("\n", "\r\n").encode("utf-8"), "a.txt")
    assert "\r" not in source.text


def test_html_declared_gb2312_is_decoded_as_such():
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        "<title>通知</title></head><body><p>关于做好政务公开工作的通知</p></body></html>"
    )
    source = reading.read(page.encode("gbk"), "page.htm")
    assert source.kind == "html" and source.encoding == "gb18030"
    assert "关于做好政务公开工作的通知" in source.text


def test_html_without_extension_is_recognized_by_content():
    source = reading.read(
        b"<!DOCTYPE html><html><body><p>\xe9\x80\x9a\xe7\x9f\xa5</p></body></html>", "x"
    )
    assert source.kind == "html" and source.text == "通知"


def test_docx_paragraphs_and_tables_in_order():
    data = make_docx(
        ["关于做好政务公开工作的通知", "各县区："], table=[["单位", "得分"], ["甲", "90"]]
    )
    source = reading.read(data, "a.docx")
    assert source.kind == "docx"
    assert source.text.split("\n") == [
        "关于做好政务公开工作的通知",
        "各县区：",
        "单位\t得分",
        "甲\t90",
    ]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.txt", "文件是空的"),
        (b"%PDF-1.4\n%\xe2\xe3", "a.pdf", "暂不支持 PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "a.doc", "另存为 .docx"),
        (b"\x00\x01\x02\x03\xff\xfe\xfd" * 200, "a.txt", "二进制"),
        (bytes(range(1, 32)) * 50, "a.txt", "控制字符"),
        (b"caf\xe9 cr\xe8me \xff\xfe na\xefve", "latin1.txt", "无法识别文件的编码"),
        (b"PK\x03\x04not really a zip", "a.docx", "不是有效的 .docx"),
        (b"\x89PNG\r\n\x1a\n\0\0", "a.png", "不支持的文件类型"),
    ],
)
def test_unreadable_files_get_a_clear_reason(data, name, message):
    with pytest.raises(reading.ReadError, match=message):
        reading.read(data, name)


def test_zip_that_is_not_a_word_document():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(reading.ReadError, match="不是 Word"):
        reading.read(buffer.getvalue(), "a.docx")


def test_zip_bomb_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "word/document.xml", b"<" + b" " * (reading.DOCX_LIMITS.max_total_bytes + 10)
        )
    assert len(buffer.getvalue()) < reading.max_bytes()
    with pytest.raises(reading.ReadError, match="解压后超过"):
        reading.read(buffer.getvalue(), "bomb.docx")


def test_huge_file_refused_with_the_limit(settings):
    settings.IMPORT_MAX_BYTES = 1000
    with pytest.raises(reading.ReadError, match=r"文件太大.*不能超过"):
        reading.read(seed_bytes(), "seed.txt")


def test_default_limit_is_five_megabytes():
    assert reading.max_bytes() == 5 * 1024 * 1024
    with pytest.raises(reading.ReadError, match="文件太大"):
        reading.read(b"a" * (5 * 1024 * 1024 + 1), "big.txt")


def test_seed_encoded_as_gbk_parses_the_same():
    text = seed_bytes().decode("utf-8")
    gbk = text.encode("gb18030")
    parsed = parsing.parse(reading.read(gbk, "seed-gbk.txt").text)
    original = parsing.parse(text)
    assert parsed.title == original.title
    assert [i.number for s in parsed.sections for i in s.items] == [
        i.number for s in original.sections for i in s.items
    ]

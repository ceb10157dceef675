"""Text hard-wrapped by PDF extraction joined back into paragraphs (importer/wrapping.py), on
the shapes real extracted text has: lines broken at the page's display width (a digit or a
Latin letter half as wide as a Han character), no blank line between paragraphs, page numbers
(— 2 —, 第2页 共3页, a bare 2) and running heads at page breaks, form feeds, tables."""

import unicodedata

import pytest

from importer import parsing, wrapping
from importer.parsed import ParsedNotice

# Paragraphs of a real 通报 (国办函〔2016〕68号, tests/importer/corpus/real), as its page has them.
TITLE = "国务院办公厅关于2016年第二次全国政府网站抽查情况的通报"
PARAGRAPHS = [
    "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：",
    "为进一步加强全国政府网站信息内容建设，更好地发挥其政务公开和服务群众主平台作用，"
    "国务院办公厅组织开展了2016年第二次全国政府网站抽查。现将有关情况通报如下：",
    "一、总体情况",
    "2016年6月，按照《国务院办公厅关于开展第一次全国政府网站普查的通知》（国办发〔2015〕15号）"
    "确定的检查标准，国务院办公厅随机抽查了各级政府网站746个，大部分政府网站内容保障水平显著"
    "提升，“僵尸”、“睡眠”等现象明显减少，总体抽查合格率85%，比一季度有所提高。国务院部门"
    "（含内设、垂直管理机构）政府网站抽查合格率为98.5%；北京、辽宁、青海等地政府网站抽查合格率"
    "达100%，广东、湖北、山东、浙江、四川、湖南等地政府网站抽查合格率超过90%。",
    "二、抽查发现的主要问题",
    "（一）个别基层网站仍存在严重问题。抽查发现不合格网站112个。其中，云南省“勐腊县保护所”"
    "网超过6年未更新，部分网站栏目长期空白，互动回应渠道形同虚设，网民留言长期得不到答复。",
]


def _width(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def wrap(paragraph: str, width: int) -> list[str]:
    """A paragraph as a PDF lays it out: broken where the display width runs out."""
    lines, line, used = [], "", 0
    for char in paragraph:
        if used + _width(char) > width:
            lines.append(line)
            line, used = "", 0
        line += char
        used += _width(char)
    return [*lines, line] if line else lines


def pdf_text(width: int = 56, per_page: int = 9, number=lambda n: f"— {n} —", head="") -> str:
    lines = [TITLE]
    for paragraph in PARAGRAPHS:
        lines.extend(wrap(paragraph, width))
    out = []
    for start in range(0, len(lines), per_page):
        page = start // per_page + 1
        if page > 1:
            out.append("\f" + head if head else "\f")
        out.extend(lines[start : start + per_page])
        out.append(number(page))
    return "\n".join(out)


def joined(text: str) -> tuple[list[str], ParsedNotice]:
    result = ParsedNotice()
    lines = [line for line in wrapping.rejoin(text.split("\n"), result) if line.strip()]
    return lines, result


@pytest.mark.parametrize("width", [44, 56, 60, 70])
def test_every_paragraph_is_whole_again(width):
    lines, result = joined(pdf_text(width))
    assert "".join(lines) == "".join([TITLE, *PARAGRAPHS])
    # Each paragraph whole; one may be cut only where a sentence ends just at the page's width
    # (which no one can tell from the end of a paragraph).
    for line in lines:
        assert (
            line in PARAGRAPHS
            or line == TITLE
            or (line[-1] in "。：" and any(p.startswith(line) for p in PARAGRAPHS))
            or any(p.endswith(line) for p in PARAGRAPHS)
        ), line
    assert len(lines) <= len(PARAGRAPHS) + 2
    assert {entry["reason"] for entry in result.removed} == {"PDF 页码"}


@pytest.mark.parametrize(
    "number",
    [lambda n: f"— {n} —", lambda n: f"- {n} -", lambda n: f"第{n}页 共3页", lambda n: f"{n}"],
)
def test_page_numbers_between_the_halves_of_a_sentence_are_taken_out(number):
    lines, result = joined(pdf_text(56, per_page=7, number=number))
    assert [line.strip() for line in lines] == [TITLE, *PARAGRAPHS]
    numbers = [entry["text"] for entry in result.removed if entry["reason"] == "PDF 页码"]
    assert numbers[:2] == [number(1), number(2)]


def test_a_running_head_at_each_page_is_taken_out_and_kept_for_the_editor():
    lines, result = joined(pdf_text(56, per_page=6, head="国务院办公厅文件"))
    assert [line.strip() for line in lines] == [TITLE, *PARAGRAPHS]
    heads = [entry for entry in result.removed if entry["text"] == "国务院办公厅文件"]
    assert len(heads) >= 2 and all(entry["reason"].startswith("PDF 页眉") for entry in heads)


def test_a_running_head_met_once_that_repeats_the_title_is_taken_out():
    lines, _result = joined(pdf_text(56, per_page=10, head="国务院办公厅关于2016年"))
    assert [line.strip() for line in lines] == [TITLE, *PARAGRAPHS]


def test_text_that_is_not_wrapped_is_left_as_it_is():
    text = "\n".join([TITLE, *PARAGRAPHS])
    assert joined(text)[0] == [TITLE, *PARAGRAPHS]
    # Short lines of one width (a list of names, a table's column) are no page's width.
    names = "\n".join(["张三丰同志", "李四光同志", "王五福同志", "赵六顺同志", "1", "2", "3"])
    assert joined(names)[0] == names.split("\n")


def test_a_table_s_rows_are_never_joined():
    rows = [
        "序号\t地区\t政府网站数量\t合格网站数量\t抽查合格率",
        "1\t北京市\t120\t120\t100%",
        "2\t辽宁省\t115\t115\t100%",
        "3\t青海省\t108\t108\t100%",
    ]
    text = "\n".join([*wrap(PARAGRAPHS[3], 56), *rows, *wrap(PARAGRAPHS[5], 56)])
    lines, _result = joined(text)
    assert lines == [PARAGRAPHS[3], *rows, PARAGRAPHS[5]]


def test_a_full_line_before_a_heading_or_an_information_bar_is_not_joined_to_it():
    # The title ends exactly at the page's width, under it the page's information bar.
    width = wrapping.width(TITLE)
    bar = "发布时间：2016-07-28 来源：国务院办公厅"
    text = "\n".join([TITLE, bar, *wrap(PARAGRAPHS[1], width), *wrap(PARAGRAPHS[3], width)])
    assert joined(text)[0] == [TITLE, bar, PARAGRAPHS[1], PARAGRAPHS[3]]
    # A paragraph's last line full to the width, a numbered heading under it.
    first = "为进一步加强全国政府网站信息内容建设，更好地发挥其政务公开和服务"
    text = "\n".join([*wrap(PARAGRAPHS[3], 64), first, "（一）个别基层网站仍存在严重问题。"])
    assert wrapping.width(first) == 64
    assert joined(text)[0] == [PARAGRAPHS[3], first, "（一）个别基层网站仍存在严重问题。"]


def test_a_pinyin_annotation_broken_by_the_line_end_is_removed_whole():
    text = "\n".join(
        [
            "各县、区人民政府，辽东湾新区、高新技术产(chǎn",
            ")业开发区管委会，市政府各相关部门、直属机构：",
            *wrap(PARAGRAPHS[1], 44),
            *wrap(PARAGRAPHS[3], 44),
        ]
    )
    parsed = parsing.parse(TITLE + "\n" + text)
    assert parsed.addressees == [
        "各县、区人民政府",
        "辽东湾新区、高新技术产业开发区管委会",
        "市政府各相关部门、直属机构",
    ]
    assert parsed.pinyin_removed == 1


def test_a_wrapped_notice_parses_as_the_unwrapped_one():
    flat = parsing.parse("\n".join([TITLE, *PARAGRAPHS]))
    wrapped = parsing.parse(pdf_text(56, per_page=8, head="国务院办公厅文件"))
    assert wrapped.title == flat.title == TITLE
    assert wrapped.addressees == flat.addressees
    assert [s.title for s in wrapped.sections] == [s.title for s in flat.sections]
    assert wrapped.preamble == flat.preamble
    removed = [entry["text"] for entry in wrapped.removed]
    assert "— 1 —" in removed and "国务院办公厅文件" in removed

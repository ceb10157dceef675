"""Recognizing a notice in text: the seed against expected.json, the corpus, and the cleaning."""

import datetime
import re

import pytest

from importer import cleaning, damage, parsing, reading, rendering, statistics
from importer.parsed import Citation, FlagKind, NotANotice, ParsedNotice, SectionKind
from tests.importer.helpers import corpus_bytes, expected, fold_brackets, seed_bytes


@pytest.fixture(scope="module")
def seed():
    source = reading.read(seed_bytes(), "gansu-2016-notice.raw.txt")
    return parsing.parse(source.text, source.meta, source.chrome)


def parse_corpus(name: str) -> ParsedNotice:
    source = reading.read(corpus_bytes(name), name)
    return parsing.parse(source.text, source.meta, source.chrome)


def test_seed_metadata_matches_expected(seed):
    want = expected()
    assert seed.title == want["title"]
    assert seed.document_number == want["document_number"]
    assert seed.issuer == want["issuer"]
    assert seed.genre == want["genre"]
    assert seed.signed_on == datetime.date.fromisoformat(want["signed_on"])
    assert seed.published_on == datetime.date.fromisoformat(want["published_on"])
    assert seed.view_count == want["view_count_on_source"]
    assert seed.addressees == want["addressees"]
    assert seed.assessment_year == want["assessment_year"]
    assert seed.is_assessment


def test_seed_cited_documents_match_expected(seed):
    want = [
        (fold_brackets(item["title"]), item["document_number"])
        for item in expected()["cited_documents"]
    ]
    assert [(c.title, c.document_number) for c in seed.citations] == want


def test_seed_sections_and_items_in_order(seed):
    want = expected()["sections"]
    assert [s.number for s in seed.sections] == [s["number"] for s in want]
    assert [s.title for s in seed.sections] == [s["title"] for s in want]
    for section, wanted in zip(seed.sections, want, strict=True):
        assert section.kind == wanted.get("kind", "")
        assert [i.number for i in section.items] == [i["number"] for i in wanted["items"]]
        for item, wanted_item in zip(section.items, wanted["items"], strict=True):
            assert item.damaged == wanted_item.get("damaged", False), item.number
            if not item.damaged:
                assert item.title == wanted_item["title"]
            assert item.paragraphs, f"{section.number}（{item.number}）lost its text"


def test_seed_damaged_items_keep_the_raw_fragment_and_are_flagged(seed):
    raw = seed_bytes().decode("utf-8")
    flags = [f for f in seed.flags if f.kind == FlagKind.DAMAGED_HEADING]
    damaged = seed.damaged_items
    assert len(damaged) == len(flags) == 9
    for (section, item), flag in zip(damaged, flags, strict=True):
        assert item.raw_fragment and item.raw_fragment in raw
        assert item.raw_fragment.startswith("?。")
        assert flag.raw == item.raw_fragment
        assert (flag.section, flag.item) == (section.number, item.number)
        # The garbled text stays the title, visibly garbled, for an editor to repair.
        assert "?" in item.title
    first = seed.sections[1].items[0]
    assert first.raw_fragment == "?。ㄒ唬┕\ue0a6_"


def test_seed_repair_suggestions_where_the_bytes_allow(seed):
    suggestions = {(s.number, i.number): i.suggested_title for s, i in seed.damaged_items}
    assert suggestions[("二", "一")] == "公开渠道更加畅通"
    assert suggestions[("二", "三")] == "公开实效更加显著"
    assert suggestions[("三", "二")] == "政策公开还需加大力度"
    assert suggestions[("三", "五")] == "监督保障机制仍需加强"
    # Where characters are lost for good the suggestion says so instead of guessing.
    assert suggestions[("二", "五")] == "舆情回□更加全面"


def test_seed_damaged_text_in_paragraphs_is_flagged_in_place(seed):
    flags = [f for f in seed.flags if f.kind == FlagKind.DAMAGED_TEXT]
    where = {f.location: f.raw for f in flags}
    assert "正文开头" in where and "?" in where["正文开头"]
    assert "一、总体情况" in where
    assert "二、主要特点 （四）" in where
    raw = seed_bytes().decode("utf-8")
    assert all(flag.raw in raw for flag in flags)


def test_seed_attachments_and_statistics(seed):
    want = expected()
    assert seed.attachments == want["attachments"]
    stats = want["statistics"]
    proactive = stats["proactive_disclosure"]
    assert seed.statistics["proactive_total"] == proactive["total"]
    assert seed.growth_percent == proactive["growth_vs_previous_year_percent"]
    channels = dict(
        zip(
            ["政府公报", "政府门户网站", "微博", "微信及客户端", "其他渠道"],
            ["gazette", "portal", "weibo", "wechat", "other"],
            strict=True,
        )
    )
    for name, value in proactive["by_channel"].items():
        assert seed.statistics[f"proactive_{channels[name]}"] == value
    requests = stats["requests"]
    assert seed.statistics["requests_total"] == requests["total"]
    by_name = {statistics.STATISTIC_NAMES[code]: v for code, v in seed.statistics.items()}
    for name, value in requests["by_channel"].items():
        assert by_name[f"{name}申请"] == value
    for name, value in requests["by_outcome"].items():
        assert by_name[name] == value
    assert statistics.statistics_problems(seed.statistics) == []
    assert not [f for f in seed.flags if f.kind == FlagKind.STATISTICS]


def test_seed_site_chrome_dropped_but_its_facts_kept(seed):
    assert any("欢迎访问" in line for line in seed.chrome)
    assert any("点击" in line for line in seed.chrome)
    text = "\n".join(parsing._texts(seed))
    assert "欢迎访问" not in text and "点击：94" not in text


def test_seed_body_is_structured_like_the_reviewed_demo(seed):
    html = rendering.to_html(seed)
    assert html.count("<h2>") == 4
    assert html.count("<h3>") == 15
    assert "<h2>二、主要特点</h2>" in html
    assert "<h3>（二）考核监督更加有力</h3>" in html
    assert "<h3>（三）加强政策解读、舆情回应工作</h3>" in html
    assert "<p>各市、自治州人民政府，兰州新区管委会，省政府各部门：</p>" in html
    assert "<li>2016年各市州人民政府信息公开工作考核成绩表</li>" in html
    assert "<p>甘肃省人民政府办公厅</p>" in html and "<p>2017年8月11日</p>" in html
    # Damaged headings are in place, numbered, with their garbled text visible.
    assert re.search(r"<h3>（一）\?。ㄒ唬┕\ufffd_渠道更加畅通</h3>", html)
    assert "(wèn)" not in html and "訪" not in html


def test_seed_nothing_but_chrome_is_dropped(seed):
    """Every run of Han characters of the cleaned source survives in the body or the metadata."""
    raw = seed_bytes().decode("utf-8")
    body = seed.title + seed.document_number + rendering.to_html(seed)
    kept = "".join(re.findall(r"[\u4e00-\u9fff]", body))
    chrome = "".join(seed.chrome)
    for raw_line in raw.split("\n"):
        cleaned, _ = cleaning.clean_line(raw_line)
        if not cleaned or cleaned in chrome:
            continue
        for run in re.findall(r"[\u4e00-\u9fff]{4,}", cleaned):
            assert run in kept, run


def test_pinyin_annotations_removed_but_real_parentheses_kept():
    text, removed = cleaning.remove_pinyin("欢迎访问(wèn)《办法(试行)》(2017)第(一)项(a)")
    assert text == "欢迎访问《办法(试行)》(2017)第(一)项(a)"
    assert removed == ["(wèn)"]
    text, _ = cleaning.remove_pinyin("加強（qiáng）与訌?qiáng)依")
    assert text == "加強与訌?依"


@pytest.mark.parametrize(
    ("raw", "kept", "removed"),
    [
        ("本文(wen)件", "本文件", ["(wen)"]),
        ("本文（wen）件", "本文件", ["（wen）"]),
        ("绿(lv)色、绿(lü)色", "绿色、绿色", ["(lv)", "(lü)"]),
        ("公开(kai1)工作", "公开工作", ["(kai1)"]),
        ("2019年(nian)12月", "2019年12月", ["(nian)"]),
        ("人民政（zheng）府(fu)2019年", "人民政府2019年", ["（zheng）", "(fu)"]),
        ("加强(qiáng)与完善(shan)", "加强与完善", ["(qiáng)", "(shan)"]),
    ],
)
def test_toneless_pinyin_annotations_removed(raw, kept, removed):
    text, taken = cleaning.remove_pinyin(raw)
    assert text == kept
    assert sorted(taken) == sorted(removed)


@pytest.mark.parametrize(
    "raw",
    [
        "下载附件(PDF)",  # upper case: an abbreviation
        "地区生产总值(GDP)增长",
        "联系人(Tom)、(Wang Wei)",  # a capital: a name
        "道路长度(km)、面积(ha)、用时(min)",  # units, also those spelled like a syllable
        "第(一)项(a)、第(二)项(e)",  # list labels
        "英文版(en)",  # a language
        "下载(app)、接入(wifi)",  # words of more than one syllable, or none
        "文件(wenjian)",  # more than one syllable: not an annotation of one character
        "(wen)开头",  # no character before it
        "abc(wen)",  # after Latin, not after a Han character
        "编号(wen)x",  # a word going on after it
    ],
)
def test_latin_in_parentheses_that_is_no_annotation_is_kept(raw):
    assert cleaning.remove_pinyin(raw) == (raw, [])


def test_every_syllable_of_the_list_is_pinyin():
    assert len(cleaning.SYLLABLES) > 400
    assert {"zhuang", "lüe", "nve", "er", "xiong", "shei"} <= cleaning.SYLLABLES
    assert not {"km", "kg", "app", "www", "gdp", "bian1", "fai"} & cleaning.SYLLABLES


def test_traditional_to_simplified_and_punctuation():
    text, _ = cleaning.clean_line(
        "各市、自治州人民政府,蘭州新區管委會:根據《辦法(試行)》(甘政辦發[2015]156號)"
    )
    assert (
        text
        == "各市、自治州人民政府，兰州新区管委会：根据《办法（试行）》（甘政办发〔2015〕156号）"
    )
    text, _ = cleaning.clean_line("共1,563,668条，时间10:30，见 http://a.gov.cn/x?a=1,2")
    assert text == "共1,563,668条，时间10:30，见 http://a.gov.cn/x?a=1,2"


@pytest.mark.parametrize(
    ("raw", "number"),
    [("?。ㄒ唬┕\ue0a6_渠道", "一"), ("?。ǘ\ue46a┘訌?qiáng)依", "二"), ("?。ㄋ模┘訌?", "四")],
)
def test_heading_number_recovered_from_mojibake(raw, number):
    repair = damage.repair_heading(" " + raw)
    assert repair is not None and repair.kind == "item" and repair.number == number


def test_real_headings_are_not_taken_for_damage():
    assert damage.repair_heading("（一）公开渠道更加畅通。") is None
    assert not damage.is_garbled("（二）考核监督更加有力。各地各部门按照要求？")


@pytest.mark.parametrize(
    ("value", "numeral"), [(1, "一"), (10, "十"), (12, "十二"), (23, "二十三")]
)
def test_chinese_numerals(value, numeral):
    assert damage.int_to_cn(value) == numeral
    assert damage.cn_to_int(numeral) == value


def test_statistics_that_do_not_add_up_are_flagged():
    text = seed_bytes().decode("utf-8").replace("傳真受理33件", "傳真受理34件")
    parsed = parsing.parse(text)
    messages = [f.message for f in parsed.flags if f.kind == FlagKind.STATISTICS]
    assert messages == ["依申请公开：各申请方式之和等于申请总数：合计 2071，分项之和 2072，相差 -1"]


def test_a_lost_heading_shows_as_a_numbering_gap():
    text = (
        seed_bytes()
        .decode("utf-8")
        .replace("  (四)回應(yīng)關(guān)切尚存短板。", "  回應關切尚存短板。")
    )
    parsed = parsing.parse(text)
    gaps = [f for f in parsed.flags if f.kind == FlagKind.NUMBERING]
    assert len(gaps) == 1 and gaps[0].location == "三、主要问题"
    assert "回应关切尚存短板" in parsed.sections[2].items[2].text  # kept, in the item before


def test_clean_assessment_notice():
    parsed = parse_corpus("assessment-clean.txt")
    assert parsed.document_number == "示市政办发〔2019〕12号"  # typed with []
    assert parsed.signed_on == datetime.date(2019, 3, 5)  # 二〇一九年三月五日
    assert parsed.issuer == "示例市人民政府办公室"
    assert parsed.is_assessment
    rectifications = parsed.section_of(SectionKind.RECTIFICATIONS)
    assert [(i.label, i.title) for i in rectifications.items] == [
        ("1.", "对照问题清单逐项整改"),
        ("2.", "建立长效机制"),
        ("3.", "开展“回头看”"),
    ]
    assert parsed.attachments == ["2018年度政务公开工作考核结果汇总表"]
    assert [f.kind for f in parsed.flags] == [FlagKind.ATTACHMENT]


def test_traditional_inspection_notice_is_a_notice_not_an_assessment():
    parsed = parse_corpus("inspection-traditional.txt")
    assert parsed.title == "示例省人民政府办公厅关于2018年第三季度全省政府网站抽查情况的通报"
    assert parsed.document_number == "示政办函〔2018〕88号"  # typed with （）
    assert parsed.citations == [
        Citation("国务院办公厅关于加强政府网站信息内容建设的意见", "国办发〔2014〕57号")
    ]
    assert [s.kind for s in parsed.sections] == ["", "problems", "rectifications"]
    assert not parsed.is_assessment
    assert parsed.flags == []


def test_pinyin_annotated_annual_report():
    parsed = parse_corpus("annual-report-pinyin.txt")
    assert parsed.title == "示例市民政局2017年政府信息公开工作年度报告"
    assert parsed.genre == "年度报告"
    assert "《示例市政府信息公开规定（试行）》" in parsed.preamble[0]
    assert "（2017）" in parsed.preamble[0]
    assert parsed.statistics["proactive_total"] == 1200
    # Channels not mentioned are 0 when the others add up: nothing to flag.
    assert statistics.statistics_problems(parsed.statistics) == []
    assert set(statistics.implied_zeros(parsed.statistics)) >= {"proactive_gazette", "requests_fax"}
    kinds = {f.kind for f in parsed.flags}
    assert kinds == {FlagKind.MISSING}  # no signature in an annual report as saved


def test_html_page_with_site_chrome():
    parsed = parse_corpus("inspection-page.html")
    assert parsed.title == "示例市人民政府办公室关于2019年第一季度政府网站检查情况的通报"
    assert parsed.document_number == "示市政办函〔2019〕21号"
    assert parsed.published_on == datetime.date(2019, 4, 2)
    assert parsed.view_count == 1024
    assert parsed.source_name == "示例市人民政府办公室"
    assert parsed.signed_on == datetime.date(2019, 4, 1)
    body = rendering.to_html(parsed)
    for chrome in ("政务服务", "当前位置", "版权所有", "ICP", "打印本页", "tracker", "color"):
        assert chrome not in body
    assert "<h3>（二）链接失效</h3>" in body
    assert any("版权所有" in line for line in parsed.chrome)


def test_text_that_is_not_a_notice_is_refused():
    with pytest.raises(NotANotice, match="不像一份公文"):
        parsing.parse("hello world\n1234\n")

"""Chrome by shape and place, title ranking, the head's facts, dates and damage: each rule on a
small text that isolates it (the real corpus in test_corpus.py checks them together)."""

import datetime

import pytest

from importer import cleaning, header, parsing, rendering
from importer.parsed import FlagKind

NOTICE = """当前位置：首页 > 政务公开 > 通知公告
首页 | 政务公开 | 政务服务 | 互动交流
示例市人民政府办公室关于2019年全市政府网站检查情况的通报
发布时间：2019-04-02 来源：示例市政府网 浏览次数：12
示政办函〔2019〕21号
各县区人民政府，市政府各部门：
现将检查情况通报如下：
一、存在问题
（一）部分网站主办单位信息标注不全。网站底部未标注主办单位、技术支持等信息。
主办单位：示例市人民政府办公室
二、有关要求
各单位要于4月30日前完成整改。
示例市人民政府办公室
2019年4月1日
责任编辑：王明
我要纠错
首页 | 政务公开 | 政务服务 | 互动交流
主办单位：示例市人民政府办公室 技术支持：示例信息中心
"""


def parse(text: str, meta=None):
    return parsing.parse(text, meta or {})


def body_of(parsed) -> str:
    return rendering.to_html(parsed)


def test_a_line_inside_the_body_is_kept_whatever_it_says():
    parsed = parse(NOTICE)
    body = body_of(parsed)
    assert "部分网站主办单位信息标注不全" in body
    assert "<p>主办单位：示例市人民政府办公室</p>" in body  # between title and signature


def test_chrome_around_the_notice_goes_and_stays_visible_with_its_reason():
    parsed = parse(NOTICE)
    body = body_of(parsed)
    for chrome in ("当前位置", "互动交流", "责任编辑", "我要纠错", "示例信息中心", "浏览次数"):
        assert chrome not in body, chrome
    removed = {line["text"]: line["reason"] for line in parsed.removed}
    assert removed["当前位置：首页 > 政务公开 > 通知公告"] == "导航路径"
    assert "责任编辑：王明" in removed and "我要纠错" in removed
    assert "主办单位：示例市人民政府办公室技术支持：示例信息中心" in removed


def test_title_and_head_facts():
    parsed = parse(NOTICE)
    assert parsed.title == "示例市人民政府办公室关于2019年全市政府网站检查情况的通报"
    assert parsed.document_number == "示政办函〔2019〕21号"
    assert parsed.addressees == ["各县区人民政府", "市政府各部门"]
    assert parsed.signed_on == datetime.date(2019, 4, 1)


def test_the_page_date_and_issuer_are_the_source_s_not_the_notice_s():
    parsed = parse(NOTICE.replace("2019年4月1日\n", ""))
    assert parsed.published_on == datetime.date(2019, 4, 2)  # kept as the source's fact
    assert parsed.signed_on is None
    flag = next(f for f in parsed.flags if f.location == "成文日期")
    assert "2019-04-02" in flag.message and "未填入" in flag.message


@pytest.mark.parametrize(
    "before",
    [
        ["附件2"],
        ["无障碍", "长者专区"],
        ["示例市人民政府办公室文件"],
    ],
)
def test_lines_before_the_title_do_not_take_its_place(before):
    text = "\n".join([*before, *NOTICE.split("\n")[2:]])
    assert parse(text).title == "示例市人民政府办公室关于2019年全市政府网站检查情况的通报"


def test_a_title_broken_over_lines_is_joined_and_not_repeated():
    text = NOTICE.replace(
        "示例市人民政府办公室关于2019年全市政府网站检查情况的通报",
        "示例市人民政府办公室\n关于2019年全市政府网站检查情况的\n通  报",
    )
    parsed = parse(text)
    assert parsed.title == "示例市人民政府办公室关于2019年全市政府网站检查情况的通报"
    assert any(f.location == "标题" and "分成了几行" in f.message for f in parsed.flags)
    assert "关于2019年" not in body_of(parsed)


def test_spam_pasted_onto_the_title_is_cut_and_flagged():
    text = NOTICE.replace("检查情况的通报\n", "检查情况的通报-澳门新葡京官网入口\n", 1)
    parsed = parse(text)
    assert parsed.title == "示例市人民政府办公室关于2019年全市政府网站检查情况的通报"
    flag = next(f for f in parsed.flags if f.kind == FlagKind.SPAM)
    assert "澳门新葡京" in flag.raw


def test_a_document_number_in_parentheses_and_after_an_issuer_line():
    text = NOTICE.replace("示政办函〔2019〕21号", "示例市人民政府办公室\n（示政办函〔2019〕21号）")
    parsed = parse(text)
    assert parsed.document_number == "示政办函〔2019〕21号"
    assert parsed.addressees == ["各县区人民政府", "市政府各部门"]
    assert parsed.source_issuer == "示例市人民政府办公室"


def test_a_missing_document_number_is_flagged_for_a_notice_but_not_for_a_report():
    parsed = parse(NOTICE.replace("示政办函〔2019〕21号\n", ""))
    assert any(f.location == "文号" and f.kind == FlagKind.MISSING for f in parsed.flags)
    report = "示例乡2019年政府信息公开工作年度报告\n一、总体情况\n2019年，我乡认真贯彻落实条例。"
    assert not any(f.location == "文号" for f in parse(report).flags)


@pytest.mark.parametrize(
    "line, date, readings",
    [
        ("二〇一二年一月五日", datetime.date(2012, 1, 5), 1),
        ("二〇一九年十二月三十一日", datetime.date(2019, 12, 31), 1),
        ("2019年5月15日", datetime.date(2019, 5, 15), 1),
        ("2019515", datetime.date(2019, 5, 15), 1),
        ("20190515", datetime.date(2019, 5, 15), 1),
        ("2019115", None, 2),  # 2019-1-15 or 2019-11-5
    ],
)
def test_dates_in_every_form(line, date, readings):
    reading = header.read_date_line(line)
    assert reading.date == date and len(reading.readings) == readings


def test_a_date_without_separators_is_read_and_flagged_an_ambiguous_one_not_filled():
    parsed = parse(NOTICE.replace("2019年4月1日", "2019315"))
    assert parsed.signed_on == datetime.date(2019, 3, 15)
    assert any(f.location == "成文日期" and f.raw == "2019315" for f in parsed.flags)
    parsed = parse(NOTICE.replace("2019年4月1日", "2019111"))
    assert parsed.signed_on is None
    flag = next(f for f in parsed.flags if f.raw == "2019111")
    assert "2019年1月11日" in flag.message and "2019年11月1日" in flag.message


@pytest.mark.parametrize(
    "damaged, fragment",
    [
        ("各单位要于4月30日前,,完成整改。", "，，"),
        ("各单位要于4月30日前，、完成整改。", "，、"),
        ("各单位要于4月30日前完成**工作。", "**"),
        ("各单位要于4月30日前完成整改澳门新葡京官网入口。", "澳门新葡京"),
    ],
)
def test_damage_in_the_body_is_flagged_with_the_raw_fragment(damaged, fragment):
    parsed = parse(NOTICE.replace("各单位要于4月30日前完成整改。", damaged))
    flagged = [f for f in parsed.flags if fragment in cleaning.clean_line(f.raw)[0] + f.raw]
    assert flagged, [f.raw for f in parsed.flags]
    assert fragment.strip("，、") in body_of(parsed) or fragment in body_of(parsed)


def test_a_heading_that_lost_its_number_is_flagged():
    parsed = parse(NOTICE.replace("二、有关要求", "、有关要求"))
    assert any("编号标题开头" in f.message and "有关要求" in f.raw for f in parsed.flags)


def test_garbled_addressees_are_flagged():
    parsed = parse(NOTICE.replace("各县区人民政府，", "各县?人民政府，"))
    assert any(f.location == "主送机关" and "?" in f.raw for f in parsed.flags)


def test_spaces_between_names_in_a_list_are_kept():
    assert (
        cleaning.clean_line("参会人员：张三 李四 王小五 赵六")[0]
        == "参会人员：张三 李四 王小五 赵六"
    )
    assert cleaning.clean_line("通  知")[0] == "通知"


def test_numbered_list_items_are_not_headings():
    text = NOTICE.replace(
        "各单位要于4月30日前完成整改。",
        "1. 成都市\n2. 眉山市\n3.继续做好网站更新维护工作，进一步加强栏目信息更新。",
    )
    body = body_of(parse(text))
    assert "<p>1.成都市</p>" in body or "<p>1. 成都市</p>" in body
    assert "<h3>3." not in body and "<h4>" not in body


def test_a_file_of_a_few_words_is_a_notice_with_a_flag_and_none_is_refused():
    parsed = parse("关于召开会议的通知\n请准时参加。")
    assert any(f.location == "正文" for f in parsed.flags)
    with pytest.raises(parsing.NotANotice):
        parse("12345\nabc")


def test_a_file_of_nothing_but_chrome_says_so_and_keeps_it_visible():
    parsed = parse("首页 | 政务公开 | 政务服务 | 互动交流\n版权所有：示例市人民政府")
    assert any(f.location == "正文" and f.kind == FlagKind.MISSING for f in parsed.flags)
    assert len(parsed.removed) == 2

"""文号: one official spelling, a message that names the mistake, and unique per issuer."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from notices import document_numbers, workflow
from notices.document_numbers import DocumentNumber, normalize, parse, validate_document_number
from notices.models import Notice

OFFICIAL = "甘政办发〔2017〕136号"


def refusal(raw: str) -> str:
    with pytest.raises(ValidationError) as caught:
        parse(raw)
    [message] = caught.value.messages
    assert re.search(r"[\u4e00-\u9fff]{4,}", message), f"not a Chinese message: {message}"
    return message


def new_notice(organ, document_number: str, **fields) -> Notice:
    fields.setdefault("title", "关于2016年政务公开工作考核情况的通报")
    fields.setdefault("genre_id", "circular")
    return Notice(organ=organ, document_number=document_number, **fields)


def test_official_spelling_is_accepted_as_is():
    assert parse(OFFICIAL) == DocumentNumber("甘政办发", 2017, 136)
    assert str(parse(OFFICIAL)) == OFFICIAL
    assert normalize(OFFICIAL) == OFFICIAL


@pytest.mark.parametrize(
    "typed",
    [
        "甘政办发[2017]136号",
        "甘政办发(2017)136号",
        "甘政办发（2017）136号",
        "甘政办发【2017】136号",
        "甘政办发［2017］136号",
        "甘政办发〖2017〗136号",
        "甘政办发﹝2017﹞136号",
        "甘政办发（2017]136号",
        "甘政办发〔２０１７〕１３６号",
        "甘政办发（２０１７）１３６号",
        " 甘政办发 〔2017〕 136 号 ",
        "甘政办发\u3000〔2017〕\t136号\n",
        "甘政办发〔2017〕0136号",
    ],
)
def test_variants_are_normalized_to_the_official_spelling(typed):
    assert normalize(typed) == OFFICIAL
    assert str(parse(typed)) == OFFICIAL


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("甘政办发〔2017〕136", "缺少“号”"),
        ("甘政办发2017136号", "年份应写在〔〕内"),
        ("甘政办发2017年136号", "年份应写在〔〕内"),
        ("GZ办发〔2017〕136号", "只能由汉字组成"),
        ("甘政办发A〔2017〕136号", "只能由汉字组成"),
        ("〔2017〕136号", "缺少发文机关代字"),
        ("甘政办发〔17〕136号", "年份应为四位数字"),
        ("甘政办发〔2017〕第136号", "序号应为数字"),
        ("甘政办发〔1800〕136号", "年份“1800”不合理"),
        ("甘政办发〔2200〕136号", "年份“2200”不合理"),
        ("甘政办发〔2017〕0号", "序号不能为 0"),
        ("甘政办发〔2017〕000号", "序号不能为 0"),
    ],
)
def test_malformed_numbers_are_refused_with_a_message_naming_the_problem(typed, problem):
    message = refusal(typed)
    assert problem in message
    if "格式不正确" in message:
        assert "甘政办发〔2017〕136号" in message, "the message shows an example"


def test_validator_lets_an_empty_number_through():
    validate_document_number("")
    validate_document_number("  ")
    with pytest.raises(ValidationError):
        validate_document_number("甘政办发")


def test_years_at_the_edges_of_the_range():
    assert parse(f"国发〔{document_numbers.FIRST_YEAR}〕1号").year == 1949
    assert parse(f"国发〔{document_numbers.LAST_YEAR}〕1号").year == 2100
    refusal(f"国发〔{document_numbers.FIRST_YEAR - 1}〕1号")
    refusal(f"国发〔{document_numbers.LAST_YEAR + 1}〕1号")


def test_full_clean_stores_the_normalized_number(organ):
    notice = new_notice(organ, "甘政办发【２０１７】 136号")
    notice.full_clean()
    assert notice.document_number == OFFICIAL


def test_full_clean_refuses_a_malformed_number_on_the_field(organ):
    notice = new_notice(organ, "甘政办发〔2017〕")
    with pytest.raises(ValidationError) as caught:
        notice.full_clean()
    assert "文号格式不正确" in caught.value.message_dict["document_number"][0]


def test_save_draft_stores_the_normalized_number(organ, editor):
    notice = workflow.save_draft(new_notice(organ, "甘政办发(2017)136号"), editor)
    assert Notice.objects.get(pk=notice.pk).document_number == OFFICIAL


@pytest.mark.parametrize(
    "second", [OFFICIAL, "甘政办发[2017]136号", "甘政办发（2017）136号", "甘政办发〔2017〕0136号"]
)
def test_same_number_twice_in_one_organ_is_refused(organ, editor, second):
    workflow.save_draft(new_notice(organ, OFFICIAL), editor)
    with pytest.raises(ValidationError) as caught:
        workflow.save_draft(new_notice(organ, second, title="另一条信息"), editor)
    assert "本机构已有使用该文号的信息，文号不能重复。" in caught.value.messages
    assert Notice.objects.filter(organ=organ).count() == 1


def test_same_number_under_another_organ_is_allowed(organ, editor, other_organ, other_editor):
    first = workflow.save_draft(new_notice(organ, OFFICIAL), editor)
    second = workflow.save_draft(new_notice(other_organ, "甘政办发[2017]136号"), other_editor)
    assert first.document_number == second.document_number == OFFICIAL


def test_notices_without_a_number_do_not_clash(organ, editor):
    for title in ("第一条", "第二条", "第三条"):
        workflow.save_draft(new_notice(organ, "", title=title), editor)
    assert Notice.objects.filter(organ=organ, document_number="").count() == 3


def test_database_refuses_a_duplicate_that_skips_validation(organ):
    Notice.objects.create(organ=organ, title="一", genre_id="notice", document_number=OFFICIAL)
    with pytest.raises(IntegrityError), transaction.atomic():
        Notice.objects.create(organ=organ, title="二", genre_id="notice", document_number=OFFICIAL)
    assert Notice.objects.filter(organ=organ, document_number=OFFICIAL).count() == 1


def test_database_allows_many_notices_without_a_number(organ):
    for title in ("一", "二"):
        Notice.objects.create(organ=organ, title=title, genre_id="notice", document_number="")
    assert Notice.objects.filter(organ=organ).count() == 2


@pytest.mark.parametrize(
    ("typed", "official"),
    [
        ("甘肃省人民政府令第150号", "甘肃省人民政府令第150号"),
        ("国务院令第711号", "国务院令第711号"),
        ("国务院令 第 ７１１ 号", "国务院令第711号"),
        ("国务院令第0711号", "国务院令第711号"),
        ("交通运输部令2019年第1号", "交通运输部令2019年第1号"),
        ("中华人民共和国主席令第三十一号", "中华人民共和国主席令第三十一号"),
        ("2024年第3号公告", "2024年第3号公告"),
        ("2024年第03号 公告", "2024年第3号公告"),
        ("国家税务总局公告2024年第3号", "国家税务总局公告2024年第3号"),
        ("国家药品监督管理局2024年第5号通告", "国家药品监督管理局2024年第5号通告"),
        ("公告〔2024〕3号", "公告〔2024〕3号"),
    ],
)
def test_order_and_announcement_numbers_are_accepted_without_year_brackets(typed, official):
    assert normalize(typed) == official
    assert str(parse(typed)) == official
    validate_document_number(typed)


def test_kinds_are_told_apart():
    assert parse("国务院令第711号") == DocumentNumber(
        "国务院令", None, 711, kind=document_numbers.ORDER
    )
    assert parse("中华人民共和国主席令第三十一号").serial == 31
    announcement = parse("2024年第3号公告")
    assert (announcement.kind, announcement.year, announcement.serial) == ("announcement", 2024, 3)
    assert parse(OFFICIAL).kind == document_numbers.BRACKET


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("国务院令711号", "国务院令第711号"),
        ("令第5号", "令"),
        ("2024年3号公告", "2024年第3号公告"),
        ("国务院令第0号", "序号不能为 0"),
        ("2300年第3号公告", "年份“2300”不合理"),
        ("交通运输部令1800年第1号", "年份“1800”不合理"),
    ],
)
def test_malformed_order_and_announcement_numbers_name_the_problem(typed, problem):
    assert problem in refusal(typed)


def test_an_order_number_is_unique_per_organ_like_any_other(organ, editor):
    workflow.save_draft(new_notice(organ, "甘肃省人民政府令第150号"), editor)
    with pytest.raises(ValidationError) as caught:
        workflow.save_draft(
            new_notice(organ, "甘肃省人民政府令 第 0150 号", title="另一条"), editor
        )
    assert "本机构已有使用该文号的信息，文号不能重复。" in caught.value.messages


def test_the_importer_and_search_use_this_rule():
    from search import text

    line = "依据《条例》（国务院令第711号）、甘政办发〔2017〕136号、2024年第3号公告"
    found = re.findall(document_numbers.TEXT_PATTERN, line)
    assert found == ["国务院令第711号", "甘政办发〔2017〕136号", "2024年第3号公告"]
    assert text.document_key("国务院令第711号") == "国务院令第711号"
    assert text.document_key("甘政办发2017年136号") == OFFICIAL
    assert text.parse_query("2024年第3号公告").document_key == "2024年第3号公告"

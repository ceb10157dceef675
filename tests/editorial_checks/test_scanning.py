"""Finding wordings and personal data in plain text (no database)."""

import random

import pytest

from editorial_checks import scanning
from editorial_checks.texts import attachment_text, html_text
from tests.editorial_checks import synthetic

RNG = random.Random(20261207)


def kinds(text: str) -> list[tuple[str, str]]:
    return [(hit.kind, hit.text) for hit in scanning.personal_data(text)]


@pytest.mark.parametrize("number", [synthetic.resident_id(RNG) for _ in range(20)])
def test_resident_id_with_valid_check_character_is_found(number):
    assert kinds(f"申请人张某，身份证号{number}，现住兰州。") == [("resident_id", number)]


@pytest.mark.parametrize("number", [synthetic.resident_id(RNG) for _ in range(10)])
def test_eighteen_digits_with_a_wrong_check_character_are_not_an_id(number):
    wrong = synthetic.with_wrong_check(number)
    assert ("resident_id", wrong) not in kinds(f"编号{wrong}。")


def test_id_with_impossible_birth_date_is_not_an_id():
    body = "62010219991332001"  # month 13
    total = sum(int(d) * w for d, w in zip(body, synthetic.WEIGHTS, strict=True))
    assert kinds(f"编号{body}{'10X98765432'[total % 11]}") == []


@pytest.mark.parametrize("card", [synthetic.bank_card(RNG, n) for n in (16, 17, 18, 19)])
def test_bank_card_passing_luhn_is_found_also_in_groups_of_four(card):
    grouped = " ".join(card[i : i + 4] for i in range(0, len(card), 4))
    assert kinds(f"开户行账号：{card}。") == [("bank_card", card)]
    assert kinds(f"卡号 {grouped} 。") == [("bank_card", grouped)]


def test_card_number_failing_luhn_is_not_reported():
    card = synthetic.bank_card(RNG)
    wrong = card[:-1] + str((int(card[-1]) + 1) % 10)
    assert kinds(f"编号{wrong}") == []


def test_mobile_landline_and_email_are_found():
    phone = synthetic.mobile(RNG)
    text = (
        f"联系人手机{phone}，或 {phone[:3]}-{phone[3:7]}-{phone[7:]}；"
        "办公电话0931-8928517，(010)65223344转8012；邮箱 zhang.san@example.com。"
    )
    assert kinds(text) == [
        ("mobile", phone),
        ("mobile", f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"),
        ("landline", "0931-8928517"),
        ("landline", "(010)65223344转8012"),
        ("email", "zhang.san@example.com"),
    ]


def test_numbers_in_official_prose_are_not_personal_data():
    text = (
        "甘政办发〔2024〕15号，2024年3月15日印发，共12345项，索引号000014349/2024-00012，"
        "服务热线12345，预算金额1234567.89元。"
    )
    assert kinds(text) == []


def test_street_addresses_are_found_without_the_words_before_them():
    text = "申请人家住城关区庆阳路123号3单元502室，其父住榆中县和平镇张家村3组。"
    assert kinds(text) == [
        ("address", "城关区庆阳路123号3单元502室"),
        ("address", "榆中县和平镇张家村3组"),
    ]


def words() -> scanning.WordList:
    return scanning.WordList(
        [
            scanning.Rule("坚持不泄", "坚持不懈", "miswriting", "serious"),
            scanning.Rule("付省长", "副省长", "miswriting", "serious"),
            scanning.Rule("残废", "残疾", "avoid", "serious"),
            scanning.Rule("残废人", "残疾人", "avoid", "serious"),
            scanning.Rule("其它", "其他", "miswriting", "warning"),
        ],
        [
            scanning.LeaderEntry("王小明", ("省长",)),
            scanning.LeaderEntry("李建华", ("副省长",), ("李建化",)),
        ],
    )


def test_wrong_forms_are_found_with_their_place_and_correct_form():
    text = "我们要坚持不泄地推进，其它事项另行通知。"
    hits = words().find(text)
    assert [(h.text, h.suggestion, h.severity, h.start) for h in hits] == [
        ("坚持不泄", "坚持不懈", "serious", 3),
        ("其它", "其他", "warning", 11),
    ]
    assert text[hits[0].start : hits[0].end] == "坚持不泄"


def test_a_longer_wrong_form_is_reported_once():
    hits = words().find("关心残废人就业")
    assert [(h.text, h.suggestion) for h in hits] == [("残废人", "残疾人")]


def test_leader_named_with_another_leaders_title_is_found():
    hits = words().find("会议由副省长王小明主持，省长李建华出席，副省长李建华讲话。")
    assert [(h.kind, h.text, h.suggestion) for h in hits] == [
        ("leader_title", "副省长王小明", "省长王小明"),
        ("leader_title", "省长李建华", "副省长李建华"),
    ]


def test_leader_with_the_right_title_or_none_is_not_reported():
    assert words().find("省长王小明、副省长 李建华，王小明指出") == []


def test_a_wrong_form_of_a_leaders_name_is_found():
    hits = words().find("副省长李建化讲话")
    assert [(h.kind, h.text, h.suggestion) for h in hits] == [("leader_name", "李建化", "李建华")]


def test_an_empty_word_list_finds_nothing():
    assert scanning.WordList().find("坚持不泄") == []


def test_around_gives_the_text_before_and_after_on_the_same_line():
    text = "第一段。\n这里有一段比较长的文字，坚持不泄地推进工作。\n第三段"
    start = text.index("坚持不泄")
    before, after, line = scanning.around(text, start, start + 4)
    assert (before, after, line) == ("这里有一段比较长的文字，", "地推进工作。", 2)


def test_body_text_keeps_paragraphs_and_table_cells_apart():
    html = "<p>第一段</p><table><tr><td>姓名</td><td>张三</td></tr></table><p>a&amp;b</p>"
    assert html_text(html) == "第一段\n姓名 张三\na&b"


def test_text_of_docx_xlsx_and_pdf_attachments():
    number = synthetic.resident_id(RNG)
    assert number in attachment_text("a.docx", synthetic.docx_bytes("名单", f"张三 {number}"))
    assert "13912345678" in attachment_text(
        "b.xlsx", synthetic.xlsx_bytes([["电话", "13912345678"]])
    )
    assert "zhang@example.com" in attachment_text("c.pdf", synthetic.pdf_bytes("zhang@example.com"))
    assert attachment_text("d.jpg", b"\xff\xd8\xff") == ""

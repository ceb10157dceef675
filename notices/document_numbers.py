"""文号 (document numbers): the one home of their rule — parsing, normalizing, validating, and
the pattern that finds them in text (used by the importer and by search).

Three kinds are in real use:

- 〔年份〕 numbers of 公文 (GB/T 9704): ``甘政办发〔2017〕136号``; people type the brackets many
  ways, and they are folded into 〔〕;
- 令 numbers of decrees and rules, without year brackets: ``国务院令第711号``,
  ``甘肃省人民政府令第150号``, with a year where the issuer numbers per year
  (``交通运输部令2019年第1号``), in Chinese numerals for some (``中华人民共和国主席令第三十一号``);
- 公告 / 通告 numbers: ``2024年第3号公告``, ``国家税务总局公告2024年第3号``.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

# People type the year brackets many ways; the official form is 〔〕 (U+3014/U+3015).
_OPENING = "[［(（【〖〘﹝〔"
_CLOSING = "]］)）】〗〙﹞〕"
_BRACKETS = str.maketrans({**dict.fromkeys(_OPENING, "〔"), **dict.fromkeys(_CLOSING, "〕")})
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
HAN = "\u4e00-\u9fff"
_PREFIX = re.compile(rf"[{HAN}]+")
_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NUMERAL = "〇零一二三四五六七八九十百千"

BRACKET, ORDER, ANNOUNCEMENT = "bracket", "order", "announcement"
_ANNOUNCING = "公告|通告"

_KINDS = [
    (
        BRACKET,
        re.compile(rf"^(?P<prefix>[{HAN}]+)〔(?P<year>[0-9]{{4}})〕(?P<serial>[0-9]{{1,6}})号$"),
    ),
    (
        ORDER,
        re.compile(
            rf"^(?P<prefix>[{HAN}]+令)(?:(?P<year>[0-9]{{4}})年)?"
            rf"第(?P<serial>[0-9]{{1,6}}|[{_CN_NUMERAL}]{{1,8}})号$"
        ),
    ),
    # 国家税务总局公告2024年第3号, 公告第5号
    (
        ANNOUNCEMENT,
        re.compile(
            rf"^(?P<prefix>[{HAN}]*?(?:{_ANNOUNCING}))(?:(?P<year>[0-9]{{4}})年)?"
            rf"第(?P<serial>[0-9]{{1,6}})号$"
        ),
    ),
    # 2024年第3号公告, 国家药监局2024年第3号通告
    (
        ANNOUNCEMENT,
        re.compile(
            rf"^(?P<prefix>[{HAN}]*?)(?P<year>[0-9]{{4}})年第(?P<serial>[0-9]{{1,6}})号"
            rf"(?P<suffix>{_ANNOUNCING})$"
        ),
    ),
]
# A lax reading for search boxes: brackets left out or 年 typed for the closing one.
_LAX_BRACKET = re.compile(
    rf"^(?P<prefix>[{HAN}]+?)〔?(?P<year>[0-9]{{4}})[〕年]?第?(?P<serial>[0-9]{{1,6}})号$"
)

# Any 文号 inside running text (no anchors, no groups): for the importer's header lines and
# citations ``《…》（国务院令第711号）``.
TEXT_PATTERN = (
    rf"(?:[{HAN}]{{1,15}}〔(?:19|20)[0-9]{{2}}〕[0-9]{{1,6}}号"
    rf"|[{HAN}]{{1,30}}令(?:(?:19|20)[0-9]{{2}}年)?第(?:[0-9]{{1,6}}|[{_CN_NUMERAL}]{{1,8}})号"
    rf"|[{HAN}]{{0,30}}?(?:{_ANNOUNCING})(?:(?:19|20)[0-9]{{2}}年)?第[0-9]{{1,6}}号"
    rf"|[{HAN}]{{0,30}}?(?:19|20)[0-9]{{2}}年第[0-9]{{1,6}}号(?:{_ANNOUNCING}))"
)
FIRST_YEAR, LAST_YEAR = 1949, 2100
EXAMPLES = "例如 甘政办发〔2017〕136号、国务院令第711号、2024年第3号公告"


@dataclass(frozen=True)
class DocumentNumber:
    prefix: str
    year: int | None
    serial: int
    kind: str = BRACKET
    # 公告 or 通告 when it ends the number (2024年第3号公告).
    suffix: str = ""
    # The serial as written in Chinese numerals (主席令第三十一号); empty for digits.
    numerals: str = ""

    def __str__(self) -> str:
        serial = self.numerals or str(self.serial)
        if self.kind == BRACKET:
            return f"{self.prefix}〔{self.year}〕{serial}号"
        year = f"{self.year}年" if self.year is not None else ""
        if self.suffix:
            return f"{self.prefix}{year}第{serial}号{self.suffix}"
        return f"{self.prefix}{year}第{serial}号"


def _folded(raw: str) -> str:
    return "".join((raw or "").split()).translate(_BRACKETS).translate(_FULLWIDTH_DIGITS)


def chinese_numeral_value(text: str) -> int:
    """三十一 → 31, 一百零五 → 105, 二〇 → 20 (digit by digit when there is no unit)."""
    if not any(char in _CN_UNITS for char in text):
        return int("".join(str(_CN_DIGITS[char]) for char in text))
    total, digit = 0, 0
    for char in text:
        if char in _CN_DIGITS:
            digit = _CN_DIGITS[char]
        else:
            total += (digit or 1) * _CN_UNITS[char]
            digit = 0
    return total + digit


def _match(text: str) -> DocumentNumber | None:
    for kind, pattern in _KINDS:
        match = pattern.match(text)
        if match:
            serial = match["serial"]
            groups = match.groupdict()
            return DocumentNumber(
                prefix=match["prefix"],
                year=int(match["year"]) if match["year"] else None,
                serial=int(serial) if serial.isdigit() else chinese_numeral_value(serial),
                kind=kind,
                suffix=groups.get("suffix") or "",
                numerals="" if serial.isdigit() else serial,
            )
    return None


def normalize(raw: str) -> str:
    """Fold bracket variants, full-width digits and stray spaces into the official spelling.

    A serial typed with leading zeros loses them (GB/T 9704: 1, not 01), so that one number has
    one spelling and the per-organ uniqueness check sees it.
    """
    text = _folded(raw)
    found = _match(text)
    return str(found) if found is not None else text


def parse(raw: str) -> DocumentNumber:
    text = _folded(raw)
    found = _match(text)
    if found is None:
        raise ValidationError(
            "文号格式不正确（%(problem)s）：应为“发文机关代字〔年份〕序号号”，"
            "或令、公告的编号，%(examples)s。",
            params={"problem": _format_problem(text), "examples": EXAMPLES},
            code="invalid_document_number",
        )
    if found.year is not None and not FIRST_YEAR <= found.year <= LAST_YEAR:
        raise ValidationError(
            "文号中的年份“%(year)s”不合理，应在 %(first)s 至 %(last)s 之间。",
            params={"year": found.year, "first": FIRST_YEAR, "last": LAST_YEAR},
            code="bad_year",
        )
    if found.serial == 0:
        raise ValidationError("文号的序号不能为 0。", code="bad_serial")
    return found


def search_key(raw: str) -> str:
    """The official spelling of a 文号 typed into a search box, read laxly (brackets left out,
    年 for the closing bracket, 第 before the serial); "" if it is none."""
    text = _folded(raw)
    found = _match(text)
    if found is None:
        lax = _LAX_BRACKET.match(text)
        if lax is None:
            return ""
        found = DocumentNumber(lax["prefix"], int(lax["year"]), int(lax["serial"]))
    return str(found) if found.serial else ""


def _format_problem(text: str) -> str:
    """Name what is wrong with a 文号 that matches none of the kinds."""
    if not text.endswith("号") and not text.endswith(("公告", "通告")):
        return "末尾缺少“号”字"
    if "〔" not in text and "令" in text:
        return "令的编号应写作如“国务院令第711号”"
    if "〔" not in text and re.search(_ANNOUNCING, text):
        return "公告的编号应写作如“2024年第3号公告”或“国家税务总局公告2024年第3号”"
    if text.count("〔") != 1 or text.count("〕") != 1:
        return "年份应写在〔〕内"
    prefix, _, rest = text.partition("〔")
    if not prefix:
        return "缺少发文机关代字"
    if not _PREFIX.fullmatch(prefix):
        return "发文机关代字只能由汉字组成"
    if not re.fullmatch(r"[0-9]{4}", rest.partition("〕")[0]):
        return "年份应为四位数字"
    return "序号应为数字"


def validate_document_number(value: str) -> None:
    if normalize(value):
        parse(value)

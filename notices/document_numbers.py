"""文号 (document numbers): parsing, normalizing and validating ``X〔YYYY〕N号``."""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

# People type the year brackets many ways; the official form is 〔〕 (U+3014/U+3015).
_OPENING = "[［(（【〖〘﹝〔"
_CLOSING = "]］)）】〗〙﹞〕"
_BRACKETS = str.maketrans({**dict.fromkeys(_OPENING, "〔"), **dict.fromkeys(_CLOSING, "〕")})
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_PREFIX = re.compile(r"[\u4e00-\u9fff]+")
_PATTERN = re.compile(
    r"^(?P<prefix>[\u4e00-\u9fff]+)〔(?P<year>[0-9]{4})〕(?P<serial>[0-9]{1,6})号$"
)
FIRST_YEAR, LAST_YEAR = 1949, 2100


@dataclass(frozen=True)
class DocumentNumber:
    prefix: str
    year: int
    serial: int

    def __str__(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.serial}号"


def normalize(raw: str) -> str:
    """Fold bracket variants, full-width digits and stray spaces into the official spelling.

    A serial typed with leading zeros loses them (GB/T 9704: 1, not 01), so that one number has
    one spelling and the per-organ uniqueness check sees it.
    """
    text = "".join((raw or "").split()).translate(_BRACKETS).translate(_FULLWIDTH_DIGITS)
    match = _PATTERN.match(text)
    if match:
        return f"{match['prefix']}〔{match['year']}〕{int(match['serial'])}号"
    return text


def parse(raw: str) -> DocumentNumber:
    text = normalize(raw)
    match = _PATTERN.match(text)
    if not match:
        raise ValidationError(
            "文号格式不正确（%(problem)s）：应为“发文机关代字〔年份〕序号号”，"
            "例如 甘政办发〔2017〕136号。",
            params={"problem": _format_problem(text)},
            code="invalid_document_number",
        )
    year = int(match["year"])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(
            "文号中的年份“%(year)s”不合理，应在 %(first)s 至 %(last)s 之间。",
            params={"year": year, "first": FIRST_YEAR, "last": LAST_YEAR},
            code="bad_year",
        )
    serial = int(match["serial"])
    if serial == 0:
        raise ValidationError("文号的序号不能为 0。", code="bad_serial")
    return DocumentNumber(match["prefix"], year, serial)


def _format_problem(text: str) -> str:
    """Name what is wrong with a 文号 that does not match the pattern."""
    if not text.endswith("号"):
        return "末尾缺少“号”字"
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

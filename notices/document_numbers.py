"""文号 (document numbers): parsing, normalizing and validating ``X〔YYYY〕N号``."""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

# People type the year brackets many ways; the official form is 〔〕 (U+3014/U+3015).
_OPENING = "[［(（【〖〔"
_CLOSING = "]］)）】〗〕"
_BRACKETS = str.maketrans({**dict.fromkeys(_OPENING, "〔"), **dict.fromkeys(_CLOSING, "〕")})
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_PATTERN = re.compile(r"^(?P<prefix>[\u4e00-\u9fff]+)〔(?P<year>\d{4})〕(?P<serial>\d{1,6})号$")


@dataclass(frozen=True)
class DocumentNumber:
    prefix: str
    year: int
    serial: int

    def __str__(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.serial}号"


def normalize(raw: str) -> str:
    """Fold bracket variants, full-width digits and stray spaces into the official spelling."""
    text = "".join((raw or "").split())
    return text.translate(_BRACKETS).translate(_FULLWIDTH_DIGITS)


def parse(raw: str) -> DocumentNumber:
    text = normalize(raw)
    match = _PATTERN.match(text)
    if not match:
        raise ValidationError(
            "文号格式不正确：应为“发文机关代字〔年份〕序号号”，例如 甘政办发〔2017〕136号。",
            code="invalid_document_number",
        )
    year = int(match["year"])
    if not 1949 <= year <= 2100:
        raise ValidationError(
            "文号中的年份不合理：%(year)s。", params={"year": year}, code="bad_year"
        )
    serial = int(match["serial"])
    if serial == 0:
        raise ValidationError("文号的序号不能为 0。", code="bad_serial")
    return DocumentNumber(match["prefix"], year, serial)


def validate_document_number(value: str) -> None:
    if value:
        parse(value)

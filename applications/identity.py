"""Checks of identity numbers by their check characters: the 18-digit 居民身份证号码
(GB 11643-1999) and the 统一社会信用代码 (GB 32100-2015). Other documents are checked for
length only: their formats vary and a wrong number is for the handler to query."""

from core.checksums import resident_id_birth_date_valid, resident_id_check_character

CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def normalized(number: str) -> str:
    return (number or "").strip().upper().replace(" ", "")


def resident_id_problem(number: str) -> str:
    """A Chinese message saying what is wrong with a 身份证号码, or "" when it is valid."""
    number = normalized(number)
    if len(number) != 18 or not number[:17].isdigit():
        return "身份证号码应为18位，前17位为数字。"
    if not resident_id_birth_date_valid(number):
        return "身份证号码中的出生日期不正确。"
    if resident_id_check_character(number[:17]) != number[17]:
        return "身份证号码的校验位不正确，请核对。"
    return ""


def credit_code_problem(code: str) -> str:
    """A Chinese message saying what is wrong with a 统一社会信用代码, or "" when it is valid."""
    code = normalized(code)
    if len(code) != 18 or any(char not in CREDIT_CHARSET for char in code):
        return "统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）。"
    total = sum(
        CREDIT_CHARSET.index(char) * w for char, w in zip(code[:17], CREDIT_WEIGHTS, strict=True)
    )
    expected = (31 - total % 31) % 31
    if CREDIT_CHARSET[expected] != code[17]:
        return "统一社会信用代码的校验位不正确，请核对。"
    return ""

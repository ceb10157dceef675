"""Check characters of numbers people write into documents: the 18-digit 居民身份证号码
(GB 11643-1999, ISO 7064 MOD 11-2) and bank card numbers (Luhn, ISO/IEC 7812). Pure functions,
used by the 依申请公开 form and by the checks of a notice before publication."""

import datetime

ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"


def resident_id_check_character(first_17: str) -> str:
    """The 18th character of a 身份证号码 whose first 17 digits are given."""
    total = sum(int(digit) * weight for digit, weight in zip(first_17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def resident_id_birth_date_valid(number: str) -> bool:
    try:
        datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return True


def resident_id_valid(number: str) -> bool:
    """An 18-character 身份证号码 with a real birth date and the right check character."""
    number = number.upper()
    return (
        len(number) == 18
        and number[:17].isdigit()
        and resident_id_birth_date_valid(number)
        and resident_id_check_character(number[:17]) == number[17]
    )


def luhn_valid(digits: str) -> bool:
    """Whether a string of digits passes the Luhn check (bank cards, ISO/IEC 7812)."""
    if not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0

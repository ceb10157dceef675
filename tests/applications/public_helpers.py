"""Valid form data and identity numbers for the public side's tests (fictional people)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from applications.identity import CREDIT_CHARSET, CREDIT_WEIGHTS
from core.checksums import ID_CHECK, ID_WEIGHTS


def resident_id(body17: str = "11010519491231002") -> str:
    total = sum(int(d) * w for d, w in zip(body17, ID_WEIGHTS, strict=True))
    return body17 + ID_CHECK[total % 11]


def credit_code(body17: str = "91110000MA0000000") -> str:
    total = sum(CREDIT_CHARSET.index(c) * w for c, w in zip(body17, CREDIT_WEIGHTS, strict=True))
    return body17 + CREDIT_CHARSET[(31 - total % 31) % 31]


def form_data(to_organ, **changes) -> dict:
    data = {
        "organ": str(to_organ.pk),
        "applicant_type": "natural_person",
        "organization_kind": "",
        "applicant_name": "示例申请人甲",
        "id_type": "resident_id",
        "id_number": resident_id(),
        "contact_person": "",
        "phone": "010-12345678",
        "email": "jia@example.invalid",
        "postal_address": "",
        "postcode": "",
        "description": "2026年本区老旧小区改造项目的立项批复文件",
        "delivery": "email",
        "medium": "electronic",
        "website": "",
    }
    data.update(changes)
    return data


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def png(name: str = "身份证.png", content: bytes = PNG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")

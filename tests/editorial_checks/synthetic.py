"""Real-looking synthetic personal data with valid check characters, and documents holding it.
The numbers are computed here, independently of the code under test (an oracle)."""

import datetime
import io
import random

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
AREAS = ["620102", "620103", "110105", "440305", "510107", "320106"]


def resident_id(rng: random.Random) -> str:
    """A 身份证号码 with a real area, a real birth date and the right check character."""
    born = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 55))
    body = f"{rng.choice(AREAS)}{born:%Y%m%d}{rng.randrange(0, 1000):03d}"
    total = sum(int(digit) * weight for digit, weight in zip(body, WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def with_wrong_check(number: str) -> str:
    last = "10X98765432"
    return number[:17] + last[(last.index(number[17]) + 1) % 11]


def luhn_complete(partial: str) -> str:
    """The digits followed by the Luhn check digit."""
    total = 0
    for position, char in enumerate(reversed(partial)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return partial + str((10 - total % 10) % 10)


def bank_card(rng: random.Random, length: int = 19) -> str:
    """A UnionPay-looking card number (62…) that passes the Luhn check."""
    partial = "62" + "".join(str(rng.randrange(10)) for _ in range(length - 3))
    return luhn_complete(partial)


def mobile(rng: random.Random) -> str:
    return rng.choice(["138", "139", "150", "186", "199", "177"]) + f"{rng.randrange(10**8):08d}"


def docx_bytes(*paragraphs: str) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes(rows: list[list]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pdf_bytes(line: str) -> bytes:
    """A one-page PDF whose text layer holds one line (ASCII: the standard Helvetica font)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({line}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()

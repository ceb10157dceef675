"""The site's emblem: a small PNG or JPEG, accepted by what its bytes are, kept in the database
(it is one small image, shown on every page, and every app server serves it the same)."""

import hashlib
import struct

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from notices.uploads import POLYGLOT_PROBE_BYTES, POLYGLOT_SIGNS

MAX_BYTES = 200 * 1024
MAX_SIDE = 1024
PNG = b"\x89PNG\r\n\x1a\n"
JPEG = b"\xff\xd8\xff"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def checked(upload) -> tuple[str, bytes]:
    """(content type, bytes) of an uploaded emblem, or a ValidationError people can act on."""
    size = upload.size or 0
    if size == 0:
        raise ValidationError("图片文件是空的，请重新选择。", code="empty")
    if size > MAX_BYTES:
        raise ValidationError(
            "图片太大（%(size)s），网站标志不能超过 %(limit)s。",
            params={"size": filesizeformat(size), "limit": filesizeformat(MAX_BYTES)},
            code="too_large",
        )
    upload.seek(0)
    data = upload.read()
    if data.startswith(PNG):
        content_type = "image/png"
        width, height = _png_size(data)
    elif data.startswith(JPEG):
        content_type = "image/jpeg"
        width = height = 0  # a JPEG's size needs a walk over its segments; the size cap holds
    else:
        raise ValidationError("网站标志只能是 PNG 或 JPEG 图片。", code="format")
    if any(sign in data[:POLYGLOT_PROBE_BYTES].lower() for sign in POLYGLOT_SIGNS):
        raise ValidationError("图片开头含有网页或脚本内容，不予接收。", code="polyglot")
    if width > MAX_SIDE or height > MAX_SIDE:
        raise ValidationError(
            "图片尺寸过大（%(width)s×%(height)s 像素），宽和高都不能超过 %(side)s 像素。",
            params={"width": width, "height": height, "side": MAX_SIDE},
            code="too_wide",
        )
    return content_type, data


def _png_size(data: bytes) -> tuple[int, int]:
    # The IHDR chunk comes first: length (4), type (4), then width and height (4 each).
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise ValidationError("PNG 图片已损坏，请重新导出后上传。", code="corrupt")
    return struct.unpack(">II", data[16:24])

"""Server-side sanitizing of rich text: the only HTML the portal ever shows comes out of here."""

import hashlib
import re
import secrets
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import nh3
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

ALLOWED_TAGS = {
    "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote", "pre",
    "ul", "ol", "li",
    "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td",
    "a", "strong", "b", "em", "i", "u", "s", "sub", "sup", "span", "img",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "table": {"summary"},
    "col": {"span"},
    "ol": {"start"},
    # Images only from the notice's own attachments (notices/images.py): see _image_source.
    "img": {"src", "alt"},
}
NUMERIC_ATTRIBUTES = {"colspan", "rowspan", "span", "start"}
# No inline style survives: the portal's CSP forbids style attributes, and its stylesheet lays
# out tables, so an editor's widths and colours would be dead weight at best. What a 公文 needs
# of layout (centred headings, the signature and date at the right) comes as these classes,
# which the editor writes (CKEDITOR_CONFIGS' justifyClasses) and static/css/notice-body.css
# draws; any other class is dropped.
ALIGNMENT_CLASSES = {"text-left", "text-center", "text-right", "text-justify"}
ALLOWED_CLASSES = {
    tag: ALIGNMENT_CLASSES
    for tag in ("p", "h2", "h3", "h4", "h5", "h6", "td", "th", "li", "blockquote", "caption")
}
URL_SCHEMES = {"http", "https", "mailto"}
CONTENT_DROPPED_WITH_TAG = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "template",
    "svg",
    "math",
    # Raw-text containers: what they hold would otherwise come out as escaped markup in the text.
    "noscript",
    "noembed",
    "noframes",
    "xmp",
    "textarea",
    "title",
    "select",
}


# An image whose source was not one of ours (its src dropped) is dropped whole. nh3 writes
# attributes quoted and without "<" or ">" (_filter_attribute), so its tags are found this way.
IMAGE_WITHOUT_SOURCE = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")


def sanitize_html(html: str) -> str:
    if not html:
        return ""
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=CONTENT_DROPPED_WITH_TAG,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return IMAGE_WITHOUT_SOURCE.sub("", cleaned).strip()


# What a seal is made under: nh3's version and this module's text, the allow-list's home. A change
# to either changes every seal, and stored HTML is sanitized again on display until it is saved.
try:
    _POLICY_TEXT = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
except OSError:  # installed without its source: no seal made here is trusted anywhere else
    _POLICY_TEXT = secrets.token_hex(16)
SEAL_SALT = f"notices.sanitize.seal:{metadata.version('nh3')}:{_POLICY_TEXT}"


def seal(html: str) -> str:
    """A keyed digest of HTML that ``sanitize_html`` wrote, stored beside it when it is saved.

    Keyed with SECRET_KEY: whoever can write to the database but cannot read the settings cannot
    make a row of their own pass for sanitized."""
    return salted_hmac(SEAL_SALT, html, algorithm="sha256").hexdigest()


def seal_if_sanitized(html: str) -> str:
    """The seal of HTML that sanitizing leaves as it is; of any other, none (""), whatever path
    it came by."""
    return seal(html) if sanitize_html(html) == html else ""


def displayed_html(html: str, stored_seal: str) -> str:
    """Stored rich text as a page shows it: as stored if its seal says this policy sanitized
    exactly that text (its save did), else sanitized now. Rows written by paths that skip
    save() (QuerySet.update(), raw SQL, loaddata) or saved under another policy or key carry no
    matching seal, and are sanitized on every display."""
    if stored_seal and constant_time_compare(stored_seal, seal(html)):
        return html
    return sanitize_html(html)


@lru_cache(maxsize=1)
def _image_source() -> re.Pattern:
    """The URLs an image in a body may have: an attachment's download URL on this site, which
    serves the file only while its notice may be seen, under the site's CSP (img-src 'self')."""
    url = reverse("notices:attachment-download", args=[111111111, 222222222])
    return re.compile(re.escape(url).replace("111111111", "[0-9]+").replace("222222222", "[0-9]+"))


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Check the values nh3 lets through by name; None drops the attribute."""
    if "<" in value or ">" in value:
        # No allowed attribute needs markup characters; they only serve to break out of a
        # context after a later re-parse (mXSS), as in title="</noscript><img onerror=…>".
        return None
    if tag == "img" and attribute == "src":
        return value if _image_source().fullmatch(value.strip()) else None
    if attribute in NUMERIC_ATTRIBUTES:
        value = value.strip()
        return value if re.fullmatch(r"[0-9]{1,3}", value) else None
    return value

"""ParsedNotice → the body of the draft: sections as <h2>, numbered items as <h3> (their own
numbered points as <h4>), paragraphs as <p>, the 附件 list as <ol>, like
notices/demo/gansu-2016-notice.html. Sanitized like every body the portal stores."""

from django.utils.html import escape

from importer.parsed import Item, ParsedNotice
from notices.sanitize import sanitize_html


def _p(text: str) -> str:
    return f"<p>{escape(text)}</p>"


def _item(item: Item, level: int) -> list[str]:
    out = []
    if item.title:
        out.append(f"<h{level}>{escape(item.label + item.title)}</h{level}>")
        out.extend(_p(text) for text in item.paragraphs)
    else:
        first, *rest = item.paragraphs or [""]
        out.append(_p(item.label + first))
        out.extend(_p(text) for text in rest)
    for child in item.children:
        out.extend(_item(child, min(level + 1, 4)))
    return out


def to_html(parsed: ParsedNotice) -> str:
    out = [_p(text) for text in parsed.before_title]
    if parsed.addressees:
        out.append(_p("，".join(parsed.addressees) + "："))
    out.extend(_p(text) for text in parsed.preamble)
    for section in parsed.sections:
        if section.number or section.title:
            heading = f"{section.number}、{section.title}" if section.number else section.title
            out.append(f"<h2>{escape(heading)}</h2>")
        out.extend(_p(text) for text in section.paragraphs)
        for item in section.items:
            out.extend(_item(item, 3))
    if parsed.attachments:
        out.append(_p("附件："))
        out.append("<ol>" + "".join(f"<li>{escape(t)}</li>" for t in parsed.attachments) + "</ol>")
    out.extend(_p(text) for text in parsed.closing)
    out.extend(_p(text) for text in parsed.signature)
    out.extend(_p(text) for text in parsed.after_signature)
    return sanitize_html("\n".join(out))

"""Server-side sanitizing of rich text: the only HTML the portal ever shows comes out of here."""

import nh3

ALLOWED_TAGS = {
    "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote", "pre",
    "ul", "ol", "li",
    "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td",
    "a", "strong", "b", "em", "i", "u", "s", "sub", "sup", "span",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "th": {"colspan", "rowspan", "scope", "style"},
    "td": {"colspan", "rowspan", "style"},
    "table": {"summary", "style"},
    "col": {"span", "style"},
    "ol": {"start"},
}
# Tables are the one place inline style is kept, and only these layout properties.
TABLE_STYLE_PROPERTIES = {"width", "text-align", "vertical-align", "border", "border-collapse"}
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
}


def sanitize_html(html: str) -> str:
    if not html:
        return ""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=CONTENT_DROPPED_WITH_TAG,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        filter_style_properties=TABLE_STYLE_PROPERTIES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()

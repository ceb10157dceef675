"""Rich text against a corpus of real-world XSS payloads, and on every path from save to page.

The output is checked by parsing it (html.parser), not by looking for substrings: a payload is
neutralized when the elements and attributes that come out are all on the allow-list and no URL
or style in them can run anything. The policy is written out here rather than imported from
notices.sanitize, so that loosening it shows up as a change to this file.
"""

import html
import io
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from notices import workflow
from notices.models import Notice
from notices.sanitize import displayed_html, sanitize_html, seal
from tests import factories
from tests.markup import assert_only_static_scripts

PAYLOADS = [
    line
    for line in (Path(__file__).with_name("xss_payloads.txt")).read_text("utf-8").splitlines()
    if line.strip()
]
GENERIC_ATTRIBUTES = {"title", "lang"}
WITHOUT_ATTRIBUTES = [
    "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote", "pre", "ul", "li",
    "caption", "colgroup", "thead", "tbody", "tfoot", "tr",
    "strong", "b", "em", "i", "u", "s", "sub", "sup", "span",
]  # fmt: skip
ALLOWED = {
    **{tag: set() for tag in WITHOUT_ATTRIBUTES},
    "a": {"href", "rel"},
    "ol": {"start"},
    "table": {"summary"},
    "col": {"span"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "img": {"src", "alt"},
}
# The only image source kept: an attachment's download URL on this site (notices/images.py).
IMAGE_SOURCE = re.compile(r"/notices/[0-9]+/attachments/[0-9]+/")
# The layout a 公文 needs, as classes (static/css/notice-body.css): only these, only here.
ALIGNMENT_CLASSES = {"text-left", "text-center", "text-right", "text-justify"}
CLASSED = {"p", "h2", "h3", "h4", "h5", "h6", "td", "th", "li", "blockquote", "caption"}
# The genre by its stored code, whether the field holds the code or points at it.
NOTICE_GENRE = {Notice._meta.get_field("genre").attname: "notice"}
NEVER = {"script", "style", "iframe", "object", "embed", "svg", "math", "base", "meta", "form"}
LINK_SCHEMES = {"http", "https", "mailto"}
LINK_OR_RELATIVE = {*LINK_SCHEMES, None}
RUNNABLE_SCHEMES = {"javascript", "vbscript", "data"}
LINK_REL = "noopener noreferrer nofollow"
C0_CONTROLS_AND_SPACE = "".join(map(chr, range(0x21)))
SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):")


class Reader(HTMLParser):
    """Records what html.parser sees: start tags with attributes, end tags, text, the rest."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.events = []

    def handle_starttag(self, tag, attrs):
        self.events.append(("start", tag, tuple(attrs)))

    def handle_endtag(self, tag):
        self.events.append(("end", tag))

    def handle_data(self, data):
        if self.events and self.events[-1][0] == "text":
            self.events[-1] = ("text", self.events[-1][1] + data)
        else:
            self.events.append(("text", data))

    def handle_comment(self, data):
        self.events.append(("comment", data))

    def handle_decl(self, decl):
        self.events.append(("declaration", decl))

    def unknown_decl(self, data):
        self.events.append(("declaration", data))

    def handle_pi(self, data):
        self.events.append(("processing instruction", data))


def read(markup: str) -> list[tuple]:
    reader = Reader()
    reader.feed(markup)
    reader.close()
    return reader.events


def write(events: list[tuple]) -> str:
    """Serialize what html.parser read, as a browser's innerHTML would."""
    parts = []
    for event in events:
        if event[0] == "start":
            attributes = "".join(
                f" {name}" if value is None else f' {name}="{html.escape(value)}"'
                for name, value in event[2]
            )
            parts.append(f"<{event[1]}{attributes}>")
        elif event[0] == "end":
            parts.append(f"</{event[1]}>")
        elif event[0] == "text":
            parts.append(html.escape(event[1], quote=False))
        else:
            parts.append(f"<!--{event[1]}-->")
    return "".join(parts)


def url_scheme(value: str) -> str | None:
    """The scheme a browser would see: it drops tabs and newlines and trims control characters."""
    value = re.sub(r"[\t\n\r]", "", value).strip(C0_CONTROLS_AND_SPACE)
    match = SCHEME.match(value.lower())
    return match[1] if match else None


def problems(markup: str) -> list[str]:
    """Everything in ``markup`` that could run script, load something, or escape the allow-list."""
    found = []
    for event in read(markup):
        if event[0] in {"comment", "declaration", "processing instruction"}:
            found.append(f"{event[0]} {event[1]!r}")
        if event[0] != "start":
            continue
        tag, attributes = event[1], event[2]
        if tag in NEVER or tag not in ALLOWED:
            found.append(f"element <{tag}>")
            continue
        for name, value in attributes:
            value = value or ""
            if name.startswith("on"):
                found.append(f"event handler {name} on <{tag}>")
            elif name == "class" and tag in CLASSED:
                if not set(value.split()) <= ALIGNMENT_CLASSES:
                    found.append(f"class {value!r} on <{tag}>")
            elif name not in ALLOWED[tag] | GENERIC_ATTRIBUTES:
                found.append(f"attribute {name} on <{tag}>")
            elif tag == "img" and name == "src" and not IMAGE_SOURCE.fullmatch(value):
                found.append(f"image source {value!r}")
            scheme = url_scheme(value)
            if scheme in RUNNABLE_SCHEMES or (name == "href" and scheme not in LINK_OR_RELATIVE):
                found.append(f"{scheme}: URL in {name} on <{tag}>")
    return found


def only(markup: str, tag: str) -> dict:
    """The attributes of the one <tag> in markup."""
    starts = [dict(event[2]) for event in read(markup) if event[0] == "start" and event[1] == tag]
    assert len(starts) == 1, markup
    return starts[0]


def test_corpus_is_large_and_varied():
    assert len(PAYLOADS) >= 60
    assert len(set(PAYLOADS)) == len(PAYLOADS)


def test_the_checker_itself_spots_what_it_must():
    assert problems("<p>安全</p>") == []
    assert problems("<script>alert(1)</script>")
    assert problems('<img src=x onerror="alert(1)">')
    assert problems('<img src="https://example.com/x.png">')
    assert problems('<a href="java&#x09;script:alert(1)">x</a>')
    assert problems('<a href="ftp://example.com/">x</a>')
    assert problems('<p style="width:1px">x</p>')
    assert problems('<table style="background:url(x)"></table>')
    assert problems("<!--[if IE]><script>alert(1)</script><![endif]-->")


def test_alignment_classes_are_kept_and_any_other_class_or_style_dropped():
    cleaned = sanitize_html(
        '<h2 class="text-center">标题</h2><p class="text-right evil" style="float:right">'
        '甘肃省人民政府办公厅</p><table><tr><td class="text-center">1</td></tr></table>'
        '<span class="text-right">x</span>'
    )
    assert cleaned == (
        '<h2 class="text-center">标题</h2><p class="text-right">甘肃省人民政府办公厅</p>'
        '<table><tbody><tr><td class="text-center">1</td></tr></tbody></table><span>x</span>'
    )
    assert problems(cleaned) == []
    assert problems('<p class="hidden">x</p>')


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_comes_out_harmless(payload):
    cleaned = sanitize_html(payload)
    assert problems(cleaned) == []


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_output_reads_the_same_after_another_parse(payload):
    """mXSS: the output must mean the same to the next parser, and stay harmless."""
    cleaned = sanitize_html(payload)
    events = read(cleaned)
    reserialized = write(events)
    assert read(reserialized) == events
    assert problems(reserialized) == []
    assert sanitize_html(cleaned) == cleaned
    assert sanitize_html(reserialized) == cleaned


def test_allowed_markup_survives_unchanged():
    body = (
        "<h2>一、总体情况</h2><h3>（一）公开渠道</h3><h4>1. 政府网站</h4>"
        "<p>全省共<strong>主动公开</strong>政府信息<em>1563668</em>条。</p>"
        "<ul><li>政府公报</li><li>政府门户网站</li></ul>"
        '<ol start="3"><li>微博</li><li>微信及客户端</li></ol>'
        "<table><caption>考核成绩表</caption>"
        '<thead><tr><th scope="col" colspan="2">单位</th><th scope="col">得分</th></tr></thead>'
        '<tbody><tr><td rowspan="2">市州</td><td>兰州市</td><td>95</td></tr>'
        "<tr><td>天水市</td><td>91</td></tr></tbody></table>"
        "<blockquote><p>依照《中华人民共和国政府信息公开条例》</p></blockquote>"
    )
    assert sanitize_html(body) == body


@pytest.mark.parametrize(
    "href",
    ["http://www.gansu.gov.cn/", "https://www.gov.cn/zhengce/content/", "mailto:gk@gansu.gov.cn"],
)
def test_links_keep_safe_urls_and_get_a_closed_rel(href):
    cleaned = sanitize_html(f'<a href="{href}" rel="opener" target="_blank">链接</a>')
    assert only(cleaned, "a") == {"href": href, "rel": LINK_REL}


@pytest.mark.parametrize(
    "href", ["javascript:alert(1)", "vbscript:msgbox(1)", "data:text/html,x", "ftp://x.cn/"]
)
def test_links_to_other_schemes_lose_their_href(href):
    cleaned = sanitize_html(f'<a href="{href}">链接</a>')
    assert only(cleaned, "a") == {"rel": LINK_REL}
    assert "链接" in cleaned


def test_table_layout_style_is_dropped_because_the_portal_csp_forbids_it():
    cleaned = sanitize_html(
        '<table style="border-collapse: collapse"><tr><td style="width: 30%; text-align: center"'
        ' colspan="2">兰州市</td></tr></table>'
    )
    assert "style" not in only(cleaned, "table")
    assert only(cleaned, "td") == {"colspan": "2"}


@pytest.mark.parametrize(
    "declaration",
    [
        "position: fixed",
        "background: red",
        "background-image: url(x.png)",
        "width: url(javascript:alert(1))",
        "width: expression(alert(1))",
        "width: expr\\65ssion(alert(1))",
        "w\\69 dth: 100px",
        "border: 1px solid url(x.png)",
        "width: 10px /* ; */",
        "text-align: 'center'",
    ],
)
def test_dangerous_cell_style_is_dropped(declaration):
    cleaned = sanitize_html(f'<table><tr><td style="{declaration}">单元格</td></tr></table>')
    assert "style" not in only(cleaned, "td")


@pytest.mark.parametrize("tag", ["p", "span", "h2", "li", "a"])
def test_style_outside_tables_is_dropped(tag):
    cleaned = sanitize_html(f'<{tag} style="text-align:center;width:10px">文字</{tag}>')
    assert "style" not in only(cleaned, tag)


def test_table_spans_must_be_numbers():
    cleaned = sanitize_html(
        '<table><tr><td colspan="2" rowspan="x onclick=alert(1)">a</td></tr></table>'
    )
    assert only(cleaned, "td") == {"colspan": "2"}


def test_attribute_holding_markup_is_dropped():
    cleaned = sanitize_html(
        '<a href="https://x.cn/" title="</noscript><img onerror=alert(1)>">x</a>'
    )
    assert only(cleaned, "a") == {"href": "https://x.cn/", "rel": LINK_REL}


PAYLOAD_BODY = (
    '<p>正文</p><img src=x onerror=alert(1)><script>alert("x")</script>'
    '<a href="javascript:alert(1)" onclick="alert(1)">链接</a>'
)
CLEAN_BODY = f'<p>正文</p><a rel="{LINK_REL}">链接</a>'


def stored_body(notice: Notice) -> str:
    return Notice.objects.values_list("body", flat=True).get(pk=notice.pk)


def test_save_draft_stores_sanitized_body(organ, editor):
    notice = Notice(organ=organ, title="关于测试的通知", **NOTICE_GENRE, body=PAYLOAD_BODY)
    notice = workflow.save_draft(notice, editor)
    assert stored_body(notice) == CLEAN_BODY
    assert notice.body == CLEAN_BODY


def test_objects_create_stores_sanitized_body(organ):
    notice = Notice.objects.create(
        organ=organ, title="关于测试的通知", **NOTICE_GENRE, body=PAYLOAD_BODY
    )
    assert stored_body(notice) == CLEAN_BODY


def test_plain_save_stores_sanitized_body(organ, editor):
    notice = factories.make_draft(organ, editor)
    notice.body = PAYLOAD_BODY
    notice.save()
    assert stored_body(notice) == CLEAN_BODY
    notice.body = PAYLOAD_BODY
    notice.save(update_fields=["body"])
    assert stored_body(notice) == CLEAN_BODY


def test_bulk_create_stores_sanitized_body(organ):
    Notice.objects.bulk_create(
        [Notice(organ=organ, title="批量导入", **NOTICE_GENRE, body=PAYLOAD_BODY)]
    )
    assert Notice.objects.get(title="批量导入").body == CLEAN_BODY


@pytest.mark.parametrize("payload", PAYLOADS)
def test_published_payload_does_not_run_on_the_portal(client, notice_in, payload):
    notice = notice_in("published", body=f"<p>正文</p>{payload}")
    response = client.get(notice.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode().lower()
    assert_only_static_scripts(page, notice.title)
    assert "onerror=" not in page
    assert "javascript:" not in page
    assert "正文" in page
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_body_written_around_save_is_still_sanitized_on_the_page(client, notice_in):
    notice = notice_in("published")
    Notice.objects.filter(pk=notice.pk).update(body='<p>正文</p><img src=x onerror="alert(1)">')
    page = client.get(notice.get_absolute_url()).content.decode()
    assert "<p>正文</p>" in page
    assert "onerror" not in page


# Seals: a body its save sanitized is shown as stored; any other is sanitized on display.

UNSAFE_BODY = '<p>正文</p><img src=x onerror="alert(1)">'


def refuse_to_sanitize(monkeypatch):
    def refused(html):
        raise AssertionError("sanitized again")

    monkeypatch.setattr("notices.sanitize.sanitize_html", refused)


def stored(notice: Notice) -> tuple[str, str]:
    return Notice.objects.values_list("body", "body_seal").get(pk=notice.pk)


def test_a_saved_body_is_sealed_and_shown_without_sanitizing_it_again(
    client, notice_in, monkeypatch
):
    notice = notice_in("published", body=PAYLOAD_BODY)
    body, body_seal = stored(notice)
    assert body == CLEAN_BODY
    assert body_seal == seal(CLEAN_BODY)
    refuse_to_sanitize(monkeypatch)

    page = client.get(notice.get_absolute_url()).content.decode()

    assert CLEAN_BODY in page


def test_bulk_created_bodies_are_sealed(organ):
    Notice.objects.bulk_create(
        [Notice(organ=organ, title="批量导入", **NOTICE_GENRE, body=PAYLOAD_BODY)]
    )
    assert stored(Notice.objects.get(title="批量导入")) == (CLEAN_BODY, seal(CLEAN_BODY))


def test_a_body_written_without_its_seal_is_sanitized_on_display(client, notice_in):
    notice = notice_in("published")
    # The seal of the body it had: it does not match the body written around save().
    Notice.objects.filter(pk=notice.pk).update(body=UNSAFE_BODY)
    page = client.get(notice.get_absolute_url()).content.decode()
    assert "<p>正文</p>" in page
    assert "onerror" not in page


def test_a_save_of_the_seal_alone_does_not_seal_an_unsanitized_body(client, notice_in):
    notice = notice_in("published")
    Notice.objects.filter(pk=notice.pk).update(body=UNSAFE_BODY)
    notice.body = UNSAFE_BODY
    notice.save(update_fields=["body_seal"])
    assert stored(notice) == (UNSAFE_BODY, "")
    assert "onerror" not in client.get(notice.get_absolute_url()).content.decode()


def test_a_seal_made_with_another_key_does_not_pass(client, notice_in, settings):
    notice = notice_in("published")
    settings.SECRET_KEY = "someone-else-" + "x" * 50
    forged = seal(UNSAFE_BODY)
    settings.SECRET_KEY = settings.SECRET_KEY.replace("someone-else-", "")
    Notice.objects.filter(pk=notice.pk).update(body=UNSAFE_BODY, body_seal=forged)
    page = client.get(notice.get_absolute_url()).content.decode()
    assert "onerror" not in page


def test_a_seal_made_under_another_policy_does_not_pass(monkeypatch):
    made_before = seal(UNSAFE_BODY)
    assert displayed_html(UNSAFE_BODY, made_before) == UNSAFE_BODY  # the seal's whole point
    monkeypatch.setattr("notices.sanitize.SEAL_SALT", "notices.sanitize.seal:another-policy")
    assert "onerror" not in displayed_html(UNSAFE_BODY, made_before)
    assert "onerror" not in displayed_html(UNSAFE_BODY, "")


def test_the_seal_command_seals_only_bodies_that_are_already_sanitized(
    client, notice_in, monkeypatch
):
    clean, unsafe, sealed = notice_in("published"), notice_in("published"), notice_in("published")
    Notice.objects.filter(pk=clean.pk).update(body=CLEAN_BODY, body_seal="")
    Notice.objects.filter(pk=unsafe.pk).update(body=UNSAFE_BODY, body_seal="")
    already = stored(sealed)
    out = io.StringIO()

    call_command("seal_rich_text", "--batch-size", "2", stdout=out)

    assert stored(clean) == (CLEAN_BODY, seal(CLEAN_BODY))
    assert stored(unsafe) == (UNSAFE_BODY, "")
    assert stored(sealed) == already
    assert "1 条正文与清理结果不一致" in out.getvalue()
    assert "onerror" not in client.get(unsafe.get_absolute_url()).content.decode()
    call_command("seal_rich_text", stdout=out)
    assert "已为 0 条正文写入校验码" in out.getvalue()


def seal_salt_in_a_new_process(without_source: bool) -> str:
    hide = (
        "import pathlib; read = pathlib.Path.read_bytes\n"
        "def hidden(path):\n"
        "    if path.name == 'sanitize.py': raise FileNotFoundError(path)\n"
        "    return read(path)\n"
        "pathlib.Path.read_bytes = hidden\n"
    )
    shown = "from notices import sanitize; print(sanitize.SEAL_SALT)"
    code = (hide if without_source else "") + shown
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_seals_are_made_alike_by_every_process_unless_the_policy_cannot_be_read():
    assert seal_salt_in_a_new_process(False) == seal_salt_in_a_new_process(False)
    # Installed without its source, a process trusts only the seals it made itself.
    assert seal_salt_in_a_new_process(True) != seal_salt_in_a_new_process(True)


def test_the_seal_command_refuses_a_batch_size_below_one():
    with pytest.raises(CommandError, match="--batch-size 必须是正整数"):
        call_command("seal_rich_text", "--batch-size", "0")

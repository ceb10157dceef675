"""The real corpus (tests/importer/corpus/real/index.json) and the damaged copies made from it
by code, in the forms old sites and scrapers leave: Traditional characters, GBK read a byte out
of step, spam pasted in, censored characters, PDF line breaks, a mirror site's page around it,
doubled punctuation, dates without separators or in Chinese numerals. Used by the tests and by
bench/import_corpus.py; the expected answers of a variant are its original's."""

import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

REAL = Path(__file__).resolve().parent / "corpus" / "real"
SPAM_SUFFIX = "-澳门新葡京官网入口"
SPAM_PHRASE = "【澳门新葡京官网入口】"


@dataclass
class Case:
    name: str  # file name, with the variant before the extension
    data: bytes
    entry: dict  # the original's line in index.json
    variant: str
    body_lines: list[str] = field(default_factory=list)  # the lines a draft must keep
    damage: list[str] = field(default_factory=list)  # fragments that must be flagged


def index() -> list[dict]:
    return json.loads((REAL / "index.json").read_text(encoding="utf-8"))["files"]


def body_lines(text: str, entry: dict) -> list[str]:
    """The lines of the notice itself: not chrome, not the title or 文号 in another form."""
    skip = {line.strip() for line in entry["chrome"] + entry["head"]}
    skip |= {line + SPAM_SUFFIX for line in skip | {entry["title"]}}
    lines = []
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped or stripped in skip:
            continue
        lines.append(stripped)
    return lines


def _traditional(text: str) -> str:
    import opencc

    return opencc.OpenCC("s2t").convert(text)


def _out_of_step(line: str) -> str:
    """A GBK line decoded a byte late, as old scrapers did: ?。ㄒ唬… for （一）…"""
    data = line.encode("gbk", errors="replace")
    return "?" + data[1:].decode("gbk", errors="replace")


def _first_item(lines: list[str]) -> int | None:
    for index, line in enumerate(lines):
        if re.match(r"^\s*[（(][一二三四五六七八九十][）)]", line) and len(line.strip()) > 12:
            return index
    return None


def _longest(lines: list[str], entry: dict) -> int:
    skip = {line.strip() for line in entry["chrome"] + entry["head"]}
    candidates = [i for i, line in enumerate(lines) if line.strip() not in skip]
    return max(candidates, key=lambda i: len(lines[i]))


def variants(entry: dict) -> list[Case]:
    text = (REAL / entry["file"]).read_text(encoding="utf-8")
    stem, _dot, extension = entry["file"].rpartition(".")
    original = body_lines(text, entry)
    cases = [Case(entry["file"], text.encode(), entry, "original", original)]

    def case(variant, changed, damage=(), encoding="utf-8", same_lines=False, suffix=extension):
        """``same_lines``: the variant changes how lines look or where they break, not what
        they say, so the original's body lines are what the draft must keep."""
        cases.append(
            Case(
                f"{stem}.{variant}.{suffix}",
                changed.encode(encoding),
                entry,
                variant,
                original if same_lines else body_lines(changed, entry),
                list(damage),
            )
        )

    lines = text.split("\n")
    case("traditional", _traditional(text), same_lines=True)
    case("gbk", text, encoding="gb18030", same_lines=True)
    item = _first_item(lines)
    if item is not None:
        garbled = list(lines)
        garbled[item] = _out_of_step(lines[item].strip())
        case("mojibake", "\n".join(garbled), damage=[garbled[item][:3]])
    longest = _longest(lines, entry)
    spammed = list(lines)
    cut = len(lines[longest]) // 2
    spammed[longest] = lines[longest][:cut] + SPAM_PHRASE + lines[longest][cut:]
    if entry["title"]:
        spammed = [
            line + SPAM_SUFFIX if line.strip() == entry["title"] else line for line in spammed
        ]
    case("spam", "\n".join(spammed), damage=[SPAM_PHRASE.strip("【】")])
    censored = list(lines)
    line = lines[longest]
    at = next((m.start() for m in re.finditer(r"[\u4e00-\u9fff]{6}", line[10:])), 0) + 12
    censored[longest] = line[:at] + "**" + line[at + 2 :]
    case("censored", "\n".join(censored), damage=["**"])
    doubled = list(lines)
    doubled[longest] = re.sub(r"[,，]", ",,", lines[longest], count=1)
    if doubled[longest] != lines[longest]:
        case("doubled", "\n".join(doubled), damage=[",,"])
    pdf = []
    for line in lines:
        stripped = line.strip()
        while len(stripped) > 38:
            pdf.append(stripped[:38])
            stripped = stripped[38:]
        pdf.append(stripped)
    case("pdf", "\n".join(pdf), same_lines=True)
    case("pdfpages", pdf_pages(lines, entry), same_lines=True)
    case("pinyin", annotated(text), same_lines=True)
    case("mirror", mirror_page(text, entry), same_lines=True, suffix="html")
    return cases


def pdf_pages(lines: list[str], entry: dict, width: int = 28, page: int = 24) -> str:
    """Text as pdftotext gives a printed document: every line broken at a narrower page's
    width, no blank line between paragraphs, and at each page's end its number (— 2 —) and
    a form feed, each later page under a running head."""
    wrapped = []
    for line in lines:
        stripped = line.strip()
        while len(stripped) > width:
            wrapped.append(stripped[:width])
            stripped = stripped[width:]
        if stripped:
            wrapped.append(stripped)
    head = (entry["title"] or "政务信息公开资料")[:12]
    out = []
    for start in range(0, len(wrapped), page):
        number = start // page + 1
        if number > 1:
            out.append("\f" + head)
        out.extend(wrapped[start : start + page])
        out.extend(["", f"— {number} —", ""])
    return "\n".join(out)


# Readings of a few frequent characters: (with its tone mark, without).
READINGS = {
    "政": ("zhèng", "zheng"),
    "府": ("fǔ", "fu"),
    "公": ("gōng", "gong"),
    "开": ("kāi", "kai"),
    "信": ("xìn", "xin"),
    "息": ("xī", "xi"),
    "网": ("wǎng", "wang"),
    "站": ("zhàn", "zhan"),
    "工": ("gōng", "gong"),
    "作": ("zuò", "zuo"),
    "年": ("nián", "nian"),
    "情": ("qíng", "qing"),
    "况": ("kuàng", "kuang"),
    "报": ("bào", "bao"),
    "要": ("yào", "yao"),
    "求": ("qiú", "qiu"),
    "绿": ("lǜ", "lv"),
}


def annotated(text: str) -> str:
    """Pinyin pasted after characters, as annotated copies have it: toned and toneless, in
    half- and full-width parentheses, a tone number now and then."""
    count = 0

    def note(match: re.Match) -> str:
        nonlocal count
        count += 1
        toned, toneless = READINGS[match.group()]
        shapes = [f"({toned})", f"（{toneless}）", f"({toneless})", f"({toneless}4)"]
        return match.group() + shapes[count % len(shapes)]

    pattern = re.compile("[" + "".join(READINGS) + "]")
    out = []
    for line in text.split("\n"):
        # Two characters a line at most, as annotated pages mark the hard ones.
        out.append(pattern.sub(note, line, count=2))
    return "\n".join(out)


MIRROR_CHROME = [
    "首页 | 政务公开 | 政务服务 | 互动交流 | 走进本市",
    "无障碍",
    "长者专区",
    "当前位置：首页 > 政务公开 > 通知公告",
    "【字体：大 中 小】 【打印】 【关闭】",
    "分享到：",
    "责任编辑：王明",
    "我要纠错",
    "主办单位：示例市人民政府办公室 技术支持：示例信息中心",
    "网站标识码：1234000001 备案号：京ICP备00000000号",
    "首页 | 政务公开 | 政务服务 | 互动交流 | 走进本市",
]


def mirror_page(text: str, entry: dict) -> str:
    """The notice inside a reposting site's page: menus, breadcrumbs and bars around it, the
    menu repeated at the foot, each paragraph a <p>."""
    paragraphs = "\n".join(
        f"<p>{html.escape(line.strip())}</p>" for line in text.split("\n") if line.strip()
    )
    title = html.escape(entry["title"] or "信息公开")
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title}_示例转载网</title></head>
<body>
<div>首页 | 政务公开 | 政务服务 | 互动交流 | 走进本市</div>
<div>无障碍</div><div>长者专区</div>
<div>当前位置：首页 &gt; 政务公开 &gt; 通知公告</div>
<div>【字体：大 中 小】 【打印】 【关闭】</div>
<div>分享到：</div>
<div class="article">{paragraphs}</div>
<p>责任编辑：王明</p>
<p>我要纠错</p>
<div>首页 | 政务公开 | 政务服务 | 互动交流 | 走进本市</div>
<p>主办单位：示例市人民政府办公室 技术支持：示例信息中心</p>
<p>网站标识码：1234000001 备案号：京ICP备00000000号</p>
</body></html>"""


def all_cases() -> list[Case]:
    return [case for entry in index() for case in variants(entry)]


# ---------------------------------------------------------------- measuring a parsed case


def _compact(text: str) -> str:
    """Letters, digits and Han characters only: what a sentence says, not its spacing or
    punctuation (a heading's full stop is not kept in an <h3>)."""
    return re.sub(r"[^\w]|_", "", text)


def draft_text(parsed) -> str:
    """What a draft made from the parse holds: its fields and its body's text."""
    from importer import rendering

    body = re.sub(r"<[^>]+>", "", rendering.to_html(parsed))
    fields = [parsed.title, parsed.document_number, "，".join(parsed.addressees)]
    return _compact(html.unescape("".join(fields) + body))


def runs(line: str) -> list[str]:
    """The 8-character runs of a cleaned source line (a shorter line is one run)."""
    from importer.cleaning import clean_line

    cleaned = _compact(clean_line(line)[0])
    if len(cleaned) < 8:
        return [cleaned] if cleaned else []
    return [cleaned[i : i + 8] for i in range(0, len(cleaned) - 7, 8)]


@dataclass
class Measure:
    runs: int = 0
    kept: int = 0
    missed: list[str] = field(default_factory=list)
    title: str = ""  # "right", "flagged" or "wrong"
    number: str = ""
    date: str = ""
    damage: int = 0
    damage_flagged: int = 0


def measure(case: Case, parsed) -> Measure:
    from importer.cleaning import clean_line

    result = Measure()
    text = draft_text(parsed)
    from importer import damage

    for line in case.body_lines:
        if damage.is_garbled(line):
            continue  # garbled bytes are kept as they are and flagged, not read
        for run in runs(line):
            result.runs += 1
            if run in text:
                result.kept += 1
            else:
                result.missed.append(run)
    flagged = {flag.location for flag in parsed.flags}
    want = _compact(clean_line(case.entry["title"])[0])
    if want and _compact(parsed.title) == want:
        result.title = "right"
    elif not parsed.title:
        result.title = "flagged"  # saving takes the file name and flags it
    else:
        result.title = "flagged" if "标题" in flagged else "wrong"
    want_number = case.entry["document_number"]
    if parsed.document_number == want_number:
        result.number = "right"
    else:
        result.number = "flagged" if "文号" in flagged else "wrong"
    want_date = case.entry["signed_on"]
    got = parsed.signed_on.isoformat() if parsed.signed_on else None
    if got == want_date:
        result.date = "right"
    else:
        result.date = "flagged" if "成文日期" in flagged else "wrong"
    raws = [clean_line(flag.raw)[0] + flag.raw for flag in parsed.flags]
    for fragment in case.damage:
        result.damage += 1
        if any(fragment in raw or clean_line(fragment)[0] in raw for raw in raws):
            result.damage_flagged += 1
    return result

"""Text of a legacy notice → ParsedNotice: metadata, sections and numbered items, attachments,
cited documents and statistics, with every garbled place flagged. No database here.

The genre's shape (甘政办发〔2017〕136号 is the model): title; 文号; addressees ending in “：”;
opening paragraphs citing 《…》（文号）; sections 一、二、… holding items （一）（二）… and 1. 2. …;
附件：1. … 2. …; the issuer's signature and the signing date.
"""

import datetime
import re
from dataclasses import dataclass

from importer import damage
from importer.cleaning import HAN, clean_line
from importer.parsed import (
    SECTION_KINDS,
    Citation,
    FlagKind,
    Item,
    NotANotice,
    ParsedNotice,
    Section,
)
from importer.statistics import collect_statistics
from notices import document_numbers

CN = damage.CN_DIGITS


# ---------------------------------------------------------------- lines and chrome


@dataclass
class Line:
    raw: str
    text: str


_BULLETS = " •·●◆■□▪►>|｜【】[]「」"
_DATE = r"((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
_META_KEYS = {
    "published": ["发布时间", "发布日期", "时间", "日期", "发表时间", "更新时间"],
    "signed": ["成文日期", "发文日期"],
    "views": [
        *["点击数", "点击量", "点击", "浏览次数", "浏览量", "浏览"],
        *["阅读次数", "阅读数", "阅读", "访问量", "访问次数", "访问"],
    ],
    "source": ["信息来源", "文章来源", "来源"],
    "document_number": ["文号", "发文字号"],
    "issuer": ["发布机构", "发文机关", "发文单位"],
    "other": [
        *["作者", "编辑", "责任编辑", "发布者", "索引号", "主题分类", "体裁分类", "主题词"],
        *["字号", "字体", "分类", "公开方式", "公开范围", "有效性"],
    ],
}
_KEY_TO_FIELD = {key: name for name, keys in _META_KEYS.items() for key in keys}
_META_KEY = re.compile(
    "(" + "|".join(sorted(_KEY_TO_FIELD, key=len, reverse=True)) + r")\s*[：:]\s*"
)
CHROME_LINES = [
    re.compile(p)
    for p in (
        r"^欢迎(您)?(访问|来到|光临)",
        r"版权所有|Copyright|©|ICP备|ICP证|公网安备|网站标识码|网站识别码",
        r"^(当前位置|您(现在)?的?位置|所在位置)[：:]?",
        r"打印本页|关闭窗口|【?打印】|【关闭】|【?收藏】|\[打印\]|\[关闭\]",
        r"^【?字[体号][：:]?\s*[【\[]?\s*大",
        r"^分享到|^扫一扫|^用手机扫",
        r"^(网站地图|联系我们|设为首页|加入收藏|返回顶部|返回首页|无障碍|English|长者模式)",
        r"主办单位|承办单位|技术支持|主办[：:]|承办[：:]|维护单位",
        r"^(上一篇|下一篇|上一条|下一条)[：:]?",
        r"^首页$|^首\s*页\s*[>›»]",
        r"^(相关(链接|文章|新闻|阅读)|热点(新闻|推荐)|推荐阅读)[：:]?$",
    )
]
_MENU_SEPARATORS = re.compile(r"\s*[|｜]\s*|\s{2,}|\s*[>›»]\s*")


def _is_menu(text: str) -> bool:
    """A row of short links: 首页 | 政务公开 | 政务服务 | 互动交流."""
    tokens = [token for token in _MENU_SEPARATORS.split(text) if token]
    return len(tokens) >= 3 and all(len(token) <= 8 for token in tokens) and "。" not in text


def _parse_date(value: str) -> datetime.date | None:
    match = re.search(_DATE, value)
    if not match:
        return None
    try:
        return datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _meta_line(text: str) -> dict[str, str] | None:
    """{field: value} if the line is nothing but “key：value” pairs, such as
    ``• 时间:2017-08-16`` or ``发布时间：2017-08-16 来源：省政府办公厅 点击：94``."""
    stripped = text.strip(_BULLETS)
    matches = list(_META_KEY.finditer(stripped))
    if not matches or matches[0].start() > 0:
        return None
    found: dict[str, str] = {}
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(stripped)
        value = stripped[match.end() : end].strip(_BULLETS + "　")
        field_name = _KEY_TO_FIELD[match.group(1)]
        if field_name in ("published", "signed") and value and not _parse_date(value):
            return None
        if field_name == "views" and value and not re.fullmatch(r"[\d,，]+\s*次?", value):
            return None
        if len(value) > 60:
            return None
        found.setdefault(field_name, value)
    return found


def _strip_chrome(lines: list[Line], result: ParsedNotice) -> list[Line]:
    kept = []
    for line in lines:
        meta = _meta_line(line.text)
        if meta is not None:
            result.remove(line.text, "原网站页面信息栏")
            for key, value in meta.items():
                if value:
                    result.page_metadata.setdefault(key, value)
            continue
        if any(p.search(line.text) for p in CHROME_LINES) and len(line.text) <= 120:
            result.remove(line.text, "网站栏目或页眉页脚")
            continue
        if _is_menu(line.text) and not damage.is_garbled(line.raw):
            result.remove(line.text, "导航菜单")
            continue
        kept.append(line)
    return kept


# ---------------------------------------------------------------- patterns

# Title endings → the genre's name (notices.Genre); the longer ending first.
GENRES = [
    ("年度报告", "年度报告"),
    ("通报", "通报"),
    ("通知", "通知"),
    ("意见", "意见"),
    ("决定", "决定"),
    ("命令", "命令"),
    ("公告", "公告"),
    ("通告", "通告"),
    ("公报", "公报"),
    ("报告", "报告"),
    ("请示", "请示"),
    ("批复", "批复"),
    ("议案", "议案"),
    ("纪要", "纪要"),
    ("函", "函"),
    ("规定", "规定"),
    ("办法", "办法"),
    ("方案", "方案"),
    ("规划", "规划"),
    ("解读", "解读"),
]
_TITLE_HINT = re.compile(
    r"关于|(通报|通知|意见|决定|公告|通告|报告|批复|函|办法|方案|规定|细则|要点|规划|公示)$"
)
_DOCUMENT_NUMBER = document_numbers.TEXT_PATTERN
_DOCUMENT_NUMBER_LINE = re.compile(rf"^({_DOCUMENT_NUMBER})$")
_CITATION = re.compile(rf"《([^《》\n]{{2,150}})》\s*（\s*({_DOCUMENT_NUMBER})\s*）")
_SECTION = re.compile(rf"^([{CN}]{{1,3}})\s*[、．.]\s*(\S.*)$")
_ITEM = re.compile(rf"^[（(]\s*([{CN}]{{1,3}})\s*[）)]\s*[、.．]?\s*(\S.*)$")
_ARABIC = re.compile(r"^(\d{1,2})\s*[.．、](?!\d)\s*(\S.*)$")
_ATTACHMENTS = re.compile(r"^附\s*件\s*\d{0,2}\s*[：:]?\s*(.*)$")
_ATTACHMENT_ITEM = re.compile(r"^(\d{1,2})\s*[.．、]\s*(\S.*)$")
_CN_YEAR = "〇○零Ｏ一二三四五六七八九"
_DATE_LINE = re.compile(rf"^[（(]?{_DATE}[）)]?$")
_CN_DATE_LINE = re.compile(
    rf"^[（(]?([{_CN_YEAR}]{{4}})年([{CN}]{{1,3}})月([{CN}]{{1,3}})日[）)]?$"
)
_ORGAN_END = re.compile(
    r"(人民政府|政府办公厅|政府办公室|办公厅|办公室|委员会|管委会|厅|局|委|部|院|署|中心|政府|小组|领导小组)$"
)


def _date_of_line(text: str) -> datetime.date | None:
    if _DATE_LINE.match(text):
        return _parse_date(text)
    match = _CN_DATE_LINE.match(text)
    if match:
        year = "".join("0" if c in "〇○零Ｏ" else str(CN.index(c) + 1) for c in match[1])
        month, day = damage.cn_to_int(match[2]), damage.cn_to_int(match[3])
        try:
            return datetime.date(int(year), month or 0, day or 0)
        except ValueError:
            return None
    return None


def _split_heading(text: str) -> tuple[str, str]:
    """The heading of a numbered line and the paragraph that follows it on the same line."""
    text = text.strip()
    match = re.match(r"^(.{1,60}?)[。！；]", text)
    if match:
        return match.group(1).strip(), text[match.end() :].strip()
    if len(text) <= 40 and not re.search("[，；]", text):
        return text.rstrip("：:"), ""
    match = re.match(r"^(.{1,40}?)：", text)
    if match:
        return match.group(1).strip(), text[match.end() :].strip()
    return "", text


def _show(text: str) -> str:
    """Garbled text as it should appear in a title: private-use code points are invisible, so
    they become U+FFFD, which every reader can see."""
    return re.sub("[\ue000-\uf8ff]", "\ufffd", text)


def _suggest(text: str) -> str:
    return re.sub(r"[\ufffd?]+", "□", text)


# ---------------------------------------------------------------- parse


def parse(text: str, meta: dict[str, str] | None = None, chrome=()) -> ParsedNotice:
    """Recognize a notice in decoded text; raise NotANotice if there is none."""
    meta = meta or {}
    result = ParsedNotice()
    for block in chrome:
        result.remove(block, "网页中的导航、分享或页脚区块")
    lines = []
    for raw in text.split("\n"):
        cleaned, removed = clean_line(raw)
        result.pinyin_removed += len(removed)
        if cleaned:
            lines.append(Line(raw, cleaned))
    lines = _strip_chrome(lines, result)
    han = sum(len(re.findall(f"[{HAN}]", line.text)) for line in lines)
    if han < 4:
        raise NotANotice("没有找到正文：文件中几乎没有中文内容，不像一份公文或通知。")
    if han < 20:
        result.flag(
            FlagKind.CHECK, "正文", f"文件中的中文内容很少（{han} 个汉字），请核对是否完整。"
        )

    body_start = _header(lines, result, meta)
    body_end = _tail(lines, body_start, result)
    _structure(lines[body_start:body_end], result)
    _metadata(result, meta)
    all_text = "\n".join(_texts(result))
    _citations(all_text, result)
    collect_statistics(all_text, result)
    _check_numbering(result)
    return result


def _texts(result: ParsedNotice):
    yield from result.preamble
    for section in result.sections:
        yield section.title
        yield from section.paragraphs
        for item in section.items:
            yield item.title
            yield item.text
    yield from result.closing


def _header(lines: list[Line], result: ParsedNotice, meta: dict[str, str]) -> int:
    """Find title, 文号 and addressees at the top; return where the body starts."""
    hinted = meta.get("title") or meta.get("h1") or meta.get("document_title") or ""
    hinted = clean_line(hinted)[0]
    title_at = None
    for index, line in enumerate(lines[:8]):
        text = line.text
        if _SECTION.match(text) or text.endswith("："):
            break
        if (hinted and text == hinted) or (
            _TITLE_HINT.search(text) and 5 <= len(text) <= 200 and "。" not in text
        ):
            title_at = index
            break
    if title_at is None:
        page_title = hinted or re.split(r"\s*[-_|｜—]\s*", meta.get("page_title", ""))[0]
        result.title = clean_line(page_title)[0]
        if not result.title and lines and len(lines[0].text) <= 80 and "。" not in lines[0].text:
            title_at = 0
            result.title = lines[0].text
        result.flag(FlagKind.CHECK, "标题", "未能确定标题，请核对。", suggestion=result.title)
        if title_at is None:
            title_at = -1
    else:
        result.title = lines[title_at].text
        following = lines[title_at + 1].text if title_at + 1 < len(lines) else ""
        # A long title wraps onto a second line that ends with the genre.
        if (
            not re.search(r"(通报|通知|意见|决定|公告|报告|批复|函|办法|方案)$", result.title)
            and re.search(r"(通报|通知|意见|决定|公告|报告|批复|函|办法|方案)$", following)
            and len(following) <= 40
            and not _DOCUMENT_NUMBER_LINE.match(following)
        ):
            result.title += following
            title_at += 1
    result.before_title = [line.text for line in lines[: max(title_at, 0)]]
    index = title_at + 1
    for _ in range(4):
        if index >= len(lines):
            break
        text = lines[index].text
        compact = re.sub(r"\s+", "", text)
        if _DOCUMENT_NUMBER_LINE.match(compact) and not result.document_number:
            result.document_number = document_numbers.normalize(compact)
            index += 1
            continue
        if _date_of_line(text) and not result.signed_on:
            result.signed_on = _date_of_line(text)
            index += 1
            continue
        if (
            text.endswith("：")
            and "。" not in text
            and len(text) <= 200
            and not (_SECTION.match(text) or _ITEM.match(text))
        ):
            result.addressees = [
                part.strip() for part in re.split(r"[，；]", text.rstrip("：")) if part.strip()
            ]
            index += 1
        break
    return index


def _tail(lines: list[Line], start: int, result: ParsedNotice) -> int:
    """Find the signature, its date and the 附件 list at the end; return where the body ends."""
    end = len(lines)
    date_at = None
    for index in range(len(lines) - 1, max(start, len(lines) - 8) - 1, -1):
        if _date_of_line(lines[index].text):
            date_at = index
            break
    if date_at is not None:
        result.signed_on = _date_of_line(lines[date_at].text)
        result.after_signature = [line.text for line in lines[date_at + 1 :]]
        end = date_at
        names = []
        while end - 1 >= start and len(names) < 3:
            text = lines[end - 1].text
            if len(text) > 40 or re.search(r"[。：；，]", text) or _ATTACHMENTS.match(text):
                break
            if _ATTACHMENT_ITEM.match(text) or _ITEM.match(text) or _SECTION.match(text):
                break
            names.insert(0, text)
            end -= 1
        result.signature = names
        result.signature.append(lines[date_at].text)
    attachments_at = None
    for index in range(end - 1, start - 1, -1):
        text = lines[index].text
        if _SECTION.match(text) and not _ATTACHMENT_ITEM.match(text):
            break
        if _ATTACHMENTS.match(text):
            attachments_at = index
            break
    if attachments_at is not None:
        first = _ATTACHMENTS.match(lines[attachments_at].text).group(1).strip()
        titles = [first] if first else []
        tail_end = attachments_at + 1
        while tail_end < end and (_ATTACHMENT_ITEM.match(lines[tail_end].text) or not titles):
            titles.append(lines[tail_end].text)
            tail_end += 1
        for title in titles:
            match = _ATTACHMENT_ITEM.match(title)
            title = (match.group(2) if match else title).strip().rstrip("。；;")
            if title:
                result.attachments.append(title)
        result.closing = [line.text for line in lines[tail_end:end]]
        end = attachments_at
    return end


def _structure(lines: list[Line], result: ParsedNotice) -> None:
    section: Section | None = None
    item: Item | None = None
    child: Item | None = None

    def location() -> str:
        parts = []
        if section is not None:
            parts.append(f"{section.number}、{section.title}" if section.number else section.title)
        if item is not None:
            parts.append(item.label)
        if child is not None:
            parts.append(child.label)
        return " ".join(parts) or "正文开头"

    def add_paragraph(text: str) -> None:
        if not text:
            return
        if child is not None:
            child.paragraphs.append(text)
        elif item is not None:
            item.paragraphs.append(text)
        elif section is not None:
            section.paragraphs.append(text)
        else:
            result.preamble.append(text)

    def new_section(number: str, title: str, **extra) -> Section:
        made = Section(number=number, title=title, **extra)
        for kind, pattern in SECTION_KINDS:
            if pattern.search(title):
                made.kind = kind
                break
        result.sections.append(made)
        return made

    def implicit_section() -> Section:
        return new_section("", "")

    for line in lines:
        text = line.text
        repair = damage.repair_heading(line.raw) if damage.is_garbled(line.raw) else None
        if repair is not None:
            fragment_text = _show(clean_line(repair.fragment)[0])
            # Cleaned with a stand-in for the character before it, so that pinyin right after
            # the garbled run, as in 監(jiān)督, is still seen as an annotation.
            rest_text = clean_line("字" + repair.rest)[0][1:]
            heading_rest, paragraph = _split_heading(rest_text)
            title = fragment_text + heading_rest
            repaired_head = re.sub(
                rf"^[\s\u3000]*(?:[（(][{CN}]{{1,3}}[）)]|[{CN}]{{1,3}}[、.．])",
                "",
                repair.repaired,
            )
            suggestion = _suggest(clean_line(repaired_head)[0] + heading_rest)
            if repair.kind == "section":
                section, item, child = new_section(repair.number, title), None, None
                section.damaged, section.raw_fragment = True, repair.fragment
            else:
                section = section or implicit_section()
                item = Item(
                    number=repair.number,
                    title=title,
                    damaged=True,
                    raw_fragment=repair.fragment,
                    suggested_title=suggestion,
                )
                section.items.append(item)
                child = None
            result.flag(
                FlagKind.DAMAGED_HEADING,
                location(),
                f"标题有乱码（开头的字符已丢失），编号“{repair.number}”是从乱码中恢复的；"
                "标题保留原样，请对照原件改正。",
                raw=repair.fragment,
                suggestion=suggestion,
                section=section.number,
                item=item.number if item is not None and repair.kind == "item" else "",
            )
            add_paragraph(paragraph)
            _flag_damaged_text(result, location(), repair.rest)
            continue
        match = _SECTION.match(text)
        if match and len(match.group(2)) <= 200:
            title, paragraph = _split_heading(match.group(2))
            section, item, child = new_section(match.group(1), title), None, None
            add_paragraph(paragraph)
            _flag_damaged_text(result, location(), line.raw)
            continue
        match = _ITEM.match(text)
        if match:
            section = section or implicit_section()
            title, paragraph = _split_heading(match.group(2))
            item, child = Item(number=match.group(1), title=title), None
            section.items.append(item)
            add_paragraph(paragraph)
            _flag_damaged_text(result, location(), line.raw)
            continue
        match = _ARABIC.match(text)
        if match:
            title, paragraph = _split_heading(match.group(2))
            made = Item(number=match.group(1), title=title, style="arabic")
            if item is not None and item.style == "paren":
                child = made
                item.children.append(made)
            else:
                section = section or implicit_section()
                section.items.append(made)
                item = made
            add_paragraph(paragraph)
            _flag_damaged_text(result, location(), line.raw)
            continue
        add_paragraph(text)
        _flag_damaged_text(result, location(), line.raw)


def _flag_damaged_text(result: ParsedNotice, where: str, raw: str) -> None:
    for fragment in damage.fragments(raw, context=2):
        result.flag(
            FlagKind.DAMAGED_TEXT,
            where,
            "正文有乱码（有字符丢失或错乱），已原样保留，请对照原件改正。",
            raw=fragment,
        )


def _metadata(result: ParsedNotice, meta: dict[str, str]) -> None:
    page = result.page_metadata
    for key in ("published", "source"):
        if meta.get(key):
            page.setdefault(key, meta[key])
    if page.get("published"):
        result.published_on = _parse_date(page["published"])
    if page.get("views"):
        result.view_count = int(re.sub(r"\D", "", page["views"]) or 0)
    result.source_name = page.get("source", "")
    if not result.document_number and page.get("document_number"):
        candidate = document_numbers.normalize(page["document_number"])
        if _DOCUMENT_NUMBER_LINE.match(candidate):
            result.document_number = candidate
    if not result.signed_on and page.get("signed"):
        result.signed_on = _parse_date(page["signed"])

    for suffix, label in GENRES:
        if result.title.endswith(suffix):
            result.genre = label
            break
    else:
        result.genre = "其他"
        result.flag(FlagKind.CHECK, "体裁", "未能从标题识别体裁，已设为“其他”，请选择。")

    signature_names = [name for name in result.signature[:-1] if _ORGAN_END.search(name)]
    title_match = re.match(r"^(.{2,60}?)(?:关于|印发)", result.title)
    from_title = title_match.group(1) if title_match else ""
    from_title = re.split(r"[、和]", from_title)[0] if from_title else ""
    if signature_names:
        result.issuer, result.issuer_source = signature_names[0], "signature"
        if from_title and from_title != result.issuer and _ORGAN_END.search(from_title):
            result.flag(
                FlagKind.CHECK,
                "发文机关",
                f"落款“{result.issuer}”与标题中的“{from_title}”不一致，请核对。",
            )
    elif from_title and _ORGAN_END.search(from_title):
        result.issuer, result.issuer_source = from_title, "title"
    elif page.get("issuer"):
        result.issuer, result.issuer_source = page["issuer"], "page"

    year = re.search(r"((?:19|20)\d\d)\s*年", result.title)
    if year:
        result.assessment_year = int(year.group(1))
    elif result.signed_on:
        result.assessment_year = result.signed_on.year - 1

    if not result.signed_on:
        result.flag(FlagKind.MISSING, "成文日期", "未找到落款日期（成文日期），请补填。")
    if not result.issuer:
        result.flag(FlagKind.MISSING, "发文机关", "未找到发文机关（落款或标题中），请核对。")
    for title in result.attachments:
        result.flag(
            FlagKind.ATTACHMENT,
            "附件",
            f"正文列有附件“{title}”，但原文未附文件，请上传或注明。",
        )
    if result.before_title:
        result.flag(
            FlagKind.CHECK,
            "标题之前",
            "标题之前还有内容，已作为正文开头保留，请确认是否需要。",
            raw="\n".join(result.before_title),
        )


def _citations(text: str, result: ParsedNotice) -> None:
    seen = set()
    for match in _CITATION.finditer(text):
        title = match.group(1).strip()
        number = document_numbers.normalize(match.group(2))
        if (title, number) not in seen:
            seen.add((title, number))
            result.citations.append(Citation(title, number))


def _check_numbering(result: ParsedNotice) -> None:
    def check(numbers: list[str], where: str, cn: bool) -> None:
        values = [damage.cn_to_int(n) if cn else int(n) for n in numbers]
        for index, value in enumerate(values):
            expected = index + 1
            if value != expected:
                shown = damage.int_to_cn(expected) if cn else str(expected)
                result.flag(
                    FlagKind.NUMBERING,
                    where,
                    f"编号不连续：第 {index + 1} 项的编号是“{numbers[index]}”，"
                    f"应为“{shown}”，可能有标题丢失或乱码，请对照原件。",
                )
                break

    numbered = [section for section in result.sections if section.number]
    check([section.number for section in numbered], "章节", cn=True)
    for section in result.sections:
        where = f"{section.number}、{section.title}" if section.number else "正文"
        paren = [item.number for item in section.items if item.style == "paren"]
        check(paren, where, cn=True)
        arabic = [item.number for item in section.items if item.style == "arabic"]
        check(arabic, where, cn=False)
        for item in section.items:
            check([c.number for c in item.children], f"{where} {item.label}", cn=False)

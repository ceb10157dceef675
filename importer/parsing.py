"""Text of a legacy notice → ParsedNotice: metadata, sections and numbered items, attachments,
cited documents and statistics, with every garbled place flagged. No database here.

The genre's shape (甘政办发〔2017〕136号 is the model): title; 文号; addressees ending in “：”;
opening paragraphs citing 《…》（文号）; sections 一、二、… holding items （一）（二）… and 1. 2. …;
附件：1. … 2. …; the issuer's signature and the signing date.
"""

import re
from dataclasses import dataclass

from importer import chrome, damage, header, wrapping
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


@dataclass
class Line:
    raw: str
    text: str


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
_DOCUMENT_NUMBER = document_numbers.TEXT_PATTERN
_CITATION = re.compile(rf"《([^《》\n]{{2,150}})》\s*（\s*({_DOCUMENT_NUMBER})\s*）")
_SECTION = header.SECTION
_ITEM = re.compile(rf"^[（(]\s*([{CN}]{{1,3}})\s*[）)]\s*[、.．]?\s*(\S.*)$")
_ARABIC = re.compile(r"^(\d{1,2})\s*[.．、](?!\d)\s*(\S.*)$")
_ATTACHMENTS = re.compile(r"^附\s*件\s*\d{0,2}\s*[：:]?\s*(.*)$")
_ATTACHMENT_ITEM = re.compile(r"^(\d{1,2})\s*[.．、]\s*(\S.*)$")
_ORGAN_END = header.ORGAN_END
# Genres that carry a 文号 when they are formal documents; a missing one is flagged.
NUMBERED_GENRES = {
    "通报",
    "通知",
    "意见",
    "决定",
    "命令",
    "公告",
    "通告",
    "批复",
    "函",
    "规定",
    "办法",
}


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
    for raw in wrapping.rejoin(text.split("\n"), result):
        cleaned, removed = clean_line(raw)
        result.pinyin_removed += len(removed)
        if cleaned:
            lines.append(Line(raw, cleaned))
    han = sum(len(re.findall(f"[{HAN}]", line.text)) for line in lines)
    if han < 4:
        raise NotANotice("没有找到正文：文件中几乎没有中文内容，不像一份公文或通知。")
    if han < 20:
        result.flag(
            FlagKind.CHECK, "正文", f"文件中的中文内容很少（{han} 个汉字），请核对是否完整。"
        )

    body = _zones(lines, result, meta)
    body_end = _tail(body, 0, result)
    _structure(body[:body_end], result)
    for where, texts in (
        ("标题之前", result.before_title),
        ("落款之后", result.after_signature),
        ("正文结尾", result.closing),
    ):
        for text in texts:
            _flag_damaged_text(result, where, text)
    _metadata(result, meta)
    all_text = "\n".join(_texts(result))
    if not all_text.strip() and not result.after_signature and not result.before_title:
        result.flag(
            FlagKind.MISSING,
            "正文",
            "没有识别出正文：文件的内容都像网站栏目或页眉页脚，已列在“导入时去除的内容”中，"
            "请核对，需要的请复制回正文。",
        )
    _citations(all_text, result)
    collect_statistics(all_text, result)
    _check_numbering(result)
    _check_head(result)
    return result


def _zones(lines: list[Line], result: ParsedNotice, meta: dict[str, str]) -> list[Line]:
    """Chrome before the title and after the body out (kept in result.removed), the title and
    the head's facts read; returns the body's lines, from after the head to the page's end
    less its footer. Nothing between the head and the signature is taken out."""
    texts = [line.text for line in lines]
    # An organ's name at the head and in the signature is the issuer, not a menu.
    repeated = {text for text in chrome.repeated_lines(texts) if not _ORGAN_END.search(text)}
    shapes = [chrome.shape(text, text in repeated) for text in texts]
    for index in range(len(texts) - 1):
        # An information bar with each value on the line under its key: “• 发文字号:” / “…”.
        if shapes[index] and texts[index].rstrip().endswith(("：", ":")) and not shapes[index + 1]:
            value = texts[index + 1]
            if chrome.value_on_next_line(texts[index], value):
                shapes[index + 1] = "原网站页面信息栏"
                chrome.keep_facts(texts[index] + value, result)
    plain = [index for index, reason in enumerate(shapes) if not reason]

    def drop(index: int, reason: str = "") -> None:
        chrome.keep_facts(texts[index], result)
        result.remove(texts[index], reason or shapes[index])

    barred = {
        k for k, i in enumerate(plain) if i + 1 < len(texts) and shapes[i + 1] == "原网站页面信息栏"
    }
    found = header.find_title([texts[i] for i in plain], 15, meta, result, barred)
    if found is None:
        start = 0
        while start < len(lines) and shapes[start]:
            drop(start)
            start += 1
    else:
        first, last = plain[found[0]], plain[found[1]]
        for index in range(first):
            number, rest = header.split_number(texts[index])
            if shapes[index]:
                drop(index)
            elif re.sub(r"\s+", "", rest) == re.sub(r"\s+", "", result.title):
                # The title again above itself, often with its 文号: a page's heading.
                result.document_number = result.document_number or number
                result.remove(texts[index], "与标题重复")
            else:
                result.before_title.append(texts[index])
        start = last + 1
    # The head: its information bar (chrome), 文号, dates, an issuer line, the addressees.
    rest = [index for index in range(start, len(lines)) if not shapes[index]]
    used = {rest[i] for i in header.scan_head([texts[i] for i in rest], 0, result)}
    head_end = max(used, default=start - 1) + 1
    for index in range(start, head_end):
        if shapes[index]:
            drop(index)
    for index in sorted(used):
        if texts[index] == result.header_issuer:
            result.remove(texts[index], "标题下的发布机构行（已记入原网站信息）")
    # The end: the signing date (under the issuer's name, or among the last plain lines);
    # after it, only chrome goes.
    plain_after = [index for index in range(head_end, len(lines)) if not shapes[index]]
    found = _signature_date([texts[i] for i in plain_after])
    signed_at = plain_after[found] if found is not None else None
    end = len(lines)
    if signed_at is not None:
        after = list(range(signed_at + 1, len(lines)))

        def tail_shape(index: int) -> str:
            # A row of short words after the signature is more often a table than a menu,
            # unless the page repeats it.
            text = texts[index]
            return chrome.shape(text, text in repeated, menus=text in repeated)

        kept_after = [index for index in after if not tail_shape(index)]
        for index in after:
            if tail_shape(index):
                drop(index, tail_shape(index))
        cut = chrome.trim_footer([texts[i] for i in kept_after], 0, result)
        footer = set(kept_after[cut:])
        if footer:
            # Short lines just above a mirror's footer are often its own (a 公众号 name).
            for index in reversed(kept_after[:cut]):
                if len(texts[index]) > 30 or re.search("[。；]", texts[index]):
                    break
                result.flag(
                    FlagKind.CHECK,
                    "落款之后",
                    "落款之后、网站页脚之前的这一行可能是转载网站附加的内容，已保留在正文中，"
                    "请确认是否删除。",
                    raw=texts[index],
                )
        keep = [i for i in range(start, signed_at + 1) if i not in used]
        keep = [i for i in keep if i >= head_end or not shapes[i]]
        keep += [i for i in kept_after if i not in footer]
    else:
        body = [i for i in range(start, end) if i not in used]
        body = [i for i in body if i >= head_end or not shapes[i]]
        while body and chrome.shape(texts[body[-1]], texts[body[-1]] in repeated, menus=False):
            drop(body.pop())
        cut = chrome.trim_footer([texts[i] for i in body], 0, result)
        keep = body[:cut]
    return [lines[index] for index in keep]


def _texts(result: ParsedNotice):
    yield from result.preamble
    for section in result.sections:
        yield section.title
        yield from section.paragraphs
        for item in section.items:
            yield item.title
            yield item.text
    yield from result.closing


def _signature_date(texts: list[str]) -> int | None:
    """Where the signing date is: the first date line under an issuer's name (what follows
    may be an attached text), else a date line among the last eight lines."""
    for index in range(1, len(texts)):
        above = texts[index - 1]
        if len(above) <= 40 and _ORGAN_END.search(above) and header.read_date_line(texts[index]):
            return index
    for index in range(len(texts) - 1, max(0, len(texts) - 8) - 1, -1):
        if header.read_date_line(texts[index]):
            return index
    return None


def _tail(lines: list[Line], start: int, result: ParsedNotice) -> int:
    """Find the signature, its date and the 附件 list at the end; return where the body ends."""
    end = len(lines)
    date_at = _signature_date([line.text for line in lines[start:]])
    if date_at is not None:
        date_at += start
        reading = header.read_date_line(lines[date_at].text)
        result.signed_on = reading.date or result.signed_on
        header.flag_date(result, reading, "成文日期")
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
            if not paragraph or len(title) > 20:
                # A numbered list item (1. 成都市; 1.继续做好……), not a heading.
                title, paragraph = "", match.group(2)
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
    for message, fragment in damage.suspicious(raw):
        kind = FlagKind.SPAM if damage.SPAM.search(fragment) else FlagKind.DAMAGED_TEXT
        result.flag(kind, where, message, raw=fragment)


def _metadata(result: ParsedNotice, meta: dict[str, str]) -> None:
    page = result.page_metadata
    for key in ("published", "source"):
        if meta.get(key):
            page.setdefault(key, meta[key])
    # What the page (often a mirror's) says about itself is the source's, never the notice's
    # own 发布日期, 成文日期 or 发文机关 until an editor says so.
    if page.get("published"):
        result.published_on = chrome.parse_date(page["published"])
    if page.get("views"):
        result.view_count = int(re.sub(r"\D", "", page["views"]) or 0)
    result.source_name = page.get("source", "")
    if page.get("signed"):
        result.source_signed_on = chrome.parse_date(page["signed"])
    result.source_issuer = page.get("issuer", "") or result.header_issuer
    if not result.document_number and page.get("document_number"):
        candidate = document_numbers.normalize(re.sub(r"\s+", "", page["document_number"]))
        if header.DOCUMENT_NUMBER_LINE.match(candidate):
            result.document_number = candidate
            result.flag(
                FlagKind.CHECK, "文号", f"文号“{candidate}”取自原网站的信息栏，请对照原件核对。"
            )

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

    year = re.search(r"((?:19|20)\d\d)\s*年", result.title)
    if year:
        result.assessment_year = int(year.group(1))
    elif result.signed_on:
        result.assessment_year = result.signed_on.year - 1

    if not result.signed_on:
        known = result.source_signed_on or result.published_on
        result.flag(
            FlagKind.MISSING,
            "成文日期",
            "未找到落款日期（成文日期），请对照原件补填。"
            + (
                f"原网站标注的日期 {known.isoformat()} 可能是转载或上网时间，未填入。"
                if known
                else ""
            ),
        )
    if not result.document_number and result.genre in NUMBERED_GENRES:
        result.flag(
            FlagKind.MISSING,
            "文号",
            f"未找到文号。{result.genre}通常有文号，请对照原件补填；原件确无文号的，处理此项即可。",
        )
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


def _check_head(result: ParsedNotice) -> None:
    """Damage in the head's fields (a 主送机关 of garbled bytes, a censored title) is flagged
    with the raw text, as it is in the body."""
    for where, value in (("标题", result.title), ("主送机关", "，".join(result.addressees))):
        if value and damage.is_garbled(value):
            result.flag(
                FlagKind.DAMAGED_TEXT, where, f"{where}中有乱码，请对照原件改正。", raw=value
            )
        for message, fragment in damage.suspicious(value):
            kind = FlagKind.SPAM if damage.SPAM.search(fragment) else FlagKind.DAMAGED_TEXT
            result.flag(kind, where, message, raw=fragment)


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

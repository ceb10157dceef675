"""The head of a notice: its title, chosen among candidates by rank (position before the
addressees and the body, the 关于…的通知 shape, length, the page's own <title>), joined when it
was broken over lines and cleaned of what was pasted onto it; then 文号, 成文日期 and 主送机关
wherever they stand in the head. Dates are read in every form a notice uses (2019年5月15日,
2019-05-15, 二〇一二年一月五日) and in the forms damage leaves (2019515), never guessed: an
ambiguous date is flagged with its readings."""

import datetime
import re
from dataclasses import dataclass, field

from importer import damage
from importer.chrome import DATE
from importer.cleaning import clean_line
from importer.parsed import FlagKind, ParsedNotice
from notices import document_numbers

CN = damage.CN_DIGITS
GENRE_END = (
    r"(通报|通知|意见|决定|公告|通告|报告|批复|函|办法|方案|规定|细则|要点|规划|公示|命令|纪要"
    r"|请示|公报|解读)"
)
_GENRE_END = re.compile(GENRE_END + "$|(规则|条例|章程|排名表|情况表|一览表|报告（\\d{4}）|简报)$")
_ABOUT = re.compile(r"关于.{2,}的" + GENRE_END)
DOCUMENT_NUMBER = document_numbers.TEXT_PATTERN
DOCUMENT_NUMBER_LINE = re.compile(rf"^[（(]?({DOCUMENT_NUMBER})[）)]?$")
_NUMBER_AT_END = re.compile(rf"[（(]\s*({DOCUMENT_NUMBER})\s*[）)]$")
_NUMBER_AT_START = re.compile(rf"^({DOCUMENT_NUMBER})\s*")
SECTION = re.compile(rf"^([{CN}]{{1,3}})\s*[、．.]\s*(\S.*)$")
ORGAN_END = re.compile(
    r"(人民政府|政府办公厅|政府办公室|办公厅|办公室|委员会|管委会|厅|局|委|部|院|署|中心|政府"
    r"|小组|领导小组|市委|县委|区委|党委)$"
)
_RED_HEADER = re.compile(r"^\S{2,30}(文件|文件汇编|简报|公报)$")
SPAM = damage.SPAM
_SEPARATORS = re.compile(r"\s*(?:[-_|｜—–]{1,2}|\s{2,})\s*")
_CN_YEAR = "〇○零Ｏ一二三四五六七八九"
_CN_DATE = re.compile(rf"([{_CN_YEAR}]{{4}})\s*年\s*([{CN}]{{1,3}})\s*月\s*([{CN}]{{1,3}})\s*日")
_DATE_LINE = re.compile(rf"^[（(]?{DATE}[）)]?$")
_CN_DATE_LINE = re.compile(rf"^[（(]?{_CN_DATE.pattern}[）)]?$")
_BARE_DATE_LINE = re.compile(r"^[（(]?((?:19|20)\d\d)(\d{2,4})[）)]?$")


@dataclass
class DateReading:
    date: datetime.date | None
    raw: str
    readings: list[datetime.date] = field(default_factory=list)  # more than one: ambiguous


def _safe_date(year: int, month: int | None, day: int | None) -> datetime.date | None:
    try:
        return datetime.date(year, month or 0, day or 0)
    except (ValueError, TypeError):
        return None


def read_date_line(text: str) -> DateReading | None:
    """A line that is a date and nothing else, read; None if the line is not a date."""
    text = text.strip()
    match = _DATE_LINE.match(text)
    if match:
        found = _safe_date(int(match[1]), int(match[2]), int(match[3]))
        return DateReading(found, text, [found] if found else [])
    match = _CN_DATE_LINE.match(text)
    if match:
        year = "".join("0" if c in "〇○零Ｏ" else str(CN.index(c) + 1) for c in match[1])
        found = _safe_date(int(year), damage.cn_to_int(match[2]), damage.cn_to_int(match[3]))
        return DateReading(found, text, [found] if found else [])
    match = _BARE_DATE_LINE.match(text)
    if match:
        year, rest = int(match[1]), match[2]
        readings = []
        for cut in range(1, len(rest)):
            month, day = rest[:cut], rest[cut:]
            if len(month) <= 2 and len(day) <= 2:
                found = _safe_date(year, int(month), int(day))
                if found and found not in readings:
                    readings.append(found)
        if not readings:
            return None
        return DateReading(readings[0] if len(readings) == 1 else None, text, readings)
    return None


def flag_date(result: ParsedNotice, reading: DateReading, where: str) -> None:
    """A date read from a damaged form (separators lost) is flagged; an ambiguous one too."""
    if len(reading.readings) > 1:
        shown = "或".join(f"{d.year}年{d.month}月{d.day}日" for d in reading.readings)
        result.flag(
            FlagKind.CHECK,
            where,
            f"日期“{reading.raw}”缺少年月日分隔，可能是{shown}，未填入，请对照原件填写。",
            raw=reading.raw,
        )
    elif _BARE_DATE_LINE.match(reading.raw) and reading.date:
        result.flag(
            FlagKind.CHECK,
            where,
            f"日期“{reading.raw}”缺少年月日分隔，已读作{reading.date.isoformat()}，请核对。",
            raw=reading.raw,
            suggestion=reading.date.isoformat(),
        )


# ---------------------------------------------------------------- the title


@dataclass
class Candidate:
    start: int
    end: int  # the last line of the title (inclusive), after joining a broken title
    text: str
    score: float


def _page_titles(meta: dict[str, str]) -> list[str]:
    found = []
    for key in ("title", "h1", "document_title", "page_title"):
        value = clean_line(meta.get(key, ""))[0]
        if not value:
            continue
        found.append(value)
        found.extend(part for part in _SEPARATORS.split(value) if len(part) >= 6)
    return found


def _score(text: str, index: int, following: list[str], page_titles: list[str]) -> float:
    if not text or "。" in text or len(text) > 150:
        return -10
    if SECTION.match(text) or text.endswith(("：", ":")) or read_date_line(text):
        return -10
    if DOCUMENT_NUMBER_LINE.match(re.sub(r"\s+", "", text)):
        return -10
    score = 0.0
    if any(text == title or (len(text) >= 8 and text in title) for title in page_titles):
        score += 5
    if _ABOUT.search(text):
        score += 4
    elif _GENRE_END.search(text) or "年度报告" in text or "工作报告" in text:
        score += 2
    if re.search(r"关于|印发|转发", text):
        score += 1
    if 8 <= len(text) <= 80:
        score += 1
    elif len(text) < 6:
        score -= 3
    if re.match(r"^附\s*件\s*\d*", text) or re.match(
        r"^[（(]?[一二三四五六七八九十\d]+[）)]", text
    ):
        score -= 6
    if _RED_HEADER.match(text):
        score -= 4
    if ORGAN_END.search(text) and not _GENRE_END.search(text):
        score -= 2
    if re.search(r"[，；]", text):
        score -= 4
    if (
        re.search(r"以下简称|^(根据|按照|为了?|经|截至|现将|本报告)", text)
        or _han_share(text) < 0.5
    ):
        score -= 4
    if index == 0:
        score += 1
    for next_text in following[:3]:
        compact = re.sub(r"\s+", "", next_text)
        if DOCUMENT_NUMBER_LINE.match(compact) or next_text.endswith("："):
            score += 2
            break
    return score - 0.2 * index


def _joined(texts: list[str], index: int) -> tuple[int, int, str]:
    """A title broken over lines, joined: 关于印发…的 / 通知, or an issuer line above 关于…."""
    start, end, text = index, index, texts[index]
    while (
        end + 1 < len(texts)
        and end - start < 2
        and not _ABOUT.search(text)
        and not any(_GENRE_END.search(part) for part in _SEPARATORS.split(text))
        and texts[end + 1][:6] != text[:6]
        and re.search(r"关于|印发|转发|的$|[和及、]$", text)
        and _han_share(text) > 0.5
        and len(texts[end + 1]) <= 40
        and "。" not in texts[end + 1]
        and not texts[end + 1].endswith("：")
        and not DOCUMENT_NUMBER_LINE.match(re.sub(r"\s+", "", texts[end + 1]))
        and not SECTION.match(texts[end + 1])
        and not read_date_line(texts[end + 1])
    ):
        end += 1
        text += texts[end]
    if (
        start > 0
        and text.startswith("关于")
        and ORGAN_END.search(texts[start - 1])
        and len(texts[start - 1]) <= 40
        and not _RED_HEADER.match(texts[start - 1])
    ):
        start -= 1
        text = texts[start] + text
    return start, end, text


def _han_share(text: str) -> float:
    return len(re.findall("[\u4e00-\u9fff]", text)) / max(len(text), 1)


def _strip_spam(text: str, result: ParsedNotice) -> str:
    parts = [part for part in _SEPARATORS.split(text) if part]
    if len(parts) < 2:
        return text
    kept = [part for part in parts if not SPAM.search(part)]
    if len(kept) == len(parts):
        return text
    best = max(kept, key=lambda part: (bool(_GENRE_END.search(part)), len(part)), default="")
    if best:
        result.flag(
            FlagKind.SPAM,
            "标题",
            "标题上附着了疑似广告等无关内容，已从标题中去掉，请核对。",
            raw=text,
            suggestion=best,
        )
        return best
    return text


def split_number(text: str) -> tuple[str, str]:
    """A 文号 written before or after a title (“榕政办〔2017〕294号《…》”,
    “…的通知（岳办发〔2017〕2号）”) and the title without it; ("", text) if there is none."""
    match = _NUMBER_AT_END.search(text) or _NUMBER_AT_START.match(text)
    if not match or len(text) - len(match.group(0)) < 6:
        return "", text
    number = document_numbers.normalize(re.sub(r"\s+", "", match.group(1)))
    return number, (text[: match.start()] + text[match.end() :]).strip("《》 ")


def find_title(
    texts: list[str], limit: int, meta: dict[str, str], result: ParsedNotice, barred=frozenset()
):
    """(first line, last line) of the title among texts[:limit], or None; sets result.title.
    ``barred``: the lines a page's information bar (date, source) follows, as a headline."""
    page_titles = _page_titles(meta)
    candidates = []
    for index in range(min(limit, len(texts))):
        text = texts[index]
        if SECTION.match(text) or (text.endswith("：") and index > 0 and candidates):
            break
        start, end, joined = _joined(texts, index)
        score = _score(joined, index, texts[end + 1 : end + 4], page_titles)
        if end in barred and score > -5:
            score += 2
        if score > -5:
            candidates.append(Candidate(start, end, joined, score))
        if len(text) >= 20 and re.search("[，。；]", text):
            break  # the body has begun
    candidates.sort(key=lambda c: c.score, reverse=True)
    if not candidates or candidates[0].score < 1:
        fallback = next((t for t in page_titles if 4 <= len(t) <= 150), "")
        if fallback:
            result.title = _strip_spam(fallback, result)
            result.flag(
                FlagKind.CHECK,
                "标题",
                "正文中没有找到标题行，已采用网页自身的标题，请核对。",
                suggestion=result.title,
            )
        return None
    best = candidates[0]
    title = _strip_spam(best.text, result)
    number, rest = split_number(title)
    if number:
        result.document_number = result.document_number or number
        title = rest
        result.flag(
            FlagKind.CHECK,
            "文号",
            f"文号“{number}”是从标题中分出的，请核对。",
            raw=best.text,
        )
    result.title = title
    uncertain = best.score < 3 or (
        len(candidates) > 1
        and candidates[1].score >= best.score - 1
        and candidates[1].text != best.text
    )
    if uncertain:
        others = "；".join(f"“{c.text}”" for c in candidates[1:3] if c.text != best.text)
        result.flag(
            FlagKind.CHECK,
            "标题",
            "标题是推测的，请核对" + (f"（其他可能：{others}）" if others else "") + "。",
            suggestion=title,
        )
    if best.end > best.start:
        result.flag(
            FlagKind.CHECK,
            "标题",
            "标题在原文中分成了几行，已合并为一行，请核对。",
            raw="\n".join(texts[best.start : best.end + 1]),
        )
    return best.start, best.end


# ---------------------------------------------------------------- the rest of the head


def scan_head(texts: list[str], start: int, result: ParsedNotice) -> set[int]:
    """文号, 成文日期, 主送机关 and a repeated title in the lines after the title, wherever
    they stand before the body; returns the indexes of the lines used."""
    used: set[int] = set()
    title = re.sub(r"\s+", "", result.title)
    for index in range(start, min(start + 8, len(texts))):
        text = texts[index]
        compact = re.sub(r"\s+", "", text)
        if SECTION.match(text) or (len(text) > 60 and "。" in text):
            break
        if len(text) <= 30 and ORGAN_END.search(text) and "。" not in text and compact != title:
            result.header_issuer = result.header_issuer or text
            used.add(index)
            continue
        if compact and (compact == title or (len(compact) >= 6 and compact in title)):
            used.add(index)  # the title again, or part of it
            result.remove(text, "与标题重复")
            continue
        match = DOCUMENT_NUMBER_LINE.match(compact)
        if match:
            if not result.document_number:
                result.document_number = document_numbers.normalize(match.group(1))
            used.add(index)
            continue
        if (
            len(compact) <= 30
            and re.search(r"[〔［\[(（]\s*\d", compact)
            and re.match(r"^[\u4e00-\u9fff]{2,10}[〔［\[(（]", compact)
        ):
            result.flag(
                FlagKind.CHECK,
                "文号",
                f"“{text}”像是文号，但不完整（可能有字符丢失），未填入，请对照原件填写。",
                raw=text,
            )
            continue
        reading = read_date_line(text)
        if reading is not None:
            if reading.date and not result.signed_on:
                result.signed_on = reading.date
            flag_date(result, reading, "成文日期")
            used.add(index)
            continue
        if (text.endswith("：") and "。" not in text and len(text) <= 200 and "，" in text) or (
            text.endswith("：") and ORGAN_END.search(text.rstrip("：")) and len(text) <= 60
        ):
            result.addressees = [
                part.strip() for part in re.split(r"[，；]", text.rstrip("：")) if part.strip()
            ]
            used.add(index)
            break
        if text.endswith("："):
            break
    return used

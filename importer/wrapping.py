"""Text hard-wrapped by PDF extraction, joined back into its paragraphs: every line of a page
broken where the page's width ran out, mid-sentence, mid-word or inside a pinyin annotation
(產(chǎn / )業), with the page's number and running header or footer between two halves of a
sentence at each page break. Works on the raw lines, before they are cleaned, so that what the
break cut in two (an annotation, a 文号, a title) is whole again when it is read.

A file is taken as wrapped only when its lines show it: many of them end at the same width (in
characters, or in display width, a Han character counting two), and none runs much past it. A
line is joined to the next only where it is one of those full lines and does not end a sentence
or a clause (。！？；：). Lines of a table (cells apart by tabs or wide spaces) are never joined.
Page numbers and repeated running heads between the halves are taken out, each kept with its
reason for the editor (ParsedNotice.removed)."""

import re
import unicodedata
from collections import Counter
from itertools import pairwise

from importer import chrome
from importer.chrome import META_KEYS
from importer.cleaning import clean_line
from importer.damage import CN_DIGITS
from importer.parsed import ParsedNotice

# Fewer full lines than this, or a smaller share of the long lines, is no wrapping.
MIN_FULL_LINES = 4
MIN_STACKED = 2
MIN_FULL_SHARE = 0.3
# Lines shorter than this (in characters) say nothing about the page's width.
MIN_LENGTH = 12
# Longer lines than the page's width may be a few (a stray wide line); more is no wrapping.
MAX_LONGER_SHARE = 0.1
# How far short of the width a line may end and still be full: a character, or two wide
# characters' worth of display width (a line of half-width digits ends earlier).
TOLERANCE = {"length": 1, "width": 3}
# A line ending one of these ends a sentence or a clause: the next line is a new paragraph.
ENDS = "。！？；：!?;:"
CLOSERS = "”’）)」』】》"
PAGE_NUMBER = re.compile(
    r"^[-—–－―·•\s]*(?:第\s*)?(\d{1,3})(?:\s*页)?(?:\s*[/／]\s*\d{1,3}|\s*[，,]?\s*共\s*\d{1,3}\s*页)?"
    r"[-—–－―·•\s]*$"
)
# A page number no one would take for anything else: — 2 —, - 2 -, 第2页, 2/5.
DECORATED = re.compile(r"[-—–－―·•].*\d.*[-—–－―·•]|第|页|[/／]")
_TABLE_ROW = re.compile(r"\t|\S {2,}\S.* {2,}\S|\u3000{2,}\S")
RUNNING_HEAD_MAX = 40
_TITLE_END = re.compile(
    r"(关于|印发|转发).*的(通知|通报|报告|意见|决定|公告|通告|批复|函|规定|办法|方案|请示|纪要)$"
)
# Menus and trails separate their items so; prose does not.
_SEPARATORS = re.compile(r"\s[|｜>›»]\s|[|｜]$")
# What begins a block of its own, never the rest of a sentence: a section's or an item's
# number (一、 （一）), a page's “key: value” (来源：, 发布时间：).
_NEW_BLOCK = re.compile(
    rf"^(?:[{CN_DIGITS}]{{1,3}}、|[（(][{CN_DIGITS}]{{1,3}}[)）]|(?:{META_KEYS})\s*[：:])"
)
# Page numbers counting pages are at least this many lines apart.
PAGE_LINES = 8


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


MEASURES = {"length": len, "width": width}


def rejoin(raw_lines: list[str], result: ParsedNotice) -> list[str]:
    """The lines of a wrapped file joined into paragraphs; any other file's lines unchanged."""
    lines = [line.strip() for line in raw_lines]
    full = full_lines(lines)
    # pdftotext ends each page with a form feed.
    feeds = {index for index, line in enumerate(raw_lines) if "\f" in line}
    decorated = [line for line in lines if PAGE_NUMBER.match(line) and DECORATED.search(line)]
    if not full and not feeds and len(decorated) < 2:
        return raw_lines  # neither wrapped nor paged: not a PDF's text
    furniture = _page_furniture(lines, full, feeds)
    joined: list[str] = []
    index = 0
    while index < len(lines):
        if index in furniture:
            result.remove(lines[index], furniture[index])
            index += 1
            continue
        text = lines[index]
        while index in full and not _ends_sentence(text):
            following = _continuation(lines, index, full, furniture, feeds)
            if following is None:
                break
            for between in range(index + 1, following):
                if between in furniture:
                    result.remove(lines[between], furniture[between])
            text += lines[following]
            index = following
        joined.append(text)
        index += 1
    return joined


def full_lines(lines: list[str]) -> set[int]:
    """The lines that run to the page's width, if the file is wrapped; else none."""
    long = [index for index, line in enumerate(lines) if len(line) >= MIN_LENGTH]
    if len(long) < MIN_FULL_LINES:
        return set()
    best: set[int] = set()
    for name, measure in MEASURES.items():
        values = {index: measure(lines[index]) for index in long}
        tolerance = TOLERANCE[name]
        counts = Counter(values.values())
        # The width: the value with the most lines at it or just short of it.
        top = max(
            counts,
            key=lambda v: (sum(n for w, n in counts.items() if v - tolerance <= w <= v), v),
        )
        at_width = {i for i, v in values.items() if top - tolerance <= v <= top}
        longer = sum(1 for v in values.values() if v > top)
        # A paragraph of several lines has full lines one under the other; lines of a page that
        # end at one width by chance (a title, a bar, a sentence) seldom do.
        stacked = sum(1 for i, j in pairwise(long) if i in at_width and j in at_width)
        if (
            len(at_width) >= MIN_FULL_LINES
            and len(at_width) >= MIN_FULL_SHARE * len(long)
            and stacked >= MIN_STACKED
            and longer <= MAX_LONGER_SHARE * len(long)
            and len(at_width) > len(best)
        ):
            best = at_width
    return {index for index in best if not _TABLE_ROW.search(lines[index])}


def _ends_sentence(text: str) -> bool:
    """The line ends a sentence, a clause or a title (关于…的通知, every 《 and （ closed)."""
    text = text.rstrip()
    if _TITLE_END.search(text) and all(
        text.count(a) == text.count(b) for a, b in ("《》", "（）", "()")
    ):
        return True
    while text and text[-1] in CLOSERS:
        text = text[:-1]
    return bool(text) and text[-1] in ENDS


def _continuation(
    lines: list[str], index: int, full: set[int], furniture: dict[int, str], feeds: set[int]
) -> int | None:
    """Where the sentence broken at the end of line ``index`` goes on: the next line, or the
    first line after a page break (its number, running head and blank lines)."""
    following = index + 1
    page_break = False
    while following < len(lines) and (not lines[following] or following in furniture):
        page_break = page_break or following in furniture or following in feeds
        following += 1
    if following >= len(lines) or PAGE_NUMBER.match(lines[following]):
        return None
    following_text = clean_line(lines[following])[0]
    if _NEW_BLOCK.match(following_text) or chrome.meta_line(following_text) is not None:
        return None  # a line may end at the page's width just before a heading or a bar
    text = clean_line(lines[index])[0]
    if following in full and (chrome.shape(text) or _SEPARATORS.search(text)):
        # A site's bar, menu or trail that happens to end at the width: the rest of one
        # broken would be short, not a full line of text.
        return None
    page_break = page_break or following in feeds
    if following > index + 1 and not page_break:
        return None  # a blank line and nothing else: the paragraph ended at the line's end
    return following


def _page_furniture(lines: list[str], full: set[int], feeds: set[int]) -> dict[int, str]:
    """Page numbers and running heads of a wrapped file, by line, with the reason."""
    found: dict[int, str] = {}
    numbers = [i for i, line in enumerate(lines) if PAGE_NUMBER.match(line)]
    numbered = [int(PAGE_NUMBER.match(lines[i]).group(1)) for i in numbers]
    # Bare numbers are page numbers when they count pages (rising one by one, a page of lines
    # apart but for the last page, which may be short: not a table's column of ranks) or when
    # one stands between the halves of a broken sentence.
    gaps = [j - i for i, j in pairwise(numbers)]
    counting = (
        len(numbers) >= 2
        and all(b == a + 1 for a, b in pairwise(numbered))
        and all(gap >= PAGE_LINES for gap in gaps[:-1])
    )
    for index in numbers:
        between = _between_halves(lines, index, full)
        if counting or between or DECORATED.search(lines[index]):
            found[index] = "PDF 页码"
    # A running head or foot: a short line the file repeats, each time at a page's edge (just
    # above or below its number, or first after its form feed); never a line that also stands
    # inside a page, as a table's heading or a short phrase of the text may.
    edges = set(feeds)
    for index in found:
        above, below = index - 1, index + 1
        while above >= 0 and not lines[above]:
            above -= 1
        while below < len(lines) and not lines[below]:
            below += 1
        edges.update((above, below))
    places: dict[str, list[int]] = {}
    for index, line in enumerate(lines):
        if line and len(line) <= RUNNING_HEAD_MAX and index not in found:
            places.setdefault(line, []).append(index)
    for where in places.values():
        if len(where) >= 2 and all(index in edges and index not in full for index in where):
            for index in where:
                found[index] = "PDF 页眉、页脚"
    # A head met once (a file of two pages): the first line of a page, short, not ending a
    # sentence, that either repeats how a line above begins (the title, shortened) or stands
    # between a sentence broken at the end of the page before and full lines going on with it
    # (inside a paragraph every line but its last is full: a short one there is not the text's).
    for start in sorted({*found, *feeds}):
        head = start if start in feeds and start not in found else start + 1
        while head < len(lines) and not lines[head]:
            head += 1
        if (
            head >= len(lines)
            or head in found
            or head in full
            or len(lines[head]) > RUNNING_HEAD_MAX
        ):
            continue
        before = start - 1
        while before >= 0 and (not lines[before] or before in found):
            before -= 1
        after = head + 1
        while after < len(lines) and not lines[after]:
            after += 1
        if _ends_sentence(lines[head]):
            continue
        shown = clean_line(lines[head])[0]  # as read: a Traditional copy's head may not be
        repeats = len(shown) >= 6 and any(
            line.startswith(shown) for line in cleaned(lines[:start]) if line
        )
        broken = before in full and not _ends_sentence(lines[before]) and after in full
        if repeats or broken:
            found[head] = "PDF 页眉"
    return found


def cleaned(lines: list[str]) -> list[str]:
    return [clean_line(line)[0] if line else "" for line in lines]


def _between_halves(lines: list[str], index: int, full: set[int]) -> bool:
    """The line stands right after a full line that ends mid-sentence (blank lines apart)."""
    before = index - 1
    while before >= 0 and not lines[before]:
        before -= 1
    return before in full and not _ends_sentence(lines[before])

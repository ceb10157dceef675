"""Garbled text: where it is, and what it probably said.

Old portals served GBK pages that scrapers decoded a byte out of step, so a heading such as
``　（一）公开渠道`` came out as ``?。ㄒ唬┕_渠道``: the first byte lost (``?``), every following
pair read across two characters until an ASCII character or luck puts the reader back in step.
Re-encoding the garbled run as GBK, putting back the lost byte and decoding again recovers most of
it — enough to know the item's number for certain and to suggest the rest to an editor, never
enough to replace the text without someone looking.
"""

import re
from dataclasses import dataclass

CN_DIGITS = "一二三四五六七八九十"
# Characters that ordinary Chinese text does not contain but misread bytes do: private-use
# code points, the replacement character, bopomofo, box drawing, a question mark beside a Han
# character (the lost byte), and UTF-8 read as Latin-1.
_GARBAGE_CHAR = "\ue000-\uf8ff\ufffd\u3100-\u312f\u2500-\u259f"
GARBAGE = re.compile(
    rf"[{_GARBAGE_CHAR}]|锟斤拷|(?<=[\u4e00-\u9fff。，、（）])\?|\?(?=[\u4e00-\u9fff。，、（）])"
    r"|[ÃÂâåæçèé][\u0080-\u00bf]"
)
_STARTS_GARBLED = re.compile(rf"^[?\ufffd{_GARBAGE_CHAR}]")
_ITEM = re.compile(rf"^[\s\u3000]*[（(]([{CN_DIGITS}]{{1,3}})[）)]")
_SECTION = re.compile(rf"^[\s\u3000]*([{CN_DIGITS}]{{1,3}})[、，.．]")


# Pasted into pages by hostile mirror sites: gambling, adult and fake-service advertising.
SPAM = re.compile(
    r"博彩|娱乐城|娱乐平台|真人(娱乐|视讯|荷官)|棋牌|时时彩|六合彩|百家乐|老虎机|赌场|网投|下注"
    r"|投注|葡京|威尼斯人|金沙(娱乐|国际|官网)|尊龙|凯时|亚博|开云|bet365|官网入口|官方入口|黑料"
    r"|代开发票|办证|刷单|彩票(平台|网)|人生就是博|永利|银河娱乐|皇冠体育|足球外围"
    r"|[Aa]pp下载|澳门(赌|娱乐|新葡|威尼斯|金沙)",
)
_HAN = "\u4e00-\u9fff"
# Other damage, each with what an editor is told.
_SUSPICIOUS = [
    (
        re.compile(r"[,，、。；;：]{2,}|[,，][、。]|、[,，。]"),
        "标点重复（原文可能有字丢失），请对照原件改正。",
    ),
    (
        re.compile(rf"(?<=[{_HAN}])[*＊]+|[*＊]+(?=[{_HAN}])"),
        "有字被“*”替换（原网站屏蔽了这些字），请对照原件补全。",
    ),
    (SPAM, "有疑似被插入的广告或无关内容，请核对后删除。"),
    (
        re.compile(rf"^[\s\u3000]*(?:[、）)]\s*[{_HAN}]|[{CN_DIGITS}]{{1,3}}[）)]\s*[{_HAN}])"),
        "编号标题开头的字符丢失（如“一、”“（一）”缺了一部分），请对照原件补全。",
    ),
]


def suspicious(raw: str) -> list[tuple[str, str]]:
    """(message, fragment with a few characters either side) of each damage in the line
    that is not garbled bytes: doubled punctuation, censored characters, spam, a heading
    that lost its first characters."""
    found = []
    for pattern, message in _SUSPICIOUS:
        spans: list[list[int]] = []
        for match in pattern.finditer(raw):
            if spans and match.start() - spans[-1][1] <= 6:
                spans[-1][1] = match.end()
            else:
                spans.append([match.start(), match.end()])
        for start, end in spans:
            fragment = raw[max(0, start - 6) : min(len(raw), end + 6)].strip()
            found.append((message, fragment))
    return found


def is_garbled(raw: str) -> bool:
    return bool(GARBAGE.search(raw))


def fragments(raw: str, context: int = 1) -> list[str]:
    """The garbled places of a line, each with ``context`` characters either side, in order."""
    spans: list[list[int]] = []
    for match in GARBAGE.finditer(raw):
        start, end = match.start(), match.end()
        if spans and start - spans[-1][1] <= 3:
            spans[-1][1] = end
        else:
            spans.append([start, end])
    found = []
    for start, end in spans:
        # A pinyin remnant or stray Latin letters belong to the garbled run.
        while end < len(raw) and re.match(r"[A-Za-z\u00c0-\u024f()（）]", raw[end]):
            end += 1
        found.append(raw[max(0, start - context) : min(len(raw), end + context)])
    return found


@dataclass(frozen=True)
class HeadingRepair:
    kind: str  # "item" for （一）, "section" for 一、
    number: str  # the Chinese numeral
    fragment: str  # the garbled run, exactly as in the source
    repaired: str  # what the run decodes to once back in step (may hold U+FFFD)
    rest: str  # the raw text after the garbled run


def _gbk_bytes(text: str) -> bytes:
    out = bytearray()
    for char in text:
        try:
            out += char.encode("gbk")
        except UnicodeEncodeError:
            # Bytes GBK leaves undefined were read as private-use characters; GB18030 maps
            # them back.
            try:
                out += char.encode("gb18030")[:2]
            except UnicodeEncodeError:
                out += b"?"
    return bytes(out)


def _common_suffix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def repair_heading(raw: str) -> HeadingRepair | None:
    """If the line starts garbled and decodes, a byte back in step, to a numbered heading,
    say which; otherwise None."""
    line = raw.lstrip(" \t\u00a0")
    if not _STARTS_GARBLED.match(line) and not (
        len(line) > 1 and line[1] in "。" and is_garbled(line[:4])
    ):
        return None
    body = line[1:] if line[0] in "?\ufffd" else line
    for lost in (b"\xa1", b"\xa3", b""):
        repaired = (lost + _gbk_bytes(body)).decode("gbk", errors="replace")
        for kind, pattern in (("item", _ITEM), ("section", _SECTION)):
            match = pattern.match(repaired)
            if match:
                same = _common_suffix(line, repaired)
                fragment = line[: len(line) - same] if same else line
                fixed = repaired[: len(repaired) - same] if same else repaired
                # The run ends where the text is back in step; never inside the number itself.
                if len(fixed) < match.end():
                    continue
                return HeadingRepair(kind, match.group(1), fragment, fixed, line[len(fragment) :])
    return None


def cn_to_int(numeral: str) -> int | None:
    """一 → 1, 十二 → 12, 二十三 → 23; None for anything else."""
    if not numeral or any(c not in CN_DIGITS for c in numeral):
        return None
    if numeral == "十":
        return 10
    if "十" in numeral:
        tens, _, units = numeral.partition("十")
        value = (CN_DIGITS.index(tens) + 1 if tens else 1) * 10
        return value + (CN_DIGITS.index(units) + 1 if units else 0) if len(units) <= 1 else None
    if len(numeral) == 1:
        return CN_DIGITS.index(numeral) + 1
    return None


def int_to_cn(value: int) -> str:
    if 1 <= value <= 10:
        return CN_DIGITS[value - 1]
    if 11 <= value <= 99:
        tens, units = divmod(value, 10)
        head = "" if tens == 1 else CN_DIGITS[tens - 1]
        return head + "十" + (CN_DIGITS[units - 1] if units else "")
    return str(value)

"""What scrapers and converters did to the text, undone: inline pinyin, Traditional characters,
half-width punctuation, odd spaces. Plain functions on strings, no database."""

import functools
import re

import opencc

HAN = "\u3400-\u4dbf\u4e00-\u9fff"
TONE_VOWELS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_SYLLABLE = rf"[a-zü]{{0,5}}[{TONE_VOWELS}][a-zü]{{0,5}}"
# Neutral-tone syllables carry no tone mark; only these few are taken for annotations.
_NEUTRAL = r"de|le|me|men|zi|ne|ma|ba|zhe"
# Pinyin in parentheses right after a Han character (or after a character the scraper lost or
# mangled, such as ? or U+FFFD): 訪問(wèn). Real parentheses hold Han text or digits, never
# tone marks.
PINYIN = re.compile(
    rf"(?<=[^\sA-Za-z0-9(（)）])[(（](?:{_SYLLABLE}|{_NEUTRAL})[)）]",
)
# Without tone marks a syllable looks like any Latin word, so a toneless annotation is taken
# only in the shape pinyin annotations have: one lowercase syllable of Mandarin (from the list
# below; ü also written v, a tone number allowed) in parentheses right after a Han character,
# as in 文(wen)件 or 文（wen2）. Capitalized or upper-case words (PDF, GDP, names), units and
# words that are not one syllable (km, kg, app, wifi) are kept, and so are the few syllables
# that are also Latin found in parentheses: list labels (a), (e), (o), hectares (ha), minutes
# (min), pascals (pa), a language (en).
# Every Mandarin syllable, by initial ("" for none), finals written as after that initial.
_FINALS = {
    "": "a ai an ang ao e ei en eng er o ou",
    "y": "a an ang ao e i in ing o ong ou u uan ue un",
    "w": "a ai an ang ei en eng o u",
    "b": "a ai an ang ao ei en eng i ian iao ie in ing o u",
    "p": "a ai an ang ao ei en eng i ian iao ie in ing o ou u",
    "m": "a ai an ang ao e ei en eng i ian iao ie in ing iu o ou u",
    "f": "a an ang ei en eng o ou u",
    "d": "a ai an ang ao e ei en eng i ia ian iao ie ing iu ong ou u uan ui un uo",
    "t": "a ai an ang ao e ei eng i ian iao ie ing ong ou u uan ui un uo",
    "n": "a ai an ang ao e ei en eng i ian iang iao ie in ing iu ong ou u uan un uo ü üe v ve",
    "l": "a ai an ang ao e ei eng i ia ian iang iao ie in ing iu o ong ou u uan un uo ü üe v ve",
    "g": "a ai an ang ao e ei en eng ong ou u ua uai uan uang ui un uo",
    "k": "a ai an ang ao e ei en eng ong ou u ua uai uan uang ui un uo",
    "h": "a ai an ang ao e ei en eng ong ou u ua uai uan uang ui un uo",
    "j": "i ia ian iang iao ie in ing iong iu u uan ue un",
    "q": "i ia ian iang iao ie in ing iong iu u uan ue un",
    "x": "i ia ian iang iao ie in ing iong iu u uan ue un",
    "zh": "a ai an ang ao e ei en eng i ong ou u ua uai uan uang ui un uo",
    "ch": "a ai an ang ao e en eng i ong ou u ua uai uan uang ui un uo",
    "sh": "a ai an ang ao e ei en eng i ou u ua uai uan uang ui un uo",
    "r": "an ang ao e en eng i ong ou u ua uan ui un uo",
    "z": "a ai an ang ao e ei en eng i ong ou u uan ui un uo",
    "c": "a ai an ang ao e en eng i ong ou u uan ui un uo",
    "s": "a ai an ang ao e en eng i ong ou u uan ui un uo",
}
SYLLABLES = frozenset(
    initial + final for initial, finals in _FINALS.items() for final in finals.split()
)
_NOT_ANNOTATIONS = frozenset({"a", "e", "o", "ha", "min", "pa", "en"})
_TONELESS_SYLLABLE = "|".join(
    sorted(SYLLABLES - _NOT_ANNOTATIONS, key=lambda syllable: (-len(syllable), syllable))
)
TONELESS_PINYIN = re.compile(rf"(?<=[{HAN}])[(（](?:{_TONELESS_SYLLABLE})[1-5]?[)）](?![A-Za-z])")
# A line broken between a character and its annotation starts with the annotation.
LEADING_PINYIN = re.compile(rf"^[(（]{_SYLLABLE}[)）]")
# A lost character can take the opening parenthesis with it: 訌?qiáng) for 強(qiáng).
BROKEN_PINYIN = re.compile(rf"(?<=\?){_SYLLABLE}[)）]")

_URL = re.compile(r"https?://[^\s，。；）)]+")
_DOCUMENT_YEAR = re.compile(
    rf"(?<=[{HAN}])\s*[〔\[［(（【〖﹝]\s*((?:19|20)\d\d)\s*[〕\]］)）】〗﹞]\s*第?\s*(?=\d{{1,6}}\s*号)"
)
_PAREN = re.compile(r"\(([^()\n]{0,80})\)")
_SPACES = re.compile(r"[ \t\u00a0\u2002\u2003\u2009\u3000\ufeff]+")


@functools.cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def remove_pinyin(text: str) -> tuple[str, list[str]]:
    """Drop inline pinyin annotations; return the text and what was removed."""
    removed: list[str] = []

    def drop(match: re.Match) -> str:
        removed.append(match.group())
        return ""

    text = PINYIN.sub(drop, text)
    text = TONELESS_PINYIN.sub(drop, text)
    text = BROKEN_PINYIN.sub(drop, text)
    text = LEADING_PINYIN.sub(drop, text)
    return text, removed


def to_simplified(text: str) -> str:
    return _converter().convert(text)


def _is_cjk(char: str) -> bool:
    return bool(char) and ("\u3000" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef")


def normalize_punctuation(text: str) -> str:
    """Full-width punctuation in Chinese text; 〔〕 around the year of a 文号."""
    urls: list[str] = []

    def keep_url(match: re.Match) -> str:
        urls.append(match.group())
        return f"\x00{len(urls) - 1}\x00"

    text = _URL.sub(keep_url, text)
    text = re.sub(r"(?<!\d),|,(?!\d)", "，", text)
    text = re.sub(r"(?<!\d):|:(?!\d)", "：", text)
    text = text.replace(";", "；").replace("!", "！")

    def paren(match: re.Match) -> str:
        inner = match.group(1)
        before = text[match.start() - 1] if match.start() else ""
        after = text[match.end()] if match.end() < len(text) else ""
        if any(_is_cjk(c) for c in inner) or _is_cjk(before) or _is_cjk(after):
            return f"（{inner}）"
        return match.group()

    for _ in range(2):  # twice, so that 办法(试行)(2017) sees its converted neighbour
        text = _PAREN.sub(paren, text)
    text = _DOCUMENT_YEAR.sub(lambda m: f"〔{m.group(1)}〕", text)
    return re.sub(r"\x00(\d+)\x00", lambda m: urls[int(m.group(1))], text)


# Three or more names of two to four characters with spaces between: 张三 李四 王五.
_NAME_LIST = re.compile(rf"(?<![{HAN}])[{HAN}]{{2,4}}(?: [{HAN}]{{2,4}}){{2,}}(?![{HAN}])")


def normalize_spaces(text: str) -> str:
    text = _SPACES.sub(" ", text).strip()
    # Spaces between two Chinese characters are layout, not words, except in a list of names.
    kept = _NAME_LIST.sub(lambda match: match.group().replace(" ", "\x01"), text)
    kept = re.sub(
        rf"(?<=[{HAN}，。、；：！？“”（）《》])\s+(?=[{HAN}，。、；：！？“”（）《》])", "", kept
    )
    return kept.replace("\x01", " ")


def clean_line(raw: str) -> tuple[str, list[str]]:
    """One line as an editor should see it, and the pinyin taken out of it."""
    text, removed = remove_pinyin(raw)
    text = to_simplified(text)
    text = normalize_spaces(normalize_punctuation(text))
    return text, removed

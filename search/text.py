"""Text folding and query parsing for Chinese full-text search.

Everything that is searched (indexed text, queries, the test oracle) goes through ``fold``: each
character is NFKC-normalized (full-width → half-width, compatibility forms), case-folded and
converted from Traditional to Simplified with OpenCC's t2s table. Folding works character by
character, so a substring of a text always folds to a substring of the folded text: a query
can never miss because its neighbours changed how a phrase was converted, and folded offsets
map back to the original text for highlighting.

A query is split into terms at anything that is not a letter or digit (spaces, punctuation,
symbols, control characters); every term must occur in the notice. A query that reads as a 文号
or 索引号 in any usual spelling is recognised as well, so that an exact match ranks first.
"""

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import opencc

from notices import document_numbers

MAX_QUERY_LENGTH = 100
FIELD_SEPARATOR = "\n"

_converter = opencc.OpenCC("t2s")


def _fold_character(char: str) -> str:
    folded = unicodedata.normalize("NFKC", char).casefold()
    folded = _converter.convert(folded) if not folded.isascii() else folded
    # Never fold a character away, so that equal lengths mean one folded character each.
    return folded or char


class _FoldTable(dict):
    """str.translate table filled on first sight of each character."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_character(chr(code))
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Fold Traditional/Simplified, full-/half-width and case together, character by character."""
    return (text or "").translate(_FOLD)


# Characters folded one by one to find those that fold into words: ASCII, Latin, the other
# alphabets and symbols, CJK punctuation, the ideographs in common use, full- and half-width
# forms. Any other character is taken to be one.
_CHECKED_BLOCKS = [(0x0000, 0xA000), (0xFE30, 0xFE50), (0xFF00, 0xFFF0)]


@lru_cache(maxsize=1)
def word_changers() -> re.Pattern:
    """A pattern matching each character that folding may turn into another letter or digit
    (Traditional ideographs, capitals, full-width digits, ligatures …). Where a text holds
    none of them, folding leaves every word of it as written: a term is found in it exactly
    where it is written. Made on first use (a tenth of a second)."""
    changers = [
        code
        for start, end in _CHECKED_BLOCKS
        for code in range(start, end)
        if (folded := _fold_character(chr(code))) != chr(code) and any(map(str.isalnum, folded))
    ]
    ends = [end for _start, end in _CHECKED_BLOCKS]
    starts = [start for start, _end in _CHECKED_BLOCKS[1:]] + [0x110000]
    ranges = [[code, code] for code in changers] + [
        [a, b - 1] for a, b in zip(ends, starts, strict=True)
    ]
    merged = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    return re.compile("[" + "".join(rf"\U{a:08x}-\U{b:08x}" for a, b in merged) + "]")


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each folded position, the offset of its original character
    (plus one final entry for the end)."""
    folded = fold(text)
    if len(folded) == len(text):
        return folded, list(range(len(text) + 1))
    offsets = []
    for index, char in enumerate(text):
        offsets.extend([index] * len(_FOLD[ord(char)]))
    offsets.append(len(text))
    return folded, offsets


_BLOCK_TAGS = re.compile(
    r"</?(?:p|div|h[1-6]|li|ul|ol|tr|td|th|table|thead|tbody|tfoot|caption|blockquote|pre|hr|br)"
    r"\b[^>]*>",
    re.IGNORECASE,
)
_OTHER_TAGS = re.compile(r"<[^>]*>")
_BLANK_LINES = re.compile(r"\s*\n\s*")


def plain_text(body_html: str) -> str:
    """The readable text of a (sanitized) body: block tags become line breaks, inline tags
    vanish so that 政<b>务</b>公开 still reads 政务公开."""
    text = _BLOCK_TAGS.sub("\n", body_html or "")
    text = html.unescape(_OTHER_TAGS.sub("", text))
    return _BLANK_LINES.sub("\n", text).strip()


# The first beginning of a body plain_text_prefixes strips, in characters of HTML.
FIRST_PREFIX = 2000


def plain_text_prefixes(body_html: str):
    """``plain_text`` of ever longer beginnings of a sanitized body, each about four times as
    long as the one before and cut just before a tag, ending with the whole; each with whether
    it is the whole. Each is a beginning of ``plain_text(body_html)``: every tag it holds is
    whole (in sanitized HTML every ``<`` opens a tag and every entity ends with ``;``), and the
    whitespace it ends with is stripped either way. What needs only the text's beginning (a
    snippet) need not strip the rest."""
    size = FIRST_PREFIX
    while size < len(body_html):
        cut = body_html.find("<", size)
        if cut == -1:
            break
        yield plain_text(body_html[:cut]), False
        size = (cut + 1) * 4  # longer each time, even from a cut at the very start
    yield plain_text(body_html), True


_NON_WORD = re.compile(r"[^\w]+|_+")


def split_terms(folded: str) -> list[str]:
    return [term for term in _NON_WORD.split(folded) if term and term.isalnum()]


_INDEX_NUMBER = re.compile(
    r"^(?P<code>[0-9a-z]+)\s*[/\\-]\s*(?P<year>[0-9]{4})\s*-\s*(?P<serial>[0-9]{1,6})$"
)


def document_key(document_number: str) -> str:
    """The folded, normalized spelling of a 文号, e.g. 甘政办发〔2017〕136号."""
    return document_numbers.search_key(fold(document_number or ""))


def index_key(index_number: str) -> str:
    match = _INDEX_NUMBER.match(fold("".join((index_number or "").split())))
    if not match:
        return ""
    return f"{match['code']}/{match['year']}-{int(match['serial']):05d}"


@dataclass(frozen=True)
class ParsedQuery:
    raw: str
    truncated: bool
    terms: tuple[str, ...] = ()
    document_key: str = ""
    index_key: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.terms


@lru_cache(maxsize=512)
def parse_query(raw: str) -> ParsedQuery:
    """Terms of a query (each must occur), and the 文号/索引号 it names, if any.

    The query is cut at MAX_QUERY_LENGTH characters. A 文号 typed as 甘政办发2017136号 or
    甘政办发（2017）136号 becomes the terms 甘政办发, 2017 and 136号 — the pieces of its official
    spelling — so that it finds the notice however the brackets were typed.
    """
    raw = raw or ""
    truncated = len(raw) > MAX_QUERY_LENGTH
    raw = raw[:MAX_QUERY_LENGTH]
    folded = fold(raw)
    compact = "".join(folded.split())
    doc_key = document_key(compact)
    idx_key = index_key(compact)
    if doc_key:
        number = document_numbers.parse(doc_key)
        if number.kind == document_numbers.BRACKET:
            terms = [number.prefix, str(number.year), f"{number.serial}号"]
        else:
            terms = split_terms(doc_key)
    elif idx_key:
        code, _, rest = idx_key.partition("/")
        year, _, serial = rest.partition("-")
        terms = [code, year, serial]
    else:
        terms = split_terms(folded)
    return ParsedQuery(
        raw=raw,
        truncated=truncated,
        terms=tuple(dict.fromkeys(terms)),
        document_key=doc_key,
        index_key=idx_key,
    )


def matches(parsed: ParsedQuery, folded_fields: list[str]) -> bool:
    """What a match means: every term occurs in one of the folded fields (no term spans two)."""
    return bool(parsed.terms) and all(
        any(term in text for text in folded_fields) for term in parsed.terms
    )

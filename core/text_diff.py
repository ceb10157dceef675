"""Texts compared as a reader sees them: cut into CJK characters, digit runs and Latin words
(so that a changed year shows as 2016 → 2017, never as "于2" / "027年"), rich text read as its
paragraphs. Plain data, no markup: the notices' comparisons (notices/versions.py) and the
readable audit trail (audit/readable.py) draw it with templates."""

import difflib
import html
import re
from dataclasses import dataclass

BLOCK_END = re.compile(r"</(p|h[1-6]|li|tr|blockquote|pre|caption)>|<br\s*/?>", re.IGNORECASE)
CELL_END = re.compile(r"</t[dh]>", re.IGNORECASE)
TAG = re.compile(r"<[^>]+>")
TOKEN = re.compile(
    r"[0-9０-９]+(?:[.,:][0-9０-９]+)*%?"  # 2017, 1,563,668, 95.5%, 10:30
    r"|[A-Za-zＡ-Ｚａ-ｚ]+(?:['’-][A-Za-z]+)*"  # words: PDF, e-mail
    r"|\s+"
    r"|.",  # any other character on its own: 汉字, punctuation, 〔 〕
    re.DOTALL,
)


@dataclass(frozen=True)
class Segment:
    """A run of text on one side of a comparison: kept, removed ("del") or added ("ins")."""

    text: str
    change: str = ""


def tokens(text: str) -> list[str]:
    """``text`` cut into CJK characters, digit runs, Latin words, spaces and single marks."""
    return TOKEN.findall(text)


def inline_diff(old: str, new: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    """Both texts as segments, the tokens only one of them has marked."""
    a, b = tokens(old), tokens(new)
    left: list[Segment] = []
    right: list[Segment] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            left.append(Segment("".join(a[i1:i2])))
            right.append(Segment("".join(b[j1:j2])))
            continue
        if i2 > i1:
            left.append(Segment("".join(a[i1:i2]), "del"))
        if j2 > j1:
            right.append(Segment("".join(b[j1:j2]), "ins"))
    return tuple(left), tuple(right)


def body_lines(body_html: str) -> list[str]:
    """The body as the reader sees it: one line per paragraph, heading, list item or table row
    (its cells separated by " | ")."""
    text = CELL_END.sub(" | ", body_html or "")
    text = BLOCK_END.sub("\n", text)
    text = html.unescape(TAG.sub("", text))
    lines = (line.strip().removesuffix("|").strip() for line in text.splitlines())
    return [line for line in lines if line]

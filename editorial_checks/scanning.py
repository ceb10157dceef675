"""Finding wordings and personal data in text: pure functions over strings, no database.

Words: every wrong form and every leader's name goes into one Aho–Corasick automaton
(ahocorasick-rs, built as a DFA), so a text is read once whatever the length of the list (a
20,000-character body against 5,000 entries: bench/content_checks.py). Personal data: one
regular expression per kind, then the check characters (身份证号 MOD 11-2, bank cards Luhn) or
the shape of an address, so that a number that only looks like one is not reported."""

import re
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick_rs

from core.checksums import luhn_valid, resident_id_valid

SERIOUS = "serious"
WARNING = "warning"
CONTEXT_CHARACTERS = 20
# How far before a leader's name a title is looked for ("副省长张三", "副省长 张三").
TITLE_REACH = 16


@dataclass(frozen=True)
class Hit:
    category: str  # wording, leader, personal
    kind: str
    severity: str
    start: int
    end: int
    text: str
    suggestion: str = ""


@dataclass(frozen=True)
class Rule:
    wrong: str
    correct: str
    kind: str  # miswriting or avoid
    severity: str
    note: str = ""


@dataclass(frozen=True)
class LeaderEntry:
    name: str
    titles: tuple[str, ...]
    wrong_names: tuple[str, ...] = ()


class WordList:
    """The site's word rules and leaders, compiled once; ``find`` reads a text in one pass."""

    def __init__(self, rules: Iterable[Rule] = (), leaders: Iterable[LeaderEntry] = ()):
        entries: dict[str, tuple[str, object]] = {}
        titles: set[str] = set()
        for rule in rules:
            if rule.wrong:
                entries[rule.wrong] = ("rule", rule)
        for leader in leaders:
            entries[leader.name] = ("leader", leader)
            titles.update(leader.titles)
            for wrong in leader.wrong_names:
                if wrong and wrong != leader.name:
                    entries[wrong] = ("wrong_name", leader)
        # Longest first: "副省长" must be recognised before "省长".
        self.titles = sorted(titles, key=len, reverse=True)
        self.patterns = list(entries)
        self.entries = [entries[pattern] for pattern in self.patterns]
        self.size = len(self.patterns)
        self.automaton = None
        if self.patterns:
            # A DFA: one table lookup per character, whatever the number of entries.
            self.automaton = ahocorasick_rs.AhoCorasick(
                self.patterns,
                matchkind=ahocorasick_rs.MatchKind.Standard,
                implementation=ahocorasick_rs.Implementation.DFA,
            )

    def find(self, text: str) -> list[Hit]:
        if self.automaton is None or not text:
            return []
        hits = []
        for index, start, end in self.automaton.find_matches_as_indexes(text, overlapping=True):
            what, entry = self.entries[index]
            if what == "rule":
                suggestion = entry.correct or entry.note
                hits.append(
                    Hit("wording", entry.kind, entry.severity, start, end, entry.wrong, suggestion)
                )
            elif what == "wrong_name":
                hits.append(
                    Hit("leader", "leader_name", SERIOUS, start, end, text[start:end], entry.name)
                )
            else:
                hit = self._title_mismatch(text, start, entry)
                if hit is not None:
                    hits.append(hit)
        return outermost(hits)

    def _title_mismatch(self, text: str, start: int, leader: LeaderEntry) -> Hit | None:
        """The title written right before a leader's name, when it is another leader's."""
        before = text[max(0, start - TITLE_REACH) : start].rstrip(" \u3000")
        for title in self.titles:
            if before.endswith(title):
                if title in leader.titles:
                    return None
                begin = max(0, start - TITLE_REACH) + len(before) - len(title)
                suggestion = "、".join(leader.titles) + leader.name
                return Hit(
                    "leader", "leader_title", SERIOUS, begin, start + len(leader.name),
                    text[begin : start + len(leader.name)], suggestion,
                )  # fmt: skip
        return None


def outermost(hits: list[Hit]) -> list[Hit]:
    """The hits in text order without those inside a longer hit of the same category."""
    hits.sort(key=lambda hit: (hit.start, -(hit.end - hit.start)))
    kept: list[Hit] = []
    reach: dict[str, int] = {}
    for hit in hits:
        if hit.end <= reach.get(hit.category, -1):
            continue
        kept.append(hit)
        reach[hit.category] = max(reach.get(hit.category, -1), hit.end)
    return kept


RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[0-9Xx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<![0-9])(?:(?:\+|00)?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?![0-9])")
# An area code in brackets or followed by a dash, then 7–8 digits (an extension may follow).
LANDLINE = re.compile(
    r"(?<![0-9])(?:[(（]0\d{2,3}[)）]|0\d{2,3}[-－—])\s?[2-9]\d{6,7}(?:[-－转]\d{1,6})?(?![0-9])"
)
BANK_CARD = re.compile(r"(?<![0-9])[3-6]\d{3}(?:[ -]?\d{4}){2,3}(?:[ -]?\d{1,3})?(?![0-9])")
EMAIL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# Where a street address ends: a road, village or estate, then a house number and units.
ADDRESS_END = re.compile(
    r"(?:路|街|大道|巷|胡同|弄|小区|社区|花园|家园|公寓|新村)(?:[东西南北中]段)?\s*\d+(?:[-－]\d+)?\s*号"
    r"(?:院|楼)?(?:\s*\d+\s*(?:号楼|栋|幢|单元|层|楼|室|号|户))*"
    r"|村[一二三四五六七八九十\d]+(?:组|社)(?:\s*\d+\s*号)?"
)
CJK = re.compile(r"[\u4e00-\u9fff]")
# Words that introduce an address; the address starts after the last of them.
ADDRESS_LEAD = re.compile(r"住址|地址|住在|位于|住|在")
ADDRESS_REACH = 12
SEPARATORS = re.compile(r"[ \-]")


def personal_data(text: str) -> list[Hit]:
    """身份证号, mobile and landline numbers, bank cards, e-mail addresses and street
    addresses in a text, in text order."""
    if not text:
        return []
    hits: list[Hit] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, match_start: int, match_end: int) -> None:
        for start, end in taken:
            if match_start < end and start < match_end:
                return
        taken.append((match_start, match_end))
        hits.append(
            Hit("personal", kind, SERIOUS, match_start, match_end, text[match_start:match_end])
        )

    for match in RESIDENT_ID.finditer(text):
        if resident_id_valid(match.group()):
            add("resident_id", match.start(), match.end())
    for match in BANK_CARD.finditer(text):
        digits = SEPARATORS.sub("", match.group())
        if 16 <= len(digits) <= 19 and luhn_valid(digits):
            add("bank_card", match.start(), match.end())
    for match in MOBILE.finditer(text):
        add("mobile", match.start(), match.end())
    for match in LANDLINE.finditer(text):
        add("landline", match.start(), match.end())
    for match in EMAIL.finditer(text):
        add("email", match.start(), match.end())
    for match in ADDRESS_END.finditer(text):
        start = match.start()
        while start > 0 and match.start() - start < ADDRESS_REACH and CJK.match(text[start - 1]):
            start -= 1
        for lead in ADDRESS_LEAD.finditer(text, start, match.start()):
            start = lead.end()
        add("address", start, match.end())
    hits.sort(key=lambda hit: hit.start)
    return hits


def around(text: str, start: int, end: int) -> tuple[str, str, int]:
    """The text just before and after a hit (on its line), and the number of its line."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    before = text[max(line_start, start - CONTEXT_CHARACTERS) : start]
    after = text[end : min(line_end, end + CONTEXT_CHARACTERS)]
    return before, after, text.count("\n", 0, start) + 1

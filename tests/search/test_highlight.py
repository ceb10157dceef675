"""Snippets: a window around the first match, however far into a long body it lies."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notices.sanitize import sanitize_html
from search import highlight, text


@pytest.mark.parametrize(
    "position",
    [0, 5, highlight.FOLD_PIECE - 2, highlight.FOLD_PIECE, 3 * highlight.FOLD_PIECE - 1, 9000],
)
def test_the_snippet_is_cut_around_the_first_match_wherever_it_lies(position):
    body = "甲" * position + "政務公開" + "乙" * 50 + "政务公开" + "丙" * 500
    snippet = highlight.plain_snippet(body, [text.fold("政务公开")])
    assert "政務公開" in snippet
    assert snippet.startswith("…") == (position > highlight.SNIPPET_LEAD)


def test_the_first_match_is_the_earliest_of_all_terms_across_pieces():
    body = "甲" * (highlight.FOLD_PIECE + 10) + "公开" + "乙" * 10 + "政务" + "丙" * 20
    first = highlight.FOLD_PIECE + 10
    assert highlight._first_match(body, ["政务", "公开"]) == first
    assert highlight._first_match(body, ["透明"]) is None


def test_a_body_with_characters_that_fold_to_two_still_places_the_match():
    body = "ﬁ" * 3000 + "政务公开"  # each ﬁ folds to "fi"
    assert highlight._first_match(body, ["政务公开"]) == 3000
    assert "<mark>政务公开</mark>" in highlight.snippet(body, ["政务公开"])


@pytest.mark.parametrize("gap", [0, highlight.FOLD_PIECE - 3, 5 * highlight.FOLD_PIECE])
def test_a_spelling_that_folds_to_a_term_counts_before_the_term_as_written(gap):
    body = "甲" * 100 + "政務公開" + "乙" * gap + "政务公开" + "丙" * 200
    assert highlight._first_match(body, ["政务公开"]) == 100
    body = "甲" * 10 + "政务公开" + "乙" * gap + "政務公開"
    assert highlight._first_match(body, ["政务公开"]) == 10


def test_a_character_that_folds_to_a_whole_term_before_it_is_written_comes_first():
    # "ﬁ" folds to "fi": it matches the term fi, long before fi is written.
    body = "甲" * 50 + "ﬁ" + "乙" * 3000 + "fi"
    assert highlight._first_match(body, ["fi"]) == 50


def test_the_word_changers_are_the_characters_that_fold_into_other_letters_or_digits():
    changers = text.word_changers()
    for start, end in text._CHECKED_BLOCKS:
        for code in range(start, end):
            char = chr(code)
            folded = text.fold(char)
            turns = folded != char and any(c.isalnum() for c in folded)
            assert bool(changers.fullmatch(char)) == turns, hex(code)
    # Outside the blocks checked one by one, every character is taken to be one.
    for char in "ꀀ豈﹐𠀀🀄":
        assert changers.fullmatch(char), char


def test_a_text_without_word_changers_is_searched_without_folding(monkeypatch):
    body = "，".join(["各地区各部门要按照要求做好工作"] * 2000) + "政务公开" + "。" * 10
    folded = []
    fold = text.fold
    monkeypatch.setattr(text, "fold", lambda value: folded.append(len(value)) or fold(value))
    assert highlight._first_match(body, ["政务公开", "透明"]) == body.index("政务公开")
    assert highlight._first_match(body, ["透明"]) is None
    assert folded == []
    # A capital (it folds to a small letter) just before the term: folded as before.
    body = body.replace("作政务", "A政务", 1)
    assert highlight._first_match(body, ["政务公开"]) == body.index("政务公开")
    assert folded


# Pieces of text: words as written, spellings that fold to them, and characters that fold
# into other letters (capitals, full-width letters and digits, a ligature, a circled number).
FOLDING = [
    "政务",
    "政務",
    "公开",
    "公開",
    "甲乙",
    "，",
    "。",
    " ",
    "Fi",
    "fi",
    "ＦＩ",
    "ﬁ",
    "①",
    "1",
]
FOLDED_TERMS = [["政务公开"], ["政务", "公开"], ["fi"], ["1"], ["i1"], ["务公"], ["透明"]]


@settings(max_examples=500)
@given(
    pieces=st.lists(st.sampled_from(FOLDING), max_size=60),
    terms=st.sampled_from(FOLDED_TERMS),
)
def test_the_first_match_is_where_the_folded_text_first_holds_a_term(pieces, terms):
    original = "".join(pieces)
    spans = highlight._spans(original, terms)
    assert highlight._first_match(original, terms) == (spans[0][0] if spans else None)


# A snippet from the beginnings of a long body: the same as from the whole.

FRAGMENTS = [
    "政务",
    "公开",
    "政務公開",
    "政务公",
    "开",
    "透明",
    "ﬁ",
    "fi",
    " ",
    "\n",
    "甲乙丙丁",
    "&amp;",
    "&lt;",
    "<b>",
    "</b>",
    "<p>",
    "</p>",
    "<br>",
    '<a href="https://www.gov.cn/?q=<b>">',
    "</a>",
    "<table><tr><td>",
    "</td></tr></table>",
]
# Terms one inside another: a match cut off at a beginning's end may start before one found.
TERMS = [["政务公开"], ["政务", "公开"], ["政务公开", "务公"], ["fi"], ["透明"], ["不在其中"]]


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pieces=st.lists(st.sampled_from(FRAGMENTS), max_size=80),
    terms=st.sampled_from(TERMS),
    first=st.integers(min_value=0, max_value=40),
    length=st.integers(min_value=5, max_value=60),
)
def test_a_snippet_from_the_beginnings_of_a_body_is_the_snippet_of_the_whole(
    monkeypatch, pieces, terms, first, length
):
    monkeypatch.setattr(text, "FIRST_PREFIX", first)
    body = sanitize_html("".join(pieces))
    whole = text.plain_text(body)
    prefixes = list(text.plain_text_prefixes(body))
    assert prefixes[-1] == (whole, True)
    assert all(whole.startswith(prefix) for prefix, _whole in prefixes)
    from_prefixes = highlight.settled_window(prefixes, terms, length)
    from_whole = highlight.settled_window([(whole, True)], terms, length)
    assert highlight.plain_window(from_prefixes) == highlight.plain_window(from_whole)
    marked = highlight.marked_snippet(from_prefixes, terms)
    assert marked == highlight.marked_snippet(from_whole, terms)
    if not any(term in text.fold(whole) for term in terms):
        # Known to hold no match, the body's beginning is the same window.
        opening = highlight.opening_window(prefixes, length)
        assert highlight.plain_window(opening) == highlight.plain_window(from_whole)
        assert highlight.marked_snippet(opening, terms) == marked


def test_a_match_near_the_start_of_a_long_body_strips_only_its_beginning(monkeypatch):
    body = "<p>政务公开的要求</p>" + "<p>甲乙丙丁</p>" * 20_000
    stripped = []
    strip = text.plain_text
    monkeypatch.setattr(text, "plain_text", lambda html: stripped.append(len(html)) or strip(html))
    window = highlight.settled_window(text.plain_text_prefixes(body), ["政务公开"])
    assert max(stripped) < text.FIRST_PREFIX + 20
    assert highlight.plain_window(window) == highlight.plain_snippet(strip(body), ["政务公开"])
    assert highlight.plain_window(window).endswith("…")


def test_a_match_cut_off_at_the_end_of_a_beginning_is_waited_for(monkeypatch):
    # The first beginning ends inside 政务公开, after 务公 (a term too) was found in it.
    monkeypatch.setattr(text, "FIRST_PREFIX", 10)
    body = "<p>" + "甲" * 40 + "政务公<b>开</b>" + "乙" * 100 + "</p>"
    prefixes = list(text.plain_text_prefixes(body))
    assert prefixes[0] == ("甲" * 40 + "政务公", False)
    window = highlight.settled_window(prefixes, ["政务公开", "务公"], length=31)
    # From SNIPPET_LEAD before 政务公开, as in the whole; not from that before 务公.
    assert highlight.plain_window(window) == "…" + "甲" * 30 + "政…"

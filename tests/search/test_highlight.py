"""Snippets: a window around the first match, however far into a long body it lies."""

import pytest

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

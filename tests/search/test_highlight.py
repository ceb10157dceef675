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

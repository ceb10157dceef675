"""Gram codes: what the index stores must contain every query term's codes, and no more grams
than the text's own words make."""

import numpy as np

from search import codes


def code_set(text: str) -> set[int]:
    return set(codes.codes(text).tolist())


def test_codes_are_the_distinct_characters_and_adjacent_pairs_of_each_word():
    found = code_set("政务公开，公开")
    expected = {ord(c) for c in "政务公开"} | {
        ord(a) << 16 | ord(b) for a, b in ("政务", "务公", "公开")
    }
    assert found == {np.uint32(value).view(np.int32).item() for value in expected}
    assert list(codes.codes("政务公开，公开")) == sorted(found)


def test_no_pair_spans_punctuation_space_or_a_field_separator():
    assert not set(codes.term_codes("开公")) <= code_set("政务公开，公开")
    assert not set(codes.term_codes("ab")) <= code_set("a b\na")
    assert set(codes.term_codes("ab")) <= code_set("xab")


def test_a_term_occurs_only_where_its_codes_do():
    text = "关于加强政务公开工作的通知 covid19"
    for term in ("政务", "公开工作", "covid19", "19", "的"):
        assert set(codes.term_codes(term)) <= code_set(text), term
    assert not set(codes.term_codes("政府")) <= code_set(text)


def test_characters_beyond_the_basic_plane_are_one_exact_code():
    rare = "𠀀"  # CJK Extension B: two UTF-16 units
    assert codes.is_exact(rare) and codes.is_exact("政务") and not codes.is_exact("政务公")
    assert len(codes.term_codes(rare)) == 1
    assert set(codes.term_codes(rare)) <= code_set(f"甲{rare}乙")


def test_without_removes_exactly_the_excluded_codes():
    found = codes.codes("政务公开工作")
    excluded = codes.codes("公开")
    kept = codes.without(found, excluded)
    assert set(kept.tolist()) == set(found.tolist()) - set(excluded.tolist())
    assert list(codes.without(found, codes.EMPTY)) == list(found)

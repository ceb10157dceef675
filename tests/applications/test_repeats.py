from applications.models import normalized_description
from applications.repeats import THRESHOLD, similarity


def test_reworded_request_for_the_same_information_is_similar():
    a = normalized_description("2025年财政预算")
    b = normalized_description("请公开 2025 年度财政预算。")
    assert similarity(a, b) >= THRESHOLD


def test_different_information_is_not_similar():
    a = normalized_description("2025年财政预算")
    b = normalized_description("某路段施工许可证")
    assert similarity(a, b) < THRESHOLD


def test_full_width_and_case_are_folded():
    assert normalized_description("ＡＢＣ，２０２５") == normalized_description("abc 2025")

import datetime
import random

from django.utils import timezone

from applications import repeats
from applications.models import Application, normalized_description
from applications.repeats import THRESHOLD, PairIndex, pair_similarity, pairs, similarity
from tests.applications import factories


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


# The prefix filter of applications/repeats.PairIndex must find exactly what comparing every
# pair finds: the cases below fail if it misses a similar application or reports another.


def brute_force(own_key, rows):
    own = pairs(own_key)
    return [
        (pk, number)
        for pk, number, key in rows
        if pk != 0 and pair_similarity(own, pairs(key)) >= THRESHOLD
    ]


def test_index_finds_exactly_what_comparing_every_pair_finds():
    rng = random.Random(44)
    # A small alphabet makes many pairs common and many descriptions near the threshold.
    keys = ["".join(rng.choice("abcde12") for _ in range(rng.randint(1, 14))) for _ in range(400)]
    rows = [(n, f"2026-{n:06d}", key) for n, key in enumerate(keys, start=1)]
    index = PairIndex(rows)
    near_threshold = 0
    asked = [*keys[:150], "", "a", "ab", "abcdeabcde", "zzzz"]
    for own_key in asked:
        expected = brute_force(own_key, rows)
        assert index.similar_to(0, pairs(own_key)) == expected, own_key
        near_threshold += sum(
            1 for _, _, key in rows if abs(similarity(own_key, key) - THRESHOLD) < 0.05
        )
    assert near_threshold > 100  # the corpus does test the boundary
    # A page's descriptions are looked up together: each gets its own matches only.
    assert index.similar([(0, pairs(key)) for key in asked]) == [
        brute_force(key, rows) for key in asked
    ]


def test_a_repeat_sharing_only_the_commonest_pairs_is_found():
    # "abcdef" and "abcdxy" share ab, bc, cd: 2·3 / (5 + 5) = 0.6, exactly the threshold. Those
    # three pairs are the commonest of the organ and rank last, so a lookup one pair short
    # would miss the repeat; the near miss "abcxyz" (0.4) must not be reported.
    rows = [(1, "A", "abcdxy"), (2, "B", "abcxyz")]
    rows += [(10 + n, f"F{n}", f"abcd{n}{n}") for n in range(10)]  # filler sharing ab bc cd
    index = PairIndex(rows)
    found = index.similar_to(0, pairs("abcdef"))
    assert similarity("abcdef", "abcdxy") == THRESHOLD
    assert (1, "A") in found and (2, "B") not in found
    assert found == brute_force("abcdef", rows)


def test_each_application_is_compared_with_the_newest_of_its_organ_only(
    organ, other_organ, handler, other_handler, monkeypatch
):
    def make(where, who, text, days_ago):
        application = factories.submitted(where, actor=who, description=text)
        Application.objects.filter(pk=application.pk).update(
            submitted_at=timezone.now() - datetime.timedelta(days=days_ago)
        )
        application.refresh_from_db()
        return application

    asked = make(organ, handler, "2025年财政预算执行情况", 1)
    newer = make(organ, handler, "请公开2025年财政预算执行情况。", 2)
    older = make(organ, handler, "2025年度财政预算执行情况", 3)
    make(organ, handler, "某路段施工许可证", 4)
    make(organ, handler, "2025年财政预算执行情况", repeats.LOOKBACK_DAYS + 1)
    make(other_organ, other_handler, "2025年财政预算执行情况", 1)

    found = repeats.similar_groups([asked])[asked.pk]
    assert found == [(newer.pk, newer.number), (older.pk, older.number)]

    monkeypatch.setattr(repeats, "MAX_COMPARED", 2)  # asked and newer are the two newest
    assert repeats.similar_groups([asked])[asked.pk] == [(newer.pk, newer.number)]
    assert repeats.similar_groups([older])[older.pk] == [
        (asked.pk, asked.number),
        (newer.pk, newer.number),
    ]

"""Table 2's 规章 and 行政规范性文件 rows, from the notices' 文件类别 and their dated 有效性."""

import datetime

import pytest
from django.utils import timezone

from annual_reports import figures
from notices import validity
from notices.models import Notice

pytestmark = pytest.mark.django_db
D = datetime.date
RULES, NORMATIVE = Notice.Category.RULES, Notice.Category.NORMATIVE


def at(year, month, day):
    return timezone.make_aware(datetime.datetime(year, month, day, 10))


def changed(notice, to, on, editor, reviewer, by=None):
    """Change a notice's 有效性 through review, as the admin does."""
    change = validity.propose(notice, editor, validity=to, effective_on=on, by_notice=by)
    return validity.approve(change, reviewer)


def test_each_cell_of_table_2(notice_in, other_organ, editor, second_editor, reviewer):
    make = notice_in
    # 规章: issued 2025 ×2 (one of them repealed in 2025 by the other), one older in force,
    # one older repealed in 2025, one older repealed in 2026 (in force at 2025's end), one
    # older lapsed in 2024 (not in force), one amended in 2025 (not in force, not repealed).
    new_rules = make(document_category=RULES, published_at=at(2025, 3, 1))
    short_lived = make(document_category=RULES, published_at=at(2025, 2, 1))
    make(document_category=RULES, published_at=at(2020, 3, 1))
    old_repealed = make(document_category=RULES, published_at=at(2021, 5, 1))
    later_repealed = make(document_category=RULES, published_at=at(2021, 5, 2))
    lapsed = make(document_category=RULES, published_at=at(2019, 5, 1))
    amended = make(document_category=RULES, published_at=at(2018, 5, 1))
    changed(short_lived, "repealed", D(2025, 3, 1), editor, reviewer, by=new_rules)
    changed(old_repealed, "repealed", D(2025, 6, 1), editor, reviewer)
    changed(later_repealed, "repealed", D(2026, 2, 1), editor, reviewer)
    changed(lapsed, "expired", D(2024, 8, 1), editor, reviewer)
    changed(amended, "amended", D(2025, 9, 1), editor, reviewer, by=new_rules)
    # Not counted: next year's, withdrawn, draft, in review, 依申请公开, another organ's.
    make(document_category=RULES, published_at=at(2026, 1, 5))
    make(document_category=RULES, state="withdrawn", published_at=at(2025, 4, 1))
    make(document_category=RULES, state="draft")
    make(document_category=RULES, state="in_review")
    make(document_category=RULES, published_at=at(2025, 4, 1), disclosure="on_request")
    # 行政规范性文件: one issued in 2025, one older lapsed in 2025 (not repealed, not in force).
    make(document_category=NORMATIVE, published_at=at(2025, 8, 1))
    lapsed_normative = make(document_category=NORMATIVE, published_at=at(2019, 8, 1))
    changed(lapsed_normative, "expired", D(2025, 8, 1), editor, reviewer)
    # 体裁 规章 but 文件类别 其他: in neither row (the genre no longer decides).
    make(genre="rules", published_at=at(2025, 8, 1))
    make(published_at=at(2025, 8, 1))

    table = figures.documents_table(new_rules.organ_id, 2025)

    assert table["rules"] == {"issued": 2, "repealed": 2, "in_force": 3}
    assert table["normative"] == {"issued": 1, "repealed": 0, "in_force": 1}
    assert figures.documents_table(other_organ.pk, 2025) == {
        "rules": {"issued": 0, "repealed": 0, "in_force": 0},
        "normative": {"issued": 0, "repealed": 0, "in_force": 0},
    }


def test_table_2_of_an_earlier_year_counts_what_was_in_force_then(notice_in, editor, reviewer):
    rules = notice_in(document_category=RULES, published_at=at(2023, 3, 1))
    changed(rules, "repealed", D(2025, 6, 1), editor, reviewer)

    assert figures.documents_table(rules.organ_id, 2024)["rules"] == {
        "issued": 0,
        "repealed": 0,
        "in_force": 1,
    }
    assert figures.documents_table(rules.organ_id, 2023)["rules"]["issued"] == 1


def test_table_2_is_one_query(notice_in, django_assert_num_queries):
    notice = notice_in(document_category=RULES, published_at=at(2025, 3, 1))
    with django_assert_num_queries(1):
        figures.documents_table(notice.organ_id, 2025)

"""Table 2's 规章 and 行政规范性文件 rows, from the notices' genre and validity."""

import datetime

import pytest
from django.utils import timezone

from annual_reports import figures
from notices.models import Notice

pytestmark = pytest.mark.django_db
D = datetime.date


def at(year, month, day):
    return timezone.make_aware(datetime.datetime(year, month, day, 10))


def test_rules_and_normative_documents_issued_repealed_and_in_force(notice_in, other_organ, editor):
    notice_in(genre="rules", published_at=at(2025, 3, 1))  # issued, in force
    notice_in(genre="rules", published_at=at(2020, 3, 1))  # in force
    notice_in(
        genre="rules",
        published_at=at(2021, 5, 1),
        validity=Notice.Validity.REPEALED,
        validity_changed_on=D(2025, 6, 1),
    )  # repealed this year
    notice_in(
        genre="rules",
        published_at=at(2021, 5, 1),
        validity=Notice.Validity.REPEALED,
        validity_changed_on=D(2026, 2, 1),
    )  # repealed after the year: in force at its end
    notice_in(genre="rules", published_at=at(2026, 1, 5))  # next year
    notice_in(genre="rules", state="withdrawn", published_at=at(2025, 4, 1))
    notice_in(genre="rules", state="draft")
    notice_in(genre="measures", published_at=at(2025, 8, 1))
    notice_in(
        genre="provisions",
        published_at=at(2019, 8, 1),
        validity=Notice.Validity.EXPIRED,
        validity_changed_on=D(2024, 8, 1),
    )
    notice_in(genre="notice", published_at=at(2025, 8, 1))  # neither row
    organ_id = Notice.objects.first().organ_id

    table = figures.documents_table_from_genres(organ_id, 2025)

    assert table["rules"] == {"issued": 1, "repealed": 1, "in_force": 3}
    assert table["normative"] == {"issued": 1, "repealed": 0, "in_force": 1}
    assert figures.documents_table_from_genres(other_organ.pk, 2025)["rules"]["in_force"] == 0

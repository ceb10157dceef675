import random

import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def stored_compression(table: str, key: str, value: int) -> str | None:
    with connection.cursor() as cursor:
        sql = f"SELECT pg_column_compression(body) FROM {table} WHERE {key} = %s"  # noqa: S608
        cursor.execute(sql, [value])
        return cursor.fetchone()[0]


def test_long_bodies_are_stored_with_lz4_in_the_notice_and_its_search_entry(notice_in):
    rng = random.Random(7)
    words = ["政务公开", "信息", "考核", "整改", "要求", "落实", "通知", "工作"]
    body = "".join(f"<p>{''.join(rng.choices(words, k=400))}。</p>" for _ in range(6))
    notice = notice_in("published", body=body)

    assert stored_compression("notices_notice", "id", notice.pk) == "lz4"
    assert stored_compression("search_searchentry", "notice_id", notice.pk) == "lz4"

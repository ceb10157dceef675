"""The common grams of the index: their shares (``CommonGram``) and the bitmaps that hold them
(``CommonGramBitmap``) for the entries of the last full rebuild."""

import bisect

import numpy as np
from django.db import connections, router

from search.models import CommonGram


def in_bitmaps(parts: list[tuple[int, np.ndarray]]):
    """Whether the entry of an ordinal holds every code of the bitmap parts
    (``postgresql.GramSearch.bitmap_parts``)."""
    starts = [start for start, _bits in parts]

    def holds_all(ordinal: int) -> bool:
        # The part that starts last at or before it: its own, unless its own was left out,
        # and then its ordinal falls past that part's entries (its bit is 0).
        index = bisect.bisect_right(starts, ordinal) - 1
        if index < 0:
            return False
        start, bits = parts[index]
        return ordinal - start < len(bits) and bool(bits[ordinal - start])

    return holds_all


def common_grams(codes_wanted: list[int]) -> dict[int, tuple[float, float, bool]]:
    """Of the given codes, the common ones: share in bodies, share in titles, whether indexed."""
    if not codes_wanted:
        return {}
    with connections[router.db_for_read(CommonGram)].cursor() as cursor:
        # Plain SQL: asked by every search, it cost more to compile than to answer.
        cursor.execute(
            f"SELECT code, share, title_share, indexed FROM {CommonGram._meta.db_table} "
            "WHERE code = ANY(%s)",
            [codes_wanted],
        )
        rows = cursor.fetchall()
    return {code: (share, title_share, indexed) for code, share, title_share, indexed in rows}

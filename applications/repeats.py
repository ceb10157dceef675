"""§44: information asked for repeatedly may be moved into 主动公开.

Two applications to the same organ ask for "the same information" when their descriptions,
folded by ``normalized_description`` (full-width, case, punctuation and spaces ignored), share
most of their character pairs: the Dice coefficient of the two sets of adjacent-character pairs
is at least ``THRESHOLD``. Simple enough to explain to a handler, and it catches reworded
requests such as "2025年财政预算" / "请公开2025年度财政预算"."""

import datetime
import functools
import math
from collections import Counter
from fractions import Fraction
from itertools import chain

from django.db import connections, router
from django.utils import timezone

from applications.models import Application

THRESHOLD = 0.6
LOOKBACK_DAYS = 730
MAX_COMPARED = 2000  # per organ: the most recent applications
MAX_ORGANS_PER_PAGE = 20  # the queue marks a page only when it spans at most this many organs

# THRESHOLD as a fraction a hair below it, for the bound of ``min_shared``: a bound computed
# from a slightly lower threshold can only be lower, so it never drops a similar pair.
_BOUND = Fraction(THRESHOLD) - Fraction(1, 10**9)


def pairs(key: str) -> frozenset[str]:
    if len(key) < 2:
        return frozenset([key]) if key else frozenset()
    return frozenset(map(str.__add__, key, key[1:]))


def similarity(first: str, second: str) -> float:
    return pair_similarity(pairs(first), pairs(second))


def pair_similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


@functools.cache
def min_shared(size: int) -> int:
    """The fewest pairs a set of ``size`` pairs shares with any set similar to it.

    Dice ≥ t means 2·shared ≥ t·(|a| + |b|), and shared ≤ |b|, so shared ≥ t·|a| / (2 − t)."""
    return max(1, math.ceil(_BOUND * size / (2 - _BOUND)))


class PairIndex:
    """The pair sets of one organ's recent applications, compared with given descriptions
    only where they may be similar (a prefix filter).

    A set ``a`` similar to ``b`` shares at least ``min_shared(|a|)`` pairs with it, so ``b``
    cannot miss all of any ``|a| − min_shared(|a|) + 1`` pairs of ``a``: taking that many of
    them, the rarest among these applications, an application that has none of them is not
    similar to ``a``; the comparison itself then drops the few others that have one."""

    def __init__(self, rows):
        self.entries: list[tuple[int, str, frozenset[str]]] = []  # newest first
        known: dict[str, frozenset[str]] = {}
        for pk, number, key in rows:
            found = known.get(key)
            if found is None:
                found = known[key] = pairs(key)
            if found:
                self.entries.append((pk, number, found))
        self.counts = Counter(chain.from_iterable(found for _, _, found in self.entries))

    def similar(self, asked: list[tuple[int, frozenset[str]]]) -> list[list[tuple[int, str]]]:
        """For each (pk, pair set) asked, the similar applications but itself, newest first."""
        counts = self.counts
        wanted: dict[str, list[int]] = {}  # a pair → the descriptions asked that look it up
        for n, (_, own) in enumerate(asked):
            rarest = sorted(own, key=lambda pair: (counts[pair], pair))
            for pair in rarest[: len(own) - min_shared(len(own)) + 1]:
                wanted.setdefault(pair, []).append(n)
        looked_up = wanted.keys()
        found: list[list[tuple[int, str]]] = [[] for _ in asked]
        for other_pk, number, other in self.entries:
            hits = looked_up & other
            if not hits:
                continue
            for n in {n for pair in hits for n in wanted[pair]}:
                pk, own = asked[n]
                if other_pk != pk and pair_similarity(own, other) >= THRESHOLD:
                    found[n].append((other_pk, number))
        return found

    def similar_to(self, pk: int, own: frozenset[str]) -> list[tuple[int, str]]:
        return self.similar([(pk, own)])[0]


def recent_by_organ(organ_ids) -> dict[int, PairIndex]:
    """Each organ's most recent ``MAX_COMPARED`` applications of the last two years, in one
    query that reads no more than that many rows of any organ."""
    since = timezone.now() - datetime.timedelta(days=LOOKBACK_DAYS)
    per_organ = [
        Application.objects.filter(organ_id=organ_id, submitted_at__gte=since)
        .order_by("-submitted_at", "-pk")
        .values_list("organ_id", "pk", "number", "description_key", "submitted_at")[:MAX_COMPARED]
        for organ_id in sorted(organ_ids)
    ]
    rows: dict[int, list] = {organ_id: [] for organ_id in organ_ids}
    # One UNION ALL where the database allows a LIMIT in each of its parts (PostgreSQL); else
    # (SQLite) one query per organ.
    features = connections[router.db_for_read(Application)].features
    if len(per_organ) > 1 and features.supports_slicing_ordering_in_compound:
        per_organ = [per_organ[0].union(*per_organ[1:], all=True)]
    for query in per_organ:
        for organ_id, pk, number, key, submitted_at in query:
            rows[organ_id].append((submitted_at, pk, number, key))
    indexes = {}
    for organ_id, found in rows.items():
        found.sort(key=lambda row: (row[0], row[1]), reverse=True)  # newest first
        indexes[organ_id] = PairIndex((pk, number, key) for _, pk, number, key in found)
    return indexes


def similar_groups(applications: list[Application]) -> dict[int, list[tuple[int, str]]]:
    """For each given application, the other applications to its organ in the last two years
    whose description is similar: pk → [(pk, number)], newest first."""
    indexes = recent_by_organ({application.organ_id for application in applications})
    found = {}
    for organ_id, index in indexes.items():
        asked = [
            (application.pk, pairs(application.description_key))
            for application in applications
            if application.organ_id == organ_id
        ]
        for (pk, _), similar in zip(asked, index.similar(asked), strict=True):
            found[pk] = similar
    return found

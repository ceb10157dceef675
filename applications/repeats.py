"""§44: information asked for repeatedly may be moved into 主动公开.

Two applications to the same organ ask for "the same information" when their descriptions,
folded by ``normalized_description`` (full-width, case, punctuation and spaces ignored), share
most of their character pairs: the Dice coefficient of the two sets of adjacent-character pairs
is at least ``THRESHOLD``. Simple enough to explain to a handler, and it catches reworded
requests such as "2025年财政预算" / "请公开2025年度财政预算"."""

import datetime

from django.utils import timezone

from applications.models import Application

THRESHOLD = 0.6
LOOKBACK_DAYS = 730
MAX_COMPARED = 2000  # per organ: the most recent applications
MAX_ORGANS_PER_PAGE = 20  # the queue marks a page only when it spans at most this many organs


def pairs(key: str) -> frozenset[str]:
    if len(key) < 2:
        return frozenset([key]) if key else frozenset()
    return frozenset(key[i : i + 2] for i in range(len(key) - 1))


def similarity(first: str, second: str) -> float:
    a, b = pairs(first), pairs(second)
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def similar_groups(applications: list[Application]) -> dict[int, list[tuple[int, str]]]:
    """For each given application, the other applications to its organ in the last two years
    whose description is similar: pk → [(pk, number)], newest first."""
    organ_ids = {application.organ_id for application in applications}
    since = timezone.now() - datetime.timedelta(days=LOOKBACK_DAYS)
    candidates: dict[int, list[tuple[int, str, frozenset[str]]]] = {o: [] for o in organ_ids}
    # One query for every organ on the page, newest first; each organ keeps its latest rows.
    rows = (
        Application.objects.filter(organ_id__in=organ_ids, submitted_at__gte=since)
        .order_by("-submitted_at")
        .values_list("organ_id", "pk", "number", "description_key")
    )
    for organ_id, pk, number, key in rows.iterator(chunk_size=2000):
        found_for_organ = candidates[organ_id]
        if len(found_for_organ) < MAX_COMPARED:
            found_for_organ.append((pk, number, pairs(key)))
    found = {}
    for application in applications:
        own = pairs(application.description_key)
        matches = []
        for pk, number, other in candidates[application.organ_id]:
            if pk == application.pk or not own or not other:
                continue
            if 2 * len(own & other) / (len(own) + len(other)) >= THRESHOLD:
                matches.append((pk, number))
        found[application.pk] = matches
    return found

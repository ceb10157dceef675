"""Ranking candidate rows and counting them per filter value: exactly, or estimated from a
sample (then rounded to two significant figures)."""

import math
import random
from collections import Counter
from itertools import chain
from operator import attrgetter
from typing import TYPE_CHECKING, NamedTuple

from notices import shared_lists
from notices.models import Notice
from search.backends.base import FACETS

if TYPE_CHECKING:
    from search.backends.entries import EntrySearch

# Checking a term against bodies costs a read of each body: this many are checked to count.
VERIFY_LIMIT = 1000
# Rows of the sample that estimates totals and counts per filter value.
SAMPLE_SIZE = 400
# Matches whose topics are all read to count them; of more, a sample this size is read.
TOPIC_SAMPLE_SIZE = 1000
# The column of each facet but the topic, and how it is read off a candidate or sampled row.
FACET_COLUMNS = {"organ": "organ_id", "genre": "genre", "year": "year", "validity": "validity"}
FACET_VALUES = {name: attrgetter(column) for name, column in FACET_COLUMNS.items()}
NOTICE_ID = attrgetter("notice_id")
TOPICS = Notice.topics.through._meta.db_table


class Candidate(NamedTuple):
    notice_id: int
    # Orders as the publication time does: seconds since 1970 on PostgreSQL (a float is read
    # several times faster than a timestamp), the stored text on SQLite.
    published: float | str
    organ_id: int
    genre: str
    year: int
    validity: str
    in_title: bool
    exact_key: bool
    verified: bool
    ordinal: int | None  # its place in the common-gram bitmaps, if the last full rebuild wrote it


RELEVANCE_RANK = attrgetter("exact_key", "in_title", "published", "notice_id")
DATE_RANK = attrgetter("published", "notice_id")


class Sampled(NamedTuple):
    notice_id: int
    organ_id: int
    genre: str
    year: int
    validity: str
    shuffle: int
    ordinal: int | None
    matched: bool


def facet_counts(
    search: "EntrySearch", *groups: tuple[list, float], topics=None
) -> dict[str, Counter]:
    """Counts per filter value over groups of candidate rows, each row counting with its
    group's weight; topics through the notices' own, read for all groups at once (or for
    the groups ``topics``, if given)."""
    facets = {name: Counter() for name in FACETS}
    for rows, weight in groups:
        for name, value_of in FACET_VALUES.items():
            counts = Counter(map(value_of, rows))
            facets[name].update({key: count * weight for key, count in counts.items()})
    weights = {}
    for rows, weight in groups if topics is None else topics:
        weights.update(dict.fromkeys(map(NOTICE_ID, rows), weight))
    facets["topic"] = topic_counts(search, weights)
    return facets


def topics_of(matched: list) -> list[tuple[list, float]]:
    """Whose topics to count for the matches: all of them, or when there are more than
    TOPIC_SAMPLE_SIZE, a uniform sample, each standing for its share of them (reading the
    topics of thousands of notices cost more than the rest of the search)."""
    if len(matched) <= TOPIC_SAMPLE_SIZE:
        return [(matched, 1.0)]
    sample = random.Random(len(matched)).sample(matched, TOPIC_SAMPLE_SIZE)  # noqa: S311
    return [(sample, len(matched) / TOPIC_SAMPLE_SIZE)]


def topic_counts(search: "EntrySearch", weights: dict[int, float]) -> Counter:
    """Per topic, the weights of the entries filed under it or under any topic below it."""
    if not weights:
        return Counter()
    ids = list(weights)
    lineage = topic_lineages(shared_lists.topic_parents())
    filed: dict[int, list[int]] = {}
    for start in range(0, len(ids), 5000):
        condition = search.id_in(ids[start : start + 5000])
        for notice_id, topic_id in search.select(
            f"SELECT notice_id, topic_id FROM {TOPICS} WHERE {condition.text}", condition.params
        ):
            filed.setdefault(notice_id, []).append(topic_id)
    # Per weight (a search has one or two), the topics each entry counts under.
    under: dict[float, list] = {}
    for notice_id, topic_ids in filed.items():
        if len(topic_ids) == 1:
            topics = lineage.get(topic_ids[0], topic_ids)
        else:
            topics = set(chain.from_iterable(lineage.get(t, (t,)) for t in topic_ids))
        under.setdefault(weights[notice_id], []).append(topics)
    counts = Counter()
    for weight, topic_sets in under.items():
        found = Counter(chain.from_iterable(topic_sets))
        counts.update({topic_id: count * weight for topic_id, count in found.items()})
    return counts


def topic_lineages(parents: dict[int, int | None]) -> dict[int, tuple[int, ...]]:
    """Each topic with the topics above it."""
    lineages = {}
    for topic_id in parents:
        lineage, node = [], topic_id
        while node is not None and node not in lineage:
            lineage.append(node)
            node = parents.get(node)
        lineages[topic_id] = tuple(lineage)
    return lineages


def round_estimate(value: float) -> int:
    """An estimate to two significant figures (1,234 → 1,200), at least 1 when positive."""
    if value <= 0:
        return 0
    digits = max(0, int(math.log10(value)) - 1)
    return max(1, round(value / 10**digits) * 10**digits)


def counts_of_all(counted: dict[str, Counter], matches: int):
    """The counts per filter value of all the matches, exact, and the facets estimated: the
    topics, when they were counted over a sample (more than TOPIC_SAMPLE_SIZE matches)."""
    facets = exact_counts(counted)
    if matches <= TOPIC_SAMPLE_SIZE:
        return facets, frozenset()
    facets["topic"] = round_counts(counted["topic"])
    return facets, frozenset({"topic"})


def exact_counts(facets: dict[str, Counter]) -> dict[str, Counter]:
    return {
        name: Counter({key: int(value) for key, value in counts.items()})
        for name, counts in facets.items()
    }


def round_counts(counts: Counter) -> Counter:
    return Counter({key: round_estimate(value) for key, value in counts.items() if value >= 0.5})

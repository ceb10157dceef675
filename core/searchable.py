"""What the site search finds besides plain notices, registered by the apps that own it.

The search index holds notices. Two other kinds of public page are found by the search as
well, without the search app importing the apps that make them:

- a kind of its own (``register``): an app gives a label (考核结果), the page-cache sections
  whose changes alter its pages (``shows``), words every page of the kind is found by, and a
  function listing every page of the kind the public may read now as ``Page`` rows. The search
  keeps that list like a shared list (``core.page_cache.cached``): computed again after a
  change bumps one of those sections, as a publication or a correction does.
- notices of a 体裁 that the public knows as another kind (``register_genre``): an annual
  report is published as a notice of 体裁 年度报告, indexed like any notice, and labelled as
  a report among the results.

Apps register in their ``AppConfig.ready()``.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

NOTICE_LABEL = "通知公告"


@dataclass(frozen=True)
class Page:
    """One public page of a registered kind, as plain data (kept in the cache)."""

    kind: str
    url: str
    title: str
    organ_id: int
    organ_name: str
    published_at: datetime.datetime
    # The page's searchable text besides its title, plain (no markup), in reading order.
    text: str


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    pages: Callable[[], Iterable[Page]]
    shows: tuple[str, ...]
    # Words each page of the kind is found by, as if they were in its text (e.g. 考核结果).
    words: tuple[str, ...] = ()


KINDS: dict[str, Kind] = {}
GENRE_LABELS: dict[str, str] = {}


def register(kind: Kind) -> None:
    KINDS[kind.name] = kind


def register_genre(genre: str, label: str) -> None:
    """Label the notices of a 体裁 (its code) as the kind ``label`` among search results."""
    GENRE_LABELS[genre] = label


def notice_label(genre: str) -> str:
    """The kind a notice of this 体裁 is shown as among search results."""
    return GENRE_LABELS.get(genre, NOTICE_LABEL)

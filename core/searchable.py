"""What the site search finds besides plain notices, registered by the apps that own it.

The search indexes notices. Two other kinds of public page are found by the search as well,
without the search app importing the apps that make them:

- a kind of its own (``register``): an app gives a label (考核结果), the model whose rows are
  the kind's pages, words every page of the kind is found by, and a function listing the pages
  the public may read now of some rows of the model (of all rows, for a rebuild) as ``Page``
  rows. Every save or deletion of a row of the model sends ``pages_changed`` in the transaction
  that made it, and the search indexes that row's page again (or takes it out), as it does a
  notice's: a publication, a correction or a withdrawal is found by the next search.
- notices of a 体裁 that the public knows as another kind (``register_genre``): an annual
  report is published as a notice of 体裁 年度报告, indexed like any notice, and labelled as
  a report among the results.

Apps register in their ``AppConfig.ready()``.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal

NOTICE_LABEL = "通知公告"

# Sent with ``kind`` (its name) and ``object_ids`` (the rows of its model that changed).
pages_changed = Signal()


@dataclass(frozen=True)
class Page:
    """One public page of a registered kind, as plain data."""

    kind: str
    object_id: int  # the row of the kind's model it shows
    url: str
    title: str
    organ_id: int
    published_at: datetime.datetime
    # The page's searchable text besides its title, plain (no markup), in reading order.
    text: str


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    model: type
    # The public pages of the rows with these primary keys (None: of every row).
    pages: Callable[[Iterable[int] | None], Iterable[Page]]
    # Words each page of the kind is found by, as if they were in its text (e.g. 考核结果).
    words: tuple[str, ...] = ()


KINDS: dict[str, Kind] = {}
GENRE_LABELS: dict[str, str] = {}


def register(kind: Kind) -> None:
    KINDS[kind.name] = kind

    def changed(sender, instance, raw=False, **kwargs):
        if not raw:  # fixtures write rows as they are
            pages_changed.send(sender=Kind, kind=kind.name, object_ids=[instance.pk])

    uid = f"core.searchable.{kind.name}"
    post_save.connect(changed, sender=kind.model, weak=False, dispatch_uid=uid)
    post_delete.connect(changed, sender=kind.model, weak=False, dispatch_uid=uid)


def register_genre(genre: str, label: str) -> None:
    """Label the notices of a 体裁 (its code) as the kind ``label`` among search results."""
    GENRE_LABELS[genre] = label


def notice_label(genre: str) -> str:
    """The kind a notice of this 体裁 is shown as among search results."""
    return GENRE_LABELS.get(genre, NOTICE_LABEL)

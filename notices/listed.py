"""A notice as the portal's lists show it: the catalogue, the home page's latest notices, an
organ's 专栏 column and a notice page's related notices all write their rows from the same few
values (includes/notice_rows.html). The catalogue's prepared SQL (notices/prepared.py) reads
just these columns into rows; a list that has notices from the ORM makes its rows with
``ListedNotice.of``. Building a page's twenty notices and twenty organs as model instances cost a
fifth of the catalogue page's Python, which is why the lists read plain rows instead
(docs/performance.md).
"""

import datetime
from dataclasses import dataclass

from core import links
from notices.models import Notice
from notices.models.labels import choice_labels

# The notice's columns a row reads, in the order of ListedNotice's fields after ``pk``; the
# organ's name comes last.
NOTICE_FIELDS = (
    "id",
    "correction_of",
    "title",
    "document_number",
    "published_at",
    "signed_on",
    "index_number",
    "validity",
)


@dataclass(frozen=True, slots=True)
class ListedNotice:
    pk: int
    correction_of_id: int | None
    title: str
    document_number: str
    published_at: datetime.datetime | None
    signed_on: datetime.date | None
    index_number: str | None
    validity: str
    organ_name: str

    @classmethod
    def of(cls, notice: Notice) -> "ListedNotice":
        return cls(
            notice.pk,
            notice.correction_of_id,
            notice.title,
            notice.document_number,
            notice.published_at,
            notice.signed_on,
            notice.index_number,
            notice.validity,
            notice.organ.name,
        )

    @property
    def original_id(self) -> int:
        return self.correction_of_id or self.pk

    def get_absolute_url(self) -> str:
        return links.url_for_id("notices:notice-detail", self.original_id)

    def get_validity_display(self) -> str:
        return choice_labels(Notice, "validity").get(self.validity, self.validity)

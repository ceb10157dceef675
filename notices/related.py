"""The notices a notice page suggests next: public notices of the same 文件 series (the same
organ's numbers with the same 发文机关代字, 甘政办发〔…〕) or filed under one of the same topics,
newest first. One query, kept with the shared lists (core/page_cache.cached) for every notice
of the same topics and series until a publication changes the notices: finding them walks the
catalogue, which costs more than the rest of an uncached notice page together. A notice with
neither topics nor a series number has none and costs nothing. The page is cached with them, so
a publication reaches other notices' cached pages when those expire (PORTAL_PAGE_CACHE_SECONDS),
not at once. What is kept is each row as the page writes it (``Row``): unpickling model
instances on every uncached page cost more than rendering the rest of the list."""

import hashlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q

from core import page_cache, templating
from notices import document_numbers
from notices.listed import ListedNotice
from notices.models import Notice

SHOWN = 5


@dataclass(frozen=True)
class Row:
    """A related notice as its list shows it: its pk, and its row of the catalogue's list."""

    pk: int
    html: str


def series_prefix(document_number: str) -> str:
    """甘政办发〔 for 甘政办发〔2017〕136号; "" for a number of another kind, or none."""
    if not document_number:
        return ""
    try:
        parsed = document_numbers.parse(document_number)
    except ValidationError:
        return ""
    return f"{parsed.prefix}〔" if parsed.kind == document_numbers.BRACKET else ""


def related_notices(notice: Notice, limit: int = SHOWN) -> list[Row]:
    prefix = series_prefix(notice.document_number)
    topics = notice.filed_topic_paths if hasattr(notice, "filed_topic_paths") else None
    if topics is not None and not topics and not prefix:
        return []
    # Those of the same topics and series, whichever of them this page shows: the notice and
    # the one it corrects are left out after.
    series = [str(notice.organ_id), prefix] if prefix else []
    shared_by = hashlib.sha256(
        "\n".join([str(limit), *series, "", *(topics or [str(notice.pk)])]).encode()
    ).hexdigest()[:24]
    found = page_cache.cached(
        f"related:{shared_by}",
        lambda: [as_row(other) for other in newest_related(notice, prefix, limit + 2)],
        shows=("notices",),
        read_with_others=False,
    )
    own = {notice.pk, notice.original_id}
    return [other for other in found if other.pk not in own][:limit]


def as_row(notice: Notice) -> Row:
    row = ListedNotice.of(notice)
    return Row(notice.pk, templating.render("includes/notice_rows.html", {"notices": [row]}))


def newest_related(notice: Notice, prefix: str, limit: int) -> list[Notice]:
    through = Notice.topics.through
    own_topics = through.objects.filter(notice_id=notice.pk).values("topic_id")
    shares_a_topic = Exists(through.objects.filter(notice=OuterRef("pk"), topic__in=own_topics))
    condition = Q(shares_a_topic)
    if prefix:
        condition |= Q(organ_id=notice.organ_id, document_number__startswith=prefix)
    return list(
        Notice.objects.published()
        .filter(condition)
        .select_related("organ")
        .order_by("-published_at", "-pk")[:limit]
    )

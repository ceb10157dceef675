"""Policy interpretations (政策解读, 国办发〔2016〕80号): a notice of the genre 解读 (text,
graphic or a video link) names the document it interprets (``Notice.interprets``); a document
may have several. The public pages link both ways (文件 → 相关解读, 解读 → 原文件), the
catalogue can ask for documents with an interpretation (notices/forms.py), and a 规范性文件
sent for review without one is flagged to its editor and reviewer, who see both side by side.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from notices import document_library
from notices.models import INTERPRETATION_GENRE, Notice

MISSING_MESSAGE = (
    "这是规范性文件，尚未关联政策解读。按国办发〔2016〕80号的要求，规范性文件的解读材料应与文件"
    "同步起草、同步审签、同步发布：请起草体裁为“解读”的信息，并在其“解读的文件”中选择本文件。"
)


def is_normative(notice: Notice) -> bool:
    """Whether the notice is a 规范性文件 (its 文件类别 规章 or 行政规范性文件)."""
    return notice.document_category in document_library.CATEGORIES


def interpretations_of(notice: Notice):
    """Every interpretation naming the notice (or its original), whatever its state, but for
    withdrawn ones and pending corrections."""
    return (
        Notice.objects.originals()
        .filter(interprets_id=notice.original_id)
        .exclude(status=Notice.Status.WITHDRAWN)
    )


def missing_interpretation(notice: Notice) -> bool:
    """A 规范性文件 that no interpretation names yet."""
    return is_normative(notice) and not interpretations_of(notice).exists()


def public_interpretations(notice: Notice) -> list[Notice]:
    """The interpretations of a document that the public may read now, oldest first."""
    return list(
        Notice.objects.published()
        .filter(interprets_id=notice.pk)
        .only("title", "published_at", "interpretation_form", "video_url")
        .order_by("published_at", "pk")
    )


def public_document(notice: Notice) -> Notice | None:
    """The document an interpretation interprets, if it has a public page."""
    if notice.interprets_id is None:
        return None
    return (
        Notice.objects.public_pages()
        .filter(pk=notice.interprets_id)
        .only("title", "document_number", "published_at", "status")
        .first()
    )


def column(at=None):
    """The 政策解读 column: published interpretations, newest first, each with its document
    and whether the document has a public page (``document_public``)."""
    document_public = Notice.objects.public_pages(at).filter(pk=OuterRef("interprets_id"))
    return (
        Notice.objects.published(at)
        .filter(genre_id=INTERPRETATION_GENRE)
        .select_related("organ", "interprets")
        .defer("body", "interprets__body")
        .annotate(document_public=Exists(document_public))
        .order_by("-published_at", "-pk")
    )


@dataclass(frozen=True)
class SideBySide:
    """A document and its interpretations, for the reviewer of either."""

    document: Notice | None
    interpretations: list[Notice]


def side_by_side(notice: Notice, user) -> SideBySide | None:
    """What the reviewer of ``notice`` reads beside it: for an interpretation, the document it
    interprets; for a document, its interpretations. Only notices the user may see."""
    visible = Notice.objects.visible_to(user).select_related("organ")
    if notice.is_interpretation:
        if notice.interprets_id is None:
            return None
        return SideBySide(visible.filter(pk=notice.interprets_id).first(), [notice])
    found = list(visible.filter(pk__in=interpretations_of(notice).values("pk")))
    if not found:
        return None
    return SideBySide(notice, found)


def linked_pages(notice: Notice) -> list[str]:
    """The tags of the other public pages that show the link of this public notice: the
    document's page for an interpretation, the interpretations' pages for a document (their
    links name its title and whether it is public)."""
    ids = set(Notice.objects.filter(interprets_id=notice.pk).values_list("pk", flat=True))
    if notice.interprets_id is not None:
        ids.add(notice.interprets_id)
    previous = getattr(notice, "stored_interprets_id", None)
    if previous is not None:
        ids.add(previous)
    return [f"notice-{pk}" for pk in sorted(ids)]

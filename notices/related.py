"""The notices a notice page suggests next: public notices of the same 文件 series (the same
organ's numbers with the same 发文机关代字, 甘政办发〔…〕) or filed under one of the same topics,
newest first. One query; the page is cached with it, so a publication reaches the suggestions of
other notices' cached pages when those expire (PORTAL_PAGE_CACHE_SECONDS), not at once."""

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q

from notices import document_numbers
from notices.models import Notice

SHOWN = 5


def series_prefix(document_number: str) -> str:
    """甘政办发〔 for 甘政办发〔2017〕136号; "" for a number of another kind, or none."""
    if not document_number:
        return ""
    try:
        parsed = document_numbers.parse(document_number)
    except ValidationError:
        return ""
    return f"{parsed.prefix}〔" if parsed.kind == document_numbers.BRACKET else ""


def related_notices(notice: Notice, limit: int = SHOWN) -> list[Notice]:
    through = Notice.topics.through
    own_topics = through.objects.filter(notice_id=notice.pk).values("topic_id")
    shares_a_topic = Exists(through.objects.filter(notice=OuterRef("pk"), topic__in=own_topics))
    condition = Q(shares_a_topic)
    prefix = series_prefix(notice.document_number)
    if prefix:
        condition |= Q(organ_id=notice.organ_id, document_number__startswith=prefix)
    return list(
        Notice.objects.published()
        .filter(condition)
        .exclude(pk__in={notice.pk, notice.original_id})
        .select_related("organ")
        .order_by("-published_at", "-pk")[:limit]
    )

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed

from core import site_name
from core.text import without_control_characters
from notices.models import Notice, Organ

FEED_LENGTH = 30


def _xml_text(values: dict) -> dict:
    """The values, their texts without the characters XML cannot hold."""
    return {
        key: without_control_characters(value) if isinstance(value, str) else value
        for key, value in values.items()
    }


class PlainTextAtomFeed(Atom1Feed):
    """Atom whose summaries are sent as the plain text they are, and whose texts hold only what
    XML can: rows stored before input was cleaned, or written around save(), still make a feed,
    and so does a search for a control character."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.feed = _xml_text(self.feed)

    def add_item(self, *args, **kwargs):
        super().add_item(*args, **kwargs)
        self.items[-1] = _xml_text(self.items[-1])

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


class LatestNoticesFeed(Feed):
    feed_type = PlainTextAtomFeed
    link = "/notices/"

    def title(self, obj=None) -> str:
        return f"{site_name.portal_name()} · 最新信息"

    def subtitle(self, obj=None) -> str:
        return "最新公开的政府信息"

    def items(self, obj=None):
        queryset = Notice.objects.published().for_lists()
        if obj is not None:
            queryset = queryset.filter(organ=obj)
        return queryset.order_by("-published_at", "-pk")[:FEED_LENGTH]

    def item_title(self, item: Notice) -> str:
        return item.title

    def item_description(self, item: Notice) -> str:
        parts = [item.organ.name]
        if item.document_number:
            parts.append(item.document_number)
        if item.summary:
            parts.append(item.summary)
        return " · ".join(parts)

    def item_pubdate(self, item: Notice):
        return item.published_at

    def item_updateddate(self, item: Notice):
        return item.updated_at

    def item_author_name(self, item: Notice) -> str:
        return item.organ.name


class OrganNoticesFeed(LatestNoticesFeed):
    def get_object(self, request, pk: int) -> Organ:
        return get_object_or_404(Organ, pk=pk)

    def title(self, obj=None) -> str:
        return f"{obj.name} · 最新信息"

    def link(self, obj=None) -> str:
        return obj.get_absolute_url()

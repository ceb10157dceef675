from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed

from notices.models import Notice, Organ

FEED_LENGTH = 30


class LatestNoticesFeed(Feed):
    feed_type = Atom1Feed
    link = "/notices/"

    def title(self, obj=None) -> str:
        return f"{settings.PORTAL_NAME} · 最新信息"

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

from django.urls import path

from config import reliability
from notices import feeds, views
from notices.page_cache import cache_page_for_public as cached

app_name = "notices"

urlpatterns = [
    path("", cached(views.HomeView.as_view()), name="home"),
    path("notices/", cached(views.NoticeListView.as_view()), name="notice-list"),
    path("notices/<int:pk>/", views.notice_page, name="notice-detail"),
    path(
        "notices/<int:pk>/attachments/<int:attachment_pk>/",
        views.download_attachment,
        name="attachment-download",
    ),
    path("organs/", cached(views.OrganListView.as_view()), name="organ-list"),
    path("feed/", cached(feeds.LatestNoticesFeed()), name="feed"),
    path("organs/<int:pk>/feed/", cached(feeds.OrganNoticesFeed()), name="organ-feed"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("healthz", reliability.health, name="health"),
]

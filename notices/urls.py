from django.urls import path

from core import reliability
from core.page_cache import cache_page_for_public as cached
from notices import document_library, feeds, views

app_name = "notices"

# The lists of notices: a publication, correction or withdrawal changes them.
NOTICES = ("notices",)

urlpatterns = [
    path("", cached(views.HomeView.as_view(), shows=NOTICES), name="home"),
    path("notices/", cached(views.NoticeListView.as_view(), shows=NOTICES), name="notice-list"),
    path("notices/<int:pk>/", views.notice_page, name="notice-detail"),
    path(
        "notices/<int:pk>/attachments/<int:attachment_pk>/",
        views.download_attachment,
        name="attachment-download",
    ),
    path(
        "interpretations/",
        cached(views.InterpretationListView.as_view(), shows=NOTICES),
        name="interpretation-list",
    ),
    path("organs/", cached(views.OrganListView.as_view(), shows=NOTICES), name="organ-list"),
    path(
        "organs/<int:pk>/documents/",
        cached(document_library.organ_documents, shows=NOTICES),
        name="organ-documents",
    ),
    path("feed/", cached(feeds.LatestNoticesFeed(), shows=NOTICES), name="feed"),
    path(
        "organs/<int:pk>/feed/", cached(feeds.OrganNoticesFeed(), shows=NOTICES), name="organ-feed"
    ),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("healthz", reliability.health, name="health"),
]

from django.urls import path

from notices import feeds, views

app_name = "notices"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("notices/", views.NoticeListView.as_view(), name="notice-list"),
    path("notices/<int:pk>/", views.NoticeDetailView.as_view(), name="notice-detail"),
    path(
        "notices/<int:pk>/attachments/<int:attachment_pk>/",
        views.download_attachment,
        name="attachment-download",
    ),
    path("organs/", views.OrganListView.as_view(), name="organ-list"),
    path("feed/", feeds.LatestNoticesFeed(), name="feed"),
    path("organs/<int:pk>/feed/", feeds.OrganNoticesFeed(), name="organ-feed"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
]

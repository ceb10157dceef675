from django.urls import path

from editorial_checks import views

app_name = "editorial_checks"

urlpatterns = [
    path("findings/<int:pk>/resolve/", views.resolve_finding_view, name="resolve-finding"),
    path("notices/<int:pk>/recheck/", views.recheck_view, name="recheck"),
    path("notices/<int:pk>/links/", views.check_links_view, name="check-links"),
    path("links.csv", views.links_csv_view, name="links-csv"),
]

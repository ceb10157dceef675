from django.urls import path

from core.page_cache import cache_page_for_public as cached
from portal import views

app_name = "portal"

# The 专栏's pages show the organs' guides, rules and columns; its lists show notices too.
PORTAL = ("portal",)
LISTS = ("portal", "notices")

urlpatterns = [
    path("open/", cached(views.column_index, shows=LISTS), name="column-index"),
    path("open/<int:organ_id>/", cached(views.organ_column, shows=PORTAL), name="organ-column"),
    path("open/<int:organ_id>/guide/", cached(views.guide, shows=PORTAL), name="guide"),
    path("open/<int:organ_id>/rules/", cached(views.rules, shows=PORTAL), name="rules"),
    path(
        "open/<int:organ_id>/profile/",
        cached(views.organ_profile, shows=PORTAL),
        name="organ-profile",
    ),
    path(
        "open/<int:organ_id>/columns/<int:column_id>/",
        cached(views.statutory_column, shows=LISTS),
        name="statutory-column",
    ),
    path("site-map/", cached(views.site_map, shows=LISTS), name="site-map"),
    path("contact/", cached(views.contact), name="contact"),
    path("site-emblem/<str:digest>/", views.emblem, name="emblem"),
]

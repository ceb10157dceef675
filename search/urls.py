from django.urls import path

from core.page_cache import cache_page_for_public as cached
from search import views

app_name = "search"

# Popular searches are asked again and again: anonymous readers get them from the page cache,
# until a publication, correction or withdrawal changes the notices or the assessments found
# beside them (core/page_cache.py, search/kinds.py).
FOUND = ("notices", "assessments")
urlpatterns = [
    path("", cached(views.search_page, shows=FOUND), name="search"),
    path("api/", cached(views.search_api, shows=FOUND), name="api"),
    path("feed/", cached(views.SearchFeed(), shows=("notices",)), name="feed"),
    path("open-data/", cached(views.open_data), name="open-data"),
]

from django.urls import path

from core.page_cache import cache_page_for_public as cached
from search import views

app_name = "search"

# Popular searches are asked again and again: anonymous readers get them from the page cache,
# until a publication, correction or withdrawal changes the notices (core/page_cache.py).
NOTICES = ("notices",)
urlpatterns = [
    path("", cached(views.search_page, shows=NOTICES), name="search"),
    path("api/", cached(views.search_api, shows=NOTICES), name="api"),
    path("feed/", cached(views.SearchFeed(), shows=NOTICES), name="feed"),
]

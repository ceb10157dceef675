from django.urls import path

from notices.page_cache import cache_page_for_public as cached
from search import views

app_name = "search"

# Popular searches are asked again and again: anonymous readers get them from the page cache,
# which every publication, correction and withdrawal empties (notices/page_cache.py).
urlpatterns = [
    path("", cached(views.search_page), name="search"),
    path("api/", cached(views.search_api), name="api"),
    path("feed/", cached(views.SearchFeed()), name="feed"),
]

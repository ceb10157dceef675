from django.apps import AppConfig


class SearchConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "search"
    verbose_name = "全文检索"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from core import searchable
        from notices.models import Notice
        from search import checks, kinds, signals  # noqa: F401 (checks registers itself)

        post_save.connect(signals.notice_saved, sender=Notice, dispatch_uid="search-notice-saved")
        # The pages of other kinds (core.searchable), indexed as they change.
        searchable.pages_changed.connect(kinds.page_changed, dispatch_uid="search-page-changed")

from django.apps import AppConfig


class SearchConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "search"
    verbose_name = "全文检索"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from notices.models import Notice
        from search import checks, signals  # noqa: F401 (checks registers itself)

        post_save.connect(signals.notice_saved, sender=Notice, dispatch_uid="search-notice-saved")

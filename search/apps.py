from django.apps import AppConfig


class SearchConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "search"
    verbose_name = "全文检索"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from notices.models import Notice
        from search import signals

        post_save.connect(signals.notice_saved, sender=Notice, dispatch_uid="search-notice-saved")

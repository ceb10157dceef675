from django.apps import AppConfig
from django.db.models.signals import post_migrate


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = "信息公开"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

        from config.text import clean_text_before_save
        from notices import models, page_cache
        from notices.roles import sync_roles_after_migrate

        # Before the audit app connects its receivers (it comes later in INSTALLED_APPS), so
        # that the history records the text as it is stored.
        pre_save.connect(clean_text_before_save, dispatch_uid="config.text.clean")

        for model in (
            models.Notice,
            models.Attachment,
            models.CitedDocument,
            models.Organ,
            models.Topic,
        ):
            post_save.connect(page_cache.invalidate_on_change, sender=model)
            post_delete.connect(page_cache.invalidate_on_change, sender=model)
        m2m_changed.connect(page_cache.invalidate_on_change, sender=models.Notice.topics.through)

        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="notices.sync_roles")

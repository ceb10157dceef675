from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "考核"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from assessments import models
        from notices import page_cache

        for model in (models.Assessment, models.RectificationReport):
            post_save.connect(page_cache.invalidate_on_change, sender=model)
            post_delete.connect(page_cache.invalidate_on_change, sender=model)

from django.apps import AppConfig


class AnnualReportsConfig(AppConfig):
    name = "annual_reports"
    verbose_name = "年度报告"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from annual_reports import models

        # The frozen contents are written by the workflow, not by a person; the history keeps
        # who changed the texts, the entered figures, the state and the adjustments.
        auditlog.register(
            models.AnnualReport,
            exclude_fields=["updated_at", "review_content", "published_content"],
        )
        auditlog.register(models.Adjustment)

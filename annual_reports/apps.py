from django.apps import AppConfig


class AnnualReportsConfig(AppConfig):
    name = "annual_reports"
    verbose_name = "年度报告"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from annual_reports import models, services
        from core import searchable

        # The frozen contents are written by the workflow, not by a person; the history keeps
        # who changed the texts, the entered figures, the state and the adjustments.
        auditlog.register(
            models.AnnualReport,
            exclude_fields=["updated_at", "review_content", "published_content"],
        )
        auditlog.register(models.Adjustment)

        # A report is published as a notice of 体裁 年度报告, found by the search as such.
        searchable.register_genre(services.ANNUAL_REPORT_GENRE, "年度报告")

from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "考核"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from assessments import models, searchable
        from core import page_cache
        from core import searchable as site_search

        # The audit history follows every row of an assessment.
        for model in (
            models.GradeBand,
            models.UnitGroup,
            models.AssessedUnit,
            models.Indicator,
            models.Score,
            models.RectificationReport,
            models.ReportAttachment,
            models.StatisticReport,
            models.StatisticValue,
        ):
            auditlog.register(model)
        auditlog.register(models.Assessment, exclude_fields=["updated_at"])
        auditlog.register(models.Finding, m2m_fields={"units"})
        auditlog.register(models.Requirement, m2m_fields={"units", "problems"})

        # The assessment pages (and the notices that announce a published assessment).
        page_cache.follow(
            models.Assessment,
            lambda assessment: ["assessments"] if assessment.is_published else [],
        )
        page_cache.follow(models.RectificationReport, lambda report: ["assessments"])

        # Published assessments are found by the site search, as 考核结果.
        site_search.register(
            site_search.Kind(
                name=searchable.KIND,
                label=searchable.LABEL,
                model=models.Assessment,
                pages=searchable.pages,
                words=(searchable.LABEL,),
            )
        )

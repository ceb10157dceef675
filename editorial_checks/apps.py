from django.apps import AppConfig


class EditorialChecksConfig(AppConfig):
    name = "editorial_checks"
    verbose_name = "内容保障"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from editorial_checks import models, services
        from notices import workflow

        # Every submission is checked, and no approval passes unresolved findings.
        workflow.register_review_hooks(
            on_submit=services.on_submit, before_approval=services.before_approval
        )

        # The lists a site admin keeps, and who confirmed which finding and why.
        auditlog.register(models.WordRule, exclude_fields=["updated_at"])
        auditlog.register(models.AllowedHost)
        auditlog.register(models.Finding)

from django.apps import AppConfig


class ImporterConfig(AppConfig):
    name = "importer"
    verbose_name = "旧稿导入"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from importer import flags, models
        from notices import workflow

        # The raw source and extracted text are large and never change after import.
        auditlog.register(models.ImportedSource, exclude_fields=["raw", "text", "report"])
        auditlog.register(models.ImportFlag)
        workflow.register_submit_check(flags.unresolved_message)

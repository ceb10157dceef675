from django.apps import AppConfig


class ExportsConfig(AppConfig):
    """Exports for auditors: notices, assessments and the audit history as one ZIP with a signed
    manifest. It reads notices, assessments and the audit history; an app that adds a dataset
    registers it (exports/datasets.py), so exports imports no such app."""

    name = "exports"
    verbose_name = "审计导出"

    def ready(self) -> None:
        # Registers exports' own datasets (other apps register theirs from their ready()).
        from exports import export  # noqa: F401

from django.apps import AppConfig


class ExportsConfig(AppConfig):
    """Exports for auditors: notices, assessments and the audit history as one ZIP with a signed
    manifest. It reads every app and the audit history; no app imports it."""

    name = "exports"
    verbose_name = "审计导出"

    def ready(self) -> None:
        from audit import readable
        from exports.export import DATASETS

        # The history shows an export's dataset by its Chinese name.
        readable.DATASET_LABELS.update(DATASETS)

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "审计"

    def ready(self) -> None:
        from audit import registry, signals  # noqa: F401 - connects the login receivers

        registry.register_models()

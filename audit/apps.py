from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "审计"

    def ready(self) -> None:
        from audit import chain, checks, registry, signals  # noqa: F401 - receivers, checks

        registry.register_models()

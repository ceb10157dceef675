from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "审计"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from audit import chain, checks, registry, signals  # noqa: F401 - receivers, checks
        from config import admin_labels

        registry.register_models()
        # The permissions the history and the admin show, named in Chinese once they exist.
        post_migrate.connect(
            admin_labels.name_permissions_after_migrate, dispatch_uid="config.admin_labels"
        )

from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = "依申请公开"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from applications import audit_registration, roles

        audit_registration.register_models()
        # Connected after notices' own sync (notices comes first in INSTALLED_APPS), so the
        # permissions added here survive the notices roles' reset of their groups.
        post_migrate.connect(roles.sync_roles_after_migrate, dispatch_uid="applications.roles")

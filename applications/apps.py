from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = "依申请公开"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_migrate, post_save

        from applications import audit_registration, calendar_changes, export_dataset, roles
        from applications.models import CalendarDay

        audit_registration.register_models()
        audit_registration.register_labels()
        export_dataset.register()
        post_save.connect(calendar_changes.day_changed, sender=CalendarDay)
        post_delete.connect(calendar_changes.day_changed, sender=CalendarDay)
        # Connected after notices' own sync (notices comes first in INSTALLED_APPS), so the
        # permissions added here survive the notices roles' reset of their groups.
        post_migrate.connect(roles.sync_roles_after_migrate, dispatch_uid="applications.roles")

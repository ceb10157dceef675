from django.apps import AppConfig
from django.db.models.signals import post_migrate


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = "信息公开"

    def ready(self) -> None:
        from notices.roles import sync_roles_after_migrate

        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="notices.sync_roles")

"""The 申请办理人 role, and what the existing roles may do with applications.

notices/roles.py declares the project's roles and resets their permissions after every
migrate; this module runs after it (its receiver is connected later) and adds the permissions
over this app's models to those groups, and creates the handler's group. Organ scoping is the
same as for notices (notices/access.py): a handler acts on the organs they belong to."""

from fnmatch import fnmatch

from django.apps import apps as global_apps

from notices import roles as notice_roles

HANDLER = "申请办理人"
HANDLE_PERMISSION = "applications.handle_application"

ROLE_PERMISSIONS = {
    HANDLER: ["applications.view_*", HANDLE_PERMISSION, "notices.view_organ"],
    notice_roles.AUDITOR: ["applications.view_*"],
    notice_roles.SITE_ADMIN: ["applications.*"],
}


def sync_roles(apps) -> None:
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    permissions = list(
        permission_model.objects.filter(
            content_type__app_label__in={"applications", "notices"}
        ).select_related("content_type")
    )
    for role, patterns in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        granted = [
            permission
            for permission in permissions
            if any(
                fnmatch(f"{permission.content_type.app_label}.{permission.codename}", pattern)
                for pattern in patterns
            )
        ]
        group.permissions.add(*granted)


def sync_roles_after_migrate(sender, apps=None, **kwargs) -> None:
    last_app = list(global_apps.get_app_configs())[-1]
    apps = apps or global_apps
    if sender.name == last_app.name and apps.is_installed("applications"):
        sync_roles(apps)

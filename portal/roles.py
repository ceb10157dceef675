"""What the project's roles (notices/roles.py) may do with the portal's pages. Like
applications/roles.py, this runs after the notices' roles are reset on every migrate and adds
this app's permissions to those groups. Organ scoping is the notices' (notices/access.py)."""

from fnmatch import fnmatch

from django.apps import apps as global_apps

from notices import roles as notice_roles

ORGAN_PAGES = ["organprofile", "leader", "disclosureguide", "disclosurerules"]
ROLE_PERMISSIONS = {
    notice_roles.EDITOR: [
        "portal.view_*",
        *(f"portal.{action}_{model}" for model in ORGAN_PAGES for action in ("add", "change")),
        "portal.delete_leader",
    ],
    notice_roles.REVIEWER: ["portal.view_*"],
    notice_roles.AUDITOR: ["portal.view_*"],
    notice_roles.SITE_ADMIN: ["portal.*"],
}


def sync_roles(apps) -> None:
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    permissions = list(
        permission_model.objects.filter(content_type__app_label="portal").select_related(
            "content_type"
        )
    )
    for role, patterns in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        granted = [
            permission
            for permission in permissions
            if any(fnmatch(f"portal.{permission.codename}", pattern) for pattern in patterns)
        ]
        group.permissions.add(*granted)


def sync_roles_after_migrate(sender, apps=None, **kwargs) -> None:
    last_app = list(global_apps.get_app_configs())[-1]
    apps = apps or global_apps
    if sender.name == last_app.name and apps.is_installed("portal"):
        sync_roles(apps)

"""The four staff roles, as groups whose permissions are declared here and nowhere else."""

from fnmatch import fnmatch

from django.apps import apps as global_apps

EDITOR = "编辑"
REVIEWER = "审核"
AUDITOR = "审计"
SITE_ADMIN = "管理员"

# Patterns over "app_label.codename". Organ scoping is separate: editors and reviewers act only
# on the organs they belong to, unless they hold notices.access_all_organs.
ROLE_PERMISSIONS = {
    EDITOR: [
        "notices.view_*",
        "notices.add_notice",
        "notices.change_notice",
        "notices.delete_notice",
        "notices.*_attachment",
        "notices.*_citeddocument",
        "assessments.view_*",
    ],
    REVIEWER: ["notices.view_*", "notices.review_notice", "assessments.view_*"],
    AUDITOR: [
        "notices.view_*",
        "notices.access_all_organs",
        "assessments.view_*",
        "auth.view_user",
        "auth.view_group",
    ],
    SITE_ADMIN: ["notices.*", "assessments.*", "auth.*_user", "auth.*_group"],
}
PROJECT_APPS = {"notices", "assessments", "auth"}


def sync_roles(apps) -> None:
    """Create the role groups and give each exactly the permissions declared above."""
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    permissions = list(
        permission_model.objects.filter(content_type__app_label__in=PROJECT_APPS).select_related(
            "content_type"
        )
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
        group.permissions.set(granted)


def sync_roles_after_migrate(sender, apps=None, **kwargs) -> None:
    # Runs after every app's migrations (and after flushes, which pass no apps), so permissions
    # of models added later are granted without another data migration.
    apps = apps or global_apps
    if apps.is_installed("notices"):
        sync_roles(apps)

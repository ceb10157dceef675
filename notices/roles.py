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
        "editorial_checks.view_*",
        "notices.add_validitychange",
        "assessments.view_*",
        "assessments.add_*",
        "assessments.change_*",
        "assessments.delete_*",
    ],
    REVIEWER: [
        "notices.view_*",
        "notices.review_notice",
        "editorial_checks.view_*",
        "assessments.view_*",
        "assessments.review_assessment",
    ],
    AUDITOR: [
        "notices.view_*",
        "notices.access_all_organs",
        "editorial_checks.view_*",
        "assessments.view_*",
        "audit.view_auditevent",
        "auth.view_user",
        "auth.view_group",
        "core.view_scheduledjob",
    ],
    SITE_ADMIN: [
        "notices.*",
        "editorial_checks.*",
        "assessments.*",
        "audit.view_auditevent",
        "auth.*_user",
        "auth.*_group",
        "core.view_scheduledjob",
    ],
}
# Reference data that only site admins define, whatever the patterns above grant.
SITE_ADMIN_ONLY = [
    "assessments.[acd]*_statisticschema",
    "assessments.[acd]*_statisticitem",
    "assessments.[acd]*_statisticcheck",
]
PROJECT_APPS = {"notices", "editorial_checks", "assessments", "audit", "auth", "core"}


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
        excluded = [] if role == SITE_ADMIN else SITE_ADMIN_ONLY
        granted = [
            permission
            for permission in permissions
            if _matches(permission, patterns) and not _matches(permission, excluded)
        ]
        group.permissions.set(granted)


def _matches(permission, patterns: list[str]) -> bool:
    name = f"{permission.content_type.app_label}.{permission.codename}"
    return any(fnmatch(name, pattern) for pattern in patterns)


def sync_roles_after_migrate(sender, apps=None, **kwargs) -> None:
    """Re-sync after migrate (and after test flushes, which pass no apps) once the last app's
    permissions exist, so permissions of models added later are granted without a migration."""
    last_app = list(global_apps.get_app_configs())[-1]
    apps = apps or global_apps
    if sender.name == last_app.name and apps.is_installed("notices"):
        sync_roles(apps)

from django.apps import apps
from django.contrib.auth.models import Group

from applications import roles
from notices import roles as notice_roles


def perms(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


def test_roles_after_migrate(db):
    handler = perms(roles.HANDLER)
    assert {"applications.handle_application", "applications.view_application"} <= handler
    assert not any(p.startswith("applications.change_") for p in handler)
    auditor = perms(notice_roles.AUDITOR)
    assert "applications.view_application" in auditor
    assert "applications.handle_application" not in auditor
    admin = perms(notice_roles.SITE_ADMIN)
    assert "applications.handle_application" in admin and "applications.change_calendarday" in admin
    assert "notices.review_notice" in admin  # notices' own grants survive this app's sync
    assert not any(p.startswith("applications.") for p in perms(notice_roles.EDITOR))


def test_sync_is_idempotent(db):
    before = perms(roles.HANDLER)
    roles.sync_roles(apps)
    assert perms(roles.HANDLER) == before

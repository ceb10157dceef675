"""Which models the audit history follows, and which of their fields.

Each app registers its own models with django-auditlog in its AppConfig.ready() (notices,
assessments, importer, …), so that this app need not know them; here are the accounts and
groups, which belong to no app of the project."""

from auditlog.registry import auditlog
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group


def register_models() -> None:
    auditlog.register(
        get_user_model(),
        exclude_fields=["last_login"],
        mask_fields=["password"],
        m2m_fields={"groups", "user_permissions"},
    )
    auditlog.register(Group, m2m_fields={"permissions"})

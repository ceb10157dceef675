"""Staff accounts that leave: whoever acted is deactivated, never deleted.

What a person did (notices written and approved, reports, workflow events, the audit history)
names them, and the audit history is append-only, so an account that ever acted stays and is
switched off instead (is_active=False: no login, sessions end). Only an account that nothing
but its own settings refers to (groups, permissions, organs, second-factor devices, form
tokens) may be deleted.
"""

from django.contrib.auth import get_user_model

# Rows that belong to the account itself and go with it.
OWN_SETTINGS = {
    "auth.User_groups",
    "auth.User_user_permissions",
    "notices.Organ_members",
    "notices.FormSubmission",
    "otp_totp.TOTPDevice",
}


def records_of(user) -> list[str]:
    """The kinds of record that name the user as the one who acted, by their Chinese names."""
    found = []
    for relation in get_user_model()._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and relation.one_to_many):
            continue
        model = relation.related_model
        if model._meta.label in OWN_SETTINGS:
            continue
        if model._default_manager.filter(**{relation.field.name: user}).exists():
            name = str(model._meta.verbose_name)
            if name not in found:
                found.append(name)
    return found


def deletion_refusal(user) -> str | None:
    """Why the user may not be deleted, or None if they may."""
    found = records_of(user)
    if not found:
        return None
    return (
        f"用户“{user.get_username()}”不能删除：系统中有其操作记录（{'、'.join(found)}），"
        "这些记录必须保留并能查到操作人。请改为停用该账号（取消勾选“有效”，"
        "或在用户列表中选择“停用所选用户”）：停用后不能登录，记录保持不变。"
    )


def deactivate(user) -> bool:
    """Switch the account off (saved one by one, so the audit history records it)."""
    if not user.is_active:
        return False
    user.is_active = False
    user.save(update_fields=["is_active"])
    return True

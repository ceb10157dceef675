"""Which organs a member of staff may act on: the one rule every view, admin and service uses."""

from django.db.models import QuerySet

ALL_ORGANS_PERMISSION = "notices.access_all_organs"


def sees_all_organs(user) -> bool:
    return user.is_active and user.has_perm(ALL_ORGANS_PERMISSION)


def organ_ids(user) -> set[int] | None:
    """The organs the user works for; None means every organ."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return set()
    if sees_all_organs(user):
        return None
    cached = getattr(user, "_organ_ids_cache", None)
    if cached is None:
        cached = set(user.organs.values_list("pk", flat=True))
        user._organ_ids_cache = cached
    return cached


def can_access_organ(user, organ_id: int | None) -> bool:
    allowed = organ_ids(user)
    return allowed is None or organ_id in allowed


def scope_to_user(queryset: QuerySet, user, organ_field: str = "organ") -> QuerySet:
    allowed = organ_ids(user)
    if allowed is None:
        return queryset
    return queryset.filter(**{f"{organ_field}__in": allowed})

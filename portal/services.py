"""Who may change the portal's pages, and the changes themselves, each in one transaction.

A site admin keeps the site's identity and the 法定主动公开内容 columns. An editor keeps the
guide, the rules and the 机构信息 (with its leaders) of the organs they belong to
(notices/access.py), no other organ's; the leaders of no organ (checked before publication, on
no page) are a site admin's. Reviewers and auditors read."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from notices import access
from portal import emblem
from portal.models import DisclosureGuide, DisclosureRules, Leader, OrganProfile, SiteIdentity

IDENTITY_PERMISSION = "portal.change_siteidentity"
COLUMN_PERMISSION = "portal.change_statutorycolumn"
ORGAN_PAGES = (OrganProfile, DisclosureGuide, DisclosureRules)


def _staff(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_staff


def can_edit_identity(user) -> bool:
    return _staff(user) and user.has_perm(IDENTITY_PERMISSION)


def can_edit_columns(user) -> bool:
    return _staff(user) and user.has_perm(COLUMN_PERMISSION) and access.sees_all_organs(user)


def can_edit_organ_page(user, model, organ_id: int | None) -> bool:
    """Whether the user may write ``model``'s page (guide, rules, 机构信息) of the organ."""
    label = f"portal.change_{model._meta.model_name}"
    return (
        _staff(user)
        and user.has_perm(label)
        and (organ_id is None or access.can_access_organ(user, organ_id))
    )


def can_edit_leader(user, organ_id: int | None) -> bool:
    """Whether the user may write a leader of the organ (None: a leader of no organ)."""
    if not (_staff(user) and user.has_perm("portal.change_leader")):
        return False
    return (
        access.sees_all_organs(user)
        if organ_id is None
        else access.can_access_organ(user, organ_id)
    )


def save_leader(user, leader: Leader) -> None:
    organ_id = leader.profile.organ_id if leader.profile_id is not None else None
    if not can_edit_leader(user, organ_id):
        raise PermissionDenied("只能填写本机构的领导；不属于任何机构的领导由网站管理员填写。")
    with transaction.atomic():
        leader.save()


def save_identity(user, identity: SiteIdentity, emblem_file=None, *, remove_emblem=False) -> None:
    """Save the identity, with a new emblem (checked by portal/emblem.py) or without any."""
    if not can_edit_identity(user):
        raise PermissionDenied("只有网站管理员可以修改网站标识。")
    if emblem_file is not None:
        content_type, data = emblem.checked(emblem_file)
        identity.emblem, identity.emblem_type = data, content_type
        identity.emblem_digest = emblem.digest(data)
    elif remove_emblem:
        identity.emblem, identity.emblem_type, identity.emblem_digest = b"", "", ""
    with transaction.atomic():
        identity.save()


def save_organ_page(user, page) -> None:
    if not can_edit_organ_page(user, type(page), page.organ_id):
        raise PermissionDenied("只能修改本机构的页面。")
    with transaction.atomic():
        page.save()

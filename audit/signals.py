"""Logins, failed logins and logouts go into the same history as changes."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.contenttypes.models import ContentType
from django.dispatch import receiver

from audit import context
from audit.models import AuditEvent


def record_access(event: str, user=None, request=None, **details) -> AuditEvent:
    """An event that changes no record: a login, a failed login, an export."""
    remote_addr = context.client_address(request) if request is not None else None
    return AuditEvent.objects.create(
        content_type=ContentType.objects.get_for_model(get_user_model()),
        object_pk=str(user.pk) if user is not None else "",
        object_id=user.pk if user is not None else None,
        object_repr=str(user) if user is not None else details.get("username", ""),
        action=AuditEvent.Action.ACCESS,
        actor=user if user is not None and user.is_authenticated else None,
        remote_addr=remote_addr,
        additional_data={"event": event, **details},
    )


@receiver(user_logged_in, dispatch_uid="audit.login")
def _logged_in(sender, request, user, **kwargs):
    record_access("login", user, request)


@receiver(user_logged_out, dispatch_uid="audit.logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record_access("logout", user, request)


@receiver(user_login_failed, dispatch_uid="audit.login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    record_access("login_failed", None, request, username=username)

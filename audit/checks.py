"""System checks of the audit keys (audit/keys.py)."""

import base64
import binascii

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security)
def audit_signing_key_is_usable(app_configs, **kwargs):
    configured = settings.AUDIT_SIGNING_KEY
    if not configured:
        return []
    try:
        usable = len(base64.b64decode(configured, validate=True)) == 32
    except binascii.Error:
        usable = False
    if usable:
        return []
    return [
        Error(
            "AUDIT_SIGNING_KEY must be the base64 of a 32-byte Ed25519 seed.",
            hint="Generate one with `manage.py audit_keys --new`.",
            id="audit.E001",
        )
    ]


@register(Tags.security, deploy=True)
def audit_keys_are_their_own(app_configs, **kwargs):
    missing = [
        name for name in ("AUDIT_SEAL_KEY", "AUDIT_SIGNING_KEY") if not getattr(settings, name)
    ]
    if not missing:
        return []
    return [
        Warning(
            f"{' and '.join(missing)} not set: the audit keys are derived from SECRET_KEY, so "
            "whoever holds SECRET_KEY can reseal or re-sign the history, and rotating SECRET_KEY "
            "breaks the verification of existing events.",
            hint="Set both from `manage.py audit_keys --new` and keep them apart from the "
            "database's credentials (docs/audit.md).",
            id="audit.W001",
        )
    ]

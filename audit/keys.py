"""The two keys that make the history tamper-evident; neither is ever stored in the database.

- The seal key (HMAC-SHA256) seals each event's hash as it is written: someone who can rewrite
  the table but has not got the key cannot make a rewritten event's seal fit.
- The signing key (Ed25519) signs the checkpoints kept outside the database. Its public half is
  all an auditor needs to check a checkpoint or an export's manifest, and cannot sign.

Both come from the environment (AUDIT_SEAL_KEY, AUDIT_SIGNING_KEY); without them they are derived
from SECRET_KEY, which is enough for a demo and warned about by ``check --deploy``.
"""

import base64
import hashlib
import hmac
import secrets

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings


def _derived(purpose: str) -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), purpose.encode(), hashlib.sha256).digest()


def seal_key() -> bytes:
    configured = settings.AUDIT_SEAL_KEY
    return configured.encode() if configured else _derived("audit-seal")


def seal(event_hash: str) -> str:
    return hmac.new(seal_key(), event_hash.encode(), hashlib.sha256).hexdigest()


def seal_fits(event_hash: str, found: str) -> bool:
    return hmac.compare_digest(seal(event_hash), found or "")


def signing_key() -> Ed25519PrivateKey:
    configured = settings.AUDIT_SIGNING_KEY
    seed = base64.b64decode(configured) if configured else _derived("audit-signing")
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_bytes(key: Ed25519PublicKey | None = None) -> bytes:
    key = key or signing_key().public_key()
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_base64() -> str:
    return base64.b64encode(public_key_bytes()).decode()


def public_key_pem() -> str:
    return (
        signing_key()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def key_id(public: bytes | None = None) -> str:
    """A short name of a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(public or public_key_bytes()).hexdigest()[:16]


def sign(message: bytes) -> str:
    return base64.b64encode(signing_key().sign(message)).decode()


def signature_fits(message: bytes, signature: str, public_key: str | None = None) -> bool:
    """Whether ``signature`` (base64) signs ``message`` under the given public key (base64), or
    under this site's own."""
    raw = base64.b64decode(public_key) if public_key else public_key_bytes()
    try:
        Ed25519PublicKey.from_public_bytes(raw).verify(base64.b64decode(signature), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def new_keys() -> dict[str, str]:
    """Fresh values for the environment, with the public key to publish."""
    seed = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    return {
        "AUDIT_SEAL_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "AUDIT_SIGNING_KEY": base64.b64encode(seed).decode(),
        "public_key": base64.b64encode(public_key_bytes(public)).decode(),
    }

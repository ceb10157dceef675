"""Who is asking: the client's address behind the trusted proxies."""

import ipaddress

from django.conf import settings


def client_address(request) -> str | None:
    """The client's address, for the audit history and the login lockout alike.

    Behind TRUSTED_PROXY_COUNT proxies, each appending the address it saw to X-Forwarded-For,
    the client is the entry that many from the right: the outermost trusted proxy wrote it, and
    whatever a client sends itself stays to the left of it. Without that many entries, or with an
    entry that is not an IP address, REMOTE_ADDR (the nearest proxy) is used instead.
    """
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        entries = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if len(entries) >= hops:
            found = _ip_address(entries[-hops])
            if found:
                return found
    return _ip_address(request.META.get("REMOTE_ADDR", ""))


def _ip_address(value: str) -> str | None:
    """The address in its canonical form, or None for anything else (a name, a port, a zone)."""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if getattr(address, "scope_id", None):
        return None
    return str(address)

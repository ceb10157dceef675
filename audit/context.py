"""Who is acting, from where: set per request by the middleware, or named after the command."""

import ipaddress
import sys
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class AuditContext:
    actor: object | None = None
    remote_addr: str | None = None
    source: str = ""


_current: ContextVar[AuditContext | None] = ContextVar("audit_context", default=None)


def current() -> AuditContext:
    found = _current.get()
    if found is not None:
        return found
    return AuditContext(source=_process_source())


def _process_source() -> str:
    """Outside a request: the management command, so history says which one did it."""
    program = sys.argv[0].rsplit("/", 1)[-1] if sys.argv else ""
    if program == "manage.py" and len(sys.argv) > 1:
        return f"命令 {sys.argv[1]}"
    return "系统"


@contextmanager
def acting(actor=None, remote_addr: str | None = None, source: str = ""):
    token = _current.set(AuditContext(actor, remote_addr, source))
    try:
        yield
    finally:
        _current.reset(token)


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


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The user is resolved lazily, so that anonymous portal reads cost nothing.
        with acting(_LazyActor(request), client_address(request), "网页"):
            return self.get_response(request)


class _LazyActor:
    def __init__(self, request):
        self.request = request

    def resolve(self):
        user = getattr(self.request, "user", None)
        return user if user is not None and user.is_authenticated else None


def resolve_actor(actor):
    return actor.resolve() if isinstance(actor, _LazyActor) else actor

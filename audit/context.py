"""Who is acting, from where: set per request by the middleware, or named after the command."""

import sys
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from core.client import client_address


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

"""Read-only portal traffic goes to a read replica when one is configured.

Anonymous GET requests outside the admin read from the replica (``DATABASE_REPLICA_URL``); every
write, every staff request and everything outside a request uses the primary.
"""

from contextvars import ContextVar

from django.conf import settings

_reading_from_replica: ContextVar[bool] = ContextVar("reading_from_replica", default=False)
REPLICA = "replica"


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPLICA if _reading_from_replica.get() else "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class ReplicaReadsMiddleware:
    """Marks public page views (anonymous GET/HEAD outside /admin/) as replica-readable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        public_read = (
            settings.USE_READ_REPLICA
            and request.method in ("GET", "HEAD")
            and not request.path.startswith("/admin/")
            and not request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        )
        token = _reading_from_replica.set(public_read)
        try:
            return self.get_response(request)
        finally:
            _reading_from_replica.reset(token)

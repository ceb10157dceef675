"""Per-address limits on the public form and look-up, counted in the shared cache (Redis in
production), never in process memory, so every app server sees the same count. Keys hold a
keyed hash of the address, not the address."""

import time

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

from core.client import client_address

# (attempts, seconds) per client address.
DEFAULT_LIMITS = {"submit": (10, 3600), "lookup": (20, 600)}


def limit_of(action: str) -> tuple[int, int]:
    return getattr(settings, "APPLICATION_RATE_LIMITS", {}).get(action, DEFAULT_LIMITS[action])


def _key(action: str, request, window: int) -> str:
    address = client_address(request) or "unknown"
    digest = salted_hmac("applications.throttle", address, algorithm="sha256").hexdigest()[:32]
    return f"applications:throttle:{action}:{digest}:{int(time.time() // window)}"


def allow(action: str, request) -> bool:
    """Count one attempt; False once the address has used up its attempts in this window."""
    attempts, window = limit_of(action)
    key = _key(action, request, window)
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return count <= attempts


def wait_minutes(action: str) -> int:
    _attempts, window = limit_of(action)
    return max(1, (window - int(time.time()) % window + 59) // 60)


class Once:
    """A form's one-time token: the first POST claims it; later POSTs of the same form are
    told it was filed. The cache holds only that mark, nothing of the application. Kept a day."""

    SECONDS = 24 * 3600
    PENDING = "pending"
    FILED = "filed"

    def __init__(self, token: str):
        digest = salted_hmac("applications.once", token or "", algorithm="sha256").hexdigest()
        self.key = f"applications:once:{digest[:32]}" if token else ""

    def claim(self) -> str | None:
        """None when this POST may file the application; else PENDING or FILED."""
        if not self.key or cache.add(self.key, self.PENDING, self.SECONDS):
            return None
        return cache.get(self.key) or self.PENDING

    def filed(self) -> None:
        if self.key:
            cache.set(self.key, self.FILED, self.SECONDS)

    def release(self) -> None:
        if self.key:
            cache.delete(self.key)

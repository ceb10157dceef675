"""The portal's name where it is written outside the templates that the portal's context
processor serves (the Atom feed's title, the 503 page): the site identity's
(portal.SiteIdentity, as the header and footer show it). The portal app registers how to read
it at start-up, since neither core nor notices imports it. Until then, and whenever reading it
fails (the 503 page renders while the database is down), the setting PORTAL_NAME."""

import logging
from collections.abc import Callable

from django.conf import settings

logger = logging.getLogger(__name__)
_readers: list[Callable[[], str]] = []


def register(reader: Callable[[], str]) -> None:
    _readers[:] = [reader]


def portal_name() -> str:
    for reader in _readers:
        try:
            return reader() or settings.PORTAL_NAME
        except Exception:
            # A name is not worth an error page of its own: the setting's is shown.
            logger.warning("The portal's name could not be read.", exc_info=True)
    return settings.PORTAL_NAME

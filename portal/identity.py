"""The site's identity as every page shows it (header and footer), kept in the cache like the
portal's shared lists (core.page_cache.cached): it is read with them in one round trip, and a
change to it drops every cached page (the ``site`` tag)."""

import logging
from dataclasses import dataclass
from functools import cache
from urllib.parse import quote

from django.conf import settings
from django.db import DatabaseError
from django.templatetags.static import static
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.functional import SimpleLazyObject

from core import page_cache
from portal.models import IDENTITY_PK, SiteIdentity

logger = logging.getLogger(__name__)

ICP_URL = "https://beian.miit.gov.cn/"
POLICE_URL = "https://beian.mps.gov.cn/#/query/webSearch?code="


@dataclass(frozen=True)
class Identity:
    portal_name: str
    sponsor: str = ""
    operator: str = ""
    site_code: str = ""
    icp_number: str = ""
    police_number: str = ""
    police_url: str = ""
    contact_address: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    contact_note: str = ""
    emblem_url: str = ""

    icp_url = ICP_URL


def default() -> Identity:
    """What pages show before a site admin fills in the identity."""
    return Identity(portal_name=settings.PORTAL_NAME)


def from_row(row: SiteIdentity) -> Identity:
    code = row.police_record_code
    return Identity(
        portal_name=row.portal_name,
        sponsor=row.sponsor,
        operator=row.operator,
        site_code=row.site_code,
        icp_number=row.icp_number,
        police_number=row.police_number,
        police_url=POLICE_URL + quote(code) if code else "",
        contact_address=row.contact_address,
        contact_phone=row.contact_phone,
        contact_email=row.contact_email,
        contact_note=row.contact_note,
        emblem_url=(
            reverse("portal:emblem", args=[row.emblem_digest[:16]]) if row.emblem_digest else ""
        ),
    )


def _load() -> Identity:
    row = SiteIdentity.objects.defer("emblem").filter(pk=IDENTITY_PK).first()
    return default() if row is None else from_row(row)


def current() -> Identity:
    """The identity, from the cache; the default one if the database cannot say (an error
    page must still render)."""
    try:
        return page_cache.cached("site-identity", _load)
    except DatabaseError:
        logger.warning("The site identity could not be read; the default one is shown.")
        return default()


# Pages of other apps that the header, footer and site map link to when they are installed:
# (key, URL name).
OPTIONAL_PAGES = [
    ("interpretations", "notices:interpretation-list"),
    ("open_data", "search:open-data"),
]


def optional_link(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@cache
def portal_links(script_prefix: str) -> dict[str, str]:
    """The links the header and footer add to notices' (notices.context_processors), looked up
    once per process."""
    return {
        **{key: optional_link(name) for key, name in OPTIONAL_PAGES},
        "column": reverse("portal:column-index"),
        "site_map": reverse("portal:site-map"),
        "contact": reverse("portal:contact"),
        "annual_reports": reverse("annual_reports:report-index"),
        "apply": reverse("applications:apply"),
        "police_icon": static("portal/police-record.svg"),
    }


def context(request) -> dict:
    """Template context processor: ``identity``, ``portal_name`` (the identity's) and
    ``portal_links``. Read when a template first asks (the admin's and the XML sitemaps' never
    do)."""
    identity = SimpleLazyObject(current)
    return {
        "identity": identity,
        "portal_name": SimpleLazyObject(lambda: identity.portal_name),
        "portal_links": portal_links(get_script_prefix()),
    }

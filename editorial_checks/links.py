"""The links in notices' bodies, checked: dead links (an error status, a name that does not
resolve, no answer in time) and links that leave government sites (暗链 risk: hosts outside
*.gov.cn and the site admin's allow list). Each address is fetched once however many notices
hold it, by a pool of ``concurrency`` threads sharing one HTTP client (httpx).

Addresses that resolve to private, loopback or link-local networks are not fetched (the
checker runs on the server, inside its network), nor are redirects to them, unless
LINK_CHECK_ALLOW_PRIVATE is set; the portal's own links are matched against its URL patterns
without a request."""

import ipaddress
import socket
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx
from django.conf import settings
from django.urls import Resolver404, resolve

GOVERNMENT_SUFFIX = "gov.cn"
SKIPPED_SCHEMES = ("mailto:", "tel:", "javascript:", "data:", "#")
USER_AGENT = "Mozilla/5.0 (compatible; disclosure-cms link check)"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        wanted = {"a": "href", "img": "src"}.get(tag)
        for name, value in attrs:
            if name == wanted and value and value.strip():
                self.found.append(value.strip())


def links_in(html: str) -> list[str]:
    """The addresses of the links and images in a body, once each, in order."""
    parser = _Links()
    parser.feed(html or "")
    parser.close()
    return [
        link for link in dict.fromkeys(parser.found) if not link.lower().startswith(SKIPPED_SCHEMES)
    ]


def own_hosts() -> set[str]:
    hosts = {host.lower() for host in settings.ALLOWED_HOSTS if host and "*" not in host}
    base = getattr(settings, "PORTAL_BASE_URL", "")
    if base:
        hosts.add((urlsplit(base).hostname or "").lower())
    return hosts - {"", "."}


def host_allowed(host: str, allowed: Iterable[str]) -> bool:
    """A host that is a government one (*.gov.cn) or on the allow list (an entry covers its
    subdomains)."""
    host = host.lower().rstrip(".")
    for entry in [GOVERNMENT_SUFFIX, *allowed]:
        entry = entry.lower().strip().lstrip(".")
        if entry and (host == entry or host.endswith("." + entry)):
            return True
    return False


class _Refused(Exception):
    """A request not made: ``problem`` says why (dns, private)."""

    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem


@dataclass(frozen=True)
class Outcome:
    problem: str = ""  # a LinkResult.Problem value; "" when the link works
    status_code: int | None = None


class Checker:
    """Fetch addresses with at most ``concurrency`` requests at a time."""

    def __init__(
        self,
        concurrency: int = 16,
        timeout: float = 10.0,
        allow_private: bool | None = None,
        resolver: Callable = socket.getaddrinfo,
    ):
        self.concurrency = max(1, concurrency)
        self.timeout = timeout
        if allow_private is None:
            allow_private = getattr(settings, "LINK_CHECK_ALLOW_PRIVATE", False)
        self.allow_private = allow_private
        self.resolver = resolver

    def check(self, urls: Iterable[str]) -> dict[str, Outcome]:
        urls = list(dict.fromkeys(urls))
        limits = httpx.Limits(
            max_connections=self.concurrency, max_keepalive_connections=self.concurrency
        )
        with (
            httpx.Client(
                timeout=self.timeout,
                follow_redirects=True,
                max_redirects=5,
                limits=limits,
                headers={"User-Agent": USER_AGENT},
                event_hooks={"request": [self._before_request]},
            ) as client,
            ThreadPoolExecutor(max_workers=self.concurrency) as pool,
        ):
            outcomes = pool.map(lambda url: self.check_one(client, url), urls)
            return dict(zip(urls, outcomes, strict=True))

    def check_one(self, client: httpx.Client, url: str) -> Outcome:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return Outcome("invalid")
        try:
            with client.stream("GET", url) as response:
                status = response.status_code
        except _Refused as refused:
            return Outcome(refused.problem)
        except httpx.TimeoutException:
            return Outcome("timeout")
        except (httpx.InvalidURL, httpx.UnsupportedProtocol):
            return Outcome("invalid")
        except httpx.HTTPError as error:
            return Outcome("dns" if _is_dns_failure(error) else "connection")
        if status >= 400:
            return Outcome("http_error", status)
        return Outcome("", status)

    def _before_request(self, request: httpx.Request) -> None:
        """Before every request, redirects included: the name resolves, and not to the server's
        own networks."""
        try:
            addresses = self.resolver(request.url.host, request.url.port or 80)
        except (socket.gaierror, UnicodeError) as error:
            raise _Refused("dns") from error
        if not self.allow_private and any(_private(info[4][0]) for info in addresses):
            raise _Refused("private")


def _private(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    return not ip.is_global


def _is_dns_failure(error: BaseException) -> bool:
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, socket.gaierror):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def own_link_outcome(path: str) -> Outcome:
    """A link to the portal itself: whether one of its URL patterns answers the path."""
    try:
        resolve(urlsplit(path).path or "/")
    except Resolver404:
        return Outcome("not_found", 404)
    return Outcome("", None)


def classify(link: str, own: set[str]) -> tuple[str, str, bool]:
    """(absolute address or the path of an own link, host, whether it is an own link)."""
    base = getattr(settings, "PORTAL_BASE_URL", "")
    parts = urlsplit(link)
    if not parts.scheme and not parts.netloc:
        if base:
            link = urljoin(base, link)
            parts = urlsplit(link)
        else:
            return link, "", True
    if link.startswith("//"):
        link = "https:" + link
        parts = urlsplit(link)
    host = (parts.hostname or "").lower()
    return link, host, host in own

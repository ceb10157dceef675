"""Browser tests: Playwright drives Debian's Chromium against a live server on the test database.

The browser is Debian's (`apt-get install chromium`), never one Playwright downloads. The live
server is pytest-django's, in a thread of this process, so that the test and the server share
the test database (the tests use transactional access: each test's rows are committed and seen
by the server, and flushed afterwards).
"""

import os
import shutil
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction

from assessments import demo_loader as assessment_demo
from notices import demo_loader
from tests.postgresql import base as test_rows

CHROMIUM = Path("/usr/bin/chromium")
# The machine's network is closed: Chromium's own background connections (updates, sync, field
# trials) would only fail, slowly, so they are switched off.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-extensions",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture(scope="package")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's synchronous API keeps an asyncio loop registered as running in this thread,
    # which makes Django refuse ORM calls from the test ("async context"). The calls are still
    # synchronous and on this thread, so the check is turned off while the browser runs, and
    # only then.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()
    playwright.stop()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class RequestLog:
    """Every URL a browser context asked for, to check where pages load things from."""

    urls: list[str] = field(default_factory=list)

    def foreign(self, origin: str) -> list[str]:
        own = urlsplit(origin)
        return [
            url
            for url in self.urls
            if urlsplit(url).scheme not in {"data", "blob", "about"}
            and (urlsplit(url).scheme, urlsplit(url).netloc) != (own.scheme, own.netloc)
        ]


@pytest.fixture
def requests_made():
    return RequestLog()


@pytest.fixture
def new_page(browser, live_server, requests_made):
    """new_page(viewport=PHONE) opens a page in a fresh context (its own cookies)."""
    contexts = []

    def open_page(viewport: dict = DESKTOP):
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport, locale="zh-CN", accept_downloads=True
        )
        context.set_default_timeout(15_000)
        context.on("request", lambda request: requests_made.urls.append(request.url))
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture(scope="session")
def load_once(tmp_path_factory):
    """load_once(name, *loaders) runs the loaders in a transaction the first time a worker
    needs `name`, and keeps the rows of every table and the files stored meanwhile; later tests
    get those rows and files back at once instead of loading again (a minute of a test's time
    on a busy machine). Each transactional test's flush leaves the tables as migrating did."""
    kept: dict[str, tuple[frozenset[str], Path]] = {}

    def load(name: str, *loaders) -> None:
        media = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
        if connection.vendor != "postgresql":
            for loader in loaders:
                loader()
            return
        schema = f"test_kept_{name}"
        if name in kept:
            tables, files = kept[name]
            test_rows.put_back_rows(connection, schema, tables)
            shutil.copytree(files, media, dirs_exist_ok=True)
            return
        with transaction.atomic():
            for loader in loaders:
                loader()
        files = tmp_path_factory.mktemp(f"kept-{name}")
        if media.exists():
            shutil.copytree(media, files, dirs_exist_ok=True)
        kept[name] = test_rows.keep_rows(connection, schema), files

    return load


def load_statistics_schema() -> None:
    # The statistics schema is reference data from a migration; its migration function is
    # idempotent.
    import_module("assessments.migrations.0002_statistics_schema_pre2019").create(apps, None)


@pytest.fixture
def demo(transactional_db, load_once):
    """The demo organs, notices, assessments and accounts (password demo_loader.DEMO_PASSWORD)."""
    load_once("demo", load_statistics_schema, demo_loader.load, assessment_demo.load)


def log_in(page, username: str, password: str = demo_loader.DEMO_PASSWORD) -> None:
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("input[type=submit]")
    assert page.url.endswith("/admin/"), f"{username} could not log in: {page.url}"

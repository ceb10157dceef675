"""Assertions on the markup of portal pages, shared by the apps' page tests."""

import re


def assert_only_static_scripts(page: str, name: str) -> None:
    """Scripts only from the site's own static files (site.js), none inline:
    the portal's CSP allows nothing else."""
    scripts = re.findall(r"(<script\b[^>]*>)(.*?)</script>", page, re.IGNORECASE | re.DOTALL)
    assert page.lower().count("<script") == len(scripts), name
    assert all('src="/static/' in tag and not body.strip() for tag, body in scripts), name

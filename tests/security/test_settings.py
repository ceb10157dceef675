"""Production settings pass Django's deployment checklist; sessions and passwords as documented."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from audit import keys

ROOT = Path(__file__).resolve().parents[2]


def run_production(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "DEBUG"))}
    clean.update(
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="portal.example.gov.cn",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="config.settings.base",
        **{name: value for name, value in keys.new_keys().items() if name.startswith("AUDIT_")},
    )
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checklist(tmp_path):
    result = run_production(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_turning_https_off_in_production_is_reported_by_the_checklist(tmp_path):
    result = run_production(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
    )
    assert result.returncode != 0
    assert "security.W008" in result.stderr + result.stdout
    assert "security.W004" in result.stderr + result.stdout


# Each silenced check and a phrase of the reason written next to it in the settings.
SILENCED_REASONS = {
    "ckeditor.W001": "bundled CKEditor 4 is unsupported upstream. Mitigated",
    "security.W021": "HSTS preloading (security.W021)",
}


def test_every_silenced_check_has_a_written_reason():
    source = " ".join((ROOT / "config/settings/base.py").read_text().replace("#", " ").split())
    assert set(settings.SILENCED_SYSTEM_CHECKS) == set(SILENCED_REASONS)
    for reason in SILENCED_REASONS.values():
        assert reason in source


def test_sessions_end_after_eight_hours_and_with_the_browser():
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_session_cookie_is_not_persistent(client, editor):
    client.force_login(editor)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["expires"] and not cookie["max-age"]


def test_passwords_need_twelve_characters(db):
    try:
        validate_password("Kx9#mQ2$vL7")
    except ValidationError as error:
        assert any("12" in message for message in error.messages)
    else:
        raise AssertionError("an 11-character password was accepted")
    validate_password("Kx9#mQ2$vL7!")


def test_common_and_numeric_passwords_are_refused(db):
    for weak in ("password1234", "123456789012"):
        try:
            validate_password(weak)
        except ValidationError:
            continue
        raise AssertionError(f"{weak} was accepted")


def test_the_portal_policy_allows_no_inline_code_and_the_admin_no_other_hosts(client, editor):
    portal = client.get("/robots.txt")["Content-Security-Policy"]
    assert "'unsafe-inline'" not in portal and "'unsafe-eval'" not in portal
    assert "script-src 'self'" in portal and "object-src 'none'" in portal
    client.force_login(editor)
    policy = client.get("/admin/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert "'unsafe-eval'" not in policy
    assert directives["object-src"] == "'none'"
    for name, sources in directives.items():
        hosts = [s for s in sources.split() if not s.startswith("'") and s != "data:"]
        assert not hosts, f"{name} allows {hosts}"

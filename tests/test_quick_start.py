"""`python3 dev.py demo` serves the portal as production does: DEBUG off, its own secret key
kept in var/, gunicorn (Django's server where gunicorn cannot run), Chinese error pages."""

import stat

import pytest
from django.test import Client
from django.urls import reverse

import dev


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in ("SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "SECURE_COOKIES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    return tmp_path


def test_the_demo_makes_a_secret_key_readable_by_its_owner_only_and_reuses_it(clean_env):
    first = dev.demo_env("127.0.0.1:8000")
    path = clean_env / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first["SECRET_KEY"] == path.read_text().strip()
    assert len(first["SECRET_KEY"]) >= 50
    again = dev.demo_env("127.0.0.1:8000")
    assert again["SECRET_KEY"] == first["SECRET_KEY"]


def test_the_demo_runs_the_production_settings_over_plain_http(clean_env):
    env = dev.demo_env("192.0.2.7:8080")
    assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.base"
    assert env["DEBUG"] == "0"
    assert env["ALLOWED_HOSTS"].split(",") == ["192.0.2.7", "127.0.0.1", "localhost"]
    assert env["SECURE_SSL_REDIRECT"] == env["SECURE_COOKIES"] == "0"


def test_a_secret_key_given_in_the_environment_is_used_and_none_is_written(clean_env, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "given-in-the-environment")
    assert dev.demo_env("127.0.0.1:8000")["SECRET_KEY"] == "given-in-the-environment"
    assert not (clean_env / "secret_key").exists()


def test_gunicorn_serves_the_demo_and_django_serves_it_where_gunicorn_cannot(monkeypatch):
    command = dev.server_command("127.0.0.1:8000")
    assert command[0].endswith("gunicorn") and "config.wsgi" in command
    monkeypatch.setattr(dev.os, "name", "nt")
    command = dev.server_command("127.0.0.1:8000")
    assert command[-3:] == ["runserver", "--noreload", "127.0.0.1:8000"]


@pytest.mark.django_db
def test_with_debug_off_a_missing_page_is_chinese_and_lists_no_url_patterns(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page
    assert "URLconf" not in page and "admin/" not in page


@pytest.mark.django_db
def test_a_form_sent_without_its_token_is_refused_in_chinese(settings):
    settings.DEBUG = False
    response = Client(enforce_csrf_checks=True).post(reverse("applications:apply"), {})
    assert response.status_code == 403
    page = response.content.decode()
    assert "请求已失效" in page
    assert "CSRF" not in page


def test_the_demo_runs_the_task_worker_and_the_schedule_beside_the_server():
    commands = [command[2:] for command in dev.background_commands()]
    assert ["db_worker", "--no-reload", "--interval", "1"] in commands
    assert ["run_schedule"] in commands

"""Admin logins: lockout after repeated failures, the optional TOTP second factor."""

import datetime

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from tests import factories

LOGIN = reverse("admin:login")


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    return settings


def attempt(client, username: str, password: str, address: str = "203.0.113.7"):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def failed_logins(username: str) -> int:
    return AuditEvent.objects.filter(
        additional_data__event="login_failed", object_repr=username
    ).count()


def test_five_failures_lock_the_username_at_that_address(client, axes_on, editor):
    for _ in range(4):
        assert attempt(client, editor.username, "wrong-password").status_code == 200
    locked = attempt(client, editor.username, "wrong-password")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "登录已被暂时锁定" in page
    assert "30 分钟" in page
    # Even the right password is refused while locked.
    again = attempt(client, editor.username, factories.PASSWORD)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_failed_and_locked_logins_are_in_the_audit_history(client, axes_on, editor):
    for _ in range(6):
        attempt(client, editor.username, "wrong-password")
    assert failed_logins(editor.username) == 6


def test_lockout_is_per_address(client, axes_on, editor):
    for _ in range(5):
        attempt(client, editor.username, "wrong-password")
    other = attempt(client, editor.username, factories.PASSWORD, address="198.51.100.2")
    assert other.status_code == 302
    assert AuditEvent.objects.filter(additional_data__event="login", object_id=editor.pk).exists()


def test_a_successful_login_resets_the_count(client, axes_on, editor):
    for _ in range(4):
        attempt(client, editor.username, "wrong-password")
    assert attempt(client, editor.username, factories.PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert attempt(client, editor.username, "wrong-password").status_code == 200
    assert attempt(client, editor.username, factories.PASSWORD).status_code == 302


def test_lockout_expires_after_the_cool_off(client, axes_on, editor):
    for _ in range(5):
        attempt(client, editor.username, "wrong-password")
    axes_on.AXES_COOLOFF_TIME = datetime.timedelta(seconds=0)
    assert attempt(client, editor.username, factories.PASSWORD).status_code == 302


PROXY = "10.0.0.2"


def through_proxy(client, username: str, password: str, forwarded: str):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_behind_a_proxy_rotating_the_first_forwarded_entry_does_not_escape_the_lockout(
    client, axes_on, editor
):
    axes_on.TRUSTED_PROXY_COUNT = 1
    # The client writes the first entries; the proxy appends the address it saw.
    for n in range(4):
        forged = f"198.51.100.{n}, 203.0.113.7"
        assert through_proxy(client, editor.username, "wrong-password", forged).status_code == 200
    fifth = through_proxy(client, editor.username, "wrong-password", "192.0.2.5, 203.0.113.7")
    assert fifth.status_code == 429
    right = through_proxy(client, editor.username, factories.PASSWORD, "192.0.2.6, 203.0.113.7")
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    elsewhere = through_proxy(client, editor.username, factories.PASSWORD, "203.0.113.8")
    assert elsewhere.status_code == 302


def test_behind_a_proxy_the_audit_history_records_the_address_the_proxy_saw(
    client, axes_on, editor
):
    axes_on.TRUSTED_PROXY_COUNT = 1
    through_proxy(client, editor.username, "wrong-password", "192.0.2.1, 203.0.113.7")
    assert (
        through_proxy(client, editor.username, factories.PASSWORD, "203.0.113.8").status_code == 302
    )
    failed = AuditEvent.objects.get(additional_data__event="login_failed")
    login = AuditEvent.objects.get(additional_data__event="login", object_id=editor.pk)
    assert (failed.remote_addr, login.remote_addr) == ("203.0.113.7", "203.0.113.8")


def test_behind_two_proxies_the_client_is_two_entries_from_the_right(client, axes_on, editor):
    axes_on.TRUSTED_PROXY_COUNT = 2
    through_proxy(client, editor.username, "wrong-password", "192.0.2.1, 203.0.113.7, 10.0.0.1")
    failed = AuditEvent.objects.get(additional_data__event="login_failed")
    assert failed.remote_addr == "203.0.113.7"


@pytest.mark.parametrize(
    "forwarded",
    ["not-an-address", "203.0.113.7:4711", "<script>", "fe80::1%eth0", "", " , ", "1" * 5000],
)
def test_a_forwarded_value_that_is_not_an_address_counts_as_the_proxy(
    client, axes_on, editor, forwarded
):
    axes_on.TRUSTED_PROXY_COUNT = 1
    response = through_proxy(client, editor.username, "wrong-password", forwarded)
    assert response.status_code == 200
    failed = AuditEvent.objects.get(additional_data__event="login_failed")
    assert failed.remote_addr == PROXY


def test_without_trusted_proxies_the_forwarded_header_is_ignored(client, axes_on, editor):
    through_proxy(client, editor.username, "wrong-password", "203.0.113.7")
    failed = AuditEvent.objects.get(additional_data__event="login_failed")
    assert failed.remote_addr == PROXY


def enrol(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="手机", confirmed=True)


def code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_without_the_otp_setting_staff_log_in_with_a_password(client, editor):
    response = attempt(client, editor.username, factories.PASSWORD)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_with_the_otp_setting_a_password_alone_is_not_enough(client, settings, editor):
    settings.OTP_REQUIRED_FOR_STAFF = True
    enrol(editor)
    page = client.get(LOGIN).content.decode()
    assert 'name="otp_token"' in page
    response = attempt(client, editor.username, factories.PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_with_the_otp_setting_a_valid_code_opens_the_admin(client, settings, editor):
    settings.OTP_REQUIRED_FOR_STAFF = True
    device = enrol(editor)
    response = client.post(
        LOGIN,
        {
            "username": editor.username,
            "password": factories.PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": code(device),
            "next": "/admin/",
        },
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_with_the_otp_setting_an_unverified_session_is_sent_to_login(client, settings, editor):
    client.force_login(editor)
    assert client.get("/admin/").status_code == 200
    settings.OTP_REQUIRED_FOR_STAFF = True
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_site_admin_enrols_a_device_and_the_auditor_cannot_read_its_secret(
    client, site_admin, auditor, editor
):
    device = enrol(editor)
    change = reverse("admin:otp_totp_totpdevice_change", args=[device.pk])
    config = reverse("admin:otp_totp_totpdevice_config", args=[device.pk])
    client.force_login(site_admin)
    assert client.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 200
    assert device.key in client.get(change).content.decode()
    assert client.get(config).status_code == 200
    client.force_login(auditor)
    page = client.get(change)
    assert page.status_code == 200
    assert device.key not in page.content.decode()
    assert client.get(config).status_code == 403
    assert client.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403


def test_the_device_qr_code_is_an_image_for_the_site_admin_and_refused_to_the_auditor(
    client, site_admin, auditor, editor
):
    device = enrol(editor)
    qrcode = reverse("admin:otp_totp_totpdevice_qrcode", args=[device.pk])
    client.force_login(site_admin)
    response = client.get(qrcode)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content
    client.force_login(auditor)
    assert client.get(qrcode).status_code == 403


def test_editors_cannot_see_devices(client, editor):
    device = enrol(editor)
    client.force_login(editor)
    change = reverse("admin:otp_totp_totpdevice_change", args=[device.pk])
    assert client.get(change).status_code in (302, 403)
    config = reverse("admin:otp_totp_totpdevice_config", args=[device.pk])
    assert client.get(config).status_code == 403
    assert client.get(reverse("admin:otp_totp_totpdevice_changelist")).status_code == 403

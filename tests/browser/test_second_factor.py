"""The site admin's page of a second-factor device shows its QR code and otpauth:// address and
fits the window on a desk and on a phone: the address, one long word, wraps."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from notices import roles
from tests import factories
from tests.browser.conftest import PHONE, SCREENSHOTS, log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["1280", "375"])
def test_the_device_page_fits_the_window(new_page, viewport):
    organ = factories.make_organ(name="甘肃省人民政府办公厅")
    site_admin = factories.make_user(roles.SITE_ADMIN, [organ])
    device = TOTPDevice.objects.create(user=site_admin, name="手机", confirmed=True)
    page = new_page(viewport) if viewport else new_page()
    log_in(page, site_admin.username, factories.PASSWORD)
    page.goto(f"/admin/otp_totp/totpdevice/{device.pk}/config/")
    # The QR code is drawn (segno); the address to type in stays below it.
    assert page.evaluate("document.querySelector('.qrcode-image').naturalWidth") > 0
    assert page.locator(".qrcode-address code").inner_text().startswith("otpauth://totp/")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = viewport["width"] if viewport else 1280
    page.screenshot(path=SCREENSHOTS / f"second-factor-device-{width}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0

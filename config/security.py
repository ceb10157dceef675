"""Login hardening for the admin: the client address for lockouts and the optional second factor.

See SECURITY.md. The admin site becomes a StaffOTPAdminSite in config/urls.py; with
OTP_REQUIRED_FOR_STAFF off it behaves exactly like Django's own admin site.
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.sites import AdminSite
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import admin_labels
from core.client import client_address

# Devices belong to users: who may read users may list them, who may change users may enrol.
VIEW_DEVICES = "auth.view_user"
MANAGE_DEVICES = "auth.change_user"


def local_minute(moment) -> str:
    """A time in the site's time zone, as the admin's lists write it; "—" for none."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def client_ip(request) -> str:
    """The address django-axes counts failures for: the same one the audit history records."""
    return client_address(request) or ""


class StaffOTPAdminSite(OTPAdminSite):
    """The admin, which asks staff for a TOTP code only when OTP_REQUIRED_FOR_STAFF is on."""

    @property
    def login_form(self):
        return OTPAdminAuthenticationForm if settings.OTP_REQUIRED_FOR_STAFF else None

    @property
    def login_template(self):
        return "otp/admin111/login.html" if settings.OTP_REQUIRED_FOR_STAFF else None

    def has_permission(self, request):
        if settings.OTP_REQUIRED_FOR_STAFF:
            return super().has_permission(request)
        return AdminSite.has_permission(self, request)

    def get_urls(self):
        from notices import images  # the admin's URLs are built once every app is loaded

        # The rich-text editor uploads a body's images to "../images/" of the notice's change
        # page; on the add page that is the second, which asks for the draft to be saved first.
        upload = self.admin_view(images.upload)
        return [
            path("notices/notice/<int:pk>/images/", upload, name="notice-image-upload"),
            path("notices/notice/images/", upload, name="notice-image-upload"),
            *super().get_urls(),
        ]


class StaffTOTPDeviceAdmin(TOTPDeviceAdmin):
    """TOTP devices under the user permissions; a device's secret only for who may enrol it.
    Labelled in Chinese (core/admin_labels.py): django-otp's own are English only."""

    search_help_text = "按用户的登录名或电子邮件地址查找。"
    list_display = ["owner", "device_name", "created", "last_used", "enabled"]
    list_filter = [
        ("confirmed", admin_labels.titled(admin.BooleanFieldListFilter, "已启用")),
        ("created_at", admin_labels.titled(admin.DateFieldListFilter, "添加时间")),
        ("last_used_at", admin_labels.titled(admin.DateFieldListFilter, "最近使用时间")),
    ]
    readonly_fields = ["created", "last_used", "qrcode_link"]

    @admin.display(description="用户", ordering="user")
    def owner(self, device: TOTPDevice):
        return device.user

    @admin.display(description="设备名称", ordering="name")
    def device_name(self, device: TOTPDevice) -> str:
        return device.name

    @admin.display(description="添加时间", ordering="created_at", empty_value="—")
    def created(self, device: TOTPDevice) -> str:
        return local_minute(device.created_at)

    @admin.display(description="最近使用时间", ordering="last_used_at", empty_value="—")
    def last_used(self, device: TOTPDevice) -> str:
        return local_minute(device.last_used_at)

    @admin.display(description="已启用", boolean=True, ordering="confirmed")
    def enabled(self, device: TOTPDevice) -> bool:
        return device.confirmed

    def get_form(self, request, obj=None, change=False, **kwargs):
        labels = admin_labels.TOTP_FIELDS
        kwargs["labels"] = {name: label for name, (label, _help) in labels.items()}
        kwargs["help_texts"] = {name: help_text for name, (_label, help_text) in labels.items()}
        return super().get_form(request, obj, change, **kwargs)

    @admin.display(description="二维码")
    def qrcode_link(self, device: TOTPDevice) -> str:
        url = reverse("admin:otp_totp_totpdevice_config", kwargs={"pk": device.pk})
        return format_html('<a href="{}">查看二维码</a>', url)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(VIEW_DEVICES)

    def has_add_permission(self, request):
        return request.user.has_perm(MANAGE_DEVICES)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(MANAGE_DEVICES)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm(MANAGE_DEVICES)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def _may_see_secret(self, request, device: TOTPDevice) -> bool:
        return device.user_id == request.user.pk or request.user.has_perm(MANAGE_DEVICES)

    def get_fieldsets(self, request, obj=None):
        shown_as = {"created_at": "created", "last_used_at": "last_used"}
        fieldsets = [
            (
                admin_labels.TOTP_FIELDSETS.get(name, name),
                {**options, "fields": [shown_as.get(f, f) for f in options["fields"]]},
            )
            for name, options in super().get_fieldsets(request, obj)
        ]
        if obj is None or self._may_see_secret(request, obj):
            return fieldsets
        hidden = {"key", "qrcode_link"}
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in hidden]})
            for name, options in fieldsets
        ]

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        if request.user.has_perm(MANAGE_DEVICES):
            return shown
        return [name for name in shown if name != "qrcode_link"]

    def config_view(self, request, pk):
        self._require_secret(request, pk)
        return super().config_view(request, pk)

    def qrcode_view(self, request, pk):
        self._require_secret(request, pk)
        return super().qrcode_view(request, pk)

    def _require_secret(self, request, pk) -> None:
        if not self._may_see_secret(request, get_object_or_404(TOTPDevice, pk=pk)):
            raise PermissionDenied


def harden_admin(site: admin.AdminSite) -> None:
    """Give the admin site the optional second factor and the device admin above."""
    site.__class__ = StaffOTPAdminSite
    admin_labels.apply()
    if site.is_registered(TOTPDevice):
        site.unregister(TOTPDevice)
    site.register(TOTPDevice, StaffTOTPDeviceAdmin)

"""Chinese labels for what the admin shows of third-party apps whose strings are not translatable
(django-otp's TOTP devices, the task queue's results) and for the permissions Django names in
English when it creates them ("Can add …").

Only names change: apps' and models' verbose names (not part of any migration's state). A TOTP
device's fields keep their own verbose names, which its migrations record; the device admin
labels them (config/security.py, TOTP_FIELDS).
"""

from django.apps import apps as global_apps
from django.conf import settings
from django.utils import translation

APP_NAMES = {
    "otp_totp": "双重认证",
    "django_tasks_database": "后台任务",
    "axes": "登录锁定",
}
MODEL_NAMES = {
    ("otp_totp", "totpdevice"): ("动态口令设备", "动态口令设备"),
    ("django_tasks_database", "dbtaskresult"): ("任务结果", "任务结果"),
    ("axes", "accessattempt"): ("登录失败计数", "登录失败计数"),
    ("axes", "accessattemptexpiration"): ("登录锁定期限", "登录锁定期限"),
    ("axes", "accessfailurelog"): ("登录失败日志", "登录失败日志"),
    ("axes", "accesslog"): ("登录日志", "登录日志"),
}
# Field → (label, help text) of a TOTP device (django_otp.models.Device and its mixins).
TOTP_FIELDS = {
    "user": ("用户", "该设备所属的用户。"),
    "name": ("设备名称", "便于辨认的名称，例如“办公手机”。"),
    "confirmed": ("已启用", "设备是否已可用于登录验证。"),
    "created_at": ("添加时间", "设备加入系统的时间。"),
    "last_used_at": ("最近使用时间", "最近一次用该设备验证的时间。"),
    "key": ("密钥", "十六进制表示的共享密钥，最长 40 字节；只给设备的主人看。"),
    "step": ("时间步长（秒）", "每个动态口令的有效时长。"),
    "t0": ("起始时间", "开始计算时间步的 Unix 时间戳，通常为 0。"),
    "digits": ("口令位数", "每个动态口令的位数。"),
    "tolerance": ("允许误差（步）", "验证时允许前后相差的时间步数。"),
    "drift": ("时钟偏差（步）", "设备时钟与服务器时钟相差的时间步数。"),
    "last_t": ("最近验证的时间步", "下一个口令必须属于更晚的时间步，以防重放。"),
    "throttling_failure_timestamp": ("最近失败时间", "最近一次验证失败的时间。"),
    "throttling_failure_count": ("连续失败次数", "连续验证失败的次数。"),
}
TOTP_FIELDSETS = {
    "Identity": "设备",
    "Timestamps": "时间",
    "Configuration": "参数",
    "State": "状态",
    "Throttling": "失败限制",
}
PERMISSION_VERBS = {"add": "新增", "change": "修改", "delete": "删除", "view": "查看"}


def apply() -> None:
    """Give the third-party models and apps their Chinese names (once models are loaded)."""
    for label, name in APP_NAMES.items():
        try:
            global_apps.get_app_config(label).verbose_name = name
        except LookupError:
            continue
    for (app_label, model_name), (singular, plural) in MODEL_NAMES.items():
        try:
            model = global_apps.get_model(app_label, model_name)
        except LookupError:
            continue
        model._meta.verbose_name, model._meta.verbose_name_plural = singular, plural


def titled(filter_class, title: str):
    """An admin list filter of ``filter_class`` shown under ``title`` instead of the field's
    verbose name."""

    class Titled(filter_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return Titled


def permission_name(codename: str, model_verbose_name: str) -> str | None:
    """The Chinese name of one of Django's default permissions, None for any other."""
    verb, _, _rest = codename.partition("_")
    if verb not in PERMISSION_VERBS:
        return None
    return f"可以{PERMISSION_VERBS[verb]}{model_verbose_name}"


def name_permissions() -> None:
    """Rename the default permissions ("Can add notice") after the models' Chinese names."""
    apply()
    permission_model = global_apps.get_model("auth", "Permission")
    renamed = []
    for permission in permission_model.objects.select_related("content_type"):
        content_type = permission.content_type
        verb = permission.codename.partition("_")[0]
        if permission.codename != f"{verb}_{content_type.model}":
            continue  # a permission of the project's own, named by it
        try:
            model = global_apps.get_registered_model(content_type.app_label, content_type.model)
        except LookupError:
            continue
        with translation.override(settings.LANGUAGE_CODE):  # commands run untranslated
            name = permission_name(permission.codename, str(model._meta.verbose_name))
        if name and permission.name != name:
            permission.name = name
            renamed.append(permission)
    permission_model.objects.bulk_update(renamed, ["name"])


def name_permissions_after_migrate(sender, **kwargs) -> None:
    """After migrate (and test flushes) once the last app's permissions exist."""
    if sender.name == list(global_apps.get_app_configs())[-1].name:
        name_permissions()

from django.apps import AppConfig


class ImporterConfig(AppConfig):
    name = "importer"
    verbose_name = "旧稿导入"
    default_auto_field = "django.db.models.BigAutoField"

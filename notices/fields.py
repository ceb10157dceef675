from django.db import models
from django.utils.module_loading import import_string

from notices.sanitize import sanitize_html


class SanitizedHTMLField(models.TextField):
    """Rich text that is sanitized on every save, whichever path the save comes from."""

    def pre_save(self, model_instance, add):
        value = sanitize_html(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def formfield(self, **kwargs):
        from django.conf import settings

        # The rich-text editor replaces whatever plain textarea a caller (such as the admin)
        # proposes; which editor is one setting.
        widget_path = getattr(settings, "RICH_TEXT_WIDGET", "ckeditor.widgets.CKEditorWidget")
        kwargs["widget"] = import_string(widget_path)
        return super().formfield(**kwargs)

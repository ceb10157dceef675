from django.db import models
from django.utils.module_loading import import_string

from notices.sanitize import sanitize_html, seal_if_sanitized


class SanitizedHTMLField(models.TextField):
    """Rich text that is sanitized on every save, whichever path the save comes from."""

    # Read by whatever shows stored values to people (audit/readable.py: as paragraphs).
    holds_html = True

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


class HTMLSealField(models.CharField):
    """The seal (notices.sanitize.seal) of a SanitizedHTMLField declared before it on the model,
    made on every save once that field's pre_save has sanitized the HTML, so that pages need not
    sanitize it again. A save that does not write the HTML (update_fields without it) does not
    write the seal either; one that writes only the HTML leaves a seal that no longer matches,
    and the page sanitizes."""

    def __init__(self, *args, of: str, **kwargs):
        self.of = of
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["of"] = self.of
        for option, default in (("max_length", 64), ("blank", True), ("editable", False)):
            if kwargs.get(option) == default:
                del kwargs[option]
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        # Checked again rather than trusted: a save may write the seal without the HTML.
        value = seal_if_sanitized(getattr(model_instance, self.of))
        setattr(model_instance, self.attname, value)
        return value

"""What the admin pages of notices and of other apps share: choices scoped to the user's
organs, and the answer to a form sent twice."""

from django.contrib import messages
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse

NOTICE_OUT_OF_SCOPE = "所选文件不存在或无权引用。"


class ScopedRawIdWidget(ForeignKeyRawIdWidget):
    """A raw-id box that names the row it holds only if the row is among ``queryset``: Django's
    looks the id up among all rows, so a form sent back with an error would show the title of
    whatever id was typed into it."""

    def __init__(self, rel, admin_site, queryset, attrs=None, using=None):
        super().__init__(rel, admin_site, attrs, using)
        self.queryset = queryset

    def label_and_url_for_value(self, value):
        key = self.rel.get_related_field().name
        try:
            in_scope = self.queryset.filter(**{key: value}).exists()
        except (ValueError, ValidationError):
            in_scope = False
        return super().label_and_url_for_value(value) if in_scope else ("", "")


class ScopedChoicesMixin:
    """For model admins and inlines: the foreign keys named by ``scoped_choices`` offer, accept
    and name only the rows the user may see, and any other id is refused with a message that
    does not tell whether the row exists."""

    def scoped_choices(self, request) -> dict:
        """Field name → (the rows the user may choose, the message for any other id)."""
        return {}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scoped = self.scoped_choices(request).get(db_field.name)
        if scoped is None:
            return super().formfield_for_foreignkey(db_field, request, **kwargs)
        queryset, message = scoped
        kwargs["queryset"] = queryset
        if db_field.name in self.raw_id_fields:
            kwargs["widget"] = ScopedRawIdWidget(
                db_field.remote_field, self.admin_site, queryset, using=kwargs.get("using")
            )
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        formfield.error_messages["invalid_choice"] = message
        return formfield


def already_submitted(model_admin, request, created) -> HttpResponseRedirect:
    """The answer to an add form sent again: what its first sending created, not a copy."""
    opts = model_admin.opts
    if created is None:
        model_admin.message_user(request, "该表单已经提交过，没有重复创建。", messages.WARNING)
        return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    model_admin.message_user(
        request, "该表单已经提交过，没有重复创建；以下是第一次提交时创建的内容。", messages.WARNING
    )
    opts = created._meta
    return HttpResponseRedirect(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[created.pk])
    )

"""What the notice form does so that nothing typed or chosen is lost when it fails validation:
attachments kept between sendings (notices.staging), and the summary of errors linking to each
field in error. Used by notices/admin/."""

from dataclasses import dataclass

from django.contrib.admin.widgets import AdminFileWidget
from django.template.loader import render_to_string
from django.utils.html import format_html

from notices import staging


class StagedFileInput(AdminFileWidget):
    """A file input that also shows the file kept from the last sending, with its token in a
    hidden field and a box to remove it. Their names extend the input's, so that the admin's
    inline script renumbers them with the row."""

    staged_template_name = "admin/notices/notice/includes/staged_file_input.html"
    staged = None

    def render(self, name, value, attrs=None, renderer=None):
        field = super().render(name, value, attrs, renderer)
        if self.staged is None:
            return field
        # Through the site's template engine (the form renderer sees only apps' templates).
        kept = render_to_string(
            self.staged_template_name,
            {
                "staged": self.staged,
                "id": (attrs or {}).get("id", name),
                "staged_name": name + staging.STAGED_SUFFIX,
                "remove_name": name + staging.REMOVE_SUFFIX,
            },
        )
        return format_html("{}{}", field, kept)


@dataclass
class Kept:
    """The staged files of one sending: by the file input's name, and those the save uses."""

    by_name: dict
    used: list


def staged_data(request, prefix: str, kept: Kept):
    """The POST data and files of an attachment formset, with each staged file named by the
    form put in place of an upload, and rows whose staged file was removed marked deleted."""
    data, files = request.POST.copy(), request.FILES.copy()
    for key, token in request.POST.items():
        if not (key.startswith(prefix + "-") and key.endswith(staging.STAGED_SUFFIX)):
            continue
        name = key.removesuffix(staging.STAGED_SUFFIX)
        found = staging.find(token, request.user)
        if found is None or name in files:
            continue
        if request.POST.get(name + staging.REMOVE_SUFFIX):
            row = name.removesuffix("-file")
            if not request.POST.get(row + "-id"):
                data[row + "-DELETE"] = "on"
            kept.used.append(found)
            continue
        files[name] = staging.as_upload(found)
        kept.by_name[name] = found
        kept.used.append(found)
    return data, files


def stage_failed(request, formsets, kept: Kept) -> list:
    """After a failed sending: keep every attachment that passed its checks, show it in its
    row, and return (row's anchor, staged file) for the list above the form."""
    shown = []
    for formset in formsets:
        for form in formset.forms:
            name = form.add_prefix("file")
            upload = formset.files.get(name)
            if upload is None or form.errors.get("file") or _deleted(form):
                continue
            staged = kept.by_name.get(name)
            if staged is None:
                staged = staging.stage(upload, request.user)
            else:
                kept.used.remove(staged)  # still needed: not to be removed yet
            form.fields["file"].widget.staged = staged
            shown.append((form.auto_id % name if form.auto_id else name, staged))
    return shown


def _deleted(form) -> bool:
    return bool(form.data.get(form.add_prefix("DELETE")))


@dataclass(frozen=True)
class ErrorLink:
    anchor: str
    label: str
    message: str


def error_links(form, formsets) -> list[ErrorLink]:
    """Every field in error, of the form and of its inline rows, as links for the summary."""
    # What is wrong with the notice as a whole (another editor saved it meanwhile) comes first,
    # with nothing to link to.
    links = [ErrorLink("", "", message) for message in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name in form.fields:
            field = form[name]
            links.append(ErrorLink(field.id_for_label or field.auto_id, field.label, errors[0]))
    for formset in formsets:
        title = formset.model._meta.verbose_name
        for number, row in enumerate(formset.forms, start=1):
            for name, errors in row.errors.items():
                if name in row.fields:
                    field = row[name]
                    label = f"{title} {number}：{field.label}"
                    links.append(ErrorLink(field.id_for_label or field.auto_id, label, errors[0]))
                else:
                    links.append(ErrorLink("", f"{title} {number}", errors[0]))
        for message in formset.non_form_errors():
            links.append(ErrorLink("", str(title), message))
    return links

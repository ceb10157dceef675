"""登记来信或当面申请: a handler enters an application that came by post or in person; it is
submitted and registered in one transaction, with the date of receipt under §31."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils import timezone

from applications import services
from applications.models import Application
from applications.roles import HANDLE_PERMISSION
from notices import access
from notices.models import Organ

APPLICANT_FIELDS = [
    "organ",
    "channel",
    "applicant_type",
    "organization_kind",
    "applicant_name",
    "id_type",
    "id_number",
    "contact_person",
    "phone",
    "email",
    "postal_address",
    "postcode",
    "description",
    "delivery",
    "medium",
]


class EntryForm(forms.ModelForm):
    received_on = forms.DateField(
        label="收到申请日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
        help_text="当面提交为提交之日，邮寄为签收之日。",
    )

    class Meta:
        model = Application
        fields = APPLICANT_FIELDS

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organ"].queryset = access.scope_to_user(
            Organ.objects.all(), user, organ_field="pk"
        )
        self.fields["channel"].choices = [
            (value, label)
            for value, label in Application.Channel.choices
            if value != Application.Channel.ONLINE
        ]


def may_enter(user) -> bool:
    return services.is_staff(user) and user.has_perm(HANDLE_PERMISSION)


def entry_view(model_admin, request):
    if not may_enter(request.user):
        raise PermissionDenied
    form = EntryForm(request.POST or None, user=request.user)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": "登记来信或当面申请",
        "form": form,
    }
    if request.method == "POST" and form.is_valid():
        data = {key: value for key, value in form.cleaned_data.items() if key != "received_on"}
        organ = data.pop("organ")
        try:
            with transaction.atomic():
                application, code = services.submit(organ, actor=request.user, **data)
                application = services.register(
                    application, request.user, received_on=form.cleaned_data["received_on"]
                )
        except services.ApplicationError as error:
            form.add_error(None, str(error))
        except PermissionDenied as error:
            form.add_error("organ", str(error))
        else:
            context.update({"application": application, "code": code, "title": "申请已登记"})
            return TemplateResponse(request, "admin/applications/application/entered.html", context)
    return TemplateResponse(request, "admin/applications/application/enter.html", context)

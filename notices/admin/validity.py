"""The admin of validity changes: an editor proposes one (from the notice's page, 申请变更有效性),
a reviewer of the organ who did not propose it approves or rejects it on its page. Every step
is notices/validity.py's; the admin offers what it allows and shows its refusals."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse

from notices import access, workflow
from notices import validity as service
from notices.admin.common import NOTICE_OUT_OF_SCOPE, ScopedChoicesMixin
from notices.models import Notice, ValidityChange
from notices.workflow import WorkflowError


class ValidityChangeForm(forms.ModelForm):
    class Meta:
        model = ValidityChange
        fields = ["notice", "validity", "effective_on", "by_notice", "by_document", "reason"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.created = None

    def clean(self):
        """Propose the change here, inside the admin's transaction, so that the service's
        refusal is shown on the form; save_model then only takes the row it created."""
        cleaned = super().clean()
        if self.errors or self.instance.pk is not None:
            return cleaned
        try:
            self.created = service.propose(
                cleaned["notice"],
                self.user,
                validity=cleaned["validity"],
                effective_on=cleaned["effective_on"],
                by_notice=cleaned.get("by_notice"),
                by_document=cleaned.get("by_document", ""),
                reason=cleaned.get("reason", ""),
            )
        except (WorkflowError, PermissionDenied) as error:
            raise forms.ValidationError(str(error)) from error
        return cleaned


@admin.register(ValidityChange)
class ValidityChangeAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    form = ValidityChangeForm
    change_form_template = "admin/notices/validitychange/change_form.html"
    list_display = ["notice", "validity", "effective_on", "status", "proposed_by", "decided_by"]
    list_filter = ["status", "validity"]
    list_select_related = ["notice", "proposed_by", "decided_by"]
    search_fields = ["notice__title", "=notice__document_number"]
    raw_id_fields = ["notice", "by_notice"]
    readonly_fields = ["status", "proposed_by", "proposed_at", "decided_by", "decided_at"]

    def scoped_choices(self, request) -> dict:
        own = access.scope_to_user(Notice.objects.published(), request.user)
        return {
            "notice": (own, NOTICE_OUT_OF_SCOPE),
            "by_notice": (Notice.objects.published(), NOTICE_OUT_OF_SCOPE),
        }

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return access.scope_to_user(queryset, request.user, organ_field="notice__organ")

    def get_fields(self, request, obj=None):
        fields = ["notice", "validity", "effective_on", "by_notice", "by_document", "reason"]
        if obj is None:
            return fields
        return [*fields, *self.readonly_fields, "decision_comment"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return self.get_fields(request, obj)

    def has_add_permission(self, request):
        user = request.user
        return user.is_active and user.is_staff and user.has_perm("notices.add_notice")

    def has_change_permission(self, request, obj=None):
        return False  # decided on its page (decide), never edited

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class UserForm(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)

        return UserForm

    def save_model(self, request, obj, form, change):
        obj.pk = form.created.pk
        obj.status = form.created.status

    def change_view(self, request, object_id, form_url="", extra_context=None):
        change = (
            self.get_queryset(request).filter(pk=object_id).first() if object_id.isdigit() else None
        )
        if change is None:
            raise Http404("没有找到这项有效性变更。")
        if request.method == "POST":
            # Only the organ's reviewers decide; their own proposals are refused with a message.
            if not workflow.can_review(request.user, change.notice):
                raise PermissionDenied("无权决定这项有效性变更。")
            return self.decide(request, change)
        extra = dict(extra_context or {})
        extra["can_decide"] = service.can_decide(request.user, change)
        extra["own_proposal"] = change.proposed_by_id == request.user.pk
        return super().change_view(request, object_id, form_url, extra)

    def decide(self, request, change: ValidityChange):
        here = reverse("admin:notices_validitychange_change", args=[change.pk])
        comment = request.POST.get("decision_comment", "")
        try:
            if "_approve" in request.POST:
                service.approve(change, request.user, comment)
                self.message_user(
                    request, "已批准，文件的公开页面已显示新的有效性。", messages.SUCCESS
                )
            elif "_reject" in request.POST:
                service.reject(change, request.user, comment)
                self.message_user(request, "已驳回这项有效性变更。", messages.SUCCESS)
        except (WorkflowError, PermissionDenied) as error:
            self.message_user(request, str(error), messages.ERROR)
        return HttpResponseRedirect(here)

"""The admin of genres, organs, topics, versions, workflow events and staff accounts."""

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse

from core.pagination import CappedCountPaginator
from notices import access, users, workflow
from notices import versions as versions_module
from notices.admin.common import NOTICE_OUT_OF_SCOPE, ScopedChoicesMixin
from notices.models import (
    Genre,
    Notice,
    NoticeVersion,
    Organ,
    Topic,
    WorkflowEvent,
)


@admin.register(Genre)
class GenreAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "position", "active"]
    list_editable = ["position", "active"]
    search_fields = ["name", "code"]

    def get_readonly_fields(self, request, obj=None):
        # Notices, filter links and the search index refer to a genre by its code.
        return ["code"] if obj is not None else []


@admin.register(Organ)
class OrganAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "code", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "code"]
    filter_horizontal = ["members"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["__str__", "position"]
    search_fields = ["name"]


@admin.register(NoticeVersion)
class NoticeVersionAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    list_display = ["notice", "number", "change_note", "edited_by", "approved_by", "created_at"]
    list_select_related = ["notice", "edited_by", "approved_by"]
    raw_id_fields = ["notice"]
    fields = [
        "notice",
        "number",
        "change_note",
        "edited_by",
        "approved_by",
        "created_at",
        "recorded",
    ]
    readonly_fields = ["recorded"]

    @admin.display(description="内容")
    def recorded(self, version: NoticeVersion) -> str:
        """The recorded content as a reader reads it, not its JSON."""
        rows = versions_module.content_rows(version.content)
        return render_to_string("admin/notices/noticeversion/includes/content.html", {"rows": rows})

    def get_queryset(self, request):
        return access.scope_to_user(super().get_queryset(request), request.user, "notice__organ")

    def scoped_choices(self, request) -> dict:
        notices = access.scope_to_user(Notice.objects.all(), request.user)
        return {"notice": (notices, NOTICE_OUT_OF_SCOPE)}

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Only ever deleted along with a draft that may itself be deleted.
        return obj is not None and workflow.can_delete(request.user, obj.notice)


@admin.register(WorkflowEvent)
class WorkflowEventAdmin(NoticeVersionAdmin):
    fields = None
    readonly_fields = ()
    list_display = ["created_at", "action", "notice", "actor", "comment"]
    list_filter = ["action"]
    list_select_related = ["notice", "actor"]
    show_full_result_count = False
    paginator = CappedCountPaginator


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class StaffUserAdmin(UserAdmin):
    """Django's user admin, except that whoever acted is deactivated instead of deleted
    (notices.users)."""

    actions = ["deactivate_users"]

    @admin.action(description="停用所选用户（不能登录，保留其记录）", permissions=["change"])
    def deactivate_users(self, request, queryset):
        others = queryset.exclude(pk=request.user.pk)
        if others.count() < queryset.count():
            self.message_user(request, "不能停用自己的账号。", messages.ERROR)
        done = sum(users.deactivate(user) for user in others)
        self.message_user(request, f"已停用 {done} 个用户；其记录保持不变。", messages.SUCCESS)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _func, name, description = actions["delete_selected"]
            actions["delete_selected"] = (self.delete_selected_users, name, description)
        return actions

    @staticmethod
    def delete_selected_users(model_admin, request, queryset):
        refusals = [users.deletion_refusal(user) for user in queryset]
        refusals = [refusal for refusal in refusals if refusal]
        if refusals:
            for refusal in refusals:
                model_admin.message_user(request, refusal, messages.ERROR)
            return None
        return delete_selected(model_admin, request, queryset)

    def delete_view(self, request, object_id, extra_context=None):
        user = self.get_object(request, unquote(object_id))
        if user is not None and self.has_delete_permission(request, user):
            refusal = users.deletion_refusal(user)
            if refusal:
                self.message_user(request, refusal, messages.ERROR)
                return HttpResponseRedirect(reverse("admin:auth_user_change", args=[user.pk]))
        return super().delete_view(request, object_id, extra_context)

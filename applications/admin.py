"""The handlers' queue and an application's page. Rows are never edited here: every change
is a button that calls a function of applications/services.py (applications/admin_actions.py).
Scoped like notices (notices/access.py): a handler sees only their organs' applications."""

import copy
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone

from applications import (
    admin_actions,
    admin_documents,  # noqa: F401  (registers the guide, templates and documents sent)
    admin_entry,
    clock,
    repeats,
    services,
)
from applications.models import Application, CalendarDay, State
from audit.signals import record_access
from notices import access
from notices.models import Organ

PERSONAL_FIELDS = (
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
)


class DueFilter(admin.SimpleListFilter):
    title = "答复期限"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("overdue", "已逾期"), ("soon", "3日内到期"), ("correction_lapsed", "补正期限已过")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.overdue(today)
        if self.value() == "soon":
            limit = clock.due_soon_limit(clock.working_calendar(), today)
            return queryset.due_by(limit, today)
        if self.value() == "correction_lapsed":
            return queryset.correction_lapsed(today)
        return queryset


class OrganFilter(admin.SimpleListFilter):
    title = "受理机关"
    parameter_name = "organ"

    def lookups(self, request, model_admin):
        organs = access.scope_to_user(Organ.objects.all(), request.user, organ_field="pk")
        return [(str(organ.pk), organ.name) for organ in organs]

    def queryset(self, request, queryset):
        if self.value():
            try:
                return queryset.filter(organ_id=int(self.value()))
            except ValueError:
                return queryset.none()
        return queryset


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    change_form_template = "admin/applications/application/change_form.html"
    change_list_template = "admin/applications/application/change_list.html"
    list_filter = [DueFilter, "state", OrganFilter, "channel", "is_example"]
    search_fields = ["=number"]
    list_select_related = ["organ"]
    list_per_page = 50
    show_full_result_count = False  # one COUNT per page, not two, over a large queue
    ordering = ["due_on", "-submitted_at", "-pk"]
    date_hierarchy = None

    def get_queryset(self, request):
        return access.scope_to_user(super().get_queryset(request), request.user)

    def get_list_display(self, request):
        calendar = clock.working_calendar()
        today = timezone.localdate()

        @admin.display(description="剩余工作日")
        def days_left(application):
            left = clock.days_left(application, calendar, today)
            if left is None:
                return "—"
            return f"已逾期{-left}日" if left < 0 else f"{left}日"

        @admin.display(description="多次申请")
        def repeated(application):
            found = getattr(request, "similar_on_page", {}).get(application.pk, [])
            return f"同类申请{len(found)}件" if found else ""

        return [
            "number",
            "organ",
            "state",
            "received_on",
            "due_on",
            days_left,
            repeated,
            "example",
        ]

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # §44: mark the rows of this page whose information others asked for too. A page that
        # spans many organs (an auditor's or site admin's whole queue) is left unmarked: the
        # comparison reads every recent application of each organ on the page.
        rows = list(changelist.result_list)
        if len({row.organ_id for row in rows}) <= repeats.MAX_ORGANS_PER_PAGE:
            request.similar_on_page = repeats.similar_groups(rows)
        return changelist

    @admin.display(description="示例", boolean=True)
    def example(self, application):
        return application.is_example

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (
                "申请",
                {"fields": ["number", "organ", "state", "channel", "submitted_at", "is_example"]},
            ),
            ("所需信息", {"fields": ["description", "delivery", "medium"]}),
            (
                "期限",
                {"fields": ["received_on", "clock_started_on", "excluded_days", "due_on"]},
            ),
            (
                "答复",
                {
                    "fields": [
                        "outcome",
                        "legal_basis",
                        "withheld",
                        "answer_summary",
                        "answered_on",
                        "archived_on",
                    ]
                },
            ),
        ]
        if obj is not None and services.can_view(request.user, obj):
            fieldsets.insert(1, ("申请人", {"fields": list(PERSONAL_FIELDS)}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Application._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        if obj is not None:
            return services.can_view(request.user, obj)
        return super().has_view_permission(request)

    def get_urls(self):
        return [
            path(
                "enter/",
                self.admin_site.admin_view(self.entry_view),
                name="applications_application_enter",
            ),
            path(
                "<int:pk>/step/<str:step>/",
                self.admin_site.admin_view(self.step_view),
                name="applications_application_step",
            ),
            path(
                "<int:pk>/attachment/<int:attachment_pk>/",
                self.admin_site.admin_view(self.attachment_view),
                name="applications_application_attachment",
            ),
            *super().get_urls(),
        ]

    def entry_view(self, request):
        return admin_entry.entry_view(self, request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_enter": admin_entry.may_enter(request.user)}
        return super().changelist_view(request, extra_context)

    def attachment_view(self, request, pk: int, attachment_pk: int):
        """A file the applicant sent, for those who may read the applicant's data; each
        download is recorded in the audit history. Deleted after the retention period."""
        application = get_object_or_404(self.get_queryset(request), pk=pk)
        if not services.can_view(request.user, application):
            raise PermissionDenied
        attachment = get_object_or_404(
            application.attachments.filter(deleted_at__isnull=True), pk=attachment_pk
        )
        try:
            handle = attachment.file.open("rb")
        except (FileNotFoundError, OSError, ValueError) as error:
            raise Http404("文件不存在。") from error
        record_access(
            "application_attachment",
            request.user,
            request,
            application=application.number,
            attachment=attachment.pk,
        )
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=attachment.original_name,
            content_type="application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["Cache-Control"] = "private, no-store"
        return response

    def step_view(self, request, pk: int, step: str):
        application = get_object_or_404(self.get_queryset(request), pk=pk)
        change_url = reverse("admin:applications_application_change", args=[pk])
        found = admin_actions.BY_NAME.get(step)
        if request.method != "POST" or found is None:
            return HttpResponseRedirect(change_url)
        if found not in admin_actions.available(request.user, application):
            self.message_user(request, "您不能对这件申请执行此操作。", messages.ERROR)
            return HttpResponseRedirect(change_url)
        form = admin_actions.make_form(found, application, request.POST)
        if form.is_valid():
            try:
                form.perform(application, request.user)
            except (services.ApplicationError, PermissionDenied) as error:
                form.add_error(None, str(error) or "您无权执行此操作。")
            else:
                self.message_user(request, f"已完成：{found.label}。", messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        self.message_user(request, f"未能{found.label}，请检查填写的内容。", messages.ERROR)
        # The page again, as read, with the form as typed and its errors.
        page_request = copy.copy(request)
        page_request.method = "GET"
        return self.changeform_view(
            page_request, str(pk), extra_context={"failed_form": (step, form)}
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            calendar = clock.working_calendar()
            failed = context.get("failed_form")
            steps = []
            for step in admin_actions.available(request.user, obj):
                if failed and failed[0] == step.name:
                    steps.append((step, failed[1]))
                else:
                    steps.append((step, admin_actions.make_form(step, obj)))
            similar = repeats.similar_groups([obj])[obj.pk]
            context.update(
                {
                    "steps": steps,
                    "events": obj.events.select_related("actor").prefetch_related("documents"),
                    "days_left": clock.days_left(obj, calendar),
                    "overdue": obj.is_overdue(),
                    "overdue_days": -(clock.days_left(obj, calendar) or 0),
                    "correction": getattr(obj, "correction", None),
                    "correction_deadline": (
                        clock.correction_deadline(obj, calendar) if obj.clock_started_on else None
                    ),
                    "consultations": obj.consultations.all(),
                    "attachments": obj.attachments.all(),
                    "extension": getattr(obj, "extension", None),
                    "reviews": obj.reviews.all(),
                    "lawsuits": obj.lawsuits.select_related("review"),
                    "calendar_missing": obj.due_on is not None and not calendar.covers(obj.due_on),
                    "similar": similar,
                    "draft_notice_url": self.draft_notice_url(request, obj) if similar else "",
                    "open_states": obj.state not in (State.ANSWERED, State.ARCHIVED),
                }
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def draft_notice_url(self, request, application) -> str:
        """§44: a link to start a 主动公开 draft from what was asked (the editor writes it)."""
        if not request.user.has_perm("notices.add_notice"):
            return ""
        query = urlencode({"organ": application.organ_id, "title": application.description[:100]})
        return f"{reverse('admin:notices_notice_add')}?{query}"


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Site admins add each year's arrangement when the State Council publishes it."""

    list_display = ["day", "kind", "name"]
    list_filter = ["kind", ("day", admin.DateFieldListFilter)]
    search_fields = ["name"]
    date_hierarchy = "day"

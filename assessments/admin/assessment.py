"""The assessment, with its grade bands, groups, units, findings and requirements inline, and
the views of its workflow, its score grid and the score-table import and export."""

from decimal import Decimal

from django.conf import settings
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import content_disposition_header

from assessments import score_io, workflow
from assessments.admin.common import AssessmentOrganFilter, PreparingOnlyInline
from assessments.admin.scores import (
    ScoreGrid,
    ScoreImportForm,
    StalePreview,
    change_rows,
    import_payload,
    plain_or_none,
    read_import_payload,
)
from assessments.models import AssessedUnit, Assessment, Finding, GradeBand, Requirement, UnitGroup
from notices import access
from notices.admin import NOTICE_OUT_OF_SCOPE, ScopedChoicesMixin
from notices.models import Notice, Organ
from notices.workflow import WorkflowError

MAX_LISTED_ERRORS = 100


class GradeBandInline(PreparingOnlyInline, admin.TabularInline):
    model = GradeBand
    extra = 0
    fields = ["name", "min_total"]


class UnitGroupInline(PreparingOnlyInline, admin.TabularInline):
    model = UnitGroup
    extra = 0
    fields = ["position", "name"]


class AssessedUnitInline(PreparingOnlyInline, admin.TabularInline):
    model = AssessedUnit
    extra = 0
    fields = ["group", "position", "organ"]
    autocomplete_fields = ["organ"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organ")


class FindingInline(PreparingOnlyInline, admin.StackedInline):
    model = Finding
    extra = 0
    fields = [("kind", "position"), "title", "text", "units", "named_units"]
    filter_horizontal = ["units"]


class RequirementInline(PreparingOnlyInline, admin.StackedInline):
    model = Requirement
    extra = 0
    fields = [("position", "deadline"), "title", "text", "units", "named_units", "problems"]
    filter_horizontal = ["units", "problems"]


@admin.register(Assessment)
class AssessmentAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    change_form_template = "admin/assessments/assessment/change_form.html"
    inlines = [
        GradeBandInline,
        UnitGroupInline,
        AssessedUnitInline,
        FindingInline,
        RequirementInline,
    ]
    list_display = ["__str__", "organ", "status", "is_example", "published_at", "updated_at"]
    list_filter = ["status", AssessmentOrganFilter, "year"]
    list_select_related = ["organ"]
    search_fields = ["title"]
    raw_id_fields = ["notice"]
    fields = ["organ", "year", "title", "notice", "basis", "summary", "is_example"]

    def view_on_site(self, assessment: Assessment) -> str | None:
        return assessment.get_absolute_url() if assessment.is_published else None

    def get_queryset(self, request):
        return access.scope_to_user(super().get_queryset(request), request.user)

    def get_inlines(self, request, obj):
        # A new assessment gets the usual grade bands when saved; its rows are added after.
        return self.inlines if obj is not None else []

    def scoped_choices(self, request) -> dict:
        notices = access.scope_to_user(Notice.objects.originals(), request.user)
        return {"notice": (notices, NOTICE_OUT_OF_SCOPE)}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organ":
            kwargs["queryset"] = access.scope_to_user(
                Organ.objects.all(), request.user, organ_field="pk"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or access.can_access_organ(request.user, obj.organ_id))

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request)
        return workflow.can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or workflow.can_edit(request.user, obj))

    def save_model(self, request, obj, form, change):
        if change:
            workflow.save_assessment(obj, request.user)
            return
        fields = {name: getattr(obj, name) for name in form.cleaned_data}
        created = workflow.create_assessment(request.user, **fields)
        obj.pk = created.pk
        obj.refresh_from_db()

    def get_deleted_objects(self, objs, request):
        """Whoever may delete a prepared assessment may delete all of it: its scores and rows
        are read-only elsewhere in the admin, so only the assessments themselves are checked."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        own = str(self.opts.verbose_name)
        return deleted, counts, {name for name in perms_needed if str(name) == own}, protected

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        views = [
            ("<int:pk>/workflow/", self.workflow_view, "workflow"),
            ("<int:pk>/scores/", self.scores_view, "scores"),
            ("<int:pk>/scores/import/", self.import_view, "import"),
            ("<int:pk>/scores/import/confirm/", self.import_confirm_view, "import_confirm"),
            (
                "<int:pk>/scores/export/<int:group_pk>/<str:file_format>/",
                self.export_view,
                "export",
            ),
        ]
        return [
            *(
                path(route, self.admin_site.admin_view(view), name=f"{prefix}_{name}")
                for route, view, name in views
            ),
            *super().get_urls(),
        ]

    def _get_visible(self, request, pk: int) -> Assessment:
        assessment = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, assessment):
            raise PermissionDenied
        return assessment

    def _get_editable(self, request, pk: int) -> Assessment:
        assessment = self._get_visible(request, pk)
        if not workflow.can_edit(request.user, assessment):
            raise PermissionDenied(workflow.EDIT_REFUSED)
        return assessment

    def _context(self, request, assessment: Assessment, title: str, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "assessment": assessment,
            "title": title,
            "subtitle": str(assessment),
            **extra,
        }

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["transitions"] = workflow.available_transitions(request.user, obj)
            context["can_edit_scores"] = workflow.can_edit(request.user, obj)
            context["groups"] = list(obj.groups.all())
        return super().render_change_form(request, context, add, change, form_url, obj)

    def workflow_view(self, request, pk: int):
        assessment = self._get_visible(request, pk)
        change_url = reverse("admin:assessments_assessment_change", args=[pk])
        if request.method != "POST":
            return HttpResponseRedirect(change_url)
        perform = workflow.TRANSITIONS.get(request.POST.get("transition", ""))
        if perform is None:
            self.message_user(request, "未知的操作。", messages.ERROR)
            return HttpResponseRedirect(change_url)
        try:
            result = perform(assessment, request.user, request.POST.get("comment", ""))
        except (WorkflowError, PermissionDenied) as error:
            self.message_user(request, str(error) or "您无权执行此操作。", messages.ERROR)
            return HttpResponseRedirect(change_url)
        self.message_user(request, f"已完成：{result.get_status_display()}。", messages.SUCCESS)
        return HttpResponseRedirect(change_url)

    def scores_view(self, request, pk: int):
        """The score grid: one table per group, saved all together through save_scores."""
        assessment = self._get_visible(request, pk)
        editable = workflow.can_edit(request.user, assessment)
        with_remarks = request.GET.get("remarks") == "1"
        grid = ScoreGrid(assessment, request.GET.get("group", ""))
        if request.method == "POST":
            if not editable:
                raise PermissionDenied(workflow.EDIT_REFUSED)
            entries, expected = grid.read(request.POST, with_remarks)
            if not grid.errors:
                try:
                    changes = workflow.save_scores(assessment, request.user, entries, expected)
                except workflow.ScoreConflict as error:
                    grid.errors = error.messages
                    grid.show_current(error.current)
                except ValidationError as error:
                    grid.errors = error.messages
                except PermissionDenied as error:
                    grid.errors = [str(error)]
                else:
                    saved = f"已保存 {len(changes)} 处成绩修改。" if changes else "成绩没有变化。"
                    self.message_user(request, saved, messages.SUCCESS)
                    return HttpResponseRedirect(request.get_full_path())
        # Each cell posts its score, and the score as loaded; the same again for remarks.
        inputs = grid.cell_count * (4 if with_remarks else 2)
        field_limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        context = self._context(
            request,
            assessment,
            "成绩录入" if editable else "成绩表",
            grid=grid,
            editable=editable,
            with_remarks=with_remarks,
            selected_group=request.GET.get("group", ""),
            too_many_inputs=field_limit is not None and inputs + 10 > field_limit,
        )
        return TemplateResponse(request, "admin/assessments/assessment/score_grid.html", context)

    def import_view(self, request, pk: int):
        """Upload a score table and preview every change; nothing is saved here."""
        assessment = self._get_editable(request, pk)
        form = ScoreImportForm(request.POST or None, request.FILES or None)
        errors, changes = [], []
        if request.method == "POST" and form.is_valid():
            try:
                rows = score_io.parse_table(form.cleaned_data["file"])
            except score_io.TableError as error:
                errors = [str(error)]
            else:
                entries, errors = score_io.build_entries(assessment, rows)
                if not errors:
                    changes, errors = workflow.validate_scores(assessment, entries)
        context = self._context(
            request,
            assessment,
            "导入成绩表",
            form=form,
            errors=errors[:MAX_LISTED_ERRORS],
            more_errors=max(len(errors) - MAX_LISTED_ERRORS, 0),
            previewed=request.method == "POST" and form.is_valid() and not errors,
            changes=[
                (change, plain_or_none(change.old), plain_or_none(change.new)) for change in changes
            ],
            payload=import_payload(assessment, changes) if changes else "",
        )
        return TemplateResponse(request, "admin/assessments/assessment/score_import.html", context)

    def import_confirm_view(self, request, pk: int):
        """Apply a previewed import, if the scores are still what the preview showed."""
        assessment = self._get_editable(request, pk)
        import_url = reverse("admin:assessments_assessment_import", args=[pk])
        if request.method != "POST":
            return HttpResponseRedirect(import_url)
        try:
            expected = read_import_payload(request.POST.get("payload", ""), assessment)
        except signing.BadSignature:
            self.message_user(
                request, "导入数据校验失败（已过期或被改动），请重新上传成绩表。", messages.ERROR
            )
            return HttpResponseRedirect(import_url)
        entries = {
            (unit_id, indicator_id): (None if new is None else Decimal(new), remark)
            for unit_id, indicator_id, _old, new, remark in expected
        }
        try:
            with transaction.atomic():
                changes = workflow.save_scores(assessment, request.user, entries)
                if change_rows(changes) != expected:
                    raise StalePreview
        except StalePreview:
            self.message_user(
                request, "预览之后成绩已被修改，本次导入未保存，请重新上传成绩表。", messages.ERROR
            )
            return HttpResponseRedirect(import_url)
        except (ValidationError, PermissionDenied) as error:
            text = "；".join(error.messages) if isinstance(error, ValidationError) else str(error)
            self.message_user(request, f"导入未保存：{text}", messages.ERROR)
            return HttpResponseRedirect(import_url)
        self.message_user(request, f"已导入 {len(changes)} 处成绩修改。", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:assessments_assessment_scores", args=[pk]))

    def export_view(self, request, pk: int, group_pk: int, file_format: str):
        assessment = self._get_visible(request, pk)
        group = get_object_or_404(UnitGroup, assessment=assessment, pk=group_pk)
        if file_format == "csv":
            content = score_io.export_csv(assessment, group)
            content_type = "text/csv; charset=utf-8"
        elif file_format == "xlsx":
            content = score_io.export_xlsx(assessment, group)
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            raise Http404
        name = f"{assessment.full_title}-{group.name}-成绩表.{file_format}"
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=name.replace("/", "-").replace("\\", "-")
        )
        return response

"""The assessment admin: editors prepare an assessment, reviewers publish it, auditors read it.

Scoping follows the notice admin: every list holds only the organs the user works for (through
the assessment's organ), and nothing of an assessment changes once it has left preparation
(workflow.can_edit). State changes, scores and rectification all go through
assessments.workflow; the score grid and the score-table import and export are views of
AssessmentAdmin that wire assessments.score_io to it.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import content_disposition_header

from assessments import results, score_io, statistics, workflow
from assessments.models import (
    AssessedUnit,
    Assessment,
    Finding,
    GradeBand,
    Indicator,
    RectificationReport,
    ReportAttachment,
    Requirement,
    Score,
    StatisticCheck,
    StatisticItem,
    StatisticReport,
    StatisticSchema,
    StatisticValue,
    UnitGroup,
)
from notices import access, submissions
from notices.admin import (
    NOTICE_OUT_OF_SCOPE,
    OrganFilter,
    ScopedChoicesMixin,
    already_submitted,
)
from notices.models import Notice, Organ
from notices.workflow import WorkflowError

Status = Assessment.Status
IMPORT_SALT = "assessments.score-import"
IMPORT_MAX_AGE = 2 * 3600
MAX_LISTED_ERRORS = 100


def editable_assessments(user):
    return access.scope_to_user(Assessment.objects.filter(status=Status.PREPARING), user)


def assessment_of(obj) -> Assessment:
    return obj if isinstance(obj, Assessment) else obj.assessment


def limit_to_assessment(fields: dict, assessment: Assessment | None) -> None:
    """Offer only this assessment's groups, units, problems and indicators in its forms."""
    if assessment is None:
        return
    units = AssessedUnit.objects.filter(assessment=assessment).select_related("organ")
    choices = {
        "group": lambda: UnitGroup.objects.filter(assessment=assessment),
        "unit": lambda: units,
        "units": lambda: units,
        "problems": lambda: assessment.findings.filter(kind=Finding.Kind.PROBLEM),
        "parent": lambda: Indicator.objects.filter(assessment=assessment),
    }
    for name, queryset in choices.items():
        if name in fields:
            set_choices(fields[name], queryset())


def set_choices(field, queryset) -> None:
    """Limit a model choice field and list its choices once, so that the rows of a formset
    share one query instead of each querying for its own select."""
    field.queryset = queryset
    empty = [] if field.empty_label is None else [("", field.empty_label)]
    field.choices = [*empty, *((obj.pk, field.label_from_instance(obj)) for obj in queryset)]


class AssessmentOrganFilter(OrganFilter):
    title = "组织考核的机构"


class ScopedAssessmentFilter(admin.RelatedFieldListFilter):
    """Filter by assessment, offering only the assessments the user may see."""

    def field_choices(self, field, request, model_admin):
        visible = access.scope_to_user(Assessment.objects.all(), request.user)
        return [(assessment.pk, str(assessment)) for assessment in visible]


class PreparingOnlyInline:
    """Rows of an assessment change only while it is being prepared."""

    def _editable(self, request, obj) -> bool:
        return obj is None or workflow.can_edit(request.user, assessment_of(obj))

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._editable(request, obj)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        limit_to_assessment(formset.form.base_fields, obj and assessment_of(obj))
        return formset


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
    fields = [("kind", "position"), "title", "text", "units"]
    filter_horizontal = ["units"]


class RequirementInline(PreparingOnlyInline, admin.StackedInline):
    model = Requirement
    extra = 0
    fields = [("position", "deadline"), "title", "text", "units", "problems"]
    filter_horizontal = ["units", "problems"]


class ScoreImportForm(forms.Form):
    file = forms.FileField(
        label="成绩表文件",
        help_text="CSV（UTF-8 或 GB18030 编码）或 XLSX；第一行为表头：“单位名称”列，"
        "其后每列一个末级指标，列名为指标编号（如 A1 或 A1 指标名称）。",
    )


@dataclass
class GridCell:
    unit: AssessedUnit
    indicator: Indicator
    value: str
    remark: str
    error: str = ""
    # What the editor's page showed when it was opened: posted back in hidden fields, so that
    # saving changes only the cells the editor touched and notices changes made meanwhile.
    loaded_value: str = ""
    loaded_remark: str = ""

    @property
    def name(self) -> str:
        return f"score-{self.unit.pk}-{self.indicator.pk}"

    @property
    def remark_name(self) -> str:
        return f"remark-{self.unit.pk}-{self.indicator.pk}"

    @property
    def loaded_name(self) -> str:
        return f"orig-{self.unit.pk}-{self.indicator.pk}"

    @property
    def loaded_remark_name(self) -> str:
        return f"orig-remark-{self.unit.pk}-{self.indicator.pk}"


@dataclass
class GridRow:
    result: results.UnitResult
    cells: list[GridCell]

    @property
    def unit(self) -> AssessedUnit:
        return self.result.unit

    @property
    def total(self) -> str:
        return score_io.plain_number(self.result.total)


@dataclass
class GridTable:
    group: UnitGroup
    columns: list[Indicator]
    rows: list[GridRow] = field(default_factory=list)

    @property
    def headers(self) -> list[tuple[Indicator, str]]:
        return [(indicator, column_note(indicator)) for indicator in self.columns]


def column_note(indicator: Indicator) -> str:
    points = score_io.plain_number(indicator.points)
    return {
        Indicator.Kind.NORMAL: f"满分 {points}",
        Indicator.Kind.BONUS: f"加分 ≤{points}",
        Indicator.Kind.DEDUCTION: f"减分 ≤{points}",
        Indicator.Kind.VETO: "否决 填 1 或 0",
    }[indicator.kind]


class ScoreGrid:
    """The score sheets of an assessment as form cells, read in a fixed number of queries."""

    def __init__(self, assessment: Assessment, group_id: str = ""):
        computed = results.group_results([assessment]).get(assessment.pk, [])
        indicators = list(assessment.indicators.all())
        scores = {
            (score.unit_id, score.indicator_id): score
            for score in Score.objects.filter(unit__assessment=assessment)
        }
        self.all_groups = [group_result.group for group_result in computed]
        self.tables: list[GridTable] = []
        for group_result in computed:
            if group_id and str(group_result.group.pk) != group_id:
                continue
            table = GridTable(
                group_result.group, score_io.sheet_columns(indicators, group_result.group)
            )
            for row in sorted(group_result.rows, key=lambda r: (r.unit.position, r.unit.pk)):
                cells = []
                for indicator in table.columns:
                    score = scores.get((row.unit.pk, indicator.pk))
                    value = score_io.plain_number(score.value) if score else ""
                    remark = score.remark if score else ""
                    cells.append(GridCell(row.unit, indicator, value, remark, "", value, remark))
                table.rows.append(GridRow(row, cells))
            self.tables.append(table)
        self.errors: list[str] = []

    @property
    def cells(self):
        for table in self.tables:
            for row in table.rows:
                yield from row.cells

    @property
    def cell_count(self) -> int:
        return sum(len(table.rows) * len(table.columns) for table in self.tables)

    def read(
        self, data, with_remarks: bool
    ) -> tuple[score_io.Entries, dict[tuple[int, int], tuple[Decimal | None, str | None]]]:
        """The cells the editor changed, and what each showed when the page was opened.

        Returns (entries, expected) for workflow.save_scores. A cell whose posted value (and
        remark, when shown) is what the page was opened with was not touched and is left out,
        so a stale page cannot undo someone else's change to it. Cells missing from the form
        (added since) are left alone; a form without the loaded values (an older page) sends
        every cell with nothing expected.
        """
        entries: score_io.Entries = {}
        expected: dict[tuple[int, int], tuple[Decimal | None, str | None]] = {}
        for cell in self.cells:
            if cell.name not in data:
                continue
            typed = data[cell.name].strip()
            typed_remark = cell.remark
            if with_remarks and cell.remark_name in data:
                typed_remark = data[cell.remark_name].strip()
            key = (cell.unit.pk, cell.indicator.pk)
            loaded = data.get(cell.loaded_name)
            loaded_remark = data.get(cell.loaded_remark_name) if with_remarks else None
            if loaded is not None:
                loaded = loaded.strip()
                loaded_remark = None if loaded_remark is None else loaded_remark.strip()
                if typed == loaded and typed_remark == (
                    cell.remark if loaded_remark is None else loaded_remark
                ):
                    continue  # Untouched: shown (and saved again) as it is now.
                # Keep what the page was opened with, so that a failed save asked again still
                # checks for changes made meanwhile.
                cell.loaded_value = loaded
                if loaded_remark is not None:
                    cell.loaded_remark = loaded_remark
            cell.value, cell.remark = typed, typed_remark
            try:
                entries[key] = (self._value(cell), cell.remark)
                if loaded is not None:
                    expected[key] = (
                        score_io.parse_points(loaded) if loaded else None,
                        loaded_remark,
                    )
            except ValueError as error:
                entries.pop(key, None)
                cell.error = str(error)
                self.errors.append(f"{cell.unit.organ.name}「{cell.indicator.code}」：{error}")
        return entries, expected

    def show_current(self, current: dict[tuple[int, int], tuple[Decimal | None, str]]) -> None:
        """Take these (unit, indicator) → (value, remark) as what the page was opened with: the
        editor has been told they changed meanwhile, and saving again overwrites them."""
        for cell in self.cells:
            if (cell.unit.pk, cell.indicator.pk) in current:
                value, remark = current[(cell.unit.pk, cell.indicator.pk)]
                cell.loaded_value = "" if value is None else score_io.plain_number(value)
                cell.loaded_remark = remark

    @staticmethod
    def _value(cell: GridCell) -> Decimal | None:
        """The cell's score (None: blank, no score), or ValueError saying what is wrong."""
        if len(cell.remark) > score_io.REMARK_MAX_LENGTH:
            raise ValueError(f"备注超过 {score_io.REMARK_MAX_LENGTH} 字。")
        if not cell.value:
            return None
        value = score_io.parse_points(cell.value)
        problem = score_io.range_error(cell.indicator, value)
        if problem:
            raise ValueError(problem)
        return value


def import_payload(assessment: Assessment, changes: list[workflow.ScoreChange]) -> str:
    """The previewed changes, signed, so the confirmation applies exactly what was shown."""
    return signing.dumps(
        {"assessment": assessment.pk, "changes": _change_rows(changes)},
        salt=IMPORT_SALT,
        compress=True,
    )


def _plain(value: Decimal | None) -> str | None:
    return None if value is None else score_io.plain_number(value)


def _change_rows(changes: list[workflow.ScoreChange]) -> list[list]:
    return sorted(
        [change.unit.pk, change.indicator.pk, _plain(change.old), _plain(change.new), change.remark]
        for change in changes
    )


def read_import_payload(token: str, assessment: Assessment) -> list[list]:
    data = signing.loads(token, salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE)
    if data.get("assessment") != assessment.pk:
        raise signing.BadSignature("payload of another assessment")
    return data["changes"]


class StalePreview(Exception):
    """The scores changed between the preview and its confirmation."""


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
            changes=[(change, _plain(change.old), _plain(change.new)) for change in changes],
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
                if _change_rows(changes) != expected:
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
        name = f"{assessment.year}年{assessment.title}-{group.name}-成绩表.{file_format}"
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=name.replace("/", "-").replace("\\", "-")
        )
        return response


class AssessmentChildAdmin(admin.ModelAdmin):
    """A model that belongs to one assessment: seen within its organ, changed while preparing."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return access.scope_to_user(queryset, request.user, "assessment__organ")

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (
            obj is None or access.can_access_organ(request.user, obj.assessment.organ_id)
        )

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or workflow.can_edit(request.user, obj.assessment))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or workflow.can_edit(request.user, obj.assessment))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        editable = editable_assessments(request.user)
        scoped = {
            "assessment": lambda: editable,
            "unit": lambda: AssessedUnit.objects.filter(assessment__in=editable),
            "group": lambda: UnitGroup.objects.filter(assessment__in=editable),
            "parent": lambda: Indicator.objects.filter(assessment__in=editable),
        }
        if db_field.name in scoped:
            kwargs["queryset"] = scoped[db_field.name]()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "assessment"] if obj is not None else readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        limit_to_assessment(form.base_fields, self._assessment_for_form(request, obj))
        return form

    def _assessment_for_form(self, request, obj) -> Assessment | None:
        """The object's assessment, or the one a new object is added to (?assessment=)."""
        if obj is not None:
            return obj.assessment
        try:
            return editable_assessments(request.user).get(pk=int(request.GET["assessment"]))
        except (KeyError, ValueError, Assessment.DoesNotExist):
            return None

    def save_model(self, request, obj, form, change):
        assessment = workflow.lock_for_editing(request.user, obj.assessment_id)
        super().save_model(request, obj, form, change)
        workflow.mark_edited(assessment, request.user)

    def delete_model(self, request, obj):
        assessment = workflow.lock_for_editing(request.user, obj.assessment_id)
        super().delete_model(request, obj)
        workflow.mark_edited(assessment, request.user)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        assessments = [
            workflow.lock_for_editing(request.user, assessment_id)
            for assessment_id in set(queryset.values_list("assessment_id", flat=True))
        ]
        super().delete_queryset(request, queryset)
        for assessment in assessments:
            workflow.mark_edited(assessment, request.user)


@admin.register(Indicator)
class IndicatorAdmin(AssessmentChildAdmin):
    list_display = ["code", "name", "kind", "points", "group", "parent", "assessment"]
    list_display_links = ["code", "name"]
    list_filter = [("assessment", ScopedAssessmentFilter), "kind"]
    list_select_related = ["assessment", "group", "parent"]
    search_fields = ["code", "name"]
    # Codes extend their parent's code (A, A1, A1.2), so code order lists children after their
    # parent; the score grid and the exports use the exact tree order (score_io.tree_order).
    ordering = ["assessment", "code"]
    fields = [
        "assessment",
        "parent",
        "code",
        "name",
        "kind",
        "points",
        "group",
        "notes",
        "position",
    ]


@admin.register(Score)
class ScoreAdmin(admin.ModelAdmin):
    """Scores are read here and entered through the score grid of their assessment."""

    list_display = ["unit", "indicator", "value", "remark", "grid_link"]
    list_filter = [("unit__assessment", ScopedAssessmentFilter)]
    list_select_related = ["unit__organ", "unit__assessment", "indicator"]
    search_fields = ["unit__organ__name", "=indicator__code"]

    @admin.display(description="考核")
    def grid_link(self, score: Score) -> str:
        url = reverse("admin:assessments_assessment_scores", args=[score.unit.assessment_id])
        return format_html('<a href="{}">{}</a>', url, score.unit.assessment)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return access.scope_to_user(queryset, request.user, "unit__assessment__organ")

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (
            obj is None or access.can_access_organ(request.user, obj.unit.assessment.organ_id)
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def visible_reports(queryset, user):
    """Reports are seen by the assessing organ and by the unit that reported."""
    allowed = access.organ_ids(user)
    if allowed is None:
        return queryset
    return queryset.filter(
        Q(requirement__assessment__organ__in=allowed) | Q(unit__organ__in=allowed)
    )


def reportable_units(user):
    """Units of published assessments whose rectification the user may report."""
    units = AssessedUnit.objects.filter(assessment__status=Status.PUBLISHED)
    allowed = access.organ_ids(user)
    if allowed is None:
        return units
    return units.filter(Q(organ__in=allowed) | Q(assessment__organ__in=allowed))


class RectificationReportForm(forms.Form):
    requirement = forms.ModelChoiceField(label="整改要求", queryset=Requirement.objects.none())
    unit = forms.ModelChoiceField(label="单位", queryset=AssessedUnit.objects.none())
    progress = forms.ChoiceField(label="整改进度", choices=RectificationReport.Progress.choices)
    text = forms.CharField(label="整改情况", widget=forms.Textarea(attrs={"rows": 8, "cols": 80}))
    submission_token = submissions.TokenField()

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = reportable_units(user).select_related("assessment", "organ")
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda unit: f"{unit.assessment} · {unit}"
        requirements = Requirement.objects.filter(assessment__in=units.values("assessment"))
        self.fields["requirement"].queryset = requirements.select_related("assessment")
        self.fields["requirement"].label_from_instance = lambda requirement: (
            f"{requirement.assessment} · {requirement}"
        )


class ReportAttachmentInline(admin.TabularInline):
    model = ReportAttachment
    extra = 0
    fields = ["title", "original_name", "size", "sha256"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RectificationReport)
class RectificationReportAdmin(admin.ModelAdmin):
    """Reports are never edited: new ones come through the report form, reviewers verify."""

    change_form_template = "admin/assessments/rectificationreport/change_form.html"
    inlines = [ReportAttachmentInline]
    list_display = [
        "unit",
        "requirement",
        "progress",
        "verification",
        "submitted_by",
        "submitted_at",
        "verified_by",
    ]
    list_filter = ["verification", "progress", ("requirement__assessment", ScopedAssessmentFilter)]
    list_select_related = ["unit__organ", "requirement", "submitted_by", "verified_by"]
    actions = ["accept_reports"]

    def get_queryset(self, request):
        return visible_reports(super().get_queryset(request), request.user)

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (
            obj is None
            or access.can_access_organ(request.user, obj.requirement.assessment.organ_id)
            or access.can_access_organ(request.user, obj.unit.organ_id)
        )

    def has_review_permission(self, request):
        return request.user.has_perm(workflow.REVIEW_PERMISSION)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<int:pk>/verify/",
                self.admin_site.admin_view(self.verify_view),
                name="assessments_rectificationreport_verify",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        """The report form: workflow.report_rectification makes the report, once per form."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        try:
            with submissions.once(request):
                return self.report_view(request)
        except submissions.AlreadySubmitted as repeated:
            return already_submitted(self, request, repeated.created)

    def report_view(self, request):
        form = RectificationReportForm(
            request.user, request.POST or None, initial=request.GET.dict()
        )
        if request.method == "POST" and form.is_valid():
            try:
                report = workflow.report_rectification(
                    form.cleaned_data["requirement"],
                    form.cleaned_data["unit"],
                    request.user,
                    form.cleaned_data["progress"],
                    form.cleaned_data["text"],
                )
            except (WorkflowError, PermissionDenied) as error:
                form.add_error(None, str(error) or "您无权报送这项整改情况。")
            except ValidationError as error:
                form.add_error(None, error)
            else:
                submissions.record(form.cleaned_data["submission_token"], request.user, report)
                self.message_user(request, "整改情况已报送，等待核验。", messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:assessments_rectificationreport_change", args=[report.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "报送整改情况",
            "form": form,
        }
        return TemplateResponse(
            request, "admin/assessments/rectificationreport/report_form.html", context
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["can_verify"] = (
                obj.verification == RectificationReport.Verification.PENDING
                and obj.submitted_by_id != request.user.pk
                and workflow.can_review(request.user, obj.requirement.assessment)
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def verify_view(self, request, pk: int):
        report = get_object_or_404(self.get_queryset(request), pk=pk)
        change_url = reverse("admin:assessments_rectificationreport_change", args=[pk])
        decision = request.POST.get("decision")
        if request.method != "POST" or decision not in ("accept", "return"):
            return HttpResponseRedirect(change_url)
        try:
            workflow.verify_rectification(
                report,
                request.user,
                accepted=decision == "accept",
                note=request.POST.get("note", ""),
            )
        except (WorkflowError, PermissionDenied) as error:
            self.message_user(request, str(error) or "您无权核验这份整改报告。", messages.ERROR)
        else:
            done = "核验通过" if decision == "accept" else "已退回重报"
            self.message_user(request, f"{done}。", messages.SUCCESS)
        return HttpResponseRedirect(change_url)

    @admin.action(description="核验通过所选整改报告", permissions=["review"])
    def accept_reports(self, request, queryset):
        accepted = 0
        for report in queryset:
            try:
                workflow.verify_rectification(report, request.user, accepted=True)
            except (WorkflowError, PermissionDenied) as error:
                self.message_user(request, f"{report}：{error}", messages.ERROR)
            else:
                accepted += 1
        if accepted:
            self.message_user(request, f"已核验通过 {accepted} 份整改报告。", messages.SUCCESS)


class StatisticItemInline(admin.TabularInline):
    model = StatisticItem
    extra = 0
    fields = ["position", "code", "name", "parent"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if "parent" in formset.form.base_fields:
            set_choices(
                formset.form.base_fields["parent"], StatisticItem.objects.filter(schema=obj)
            )
        return formset


class StatisticCheckInline(admin.StackedInline):
    model = StatisticCheck
    extra = 0
    fields = ["name", "left", "right"]
    filter_horizontal = ["left", "right"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        for name in ("left", "right"):
            if name in formset.form.base_fields:
                set_choices(
                    formset.form.base_fields[name], StatisticItem.objects.filter(schema=obj)
                )
        return formset


@admin.register(StatisticSchema)
class StatisticSchemaAdmin(admin.ModelAdmin):
    """Reference data: the statistics forms and their sums, defined by site admins."""

    list_display = ["name", "description"]
    inlines = [StatisticItemInline, StatisticCheckInline]


@admin.register(StatisticItem)
class StatisticItemAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "schema", "parent", "position"]
    list_filter = ["schema"]
    list_select_related = ["schema", "parent"]
    search_fields = ["name", "code"]


@admin.register(StatisticCheck)
class StatisticCheckAdmin(admin.ModelAdmin):
    list_display = ["name", "schema"]
    list_filter = ["schema"]
    list_select_related = ["schema"]
    filter_horizontal = ["left", "right"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None:
            for name in ("left", "right"):
                if name in form.base_fields:
                    form.base_fields[name].queryset = obj.schema.items.all()
        return form


class StatisticValueInline(PreparingOnlyInline, admin.TabularInline):
    model = StatisticValue
    extra = 0
    fields = ["item", "value"]

    def get_extra(self, request, obj=None, **kwargs):
        return len(missing_items(obj)) if obj is not None else 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if "item" in formset.form.base_fields and obj is not None:
            set_choices(formset.form.base_fields["item"], obj.schema.items.all())
        return formset


def missing_items(report: StatisticReport) -> list[StatisticItem]:
    entered = set(report.values.values_list("item_id", flat=True))
    return [item for item in report.schema.items.all() if item.pk not in entered]


class StatisticReportChangeList(ChangeList):
    def get_results(self, request):
        """Check the figures of the whole page at once (statistics.failures)."""
        super().get_results(request)
        reports = list(self.result_list)
        found = statistics.failures(reports)
        for report in reports:
            report.check_failures = found.get(report.pk, [])


@admin.register(StatisticReport)
class StatisticReportAdmin(AssessmentChildAdmin):
    inlines = [StatisticValueInline]
    list_display = ["__str__", "schema", "check_result"]
    list_filter = [("assessment", ScopedAssessmentFilter), "schema"]
    list_select_related = ["assessment", "unit__organ", "schema"]
    fields = ["assessment", "unit", "schema", "note"]

    class Media:
        css = {"all": ["css/admin-assessments.css"]}

    @admin.display(description="数据核对")
    def check_result(self, report: StatisticReport) -> str:
        failures = getattr(report, "check_failures", None)
        if failures is None:
            failures = statistics.failures([report])[report.pk]
        if not failures:
            return "一致"
        return format_html(
            '<span class="statistics-failure">{} 项不一致：{}</span>',
            len(failures),
            "；".join(str(failure) for failure in failures),
        )

    def get_changelist(self, request, **kwargs):
        return StatisticReportChangeList

    def get_inlines(self, request, obj):
        # The figures follow the schema's items, so they are entered once the report is saved.
        return self.inlines if obj is not None else []

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, StatisticValueInline):
            kwargs["initial"] = [{"item": item.pk} for item in missing_items(obj)]
        return kwargs

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        report = form.instance
        for failure in statistics.failures([report])[report.pk]:
            self.message_user(request, f"统计数据核对不一致：{failure}。", messages.WARNING)

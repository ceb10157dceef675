"""What the assessment admins share: choices limited to one assessment, the scoped filters, and
the rules for rows that belong to an assessment (seen within its organ, changed while it is being
prepared)."""

from django.contrib import admin
from django.db import transaction

from assessments import workflow
from assessments.models import AssessedUnit, Assessment, Finding, Indicator, UnitGroup
from notices import access
from notices.admin import OrganFilter

Status = Assessment.Status


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

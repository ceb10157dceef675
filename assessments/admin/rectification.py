"""Rectification reports: the report form, in which a unit reports on a requirement, and the
reviewers' verification; reports are never edited."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from assessments import workflow
from assessments.admin.common import ScopedAssessmentFilter
from assessments.models import (
    AssessedUnit,
    Assessment,
    RectificationReport,
    ReportAttachment,
    Requirement,
)
from notices import access, submissions
from notices.admin import already_submitted
from notices.workflow import WorkflowError

Status = Assessment.Status


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

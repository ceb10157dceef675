"""Statistics: the forms (schemas, items and checks), defined by site admins, and each unit's
report, whose figures are checked against the schema's sums."""

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.utils.html import format_html

from assessments import statistics
from assessments.admin.common import (
    AssessmentChildAdmin,
    PreparingOnlyInline,
    ScopedAssessmentFilter,
    set_choices,
)
from assessments.models import (
    StatisticCheck,
    StatisticItem,
    StatisticReport,
    StatisticSchema,
    StatisticValue,
)


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

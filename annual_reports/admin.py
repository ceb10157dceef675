"""The annual reports' admin: create a report for an organ and year (its figures are counted
from the data), edit its texts and entered figures, set a cell by hand with a reason, see the
checks' findings, and submit, publish, send back or correct it. Every change goes through
annual_reports/services.py; the admin only offers what the services allow."""

from django import forms
from django.contrib import admin, messages
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.safestring import mark_safe

from annual_reports import content, layout, services
from annual_reports.models import AnnualReport
from notices import access
from notices.models import Organ

TEXT_AND_ENTERED_FIELDS = [
    "overview",
    "licensing_decisions",
    "penalty_decisions",
    "coercion_decisions",
    "fee_amount",
    "problems",
    "other_matters",
    "change_note",
]


class AnnualReportForm(forms.ModelForm):
    """Checks the user's right before the service is asked, so a refusal is a form error."""

    class Meta:
        model = AnnualReport
        fields = ["organ", "year", "is_example", *TEXT_AND_ENTERED_FIELDS]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if "organ" in self.fields and user is not None:
            self.fields["organ"].queryset = access.scope_to_user(
                Organ.objects.all(), user, organ_field="pk"
            )

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            organ = cleaned.get("organ")
            if organ is not None and not services.can_create(self.user, organ.pk):
                raise forms.ValidationError("您无权为该机构编写年度报告。")
        elif not services.can_edit(self.user, self.instance):
            raise forms.ValidationError("只有本机构的编辑可以修改草稿状态的年度报告。")
        return cleaned


READ_ONLY_TEXTS = {
    "overview": "overview_text",
    "problems": "problems_text",
    "other_matters": "other_matters_text",
}
ADJUST_ROWS = 4  # cells the adjustment form changes at once (table 3's balance needs two or more)


def cell_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every cell that may be set by hand (not a 总计), grouped by table, as "table:row:column"."""
    groups = []
    for table, (rows, columns) in layout.CELLS.items():
        groups.append(
            (
                layout.TABLE_NUMBERS[table] + "表",
                [
                    (
                        f"{table}:{row}:{column}",
                        f"{layout.row_label(table, row)} · {layout.column_label(table, column)}",
                    )
                    for row in rows
                    for column in columns
                    if layout.is_adjustable(table, row, column)
                ],
            )
        )
    return groups


def adjusted_values(post) -> dict[tuple[str, str, str], int | None]:
    """The form's rows as {cell: value}: a row without a cell is skipped, a blank value puts
    the cell back to its counted figure."""
    values = {}
    for cell, value in zip(post.getlist("cell"), post.getlist("value"), strict=False):
        if not cell:
            continue
        table, row, column = (cell + "::").split(":")[:3]
        value = value.strip()
        if value and not (value.isascii() and value.isdigit()):
            raise services.ReportError("调整后数值须为不小于0的整数。")
        values[(table, row, column)] = int(value) if value else None
    return values


@admin.register(AnnualReport)
class AnnualReportAdmin(admin.ModelAdmin):
    form = AnnualReportForm
    list_display = ["title", "organ", "year", "state", "published_at", "is_example"]
    list_filter = ["state", "year", "is_example"]
    search_fields = ["organ__name"]
    list_select_related = ["organ"]
    change_form_template = "admin/annual_reports/annualreport/change_form.html"

    def get_queryset(self, request):
        return access.scope_to_user(super().get_queryset(request), request.user)

    def has_module_permission(self, request):
        return (
            request.user.is_active
            and request.user.is_staff
            and request.user.has_perm(services.VIEW_PERMISSION)
        )

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return self.has_module_permission(request)
        return services.can_view(request.user, obj)

    def has_add_permission(self, request):
        return services.can_create(request.user)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return services.can_create(request.user)
        return services.can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class UserForm(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)

        return UserForm

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["organ", "year", "is_example"]
        if not services.can_edit(request.user, obj):
            # Read only: the texts shown as they read, not as their markup.
            return [READ_ONLY_TEXTS.get(field, field) for field in TEXT_AND_ENTERED_FIELDS]
        return TEXT_AND_ENTERED_FIELDS

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not services.can_edit(request.user, obj):
            return list(READ_ONLY_TEXTS.values())
        return []

    # The texts are sanitized when saved (notices.fields.SanitizedHTMLField), as notice bodies.
    @admin.display(description="一、总体情况")
    def overview_text(self, report):
        return mark_safe(report.overview)  # noqa: S308 - sanitized on save

    @admin.display(description="五、存在的主要问题及改进情况")
    def problems_text(self, report):
        return mark_safe(report.problems)  # noqa: S308 - sanitized on save

    @admin.display(description="六、其他需要报告的事项")
    def other_matters_text(self, report):
        return mark_safe(report.other_matters)  # noqa: S308 - sanitized on save

    def save_model(self, request, obj, form, change):
        try:
            if change:
                services.save_report(obj, request.user)
            else:
                created = services.create_report(
                    obj.organ, obj.year, request.user, is_example=obj.is_example
                )
                obj.pk = created.pk
                obj.state = created.state
        except services.ReportError as error:
            # The form's clean has already asked the same question; this is a race.
            raise Http404(str(error)) from error

    def get_urls(self):
        return [
            path(
                "<int:pk>/adjust/",
                self.admin_site.admin_view(self.adjust_view),
                name="annual_reports_annualreport_adjust",
            ),
            path(
                "<int:pk>/action/",
                self.admin_site.admin_view(self.action_view),
                name="annual_reports_annualreport_action",
            ),
            *super().get_urls(),
        ]

    def _visible(self, request, pk: int) -> AnnualReport:
        report = self.get_queryset(request).filter(pk=pk).first()
        if report is None or not services.can_view(request.user, report):
            raise Http404("没有找到这份年度报告。")
        return report

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = self._visible(request, int(object_id)) if str(object_id).isdigit() else None
        extra = dict(extra_context or {})
        if report is not None:
            shown = content.current(report)
            previous = content.previous_report(report)
            previous_entered = content.entered_values(previous) if previous else {}
            extra.update(
                {
                    "report_content": shown,
                    "display": content.rows_for_display(shown),
                    "actions": services.available_actions(request.user, report),
                    "can_adjust": services.can_edit(request.user, report),
                    "cell_choices": cell_choices(),
                    "adjust_rows": range(1, ADJUST_ROWS + 1),
                    "entered_rows": [
                        {
                            "label": label,
                            "heading": heading,
                            "value": shown["entered"].get(field),
                            "previous": previous_entered.get(field),
                        }
                        for field, label, heading in layout.TABLE2_ENTERED
                    ],
                    "previous_year": report.year - 1,
                    "adjustment_rows": list(report.adjustments.all()),
                }
            )
        return super().change_view(request, object_id, form_url, extra)

    def adjust_view(self, request, pk: int):
        report = self._visible(request, pk)
        change_url = reverse("admin:annual_reports_annualreport_change", args=[pk])
        if request.method != "POST":
            return HttpResponseRedirect(change_url)
        try:
            if request.POST.get("remove"):
                services.remove_adjustment(report, request.user, int(request.POST["remove"]))
                self.message_user(request, "已删除这项手工调整。", messages.SUCCESS)
            else:
                services.set_adjustments(
                    report, request.user, adjusted_values(request.POST), request.POST.get("reason")
                )
                self.message_user(request, "已保存手工调整。", messages.SUCCESS)
        except (services.ReportError, ValueError) as error:
            self.message_user(request, str(error) or "调整未保存。", messages.ERROR)
        return HttpResponseRedirect(change_url)

    def action_view(self, request, pk: int):
        report = self._visible(request, pk)
        change_url = reverse("admin:annual_reports_annualreport_change", args=[pk])
        if request.method != "POST":
            return HttpResponseRedirect(change_url)
        name = request.POST.get("action", "")
        perform = services.ACTIONS.get(name)
        if perform is None:
            self.message_user(request, "未知的操作。", messages.ERROR)
            return HttpResponseRedirect(change_url)
        try:
            perform(report, request.user, request.POST)
        except services.ReportError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(change_url)
        labels = {
            "submit": "已提交审核。",
            "approve": "已发布。",
            "send_back": "已退回修改。",
            "start_correction": "已开始更正，修改后请填写更正说明并提交审核。",
        }
        self.message_user(request, labels[name], messages.SUCCESS)
        return HttpResponseRedirect(change_url)

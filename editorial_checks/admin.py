"""The admin of the checks: the lists a site admin keeps (words, allowed hosts; the leaders are
kept in the portal's admin), the findings and who confirmed them (read only), and the link
report per organ."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from editorial_checks import link_reports, services, views
from editorial_checks.models import AllowedHost, Finding, LinkResult, WordRule
from notices import access
from notices.admin.notice import register_change_panel
from notices.models import Organ


@admin.register(WordRule)
class WordRuleAdmin(admin.ModelAdmin):
    list_display = ["wrong", "correct", "kind", "severity", "note", "active"]
    list_filter = ["kind", "severity", "active"]
    search_fields = ["wrong", "correct", "note"]
    list_per_page = 100


@admin.register(AllowedHost)
class AllowedHostAdmin(admin.ModelAdmin):
    list_display = ["host", "note", "added_at"]
    search_fields = ["host", "note"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    """Every finding and its confirmation, for whoever follows up what was published."""

    list_display = [
        "notice_title",
        "kind",
        "severity",
        "part",
        "text",
        "resolved_by",
        "resolved_at",
    ]
    list_filter = ["category", "kind", "severity"]
    search_fields = ["text", "run__notice__title"]
    list_select_related = ["run__notice", "resolved_by"]

    @admin.display(description="信息标题")
    def notice_title(self, finding: Finding) -> str:
        return finding.run.notice.title

    def get_queryset(self, request):
        return access.scope_to_user(
            super().get_queryset(request), request.user, "run__notice__organ"
        )


class OrganFilter(admin.SimpleListFilter):
    title = "发布机构"
    parameter_name = "organ"

    def lookups(self, request, model_admin):
        organs = access.scope_to_user(Organ.objects.all(), request.user, organ_field="pk")
        return [(organ.pk, organ.short_name or organ.name) for organ in organs]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(notice__organ_id=int(value))
        return queryset


class FlaggedFilter(admin.SimpleListFilter):
    title = "检查结论"
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [
            ("yes", "有问题（失效或非政府网站）"),
            ("dead", "失效链接"),
            ("outside", "非政府网站"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "yes":
            return queryset.filter(link_reports.FLAGGED)
        if value == "dead":
            return queryset.exclude(problem="")
        if value == "outside":
            return queryset.filter(government=False)
        return queryset


@admin.register(LinkResult)
class LinkResultAdmin(ReadOnlyAdmin):
    change_list_template = "admin/editorial_checks/linkresult/change_list.html"
    list_display = ["url", "notice_link", "organ_name", "problem_label", "government", "checked_at"]
    list_filter = [FlaggedFilter, OrganFilter, "problem", "government"]
    search_fields = ["url", "host", "notice__title"]
    list_select_related = ["notice__organ"]
    list_per_page = 100

    @admin.display(description="信息")
    def notice_link(self, result: LinkResult) -> str:
        url = reverse("admin:notices_notice_change", args=[result.notice_id])
        return format_html('<a href="{}">{}</a>', url, result.notice.title)

    @admin.display(description="发布机构", ordering="notice__organ")
    def organ_name(self, result: LinkResult) -> str:
        return result.notice.organ.short_name or result.notice.organ.name

    @admin.display(description="问题")
    def problem_label(self, result: LinkResult) -> str:
        label = result.get_problem_display() if result.problem else "正常"
        return (
            f"{label}（{result.status_code}）" if result.status_code and result.problem else label
        )

    def get_queryset(self, request):
        return access.scope_to_user(super().get_queryset(request), request.user, "notice__organ")

    def get_urls(self):
        return [
            path(
                "report/",
                self.admin_site.admin_view(self.report_view),
                name="editorial_checks_linkresult_report",
            ),
            *super().get_urls(),
        ]

    def report_view(self, request):
        """The links per organ: checked, dead, outside government sites, with CSV downloads."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        organs = access.scope_to_user(Organ.objects.all(), request.user, organ_field="pk")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "链接检查报告（按机构）",
            "organs": link_reports.organ_summary(organs),
        }
        return TemplateResponse(request, "admin/editorial_checks/linkresult/report.html", context)


def checks_panel(request, notice) -> dict:
    """The box on a notice's change page: what its last check found, its links, and what this
    user may do about them."""
    run = services.latest_run(notice)
    findings = list(run.findings.select_related("resolved_by")) if run is not None else []
    return {
        "template": "admin/editorial_checks/panel.html",
        "run": run,
        "current": run is not None and run.lock_version == notice.lock_version,
        "personal": [f for f in findings if f.category == Finding.Category.PERSONAL],
        "wording": [f for f in findings if f.category != Finding.Category.PERSONAL],
        "any": bool(findings),
        "waiting": sum(1 for f in findings if f.needs_resolution and f.resolved_at is None),
        "unread": run.unread.splitlines() if run is not None and run.unread else [],
        "can_resolve": services.can_resolve(request.user, notice),
        "can_run": services.can_run(request.user, notice),
        "links": list(notice.link_results.all()),
        "can_check_links": views.can_check_links(request.user, notice),
    }


register_change_panel(checks_panel)

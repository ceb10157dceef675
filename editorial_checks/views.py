"""The admin's actions on the checks of one notice (confirm a finding, check again, check its
links) and the link report as CSV; each behind the admin's own gate, the rules in services."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from editorial_checks import link_reports, services, tasks
from editorial_checks.models import Finding, LinkResult
from notices import access, workflow
from notices.models import Notice, Organ


def _change_url(notice_id: int) -> str:
    return reverse("admin:notices_notice_change", args=[notice_id]) + "#content-checks"


def _visible_notice(request, pk: int) -> Notice:
    notice = get_object_or_404(Notice, pk=pk)
    if not (
        request.user.has_perm("notices.view_notice")
        and access.can_access_organ(request.user, notice.organ_id)
    ):
        raise PermissionDenied("您无权查看这条信息。")
    return notice


@require_POST
def resolve_finding(request, pk: int):
    finding = get_object_or_404(Finding.objects.select_related("run"), pk=pk)
    notice = _visible_notice(request, finding.run.notice_id)
    try:
        services.resolve(finding, request.user, request.POST.get("reason", ""))
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"已确认：{finding.get_kind_display()}“{finding.text}”。")
    return HttpResponseRedirect(_change_url(notice.pk))


@require_POST
def recheck(request, pk: int):
    notice = _visible_notice(request, pk)
    run = services.recheck(notice, request.user)
    count = run.findings.count()
    messages.success(
        request,
        f"已重新检查，发现 {count} 处需要注意的内容。" if count else "已重新检查，未发现问题。",
    )
    return HttpResponseRedirect(_change_url(notice.pk))


def can_check_links(user, notice: Notice) -> bool:
    """Editors and reviewers of the notice's organ (and site admins) may check its links."""
    return (
        user.is_active
        and user.is_staff
        and (user.has_perm("notices.change_notice") or user.has_perm(workflow.REVIEW_PERMISSION))
        and access.can_access_organ(user, notice.organ_id)
    )


@require_POST
def check_links(request, pk: int):
    notice = _visible_notice(request, pk)
    if not can_check_links(request.user, notice):
        raise PermissionDenied("只有本机构的编辑或审核人员可以检查链接。")
    tasks.check_notice_links.enqueue(notice.pk)
    messages.success(request, "已安排检查这条信息中的链接，稍后刷新本页查看结果。")
    return HttpResponseRedirect(_change_url(notice.pk))


@require_GET
def links_csv(request):
    if not request.user.has_perm("editorial_checks.view_linkresult"):
        raise PermissionDenied("您无权查看链接检查结果。")
    results = access.scope_to_user(
        LinkResult.objects.filter(link_reports.FLAGGED), request.user, "notice__organ"
    )
    name = "all"
    organ_id = request.GET.get("organ", "")
    if organ_id:
        if not organ_id.isdigit():
            return HttpResponse(
                "机构参数有误。", status=400, content_type="text/plain; charset=utf-8"
            )
        organ = get_object_or_404(Organ, pk=int(organ_id))
        results = results.filter(notice__organ=organ)
        name = organ.code
    response = HttpResponse(
        link_reports.report_csv(results.order_by("notice__organ", "notice", "pk")),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.localtime().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="links-{name}-{stamp}.csv"'
    return response


resolve_finding_view = admin.site.admin_view(resolve_finding)
recheck_view = admin.site.admin_view(recheck)
check_links_view = admin.site.admin_view(check_links)
links_csv_view = admin.site.admin_view(links_csv)

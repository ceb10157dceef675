"""The export page of the admin: a form, then the ZIP streamed as it is made."""

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from audit import exports
from audit.forms import ExportForm


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def export_records(request):
    if not exports.can_export(request.user):
        raise PermissionDenied("只有审计人员和管理员可以导出数据。")
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        export = exports.Export(form.selection(), request.user, request=request)
        response = StreamingHttpResponse(export.stream(), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response
    context = {**admin.site.each_context(request), "title": "导出数据", "form": form}
    return render(request, "audit/export_form.html", context)

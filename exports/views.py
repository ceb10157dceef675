"""The export page of the admin: a form, then the ZIP streamed as it is made."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from exports.export import Export, can_export
from exports.forms import ExportForm


@require_http_methods(["GET", "POST"])
def export_page(request):
    if not can_export(request.user):
        raise PermissionDenied("只有审计人员和管理员可以导出数据。")
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        export = Export(
            form.selection(), request.user, request=request, compress=form.cleaned_data["compress"]
        )
        response = StreamingHttpResponse(export.stream(), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response
    context = {**admin.site.each_context(request), "title": "导出数据", "form": form}
    return render(request, "exports/export_form.html", context)


# Behind the admin's own gate, as every admin page: whoever the admin would send to its login
# page (anonymous, not staff, or staff without the second factor when it is required) is sent
# there; staff without the right to export are refused above. It also adds never_cache.
export_records = admin.site.admin_view(export_page)

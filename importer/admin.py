"""The upload page (导入旧稿) and the read-only list of imported sources, both scoped to the
user's organs. Importing needs what creating a notice needs: notices.add_notice for the organ."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django_tasks_db.models import DBTaskResult

from core.client import client_address
from importer import flags as flag_service
from importer import reading, tasks
from importer.models import ImportedSource, ImportFlag, ImportJob
from importer.report import FileResult
from notices import access, workflow
from notices.admin.notice import register_change_panel
from notices.models import Organ

MAX_FILES = 50


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        files = [item for item in files if item]
        if not files:
            raise forms.ValidationError("请选择要导入的文件。", code="required")
        if len(files) > MAX_FILES:
            raise forms.ValidationError(f"一次最多导入 {MAX_FILES} 个文件，请分批上传。")
        return files


class UploadForm(forms.Form):
    organ = forms.ModelChoiceField(
        label="导入到机构", queryset=Organ.objects.none(), empty_label=None
    )
    files = MultipleFileField(
        label="文件",
        help_text=(
            f"可选多个文件：{reading.SUPPORTED}，每个不超过 "
            f"{reading.max_bytes() // (1024 * 1024)} MB；整个文件夹可压缩成 .zip 上传（不超过 "
            f"{reading.archive_max_bytes() // (1024 * 1024)} MB），在后台逐个导入并显示进度。"
            "每个文件导入为一条草稿，不会发布；考核通报同时建立准备中的考核记录。"
        ),
    )

    def __init__(self, *args, organs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organ"].queryset = organs


def importable_organs(user):
    organs = access.scope_to_user(Organ.objects.all(), user, organ_field="pk")
    return organs.filter(
        pk__in=[organ.pk for organ in organs if workflow.can_create(user, organ.pk)]
    )


class ImportFlagInline(admin.TabularInline):
    model = ImportFlag
    fields = ["kind", "location", "message", "raw_fragment", "suggestion", "resolved"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ImportedSource)
class ImportedSourceAdmin(admin.ModelAdmin):
    list_display = ["filename", "notice_link", "organ", "imported_by", "imported_at", "open_flags"]
    list_select_related = ["notice", "organ", "imported_by"]
    search_fields = ["filename", "notice__title", "sha256"]
    exclude = ["raw", "report"]
    readonly_fields = [
        "notice_link",
        "organ",
        "filename",
        "kind",
        "encoding",
        "size",
        "sha256",
        "source_published_on",
        "source_view_count",
        "source_name",
        "attachment_titles",
        "imported_by",
        "imported_at",
        "text",
    ]
    inlines = [ImportFlagInline]

    def get_queryset(self, request):
        return access.scope_to_user(super().get_queryset(request), request.user)

    def get_fields(self, request, obj=None):
        return self.readonly_fields

    def has_view_permission(self, request, obj=None):
        user = request.user
        allowed = user.is_active and user.is_staff and user.has_perm("notices.view_notice")
        return allowed and (obj is None or access.can_access_organ(user, obj.organ_id))

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the raw source goes when its notice goes, never before

    @admin.display(description="草稿")
    def notice_link(self, obj):
        url = reverse("admin:notices_notice_change", args=[obj.notice_id])
        return format_html('<a href="{}">{}</a>', url, obj.notice.title)

    @admin.display(description="待核对")
    def open_flags(self, obj):
        return obj.flags.filter(resolved=False).count()

    def get_urls(self):
        return [
            path(
                "upload/",
                self.admin_site.admin_view(self.upload_view),
                name="importer_importedsource_upload",
            ),
            path(
                "flags/<int:pk>/resolve/",
                self.admin_site.admin_view(self.resolve_view),
                name="importer_importflag_resolve",
            ),
            path(
                "flags/<int:pk>/reopen/",
                self.admin_site.admin_view(self.reopen_view),
                name="importer_importflag_reopen",
            ),
            path(
                "jobs/",
                self.admin_site.admin_view(self.jobs_view),
                name="importer_importedsource_jobs",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_import": importable_organs(request.user).exists(),
        }
        return super().changelist_view(request, extra_context)

    def upload_view(self, request):
        """Each file becomes an ImportJob queued for importer.tasks.import_upload; nothing is
        read or parsed here. The editor is sent to the jobs page to follow them."""
        organs = importable_organs(request.user)
        if not organs.exists():
            raise PermissionDenied("只有机构的编辑可以导入旧稿。")
        form = UploadForm(request.POST or None, request.FILES or None, organs=organs)
        if request.method == "POST" and form.is_valid():
            organ = form.cleaned_data["organ"]
            if not workflow.can_create(request.user, organ.pk):
                raise PermissionDenied("您无权为该机构导入信息。")
            for upload in form.cleaned_data["files"]:
                self._queue(request, organ, upload)
            return HttpResponseRedirect(reverse("admin:importer_importedsource_jobs"))
        context = {
            **self.admin_site.each_context(request),
            "title": "导入旧稿",
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(request, "admin/importer/upload.html", context)

    def _queue(self, request, organ, upload) -> ImportJob:
        size = upload.size or 0
        job = ImportJob(
            organ=organ,
            created_by=request.user,
            remote_addr=client_address(request),
            filename=(upload.name or "")[:255],
            size=size,
        )
        archive = job.is_archive
        problem = reading.archive_size_problem(size) if archive else reading.size_problem(size)
        if problem:  # refused before reading it into memory
            job.status, job.reason = ImportJob.Status.FAILED, problem
            job.save()
            return job
        job.data = b"".join(upload.chunks())
        job.save()
        (tasks.import_archive if archive else tasks.import_upload).enqueue(job.pk)
        return job

    def resolve_view(self, request, pk: int):
        return self._flag_action(request, pk, flag_service.resolve, "已记录为已核对。")

    def reopen_view(self, request, pk: int):
        return self._flag_action(request, pk, flag_service.reopen, "已重新打开。")

    def _flag_action(self, request, pk: int, action, done: str):
        """POST only; a flag outside the user's organs is not found, as if it did not exist."""
        visible = access.scope_to_user(
            ImportFlag.objects.select_related("source"), request.user, organ_field="source__organ"
        )
        flag = visible.filter(pk=pk).first()
        if flag is None:
            raise Http404("没有这一处待核对的内容。")
        change_url = reverse("admin:notices_notice_change", args=[flag.source.notice_id])
        if request.method != "POST":
            return HttpResponseRedirect(change_url)
        try:
            if action is flag_service.resolve:
                action(flag, request.user, request.POST.get("note", ""))
            else:
                action(flag, request.user)
        except (workflow.WorkflowError, PermissionDenied) as error:
            self.message_user(request, str(error) or "您无权执行此操作。", messages.ERROR)
        else:
            self.message_user(request, f"“{flag.location}”{done}", messages.SUCCESS)
        return HttpResponseRedirect(change_url + "#import-flags-heading")

    def jobs_view(self, request):
        """The user's own recent import jobs; the page reloads itself while any is pending."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        ImportJob.objects.fail_interrupted(tasks.interrupted_before())
        jobs = list(
            ImportJob.objects.filter(created_by=request.user)
            .select_related("organ")
            .defer("data")[:50]
        )
        for job in jobs:
            found = job.result.get("files", [job.result] if job.result else [])
            job.file_results = [FileResult.from_dict(data) for data in found]
        context = {
            **self.admin_site.each_context(request),
            "title": "导入任务",
            "opts": self.model._meta,
            "jobs": jobs,
            "pending": any(job.status in ImportJob.PENDING for job in jobs),
            "can_import": importable_organs(request.user).exists(),
        }
        return TemplateResponse(request, "admin/importer/jobs.html", context)


SOURCE_FACTS = [
    ("source_name", "来源"),
    ("source_issuer", "发布机构"),
    ("source_published_on", "发布日期"),
    ("source_signed_on", "成文日期"),
    ("source_view_count", "点击数"),
]


def import_panel(request, notice):
    """The flags of an imported draft on its change page, for whoever may see the notice."""
    source = (
        ImportedSource.objects.filter(notice=notice)
        .select_related("imported_by")
        .defer("raw", "text", "report")
        .first()
    )
    if source is None:
        return None
    flags = list(source.flags.select_related("resolved_by"))
    facts = [(label, getattr(source, name)) for name, label in SOURCE_FACTS]
    return {
        "template": "admin/importer/includes/notice_flags.html",
        "source": source,
        "flags": flags,
        "open_count": sum(1 for flag in flags if not flag.resolved),
        "can_resolve": flag_service.can_resolve(request.user, notice),
        "facts": [(label, value) for label, value in facts if value not in (None, "")],
    }


register_change_panel(import_panel)


# The queue's own screen is in English and shows task arguments; editors follow their imports on
# the 导入任务 page, and operators use `manage.py db_worker` and `prune_db_task_results`.
admin.site.unregister(DBTaskResult)

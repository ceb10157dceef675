"""The notice's admin: the form, attachments and citations, the list, the workflow buttons."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from core.pagination import CappedCountPaginator
from notices import access, editing, interpretations, staging, submissions, workflow
from notices import versions as versions_module
from notices.admin.common import (
    NOTICE_OUT_OF_SCOPE,
    ScopedChoicesMixin,
    already_submitted,
)
from notices.admin.filters import OrganFilter, ReviewQueueFilter, SentBackFilter, YearFilter
from notices.models import (
    Attachment,
    CitedDocument,
    Genre,
    Notice,
    Organ,
)
from notices.views import render_notice

DOCUMENT_NUMBER_CONSTRAINT = next(
    constraint
    for constraint in Notice._meta.constraints
    if constraint.name == "notice_unique_document_number_per_organ"
)


class NoticeAdminForm(forms.ModelForm):
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False, label="版本号")
    submission_token = submissions.TokenField()

    class Meta:
        model = Notice
        fields = "__all__"  # noqa: DJ007 - the admin's fieldsets choose the fields
        widgets = {"title": forms.TextInput(attrs={"class": "vTextField notice-title"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        genre = self.fields.get("genre")
        if genre is not None:
            # Retired genres stay on the notices that have them, and are offered to no other.
            genre.queryset = Genre.objects.choosable(self.instance.genre_id)
        category = self.fields.get("document_category")
        if category is not None:
            # A form sent without it (a script, an older page) keeps the default, 其他.
            category.required = False

    def clean_document_category(self):
        return self.cleaned_data.get("document_category") or Notice.Category.OTHER

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            # Lock the row for the rest of the admin's transaction, then compare versions: of
            # two editors saving the same notice, the second is told and keeps their text.
            locked = Notice.objects.select_for_update(of=("self",))
            current = locked.select_related("last_edited_by").get(pk=self.instance.pk)
            if cleaned.get("lock_version") != current.lock_version:
                raise ValidationError(workflow.edit_conflict_message(current), code="conflict")
        organ = cleaned.get("organ")
        if organ is not None and cleaned.get("document_number"):
            # For the admin's whole transaction, so that the form's check of the 文号 (after
            # clean) already sees a notice being saved with it right now.
            workflow.hold_document_numbers(organ.pk)
        return cleaned

    def validate_unique(self):
        super().validate_unique()
        # The 文号's constraint holds for originals only, and the form has no correction_of
        # field, so the check above skips it: ask the constraint itself.
        if "document_number" not in self.errors:
            try:
                DOCUMENT_NUMBER_CONSTRAINT.validate(Notice, self.instance)
            except ValidationError as error:
                self.add_error("document_number", error)


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["position", "title", "file", "body_image", "file_facts"]
    readonly_fields = ["file_facts"]

    @admin.display(description="文件信息")
    def file_facts(self, item: Attachment) -> str:
        """Name, type and size; the SHA-256 folded away in a details element."""
        if not item.pk:
            return "—"
        return format_html(
            '<details class="file-facts"><summary>{}（{}，{}）</summary>'
            '<span class="file-facts__hash">SHA-256：<code>{}</code></span></details>',
            item.original_name or item.file.name,
            item.extension,
            filesizeformat(item.size),
            item.sha256 or "—",
        )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "file":
            kwargs["widget"] = editing.StagedFileInput
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_add_permission(self, request, obj=None):
        return obj is None or workflow.can_edit(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return obj is None or workflow.can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return obj is None or workflow.can_edit(request.user, obj)


class CitedDocumentInline(ScopedChoicesMixin, AttachmentInline):
    model = CitedDocument
    fk_name = "notice"
    fields = ["position", "target", "title", "document_number"]
    readonly_fields = []

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return admin.TabularInline.formfield_for_dbfield(self, db_field, request, **kwargs)

    raw_id_fields = ["target"]

    def scoped_choices(self, request) -> dict:
        citable = Notice.objects.originals().visible_to(request.user)
        return {"target": (citable, NOTICE_OUT_OF_SCOPE)}


class NoticeChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        # The list shows no body; at 50 rows of long bodies it is most of what is read.
        return super().get_queryset(request, exclude_parameters).defer("body")


@admin.register(Notice)
class NoticeAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    form = NoticeAdminForm
    change_form_template = "admin/notices/notice/change_form.html"
    inlines = [AttachmentInline, CitedDocumentInline]
    # The title takes the width, its 文号 under it; the 索引号 and times are on the change page.
    list_display = ["title_and_number", "organ_name", "genre", "state", "published_on"]
    list_display_links = ["title_and_number"]
    list_filter = [
        ReviewQueueFilter,
        SentBackFilter,
        "status",
        OrganFilter,
        "genre",
        YearFilter,
        "document_category",
        "validity",
        "disclosure",
    ]
    search_fields = ["title", "=document_number", "=index_number"]
    list_select_related = ["organ", "genre"]
    list_per_page = 50
    show_full_result_count = False
    paginator = CappedCountPaginator
    filter_horizontal = ["topics"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "organ",
                    "title",
                    "document_number",
                    "genre",
                    "document_category",
                    "topics",
                ]
            },
        ),
        (
            "公开目录信息",
            {
                "fields": [
                    "keywords",
                    "summary",
                    "addressees",
                    "signed_on",
                    "published_at",
                    "disclosure",
                    "withheld_reason",
                    "validity_state",
                ]
            },
        ),
        (
            "政策解读",
            {
                "fields": ["interprets", "interpretation_form", "video_url"],
                "description": "仅体裁为“解读”的信息填写：选择被解读的文件；"
                "一份文件可以有多篇解读（文字、图文或视频）。",
            },
        ),
        ("正文", {"fields": ["body"]}),
        ("更正", {"fields": ["change_note"], "classes": ["collapse"]}),
        (None, {"fields": ["lock_version", "submission_token"]}),
    ]
    readonly_fields = ["index_number", "validity_state"]
    raw_id_fields = ["interprets"]

    @admin.display(description="有效性")
    def validity_state(self, notice: Notice) -> str:
        """有效性 is changed by a reviewed validity change (notices/validity.py), not here."""
        if notice.pk is None or notice.validity == Notice.Validity.VALID:
            state = "有效"
        else:
            state = (
                f"{notice.get_validity_display()}（{notice.validity_changed_on:%Y年%m月%d日}起）"
            )
        if notice.pk is None or notice.is_correction or not notice.is_live():
            return state
        return format_html(
            '{} <a href="{}?notice={}">申请变更有效性</a>',
            state,
            reverse("admin:notices_validitychange_add"),
            notice.pk,
        )

    def scoped_choices(self, request) -> dict:
        # An interpretation names a document the user may see (as a citation does).
        interpretable = Notice.objects.originals().visible_to(request.user)
        return {"interprets": (interpretable, NOTICE_OUT_OF_SCOPE)}

    @admin.display(description="状态")
    def state(self, notice: Notice) -> str:
        return notice.state_label

    @admin.display(description="标题", ordering="title")
    def title_and_number(self, notice: Notice) -> str:
        if not notice.document_number:
            return notice.title
        return format_html(
            '{}<span class="notice-number">{}</span>', notice.title, notice.document_number
        )

    @admin.display(description="发布机构", ordering="organ")
    def organ_name(self, notice: Notice) -> str:
        return notice.organ.short_name or notice.organ.name

    @admin.display(description="发布日期", ordering="published_at")
    def published_on(self, notice: Notice) -> str:
        if notice.published_at is None:
            return "—"
        return f"{timezone.localtime(notice.published_at):%Y-%m-%d}"

    def get_changelist(self, request, **kwargs):
        return NoticeChangeList

    def action_checkbox(self, notice: Notice):
        """The same checkbox as ModelAdmin's, written out directly: rendered through the form
        widget's templates, the fifty checkboxes took a tenth of the list's time."""
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            notice.pk,
            format_html(_("Select this object for an action - {}"), str(notice)),
        )

    def view_on_site(self, notice: Notice) -> str | None:
        """Link to the public page only where the public can see one."""
        if Notice.objects.public_pages().filter(pk=notice.pk).exists():
            return notice.get_absolute_url()
        return None

    def get_queryset(self, request):
        return access.scope_to_user(super().get_queryset(request), request.user)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not obj.is_correction:
            fieldsets = [fs for fs in fieldsets if fs[0] != "更正"]
        if obj is not None and not self.has_change_permission(request, obj):
            # Read only: the form's hidden bookkeeping is no value to show.
            fieldsets = [fs for fs in fieldsets if "lock_version" not in fs[1]["fields"]]
        return fieldsets

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organ":
            kwargs["queryset"] = access.scope_to_user(
                Organ.objects.all(), request.user, organ_field="pk"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None and obj.is_correction and "organ" in form.base_fields:
            form.base_fields["organ"].disabled = True
        return form

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or access.can_access_organ(request.user, obj.organ_id))

    def has_add_permission(self, request):
        return workflow.can_create(request.user)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request)
        return workflow.can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return super().has_delete_permission(request)
        return workflow.can_delete(request.user, obj)

    def add_view(self, request, form_url="", extra_context=None):
        try:
            with submissions.once(request):
                return super().add_view(request, form_url, extra_context)
        except submissions.AlreadySubmitted as repeated:
            return already_submitted(self, request, repeated.created)

    def save_model(self, request, obj, form, change):
        workflow.save_draft(obj, request.user)
        if not change:
            submissions.record(form.cleaned_data.get("submission_token"), request.user, obj)

    def delete_model(self, request, obj):
        workflow.delete_draft(obj, request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for notice in queryset:
                workflow.delete_draft(notice, request.user)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<int:pk>/workflow/",
                self.admin_site.admin_view(self.workflow_view),
                name=f"{info[0]}_{info[1]}_workflow",
            ),
            path(
                "<int:pk>/versions/",
                self.admin_site.admin_view(self.versions_view),
                name=f"{info[0]}_{info[1]}_versions",
            ),
            path(
                "<int:pk>/versions/<int:number>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name=f"{info[0]}_{info[1]}_restore",
            ),
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name=f"{info[0]}_{info[1]}_preview",
            ),
            *super().get_urls(),
        ]

    def _get_visible(self, request, pk: int) -> Notice:
        notice = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, notice):
            raise PermissionDenied
        return notice

    def workflow_view(self, request, pk: int):
        notice = self._get_visible(request, pk)
        change_url = reverse("admin:notices_notice_change", args=[pk])
        if request.method != "POST":
            return HttpResponseRedirect(change_url)
        action = request.POST.get("transition", "")
        perform = workflow.TRANSITIONS.get(action)
        if perform is None:
            self.message_user(request, "未知的操作。", messages.ERROR)
            return HttpResponseRedirect(change_url)
        try:
            result = perform(notice, request.user, request.POST.get("comment", ""))
        except (workflow.WorkflowError, PermissionDenied) as error:
            self.message_user(request, str(error) or "您无权执行此操作。", messages.ERROR)
            return HttpResponseRedirect(change_url)
        message = transition_message(action, result, was_correction=notice.is_correction)
        self.message_user(request, message, messages.SUCCESS)
        if action == workflow.SUBMIT.name and interpretations.missing_interpretation(result):
            self.message_user(request, interpretations.MISSING_MESSAGE, messages.WARNING)
        if result.pk != notice.pk or action == workflow.START_CORRECTION.name:
            change_url = reverse("admin:notices_notice_change", args=[result.pk])
        return HttpResponseRedirect(change_url)

    def versions_view(self, request, pk: int):
        """Two published versions side by side (the newest two unless ?a= and ?b= say)."""
        notice = self._get_visible(request, pk)
        versions = list(notice.versions.select_related("edited_by", "approved_by"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": notice,
            "title": f"历史版本对比：{notice.title}",
            "versions": versions,
            "can_restore": workflow.can_create(request.user, notice.organ_id) and notice.is_live(),
        }
        if len(versions) >= 2:
            by_number = {version.number: version for version in versions}
            try:
                old = by_number[int(request.GET.get("a", versions[-2].number))]
                new = by_number[int(request.GET.get("b", versions[-1].number))]
            except (KeyError, ValueError):
                self.message_user(request, "没有这个版本。", messages.ERROR)
                old, new = versions[-2], versions[-1]
            context["old"], context["new"] = old, new
            context["fields"], context["body_diff"] = versions_module.compare(old, new)
        return TemplateResponse(request, "admin/notices/notice/versions.html", context)

    def restore_view(self, request, pk: int, number: int):
        notice = self._get_visible(request, pk)
        versions_url = reverse("admin:notices_notice_versions", args=[pk])
        if request.method != "POST":
            return HttpResponseRedirect(versions_url)
        version = get_object_or_404(notice.versions, number=number)
        try:
            correction = workflow.restore_version(notice, version, request.user)
        except (workflow.WorkflowError, PermissionDenied) as error:
            self.message_user(request, str(error) or "您无权执行此操作。", messages.ERROR)
            return HttpResponseRedirect(versions_url)
        self.message_user(
            request,
            f"已按第 {number} 版内容生成更正稿，请检查后提交审核。",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:notices_notice_change", args=[correction.pk]))

    def preview_view(self, request, pk: int):
        notice = self._get_visible(request, pk)
        return render_notice(request, notice, preview=True)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if request.method == "POST" and inline.model is Attachment:
            kwargs["data"], kwargs["files"] = editing.staged_data(
                request, prefix, self.kept_uploads(request)
            )
        return kwargs

    @staticmethod
    def kept_uploads(request) -> editing.Kept:
        """This request's staged attachments (notices.staging)."""
        if not hasattr(request, "kept_uploads"):
            request.kept_uploads = editing.Kept(by_name={}, used=[])
        return request.kept_uploads

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        staging.discard(self.kept_uploads(request).used)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        inline_formsets = [item.formset for item in context.get("inline_admin_formsets", [])]
        if request.method == "POST":
            attachments = [fs for fs in inline_formsets if fs.model is Attachment]
            context["staged_uploads"] = editing.stage_failed(
                request, attachments, self.kept_uploads(request)
            )
            context["error_links"] = editing.error_links(context["adminform"].form, inline_formsets)
        if obj is not None:
            context["sent_back"] = workflow.sent_back_comment(obj)
            context["transitions"] = workflow.available_transitions(request.user, obj)
            context["events"] = obj.events.select_related("actor")[:50]
            context["versions"] = obj.versions.select_related("edited_by", "approved_by")
            context["open_correction"] = obj.corrections.first()
            context["panels"] = [
                found for found in (panel(request, obj) for panel in CHANGE_PANELS) if found
            ]
            context["missing_interpretation"] = interpretations.missing_interpretation(obj)
            context["missing_interpretation_message"] = interpretations.MISSING_MESSAGE
            if obj.status == Notice.Status.IN_REVIEW:
                context["side_by_side"] = interpretations.side_by_side(obj, request.user)
        return super().render_change_form(request, context, add, change, form_url, obj)


CHANGE_PANELS: list = []


def register_change_panel(panel) -> None:
    """Another app's box on a notice's change page: ``panel(request, notice)`` returns None or a
    dict with the ``template`` to include and its context (the importer's flags)."""
    if panel not in CHANGE_PANELS:
        CHANGE_PANELS.append(panel)


def transition_message(action: str, notice: Notice, was_correction: bool = False) -> str:
    """What the person who moved a notice is told: what happened, and to whom it went."""
    if action == workflow.SEND_BACK.name:
        to = notice.sent_back_to.get_username() if notice.sent_back_to else "编辑"
        return f"已退回给 {to}，退回意见已显示在其页面顶部。"
    if action == workflow.SUBMIT.name:
        return "已提交审核，等待本机构的其他审核人员审核。"
    if action == workflow.APPROVE.name:
        if notice.is_scheduled():
            moment = timezone.localtime(notice.published_at)
            return f"审核通过，已排期：将于 {moment:%Y-%m-%d %H:%M} 自动发布到网站。"
        if was_correction:
            return "更正已发布：公开页面已换成更正后的内容，并显示更正说明。"
        return "审核通过，已发布到网站。"
    if action == workflow.WITHDRAW.name:
        return "已撤回这条信息，撤回原因已记入流程记录。"
    if action == workflow.UNSCHEDULE.name:
        return "已取消定时发布，这条信息回到草稿。"
    if action == workflow.START_CORRECTION.name:
        return "已创建更正稿：请修改后提交审核；审核通过前，公众看到的仍是原来的内容。"
    return f"操作完成，当前状态：{notice.state_label}。"

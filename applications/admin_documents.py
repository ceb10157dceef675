"""The admin of what the applicant reads: the general guide to applying and the document
templates (site admins edit them), and the documents sent, each printable and as .docx for
handlers of the organ asked (a document sent by post is printed from here)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from applications import documents, services
from applications.models import ApplicationDocument, ApplicationGuide, DocumentTemplate
from notices import access

VALUES_HELP = (
    "可用的值：number（申请编号）、organ_name、applicant_name、submitted_on、received_on、"
    "due_on、today、description、delivery、medium、outcome、outcome_category、legal_basis、"
    "withheld、answer_summary、correction_what、correction_reply_by、extension_days、"
    "extension_reason、consultation_party、consultation_reply_by、fee_basis、fee_lines"
    "（每行有 label、count、unit、price、amount）、fee_total、lookup_url。"
)


@admin.register(ApplicationGuide)
class ApplicationGuideAdmin(admin.ModelAdmin):
    """The general guide only: an organ's is the 申请方式和程序 of its 政府信息公开指南, kept
    with the organ's pages (portal.DisclosureGuide)."""

    list_display = ["__str__", "updated_at"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not ApplicationGuide.objects.exists()


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(admin.ModelAdmin):
    """Each kind has its template from the start; they are edited, never removed."""

    list_display = ["__str__", "title", "updated_at"]
    list_filter = ["kind"]
    fields = ["kind", "outcome_category", "title", "body"]

    def get_readonly_fields(self, request, obj=None):
        return ["kind", "outcome_category"] if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if "body" in form.base_fields:
            body = form.base_fields["body"]
            body.help_text = f"{body.help_text} {VALUES_HELP}"
            body.widget.attrs.update({"rows": 24, "cols": 100})
        return form

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApplicationDocument)
class ApplicationDocumentAdmin(admin.ModelAdmin):
    """Documents as sent: read-only, scoped to the organs of the user like the applications."""

    list_display = ["title", "application", "kind", "sent_at", "print_link"]
    list_filter = ["kind"]
    search_fields = ["=application__number"]
    list_select_related = ["application__organ"]
    fields = ["application", "kind", "title", "created_at", "sent_at", "print_link"]
    readonly_fields = fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return access.scope_to_user(queryset, request.user, organ_field="application__organ")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        if obj is not None:
            return services.can_view(request.user, obj.application)
        return super().has_view_permission(request)

    @admin.display(description="打印 / Word")
    def print_link(self, document):
        return documents.print_links(
            reverse("admin:applications_applicationdocument_print", args=[document.pk]),
            reverse("admin:applications_applicationdocument_docx", args=[document.pk]),
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/print/",
                wrap(self.print_view),
                name="applications_applicationdocument_print",
            ),
            path(
                "<int:pk>/docx/",
                wrap(self.docx_view),
                name="applications_applicationdocument_docx",
            ),
            *super().get_urls(),
        ]

    def _document(self, request, pk: int) -> ApplicationDocument:
        document = get_object_or_404(
            ApplicationDocument.objects.select_related("application__organ"), pk=pk
        )
        if not services.can_view(request.user, document.application):
            raise PermissionDenied
        return document

    def print_view(self, request, pk: int):
        document = self._document(request, pk)
        docx_url = reverse("admin:applications_applicationdocument_docx", args=[pk])
        return TemplateResponse(
            request,
            "applications/document.html",
            {"document": document, "docx_url": docx_url, "html": documents.shown(document)},
        )

    def docx_view(self, request, pk: int):
        return documents.docx_response(self._document(request, pk))

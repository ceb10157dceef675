from django.contrib import admin

from audit.models import AuditEvent
from core.pagination import CappedCountPaginator

# django-auditlog registers its own admin for the log model; ours replaces it.
if admin.site.is_registered(AuditEvent):
    admin.site.unregister(AuditEvent)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The history, read-only for everyone: no add, change or delete, not even for superusers."""

    list_display = [
        "sequence",
        "timestamp",
        "action",
        "content_type",
        "object_repr",
        "actor",
        "source",
        "remote_addr",
    ]
    list_filter = ["action", "content_type", "source"]
    search_fields = ["object_repr", "=object_pk", "actor__username"]
    list_select_related = ["content_type", "actor"]
    show_full_result_count = False
    paginator = CappedCountPaginator
    readonly_fields = [
        "sequence",
        "timestamp",
        "action",
        "content_type",
        "object_pk",
        "object_repr",
        "changes",
        "actor",
        "source",
        "remote_addr",
        "additional_data",
        "previous_hash",
        "hash",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.template.loader import render_to_string

from audit import readable
from audit.models import AuditEvent
from core.pagination import CappedCountPaginator

# django-auditlog registers its own admin for the log model; ours replaces it.
if admin.site.is_registered(AuditEvent):
    admin.site.unregister(AuditEvent)


class ActionFilter(admin.SimpleListFilter):
    title = "操作"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return [(str(value), label) for value, label in readable.ACTIONS.items()]

    def queryset(self, request, queryset):
        if self.value() in {str(value) for value in readable.ACTIONS}:
            return queryset.filter(action=int(self.value()))
        return queryset


class ObjectTypeFilter(admin.SimpleListFilter):
    """The followed models by their Chinese names (auditlog's own filter shows the codes)."""

    title = "对象类型"
    parameter_name = "type"

    def lookups(self, request, model_admin):
        used = AuditEvent.objects.values_list("content_type", flat=True).distinct()
        types = ContentType.objects.filter(pk__in=used)
        named = [
            (str(kind.pk), str(kind.model_class()._meta.verbose_name))
            for kind in types
            if kind.model_class() is not None
        ]
        return sorted(named, key=lambda item: item[1])

    def queryset(self, request, queryset):
        if self.value():
            try:
                return queryset.filter(content_type_id=int(self.value()))
            except ValueError:
                return queryset.none()
        return queryset


class SourceFilter(admin.SimpleListFilter):
    title = "来源"
    parameter_name = "source"

    def lookups(self, request, model_admin):
        sources = AuditEvent.objects.exclude(source="").values_list("source", flat=True)
        return [(source, source) for source in sources.distinct().order_by("source")[:50]]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(source=self.value())
        return queryset


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The history, read-only for everyone: no add, change or delete, not even for superusers.
    Shown as a reader reads it (audit/readable.py); the stored event is what exports give."""

    list_display = [
        "sequence",
        "local_timestamp",
        "action_name",
        "object_type",
        "object_name",
        "actor",
        "source",
        "address",
    ]
    list_display_links = ["sequence", "local_timestamp"]
    list_filter = [ActionFilter, ObjectTypeFilter, SourceFilter]
    search_fields = ["object_repr", "=object_pk", "actor__username"]
    search_help_text = "按对象名称、对象主键（精确）或操作人登录名查找。"
    list_select_related = ["content_type", "actor"]
    show_full_result_count = False
    paginator = CappedCountPaginator
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "sequence",
                    "local_timestamp",
                    "action_name",
                    "object_type",
                    "object_key",
                    "object_name",
                    "actor",
                    "source",
                    "address",
                ]
            },
        ),
        ("变更内容", {"fields": ["readable_changes"]}),
        ("附加信息", {"fields": ["readable_details"]}),
        ("防篡改校验", {"fields": ["previous_hash", "hash"], "classes": ["collapse"]}),
    ]
    readonly_fields = [
        "sequence",
        "local_timestamp",
        "action_name",
        "object_type",
        "object_key",
        "object_name",
        "actor",
        "source",
        "address",
        "readable_changes",
        "readable_details",
        "previous_hash",
        "hash",
    ]

    @admin.display(description="时间", ordering="timestamp")
    def local_timestamp(self, event: AuditEvent) -> str:
        return readable.local_time(event.timestamp)

    @admin.display(description="操作", ordering="action")
    def action_name(self, event: AuditEvent) -> str:
        return readable.action_label(event)

    @admin.display(description="对象类型")
    def object_type(self, event: AuditEvent) -> str:
        return readable.object_type(event)

    @admin.display(description="对象")
    def object_name(self, event: AuditEvent) -> str:
        return event.object_repr

    @admin.display(description="对象主键")
    def object_key(self, event: AuditEvent) -> str:
        return event.object_pk

    @admin.display(description="IP 地址")
    def address(self, event: AuditEvent) -> str:
        if not event.remote_addr:
            return readable.EMPTY
        return (
            f"{event.remote_addr}:{event.remote_port}" if event.remote_port else event.remote_addr
        )

    @admin.display(description="变更的字段")
    def readable_changes(self, event: AuditEvent) -> str:
        return render_to_string(
            "admin/audit/auditevent/includes/changes.html",
            {"changes": readable.changes(event), "event": event},
        )

    @admin.display(description="详情")
    def readable_details(self, event: AuditEvent) -> str:
        return render_to_string(
            "admin/audit/auditevent/includes/details.html", {"details": readable.details(event)}
        )

    class Media:
        css = {"all": ["css/admin-audit.css"]}

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

"""The notice list's filters."""

from django.contrib import admin
from django.db.models import Min
from django.utils import timezone

from notices import access, workflow
from notices.models import (
    Notice,
    Organ,
)


class YearFilter(admin.SimpleListFilter):
    title = "发布年份"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        this_year = timezone.localdate().year
        earliest = Notice.objects.aggregate(earliest=Min("published_at"))["earliest"]
        first_year = timezone.localtime(earliest).year if earliest else this_year
        return [(str(year), f"{year}年") for year in range(this_year + 1, first_year - 1, -1)]

    def queryset(self, request, queryset):
        if self.value():
            try:
                return queryset.filter(published_at__year=int(self.value()))
            except ValueError:
                return queryset.none()
        return queryset


class OrganFilter(admin.SimpleListFilter):
    title = "发布机构"
    parameter_name = "organ"

    def lookups(self, request, model_admin):
        organs = access.scope_to_user(Organ.objects.all(), request.user, organ_field="pk")
        return [(str(organ.pk), organ.name) for organ in organs]

    def queryset(self, request, queryset):
        if self.value():
            try:
                return queryset.filter(organ_id=int(self.value()))
            except ValueError:
                return queryset.none()
        return queryset


class ReviewQueueFilter(admin.SimpleListFilter):
    """待我审核: in review, in my organs, last edited by someone else."""

    title = "审核"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        if request.user.has_perm(workflow.REVIEW_PERMISSION):
            return [("mine", "待我审核")]
        return []

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(status=Notice.Status.IN_REVIEW).exclude(
                last_edited_by=request.user
            )
        return queryset


class SentBackFilter(admin.SimpleListFilter):
    """已退回: drafts a reviewer sent back and nobody has submitted again."""

    title = "退回"
    parameter_name = "sent_back"

    def lookups(self, request, model_admin):
        return [("all", "已退回"), ("mine", "退回给我的")]

    def queryset(self, request, queryset):
        sent_back = queryset.filter(status=Notice.Status.DRAFT, sent_back_at__isnull=False)
        if self.value() == "all":
            return sent_back
        if self.value() == "mine":
            return sent_back.filter(sent_back_to=request.user)
        return queryset

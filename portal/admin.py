"""The portal's pages in the admin: the site's identity (site admins), each organ's guide,
rules and 机构信息 (editors of that organ), and the 法定主动公开内容 columns (site admins).
Every save goes through portal/services.py; the admin only offers what it allows."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse

from notices import access
from notices.models import Organ
from portal import emblem, services
from portal.models import (
    IDENTITY_PK,
    DisclosureGuide,
    DisclosureRules,
    Leader,
    OrganProfile,
    SiteIdentity,
    StatutoryColumn,
)


class SiteIdentityForm(forms.ModelForm):
    emblem_file = forms.FileField(
        label="网站标志图片",
        required=False,
        help_text=(
            f"PNG 或 JPEG，不超过 {emblem.MAX_BYTES // 1024} KB，"
            f"宽高不超过 {emblem.MAX_SIDE} 像素。"
        ),
    )
    remove_emblem = forms.BooleanField(label="删除现有标志图片", required=False)

    class Meta:
        model = SiteIdentity
        fields = [
            "portal_name",
            "sponsor",
            "operator",
            "site_code",
            "icp_number",
            "police_number",
            "contact_address",
            "contact_phone",
            "contact_email",
            "contact_note",
        ]

    def clean_emblem_file(self):
        upload = self.cleaned_data.get("emblem_file")
        if upload is not None:
            emblem.checked(upload)  # the ValidationError shows on the field
        return upload


@admin.register(SiteIdentity)
class SiteIdentityAdmin(admin.ModelAdmin):
    """One row: adding one when it exists opens it."""

    form = SiteIdentityForm
    readonly_fields = ["updated_at"]

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None):
        user = request.user
        return user.is_active and user.is_staff and user.has_perm("portal.view_siteidentity")

    def has_change_permission(self, request, obj=None):
        return services.can_edit_identity(request.user)

    def has_add_permission(self, request):
        # Asked by every admin page's menu: no query here; add_view sends to the row if any.
        return services.can_edit_identity(request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        if (
            self.has_add_permission(request)
            and SiteIdentity.objects.filter(pk=IDENTITY_PK).exists()
        ):
            url = reverse("admin:portal_siteidentity_change", args=[IDENTITY_PK])
            return HttpResponseRedirect(url)
        return super().add_view(request, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        services.save_identity(
            request.user,
            obj,
            form.cleaned_data.get("emblem_file"),
            remove_emblem=form.cleaned_data.get("remove_emblem", False),
        )

    def response_change(self, request, obj):
        self.message_user(request, "网站标识已保存，所有页面已更新。")
        return HttpResponseRedirect(request.path)

    def response_add(self, request, obj, post_url_continue=None):
        return self.response_change(request, obj)


class OrganPageAdmin(admin.ModelAdmin):
    """An organ's page: editors see and write their own organs' only."""

    list_display = ["organ", "updated_at"]
    list_select_related = ["organ"]
    readonly_fields = ["updated_at"]

    def get_queryset(self, request):
        return access.scope_to_user(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organ":
            kwargs["queryset"] = access.scope_to_user(
                Organ.objects.all(), request.user, organ_field="pk"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return services.can_edit_organ_page(
            request.user, self.model, obj.organ_id if obj is not None else None
        )

    def has_add_permission(self, request):
        return services.can_edit_organ_page(request.user, self.model, None)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser or (
            request.user.has_perm(f"portal.delete_{self.model._meta.model_name}")
            and access.sees_all_organs(request.user)
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        user, model = request.user, self.model

        class OrganScopedForm(form):
            def clean(self):
                cleaned = super().clean()
                organ = cleaned.get("organ") or getattr(self.instance, "organ", None)
                if organ is not None and not services.can_edit_organ_page(user, model, organ.pk):
                    raise ValidationError("只能修改本机构的页面。")
                return cleaned

        return OrganScopedForm

    def get_readonly_fields(self, request, obj=None):
        # The organ of a written page does not change: another organ's would be overwritten.
        return ["organ", *self.readonly_fields] if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        services.save_organ_page(request.user, obj)


@admin.register(Leader)
class LeaderAdmin(admin.ModelAdmin):
    """Every leader in one list: those of the organs' 机构信息 pages (editors see their own
    organs') and those of no organ, whose names and titles are only checked before publication."""

    list_display = ["name", "post", "profile", "wrong_forms", "current", "position"]
    list_filter = ["current", ("profile", admin.EmptyFieldListFilter)]
    list_select_related = ["profile__organ"]
    search_fields = ["name", "post", "wrong_forms"]
    fields = ["profile", "name", "post", "duties", "wrong_forms", "current", "position"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return access.scope_to_user(queryset, request.user, organ_field="profile__organ")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "profile":
            kwargs["queryset"] = access.scope_to_user(
                OrganProfile.objects.select_related("organ"), request.user
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request)
        return services.can_edit_leader(request.user, obj.organ_id)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or services.can_edit_leader(request.user, obj.organ_id)
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        user = request.user

        class OrganScopedForm(form):
            def clean(self):
                cleaned = super().clean()
                profile = cleaned.get("profile")
                if not services.can_edit_leader(user, profile.organ_id if profile else None):
                    raise ValidationError(
                        "只能填写本机构的领导；不属于任何机构的领导由网站管理员填写。"
                    )
                return cleaned

        return OrganScopedForm

    def save_model(self, request, obj, form, change):
        services.save_leader(request.user, obj)


@admin.register(OrganProfile)
class OrganProfileAdmin(OrganPageAdmin):
    """The 机构信息 page. Its leaders are written in one place, the 领导信息 list (LeaderAdmin,
    through services.save_leader), which the checks before publication read too; this page
    lists them with links there."""

    fields = [
        "organ",
        "functions",
        "address",
        "office_hours",
        "phone",
        "website",
        "leaders",
        "updated_at",
    ]
    readonly_fields = [*OrganPageAdmin.readonly_fields, "leaders"]

    @admin.display(description="领导信息")
    def leaders(self, obj):
        if obj is None or obj.pk is None:
            return "保存机构信息后，在“领导信息”中添加本机构的领导。"
        return render_to_string(
            "admin/portal/profile_leaders.html",
            {
                "leaders": obj.leaders.all(),
                "add_url": reverse("admin:portal_leader_add") + f"?profile={obj.pk}",
                "list_url": reverse("admin:portal_leader_changelist")
                + f"?profile__id__exact={obj.pk}",
            },
        )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "website":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(DisclosureGuide)
class DisclosureGuideAdmin(OrganPageAdmin):
    fieldsets = [
        (None, {"fields": ["organ", "updated_at"]}),
        (
            "政府信息公开工作机构（条例第十二条）",
            {
                "fields": [
                    "office_name",
                    "address",
                    "postcode",
                    "office_hours",
                    "phone",
                    "fax",
                    "email",
                ]
            },
        ),
        ("内容", {"fields": ["how_to_apply", "body"]}),
    ]


@admin.register(DisclosureRules)
class DisclosureRulesAdmin(OrganPageAdmin):
    fields = ["organ", "body", "updated_at"]


@admin.register(StatutoryColumn)
class StatutoryColumnAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "organ", "article_item", "kind", "position"]
    list_filter = ["kind", "organ"]
    list_select_related = ["parent", "organ"]
    filter_horizontal = ["topics", "genres"]
    fields = ["organ", "parent", "name", "article_item", "kind", "topics", "genres", "position"]

    def has_module_permission(self, request):
        return (
            request.user.is_active
            and request.user.is_staff
            and request.user.has_perm("portal.view_statutorycolumn")
        )

    def has_add_permission(self, request):
        return services.can_edit_columns(request.user)

    def has_change_permission(self, request, obj=None):
        return services.can_edit_columns(request.user)

    def has_delete_permission(self, request, obj=None):
        return services.can_edit_columns(request.user)

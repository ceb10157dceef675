"""The public forms: applying (条例 §29) and looking an application up."""

import os
import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat

from applications import services
from applications.models import Application, ApplicationAttachment
from notices.models import Organ
from notices.uploads import inspect_upload

PHONE = re.compile(r"^[0-9+()\- ]{7,20}$")
POSTCODE = re.compile(r"^[0-9]{6}$")
NUMBER = re.compile(r"^[0-9]{4}-[0-9]{6}$")
ATTACHMENT_EXTENSIONS = {"pdf", "jpg", "jpeg", "png", "ofd"}
APPLICANT_FIELDS = [
    "applicant_type",
    "organization_kind",
    "applicant_name",
    "id_type",
    "id_number",
    "contact_person",
    "phone",
    "email",
    "postal_address",
    "postcode",
    "description",
    "delivery",
    "medium",
]
MIN_DESCRIPTION = 5


def attachment_limit() -> int:
    return getattr(settings, "APPLICATION_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)


def required(message: str) -> dict:
    return {"required": message, "invalid_choice": "请从列表中选择。"}


class ApplicationForm(forms.ModelForm):
    """An online application. The applicant's identity number is checked by the model's
    clean (check characters); the remaining rules of §29 are field checks here."""

    organ = forms.ModelChoiceField(
        label="受理机关",
        queryset=Organ.objects.order_by("position", "name"),
        empty_label="请选择受理机关",
        error_messages=required("请选择向哪个机关提出申请。"),
    )
    identity_file = forms.FileField(
        label="身份证明扫描件（可选）",
        required=False,
        help_text="PDF、JPG、PNG 或 OFD 文件。",
    )
    other_file = forms.FileField(label="其他材料（可选）", required=False)
    # Left empty by people (the field is hidden from them); filled by form-filling robots.
    website = forms.CharField(label="请勿填写此项", required=False)
    # One per form shown: a second POST of the same form (a reload, a double click) finds the
    # first one's number instead of filing the application twice (public_views.apply).
    once = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    class Meta:
        model = Application
        fields = ["organ", *APPLICANT_FIELDS]
        widgets = {
            "applicant_type": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 5, "maxlength": 2000}),
            "delivery": forms.RadioSelect,
            "medium": forms.RadioSelect,
        }
        error_messages = {
            "applicant_type": required("请选择申请人类型。"),
            "applicant_name": {
                "required": "请填写申请人姓名或法人或其他组织名称。",
                "max_length": "姓名或名称不能超过100个字。",
            },
            "id_type": required("请选择证件类型。"),
            "id_number": {"required": "请填写证件号码。", "max_length": "证件号码过长。"},
            "email": {"invalid": "电子邮箱格式不正确，例如 name@example.cn。"},
            "description": {"required": "请描述所需的政府信息（名称、文号或其他特征）。"},
            "delivery": required("请选择获取信息的方式。"),
            "medium": required("请选择信息的载体形式。"),
            "organization_kind": {"invalid_choice": "请从列表中选择组织类别。"},
            "postal_address": {"max_length": "通信地址不能超过200个字。"},
            "contact_person": {"max_length": "联系人不能超过50个字。"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization_kind"].choices = [
            ("", "（自然人不填）"),
            *Application.OrganizationKind.choices,
        ]
        self.fields["id_type"].choices = [("", "请选择证件类型"), *Application.IdType.choices]
        self.fields["description"].label = "所需信息的名称、文号或其他特征性描述"
        self.fields["applicant_name"].label = "姓名或名称"
        self.fields["email"].label = "电子邮箱"
        self.fields["phone"].label = "联系电话"
        self.fields["contact_person"].label = "联系人（法人或其他组织填写）"
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        for name in ("applicant_type", "delivery", "medium"):
            self.fields[name].choices = [c for c in self.fields[name].choices if c[0]]

    def clean_once(self) -> str:
        return (self.cleaned_data.get("once") or "")[:64]

    def clean_phone(self) -> str:
        phone = (self.cleaned_data.get("phone") or "").strip()
        if phone and not PHONE.match(phone):
            raise ValidationError("联系电话只能包含数字、“-”、“+”和括号，7至20位。")
        return phone

    def clean_postcode(self) -> str:
        postcode = (self.cleaned_data.get("postcode") or "").strip()
        if postcode and not POSTCODE.match(postcode):
            raise ValidationError("邮政编码应为6位数字。")
        return postcode

    def clean_description(self) -> str:
        text = (self.cleaned_data.get("description") or "").strip()
        if len(text) < MIN_DESCRIPTION:
            raise ValidationError(
                f"所需信息描述太简略（至少{MIN_DESCRIPTION}个字），请写明信息的名称、文号或其他特征。"
            )
        if len(text) > 2000:
            raise ValidationError("所需信息描述不能超过2000个字。")
        return text

    def _clean_file(self, name: str):
        upload = self.cleaned_data.get(name)
        if not upload:
            return None
        extension = os.path.splitext(upload.name or "")[1].lower().lstrip(".")
        if extension not in ATTACHMENT_EXTENSIONS:
            raise ValidationError("附件只接受 PDF、JPG、PNG 或 OFD 文件。")
        if upload.size > attachment_limit():
            raise ValidationError(
                f"附件太大（{filesizeformat(upload.size)}），不能超过 "
                f"{filesizeformat(attachment_limit())}。"
            )
        inspect_upload(upload)
        return upload

    def clean_identity_file(self):
        return self._clean_file("identity_file")

    def clean_other_file(self):
        return self._clean_file("other_file")

    def clean(self):
        data = super().clean()
        if data.get("website"):
            self.add_error(None, "提交未被接受：请不要填写标明“请勿填写”的栏目。")
        kind = data.get("applicant_type")
        id_type = data.get("id_type")
        if kind == Application.ApplicantType.ORGANIZATION:
            if not data.get("organization_kind"):
                self.add_error("organization_kind", "法人或其他组织请选择组织类别。")
            if not (data.get("contact_person") or "").strip():
                self.add_error("contact_person", "法人或其他组织请填写联系人（经办人）姓名。")
            if id_type and id_type != Application.IdType.CREDIT_CODE:
                self.add_error("id_type", "法人或其他组织请选择“统一社会信用代码”。")
        elif kind == Application.ApplicantType.NATURAL_PERSON:
            data["organization_kind"] = ""
            if id_type == Application.IdType.CREDIT_CODE:
                self.add_error("id_type", "自然人请选择本人的身份证件。")
        if not data.get("phone") and not data.get("email") and "email" not in self.errors:
            self.add_error("phone", "请至少留下联系电话或电子邮箱中的一种。")
        delivery = data.get("delivery")
        if (
            delivery == Application.Delivery.EMAIL
            and not data.get("email")
            and "email" not in self.errors
        ):
            self.add_error("email", "选择以电子邮件获取信息时，请填写电子邮箱。")
        if delivery == Application.Delivery.POST and not (data.get("postal_address") or "").strip():
            self.add_error("postal_address", "选择邮寄时，请填写通信地址。")
        return data

    def validate_unique(self):
        # Where the model's check constraints are checked: they say the same as the field
        # messages above, so a message that is not about one field would only repeat them.
        super().validate_unique()
        if self.errors and "__all__" in self.errors and len(self.errors) > 1:
            del self.errors["__all__"]

    def files_chosen(self) -> bool:
        return any(self.files.get(name) for name in ("identity_file", "other_file"))

    @transaction.atomic
    def submit(self) -> tuple[Application, str]:
        """File the application through the service and keep its attachments with it."""
        fields = {name: getattr(self.instance, name) for name in APPLICANT_FIELDS}
        application, code = services.submit(
            self.cleaned_data["organ"], channel=Application.Channel.ONLINE, **fields
        )
        for name, kind in (
            ("identity_file", ApplicationAttachment.Kind.IDENTITY),
            ("other_file", ApplicationAttachment.Kind.SUPPORTING),
        ):
            upload = self.cleaned_data.get(name)
            if upload:
                ApplicationAttachment.objects.create(
                    application=application,
                    kind=kind,
                    file=upload,
                    original_name=os.path.basename(upload.name)[:200],
                )
        return application, code


class LookupForm(forms.Form):
    number = forms.CharField(
        label="申请编号",
        max_length=20,
        error_messages={"required": "请填写申请编号。"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "例如 2026-000123"}),
    )
    code = forms.CharField(
        label="查询码",
        max_length=20,
        error_messages={"required": "请填写查询码。"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_number(self) -> str:
        number = (self.cleaned_data.get("number") or "").strip()
        if not NUMBER.match(number):
            raise ValidationError("申请编号的格式为“年份-六位数字”，例如 2026-000123。")
        return number

"""Images in a notice's body, uploaded from the rich-text editor (CKEditor 4's image dialog and
pasted or dropped images, CKEDITOR_CONFIGS).

An image is an attachment of the notice like any other: checked by its bytes (notices/uploads.py),
stored under a random name, recorded in the audit history, served only through the attachment
view that checks publication. The body refers to it by that view's URL, the only image source
the sanitizer keeps (notices/sanitize.py). Only whoever may edit the notice may add one.
"""

import os

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from notices import access, workflow
from notices.models import Attachment, Notice

IMAGE_EXTENSIONS = {"png", "jpg", "jpeg"}
IMAGE_MAX_BYTES = 10 * 1024 * 1024
TITLE_PREFIX = "正文图片："


def refusal(message: str, status: int = 200) -> JsonResponse:
    """CKEditor shows the message of an answer it can read; it reads only 2xx answers."""
    return JsonResponse({"uploaded": 0, "error": {"message": message}}, status=status)


def same_origin(request) -> bool:
    """The request comes from a page of this site. CKEditor uploads with XMLHttpRequest and no
    CSRF token (the token's cookie is HTTP-only), so the view is exempt from Django's check and
    asks the browser's Origin (or Referer) header instead; the session cookie is SameSite=Lax,
    so other sites' forms do not carry it either."""
    here = f"{request.scheme}://{request.get_host()}"
    origin = request.headers.get("Origin")
    if origin:
        return origin == here
    referer = request.headers.get("Referer", "")
    return referer == here or referer.startswith(here + "/")


def add_image(notice: Notice, user, upload) -> Attachment:
    """Check an uploaded image and store it as the notice's next attachment."""
    if not workflow.can_edit(user, notice):
        raise PermissionDenied("您不能修改这条信息，因此不能插入图片。")
    name = os.path.basename(upload.name or "")
    if os.path.splitext(name)[1].lower().lstrip(".") not in IMAGE_EXTENSIONS:
        raise ValidationError("正文中只能插入 PNG 或 JPEG 图片；其他文件请作为附件上传。")
    if (upload.size or 0) > IMAGE_MAX_BYTES:
        raise ValidationError("图片太大，正文图片不能超过 10 MB，请压缩后再插入。")
    with transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=notice.pk)
        last = locked.attachments.aggregate(last=Max("position"))["last"] or 0
        image = Attachment(
            notice=locked,
            title=f"{TITLE_PREFIX}{name}"[:200],
            position=last + 1,
            body_image=True,
        )
        image.file = upload
        image.full_clean()
        image.save()
    return image


@csrf_exempt
@require_POST
def upload(request, pk: int | None = None):
    """The editor's upload endpoint, under the admin (admin_view: staff who are logged in)."""
    if not same_origin(request):
        return refusal("请求来源不明，图片未上传。", status=403)
    if pk is None:
        return refusal("请先保存草稿，再在正文中插入图片。")
    notices = access.scope_to_user(Notice.objects.all(), request.user)
    notice = get_object_or_404(notices, pk=pk)
    upload_file = request.FILES.get("upload")
    if upload_file is None:
        return refusal("没有收到图片文件，请重新选择。")
    try:
        image = add_image(notice, request.user, upload_file)
    except PermissionDenied as error:
        return refusal(str(error), status=403)
    except ValidationError as error:
        return refusal("；".join(error.messages))
    return JsonResponse(
        {"uploaded": 1, "fileName": image.original_name, "url": image.get_absolute_url()}
    )

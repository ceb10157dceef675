"""The public side of 依申请公开: the guide and form, the receipt, the look-up and the
documents sent. Nothing here is page-cached (every response is ``never_cache``), and the
applicant's data is shown only on the look-up result for the right number and code."""

import secrets

from django.core import signing
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from applications import documents, throttle
from applications.forms import ApplicationForm, LookupForm
from applications.models import Application, ApplicationDocument, ApplicationGuide
from applications.services import ApplicationError
from portal.models import DisclosureGuide

DOCUMENT_SALT = "applications.document-link"
DOCUMENT_LINK_SECONDS = 2 * 3600
NOT_FOUND = "申请编号或查询码不正确，请核对后重试。"
# Compared against when the number is unknown, so both answers take the same work.
DECOY = Application(number="0000-000000", lookup_code_hash="0" * 64)


def limited_message(action: str) -> str:
    return f"操作过于频繁，请{throttle.wait_minutes(action)}分钟后再试。"


@never_cache
@require_http_methods(["GET", "POST"])
def apply(request):
    if request.method == "POST":
        form = ApplicationForm(request.POST, request.FILES)
        if not throttle.allow("submit", request):
            form.is_valid()
            form.add_error(None, limited_message("submit"))
            return _form_page(request, form, status=429)
        if form.is_valid():
            once = throttle.Once(form.cleaned_data["once"])
            if once.claim() is not None:
                return render(request, "applications/receipt.html", {"already_filed": True})
            try:
                application, code = form.submit()
            except ApplicationError as error:
                once.release()
                form.add_error(None, str(error))
            else:
                once.filed()
                return render(
                    request,
                    "applications/receipt.html",
                    {"application": application, "code": code},
                )
        return _form_page(request, form, status=400)
    form = ApplicationForm(initial={"once": secrets.token_urlsafe(24)})
    return _form_page(request, form, organ_id=request.GET.get("organ", ""))


def _form_page(request, form, *, organ_id: str = "", status=200):
    """The guide and the form. The organ chosen first (``?organ=``; the one the form was sent
    to when it is shown again) has the 申请方式和程序 of its 政府信息公开指南 shown, else the
    general guide, and a new form starts with it."""
    organs = list(form.fields["organ"].queryset)
    organ = None
    if form.is_bound:
        organ = getattr(form, "cleaned_data", {}).get("organ")
    elif organ_id.isdigit():
        organ = next((found for found in organs if found.pk == int(organ_id)), None)
        if organ is not None:
            form.initial["organ"] = organ.pk
    own_guide = DisclosureGuide.objects.filter(organ=organ).first() if organ else None
    return render(
        request,
        "applications/apply.html",
        {
            "form": form,
            "organs": organs,
            "organ": organ,
            "own_guide": own_guide,
            "guide": ApplicationGuide.general() if own_guide is None else None,
            "files_lost": form.is_bound and form.errors and form.files_chosen(),
        },
        status=status,
    )


def find(number: str, code: str) -> Application | None:
    """The application with this number whose code matches, else None: a wrong code and an
    unknown number are the same answer after the same work."""
    application = Application.objects.select_related("organ").filter(number=number).first()
    matches = (application or DECOY).check_lookup_code(code)
    return application if application is not None and matches else None


@never_cache
@require_http_methods(["GET", "POST"])
def lookup(request):
    if request.method != "POST":
        return render(request, "applications/lookup.html", {"form": LookupForm()})
    form = LookupForm(request.POST)
    if not throttle.allow("lookup", request):
        form.is_valid()
        form.add_error(None, limited_message("lookup"))
        return render(request, "applications/lookup.html", {"form": form}, status=429)
    if not form.is_valid():
        return render(request, "applications/lookup.html", {"form": form}, status=400)
    application = find(form.cleaned_data["number"], form.cleaned_data["code"])
    if application is None:
        form.add_error(None, NOT_FOUND)
        return render(request, "applications/lookup.html", {"form": form}, status=404)
    sent = list(documents.for_applicant(application))
    for document in sent:
        document.link = signing.dumps([application.pk, document.pk], salt=DOCUMENT_SALT)
    return render(
        request,
        "applications/lookup_result.html",
        {
            "application": application,
            "events": application.events.all(),
            "documents": sent,
            "attachments": application.attachments.filter(deleted_at__isnull=True),
        },
    )


def _document(token: str) -> ApplicationDocument:
    try:
        application_id, document_id = signing.loads(
            token, salt=DOCUMENT_SALT, max_age=DOCUMENT_LINK_SECONDS
        )
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise Http404("链接已失效，请重新查询。") from error
    return get_object_or_404(
        documents.for_applicant(Application(pk=application_id)).select_related("application"),
        pk=document_id,
    )


@never_cache
def document_page(request, token: str):
    document = _document(token)
    return render(
        request,
        "applications/document.html",
        {
            "document": document,
            "html": documents.shown(document),
            "docx_url": reverse("applications:document-docx", args=[token]),
        },
    )


@never_cache
def document_docx(request, token: str):
    return documents.docx_response(_document(token))

"""Documents to the applicant: rendered from the editable DocumentTemplate of their kind when a
step is recorded, kept as sent (ApplicationDocument), shown as printable HTML and downloaded
as .docx.

A template sees only the plain values of ``context_for`` (strings and the fee's lines), through
an engine that loads no other template and no tag library, and what it renders is sanitized by
the portal's allow-list before it is kept.
"""

import io
import logging

import docx
from django.conf import settings
from django.http import HttpResponse
from django.template import Context, Engine, Template, TemplateSyntaxError
from django.template.loader_tags import BlockNode, ExtendsNode, IncludeNode
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from docx.enum.text import WD_ALIGN_PARAGRAPH
from lxml import html as lxml_html

from applications import fees
from applications.models import (
    CATEGORY,
    Application,
    ApplicationDocument,
    ApplicationEvent,
    OutcomeCategory,
)
from applications.models.documents import DocumentTemplate
from applications.services import chinese_date
from notices.sanitize import sanitize_html

logger = logging.getLogger(__name__)
Kind = ApplicationDocument.Kind
Action = ApplicationEvent.Action

# Only Django's built-in tags and filters; no loader, so {% include %} and {% extends %} fail.
ENGINE = Engine(loaders=[("django.template.loaders.locmem.Loader", {})], libraries={})
FORBIDDEN_TAGS = ("debug", "load", "include", "extends", "block", "ssi", "templatetag")
# Addressed to the applicant: shown on the look-up page and mailed. Consultation letters go to
# the third party or organ consulted and are kept for the file only.
TO_APPLICANT = [
    Kind.RECEIPT,
    Kind.CORRECTION_NOTICE,
    Kind.EXTENSION_NOTICE,
    Kind.ANSWER,
    Kind.FEE_NOTICE,
]


def template_problem(body: str) -> str:
    """A Chinese message saying why ``body`` cannot be a document template, or ""."""
    lowered = body or ""
    for tag in FORBIDDEN_TAGS:
        if f"{{% {tag}" in lowered or f"{{%{tag}" in lowered:
            return f"模板中不能使用 {{% {tag} %}}。"
    try:
        template = Template(body, engine=ENGINE)
    except TemplateSyntaxError as error:
        return f"模板语法错误：{error}"
    if template.nodelist.get_nodes_by_type((IncludeNode, ExtendsNode, BlockNode)):
        return "模板中不能引用其他模板。"
    return ""


def _date(day) -> str:
    return chinese_date(day) if day else ""


def lookup_url() -> str:
    return f"{getattr(settings, 'PORTAL_BASE_URL', '').rstrip('/')}{reverse('applications:lookup')}"


def context_for(application: Application, fee: fees.Fee | None = None) -> dict:
    """The values a document template may use: plain text only, no model instances."""
    values = {
        "number": application.number,
        "organ_name": application.organ.name,
        "applicant_name": application.applicant_name,
        "submitted_on": _date(timezone.localdate(application.submitted_at)),
        "received_on": _date(application.received_on),
        "due_on": _date(application.due_on),
        "today": _date(timezone.localdate()),
        "description": application.description,
        "delivery": application.get_delivery_display(),
        "medium": application.get_medium_display(),
        "outcome": application.get_outcome_display() if application.outcome else "",
        "outcome_category": (
            OutcomeCategory(application.outcome_category).label
            if application.outcome_category
            else ""
        ),
        "legal_basis": application.legal_basis,
        "withheld": application.withheld,
        "answer_summary": application.answer_summary,
        "lookup_url": lookup_url(),
    }
    correction = getattr(application, "correction", None) if application.pk else None
    values["correction_what"] = correction.what if correction else ""
    values["correction_reply_by"] = _date(correction.reply_by) if correction else ""
    extension = getattr(application, "extension", None) if application.pk else None
    values["extension_days"] = str(extension.days) if extension else ""
    values["extension_reason"] = extension.reason if extension else ""
    consultation = application.consultations.order_by("-started_on", "-pk").first()
    values["consultation_party"] = consultation.party if consultation else ""
    values["consultation_reply_by"] = _date(consultation.reply_by) if consultation else ""
    values["fee_basis"] = fee.basis if fee else ""
    values["fee_lines"] = [
        {
            "label": line.label,
            "count": line.count,
            "unit": line.unit,
            "price": line.price,
            "amount": line.amount,
        }
        for line in (fee.lines if fee else ())
    ]
    values["fee_total"] = fee.total if fee else 0
    return values


def template_for(kind: str, application: Application) -> DocumentTemplate | None:
    category = CATEGORY.get(application.outcome, "") if kind == Kind.ANSWER else ""
    return DocumentTemplate.objects.filter(kind=kind, outcome_category=category).first()


def render(template: DocumentTemplate, values: dict) -> str:
    html = Template(template.body, engine=ENGINE).render(Context(values, autoescape=True))
    return sanitize_html(html)


def issue(
    application: Application, kind: str, *, event=None, fee: fees.Fee | None = None
) -> ApplicationDocument | None:
    """Render the document of ``kind`` for the application and keep it as sent now. A missing
    or broken template is logged and leaves the step without its document, never undone."""
    template = template_for(kind, application)
    if template is None:
        logger.warning("No document template for %s (application %s)", kind, application.pk)
        return None
    try:
        html = render(template, context_for(application, fee))
    except Exception:
        logger.exception("Document template %s failed for application %s", kind, application.pk)
        return None
    now = timezone.now()
    return ApplicationDocument.objects.create(
        application=application,
        event=event,
        kind=kind,
        title=template.title,
        html=html,
        created_at=now,
        sent_at=now,
    )


def kinds_for(event: ApplicationEvent) -> list[str]:
    if event.action == Action.REGISTERED:
        return [Kind.RECEIPT]
    if event.action == Action.CORRECTION_ASKED:
        return [Kind.CORRECTION_NOTICE]
    if event.action == Action.EXTENDED:
        return [Kind.EXTENSION_NOTICE]
    if event.action == Action.CONSULTATION_STARTED:
        if event.to_state == Application.State.CONSULTING_THIRD_PARTY:
            return [Kind.THIRD_PARTY_CONSULTATION]
        return [Kind.ORGAN_CONSULTATION]
    if event.action in (Action.ANSWERED, Action.ABANDONED):
        return [Kind.ANSWER]
    return []


def issue_for_event(event: ApplicationEvent) -> list[ApplicationDocument]:
    """The documents a step sends, in the step's transaction; an answer whose applicant is
    past the month's free applications also gets the 信息处理费 notice with its computation."""
    # A fresh copy: reading its related rows must not leave cached values on the caller's.
    application = Application.objects.select_related("organ").get(pk=event.application_id)
    issued = [issue(application, kind, event=event) for kind in kinds_for(event)]
    if event.action == Action.ANSWERED:
        fee = fees.fee_for(application)
        if fee.total > 0:
            issued.append(issue(application, Kind.FEE_NOTICE, event=event, fee=fee))
    return [document for document in issued if document is not None]


def shown(document: ApplicationDocument) -> str:
    """The kept HTML as it is shown: sanitized again, so a row changed in the database
    behind the application's back shows no markup the allow-list refuses."""
    return sanitize_html(document.html)


def print_links(print_url: str, docx_url: str) -> str:
    return format_html('<a href="{}">打印</a> · <a href="{}">Word</a>', print_url, docx_url)


def docx_response(document: ApplicationDocument) -> HttpResponse:
    response = HttpResponse(
        docx_bytes(document),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    filename = f"{document.application.number}-{document.get_kind_display()}.docx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def for_applicant(application: Application):
    return application.documents.filter(kind__in=TO_APPLICANT, sent_at__isnull=False)


ALIGNMENT = {
    "text-center": WD_ALIGN_PARAGRAPH.CENTER,
    "text-right": WD_ALIGN_PARAGRAPH.RIGHT,
    "text-justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}


def docx_bytes(document: ApplicationDocument) -> bytes:
    """The document as a Word file: its headings, paragraphs, lists and tables, in order."""
    word = docx.Document()
    word.core_properties.title = document.title
    fragments = lxml_html.fragments_fromstring(document.html or "") if document.html else []
    for element in fragments:
        if isinstance(element, str):
            if element.strip():
                word.add_paragraph(element.strip())
            continue
        _add_element(word, element)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _text(element) -> str:
    return " ".join(element.text_content().split())


def _add_element(word, element) -> None:
    tag = element.tag
    if tag in {"h2", "h3", "h4", "h5", "h6"}:
        heading = word.add_heading(_text(element), level=min(int(tag[1]) - 1, 4))
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif tag in {"ul", "ol"}:
        style = "List Bullet" if tag == "ul" else "List Number"
        for item in element.iter("li"):
            word.add_paragraph(_text(item), style=style)
    elif tag == "table":
        rows = list(element.iter("tr"))
        if not rows:
            return
        width = max(len(row.findall("th") + row.findall("td")) for row in rows)
        table = word.add_table(rows=len(rows), cols=width)
        table.style = "Table Grid"
        for row, tr in zip(table.rows, rows, strict=True):
            for cell, td in zip(row.cells, [c for c in tr if c.tag in {"th", "td"}], strict=False):
                cell.text = _text(td)
    else:
        paragraph = word.add_paragraph(_text(element))
        for name in (element.get("class") or "").split():
            if name in ALIGNMENT:
                paragraph.alignment = ALIGNMENT[name]

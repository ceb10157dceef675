"""E-mail to the applicant at each step, where they gave an address.

A step's transaction records the event and its documents; the mail is queued on the task
queue only once that transaction commits, and neither queueing nor sending can fail the step:
errors are logged, and the documents stay on the look-up page either way.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

from applications import documents
from applications.models import ApplicationEvent

logger = logging.getLogger(__name__)
Action = ApplicationEvent.Action

# What the mail says happened, for the steps the applicant is told of.
STEPS = {
    Action.SUBMITTED: "已收到您在网上提交的政府信息公开申请",
    Action.REGISTERED: "您的政府信息公开申请已登记受理",
    Action.CORRECTION_ASKED: "您的政府信息公开申请需要补正",
    Action.CORRECTION_RECEIVED: "已收到您的补正材料",
    Action.EXTENDED: "您的政府信息公开申请延期答复",
    Action.ANSWERED: "您的政府信息公开申请已答复",
    Action.ABANDONED: "您的政府信息公开申请视为放弃",
}


def event_recorded(event: ApplicationEvent) -> None:
    """Called in the step's transaction: keep its documents, queue its mail for after commit."""
    documents.issue_for_event(event)
    if event.action in STEPS and event.application.email:
        event_id = event.pk
        transaction.on_commit(lambda: queue_mail(event_id))


def queue_mail(event_id: int) -> None:
    from applications import tasks

    try:
        tasks.send_step_mail.enqueue(event_id)
    except Exception:
        logger.exception("Could not queue the applicant's mail for event %s", event_id)


def message_for(event: ApplicationEvent) -> EmailMultiAlternatives | None:
    application = event.application
    if not application.email or event.action not in STEPS:
        return None
    sent = list(documents.for_applicant(application).filter(event=event))
    values = {
        "step": STEPS[event.action],
        "number": application.number,
        "organ_name": application.organ.name,
        "applicant_name": application.applicant_name,
        "state": application.get_state_display(),
        "documents": sent,
        "lookup_url": documents.lookup_url(),
    }
    subject = f"【{application.organ.name}】{STEPS[event.action]}（申请编号 {application.number}）"
    body = render_to_string("applications/email/step.txt", values)
    message = EmailMultiAlternatives(
        subject, body, settings.DEFAULT_FROM_EMAIL, [application.email]
    )
    message.attach_alternative(
        render_to_string("applications/email/step.html", values), "text/html"
    )
    return message


def send_for_event(event_id: int) -> bool:
    """Send the step's mail; True when sent. Failures are logged, never raised to the caller."""
    event = (
        ApplicationEvent.objects.select_related("application__organ").filter(pk=event_id).first()
    )
    if event is None:
        return False
    message = message_for(event)
    if message is None:
        return False
    try:
        message.send()
    except Exception:
        logger.exception("Mail to the applicant failed for event %s", event_id)
        return False
    return True

"""Mail to the applicant: sent after the step commits, from the task queue, never failing
the step when queueing or sending fails."""

import logging
from types import SimpleNamespace

import pytest
from django.core import mail

from applications import services, tasks
from tests.applications import factories


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("smtp down")


def test_mail_is_sent_only_after_the_step_commits(
    organ, handler, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        factories.accepted(organ, handler, email="yi@example.invalid")
        assert mail.outbox == []
    assert callbacks
    for callback in callbacks:
        callback()
    subjects = [message.subject for message in mail.outbox]
    assert any("已登记受理" in subject for subject in subjects)
    message = next(m for m in mail.outbox if "已登记受理" in m.subject)
    assert message.to == ["yi@example.invalid"]
    assert "政府信息公开申请登记回执" in message.body
    assert "/apply/lookup/" in message.body
    html, _type = message.alternatives[0]
    assert "登记回执" in html


def test_online_submission_is_acknowledged(client, organ, django_capture_on_commit_callbacks):
    from tests.applications.public_helpers import form_data

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/apply/", form_data(organ))
    assert [m.to for m in mail.outbox] == [["jia@example.invalid"]]
    assert "已收到" in mail.outbox[0].subject
    assert "查询码" in mail.outbox[0].body  # named, never included


def test_no_address_no_mail(organ, handler, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        factories.accepted(organ, handler, email="", delivery="pickup")
    assert mail.outbox == []


def test_a_failing_mail_server_does_not_fail_the_step(
    organ, handler, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        application = factories.accepted(organ, handler)
    assert application.state == "accepted"
    assert application.documents.filter(kind="receipt").exists()
    assert "Mail to the applicant failed" in caplog.text


def test_a_failing_queue_does_not_fail_the_step(
    organ, handler, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def refuse(*args, **kwargs):
        raise RuntimeError("queue down")

    monkeypatch.setattr(tasks, "send_step_mail", SimpleNamespace(enqueue=refuse))
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        application = factories.accepted(organ, handler)
    assert application.state == "accepted"
    assert "Could not queue" in caplog.text
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_step_sends_nothing(organ, handler):
    application = factories.accepted(organ, handler)
    mail.outbox.clear()
    with pytest.raises(services.ApplicationError):
        services.register(application, handler)  # already registered: refused, rolled back
    assert mail.outbox == []

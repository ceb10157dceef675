"""Identity documents are deleted from storage once the retention period after archiving has
passed, and the deletion is recorded (applications/retention.py)."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from applications import appeals, retention, services, tasks
from applications.models import ApplicationAttachment, ApplicationEvent, Outcome
from audit.models import AuditEvent
from tests.applications import factories

ARCHIVED_ON = datetime.date(2026, 4, 1)

pytestmark = pytest.mark.django_db


def archived(organ, handler, archived_on=ARCHIVED_ON):
    application = factories.accepted(organ, handler)
    services.answer(application, handler, outcome=Outcome.NOT_HELD, legal_basis="第三十六条")
    return services.archive(application, handler, archived_on=archived_on)


def attach(application, kind=ApplicationAttachment.Kind.IDENTITY, name="身份证.png"):
    return ApplicationAttachment.objects.create(
        application=application,
        kind=kind,
        file=ContentFile(b"scan of an identity card", name="scan.png"),
        original_name=name,
    )


def day_after_period(archived_on=ARCHIVED_ON, days=365):
    return archived_on + datetime.timedelta(days=days)


def test_the_default_period_is_a_year():
    assert retention.retention_days() == 365


def test_identity_scan_is_deleted_from_storage_once_the_period_has_passed(organ, handler):
    application = archived(organ, handler)
    scan = attach(application)
    stored_name = scan.file.name
    assert default_storage.exists(stored_name)

    assert retention.delete_expired(today=day_after_period()) == 1

    scan.refresh_from_db()
    assert not default_storage.exists(stored_name)
    assert scan.file.name == "" and scan.deleted_at is not None
    assert scan.original_name == "身份证.png"  # the row records what there was


def test_nothing_is_deleted_a_day_before_the_period_ends(organ, handler):
    scan = attach(archived(organ, handler))
    the_day_before = day_after_period() - datetime.timedelta(days=1)
    assert retention.delete_expired(today=the_day_before) == 0
    scan.refresh_from_db()
    assert scan.deleted_at is None and default_storage.exists(scan.file.name)


def test_the_period_is_a_setting(organ, handler, settings):
    settings.APPLICATION_IDENTITY_RETENTION_DAYS = 30
    scan = attach(archived(organ, handler))
    assert retention.delete_expired(today=day_after_period(days=29)) == 0
    assert retention.delete_expired(today=day_after_period(days=30)) == 1
    scan.refresh_from_db()
    assert scan.deleted_at is not None


def test_other_papers_and_open_applications_keep_their_files(organ, handler):
    application = archived(organ, handler)
    supporting = attach(application, ApplicationAttachment.Kind.SUPPORTING, "委托书.pdf")
    still_open = attach(factories.accepted(organ, handler))
    assert retention.delete_expired(today=day_after_period()) == 0
    for attachment in (supporting, still_open):
        attachment.refresh_from_db()
        assert attachment.deleted_at is None and default_storage.exists(attachment.file.name)


def test_a_pending_review_keeps_the_identity_document_until_it_is_decided(organ, handler):
    application = factories.accepted(organ, handler)
    services.answer(application, handler, outcome=Outcome.NOT_HELD, legal_basis="第三十六条")
    review = appeals.record_review(
        application, handler, filed_on=datetime.date(2026, 3, 20), body="市人民政府"
    )
    application = services.archive(application, handler, archived_on=ARCHIVED_ON)
    scan = attach(application)
    assert retention.delete_expired(today=day_after_period()) == 0

    appeals.decide_review(review, handler, outcome="upheld", decided_on=datetime.date(2026, 5, 10))
    assert retention.delete_expired(today=day_after_period()) == 1
    scan.refresh_from_db()
    assert scan.deleted_at is not None


def test_the_deletion_is_on_the_timeline_and_in_the_audit_history(organ, handler):
    application = archived(organ, handler)
    scan = attach(application)
    retention.delete_expired(today=day_after_period())

    event = application.events.get(action=ApplicationEvent.Action.IDENTITY_DELETED)
    assert event.actor is None and "身份证.png" in event.comment
    assert "365" in event.comment
    audited = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(ApplicationAttachment),
        object_pk=str(scan.pk),
        action=AuditEvent.Action.UPDATE,
    ).latest("pk")
    assert set(audited.changes) >= {"file", "deleted_at"}


def test_a_second_run_deletes_nothing_more(organ, handler):
    attach(archived(organ, handler))
    assert retention.delete_expired(today=day_after_period()) == 1
    assert retention.delete_expired(today=day_after_period()) == 0
    assert ApplicationEvent.objects.filter(action="identity_deleted").count() == 1


def test_a_file_already_missing_from_storage_is_still_marked_deleted(organ, handler):
    scan = attach(archived(organ, handler))
    default_storage.delete(scan.file.name)
    assert retention.delete_expired(today=day_after_period()) == 1
    scan.refresh_from_db()
    assert scan.deleted_at is not None


def test_the_command_deletes_what_is_due_and_reports_the_count(organ, handler, capsys):
    long_ago = datetime.date(2024, 1, 10)
    scan = attach(archived(organ, handler, archived_on=long_ago))
    call_command("delete_expired_identity_documents", "--dry-run")
    assert "1 份（未删除）" in capsys.readouterr().out
    scan.refresh_from_db()
    assert scan.deleted_at is None

    call_command("delete_expired_identity_documents")
    assert "已删除到期的身份证明材料：1 份" in capsys.readouterr().out
    scan.refresh_from_db()
    assert scan.deleted_at is not None


def test_the_task_deletes_what_is_due(organ, handler):
    scan = attach(archived(organ, handler, archived_on=datetime.date(2024, 1, 10)))
    result = tasks.delete_expired_identity_documents.enqueue()
    assert result.return_value == 1
    scan.refresh_from_db()
    assert scan.deleted_at is not None


def test_archiving_queues_the_deletion_for_the_day_the_period_ends(organ, handler, settings):
    from django_tasks_db.models import DBTaskResult

    application = factories.accepted(organ, handler)
    services.answer(application, handler, outcome=Outcome.NOT_HELD, legal_basis="第三十六条")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    DBTaskResult.objects.all().delete()
    services.archive(application, handler, archived_on=ARCHIVED_ON)

    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "applications.tasks.delete_expired_identity_documents"
    assert timezone.localtime(queued.run_after).date() == day_after_period()


def attachment_url(scan) -> str:
    from django.urls import reverse

    return reverse("admin:applications_application_attachment", args=[scan.application_id, scan.pk])


@pytest.mark.parametrize("who", ["handler", "auditor", "site_admin"])
def test_those_who_read_the_applicants_data_download_the_scan_and_it_is_recorded(
    client, request, organ, handler, who
):
    scan = attach(archived(organ, handler))
    user = request.getfixturevalue(who)
    client.force_login(user)
    page = client.get(
        f"/admin/applications/application/{scan.application_id}/change/"
    ).content.decode()
    assert attachment_url(scan) in page and "身份证.png" in page
    response = client.get(attachment_url(scan))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"scan of an identity card"
    assert response["Content-Type"] == "application/octet-stream"
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.filter(additional_data__event="application_attachment").get()
    assert event.actor_id == user.pk and event.additional_data["attachment"] == scan.pk


@pytest.mark.parametrize("who", ["other_handler", "editor", "reviewer"])
def test_others_cannot_download_the_scan(client, request, organ, other_organ, handler, who):
    scan = attach(archived(organ, handler))
    client.force_login(request.getfixturevalue(who))
    assert client.get(attachment_url(scan)).status_code in (403, 404)
    assert not AuditEvent.objects.filter(additional_data__event="application_attachment").exists()


def test_anonymous_is_sent_to_login_for_the_scan(client, organ, handler):
    scan = attach(archived(organ, handler))
    response = client.get(attachment_url(scan))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_deleted_scan_is_listed_as_deleted_and_no_longer_served(client, organ, handler):
    scan = attach(archived(organ, handler))
    retention.delete_expired(today=day_after_period())
    client.force_login(handler)
    page = client.get(
        f"/admin/applications/application/{scan.application_id}/change/"
    ).content.decode()
    assert "身份证.png" in page and "按保存期限删除" in page
    assert attachment_url(scan) not in page
    assert client.get(attachment_url(scan)).status_code == 404

"""The 审计 auditor reads every organ's records in the admin and can change nothing."""

import io

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse

from audit.models import AuditEvent


@pytest.fixture
def world(db):
    call_command("load_demo", stdout=io.StringIO())


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def registered_models():
    return [model for model in admin.site._registry if model._meta.app_label != "auditlog"]


def database_fingerprint() -> dict:
    """Row counts of every model except the history itself (viewing may log nothing else)."""
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model is not AuditEvent and model._meta.app_label != "sessions"
    }


def test_auditor_reads_every_list_and_record(client, world, auditor):
    client.force_login(auditor)
    for model in registered_models():
        response = client.get(admin_url(model, "changelist"))
        assert response.status_code == 200, model
        instance = model._default_manager.first()
        if instance is None:
            continue
        page = client.get(admin_url(model, "change", instance.pk))
        assert page.status_code == 200, model
        assert 'name="_save"' not in page.content.decode(), model


def test_auditor_sees_drafts_of_every_organ(client, world, auditor):
    from notices.models import Notice

    client.force_login(auditor)
    listing = client.get(admin_url(Notice, "changelist") + "?status=draft").content.decode()
    for draft in Notice.objects.filter(status="draft"):
        assert draft.title in listing


def test_auditor_changes_nothing_anywhere(client, world, auditor):
    client.force_login(auditor)
    before = database_fingerprint()
    for model in registered_models():
        assert client.get(admin_url(model, "add")).status_code == 403, model
        assert client.post(admin_url(model, "add"), {}).status_code == 403, model
        instance = model._default_manager.first()
        if instance is None:
            continue
        assert client.post(admin_url(model, "change", instance.pk), {}).status_code == 403
        assert client.get(admin_url(model, "delete", instance.pk)).status_code == 403, model
        assert (
            client.post(admin_url(model, "delete", instance.pk), {"post": "yes"}).status_code == 403
        )
        client.post(
            admin_url(model, "changelist"),
            {"action": "delete_selected", "_selected_action": [instance.pk], "post": "yes"},
        )
        for view in ("workflow", "restore"):
            try:
                url = admin_url(model, view, instance.pk)
            except NoReverseMatch:
                continue
            client.post(url, {"transition": "approve", "comment": "审计"})
    assert database_fingerprint() == before


def test_auditor_cannot_move_notices_through_the_workflow(client, world, auditor):
    from notices.models import Notice

    client.force_login(auditor)
    before = dict(Notice.objects.values_list("pk", "status"))
    for notice in Notice.objects.all():
        for transition in (
            "submit",
            "approve",
            "send_back",
            "withdraw",
            "unschedule",
            "start_correction",
        ):
            client.post(
                admin_url(Notice, "workflow", notice.pk), {"transition": transition, "comment": "x"}
            )
    assert dict(Notice.objects.values_list("pk", "status")) == before
    assert not Notice.objects.filter(correction_of__isnull=False).exists()


def test_history_is_read_only_even_for_site_admins(client, world, site_admin):
    client.force_login(site_admin)
    event = AuditEvent.objects.first()
    assert client.get(admin_url(AuditEvent, "changelist")).status_code == 200
    assert client.post(admin_url(AuditEvent, "change", event.pk), {}).status_code == 403
    assert (
        client.post(admin_url(AuditEvent, "delete", event.pk), {"post": "yes"}).status_code == 403
    )
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize("username", ["editor", "reviewer"])
def test_editors_and_reviewers_do_not_browse_the_history(client, world, username):
    client.force_login(get_user_model().objects.get(username=username))
    assert client.get(admin_url(AuditEvent, "changelist")).status_code == 403

"""Id-typed fields and autocompletes, role by role: a rejected form or an autocomplete answer
never names a notice the user may not see (drafts, scheduled, withheld, correction drafts)."""

import io
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.urls import reverse

from notices import workflow
from notices.admin import ScopedRawIdWidget
from notices.models import Notice
from tests import factories
from tests.security.test_permission_matrix import ROLES, may_view

OUT_OF_SCOPE = "所选文件不存在或无权引用"
NOTICE_ADD = reverse("admin:notices_notice_add")
ASSESSMENT_ADD = reverse("admin:assessments_assessment_add")
AUTOCOMPLETE = reverse("admin:autocomplete")


@pytest.fixture
def world(db):
    """The demo accounts, and for each editor's organ a notice in every state the public may
    not see, each titled with a marker that only those who may see it may read."""
    call_command("load_demo", stdout=io.StringIO())
    users = {user.username: user for user in get_user_model().objects.all()}
    users["anonymous"] = AnonymousUser()
    secrets = {}
    for editor_name, reviewer_name, mark in (
        ("editor", "reviewer", "甲"),
        ("editor2", "reviewer2", "乙"),
    ):
        editor, reviewer = users[editor_name], users[reviewer_name]
        organ = editor.organs.order_by("pk").first()
        for state, marker, fields in (
            ("draft", "草稿", {}),
            ("in_review", "待审", {}),
            ("scheduled", "定时", {}),
            (
                "published",
                "不予公开",
                {"disclosure": "withheld", "withheld_reason": "涉及国家秘密"},
            ),
        ):
            title = f"机密{mark}{marker}的通知"
            secrets[title] = factories.make_notice(
                organ, editor, reviewer, state, title=title, **fields
            )
        published = factories.make_notice(organ, editor, reviewer, title=f"公开{mark}原文")
        correction = workflow.start_correction(published, editor)
        correction.title = f"机密{mark}更正稿的通知"
        secrets[correction.title] = workflow.save_draft(correction, editor)
    return users, secrets


def hidden_from(user, secrets: dict) -> dict:
    return {
        title: notice for title, notice in secrets.items() if not may_view(user, Notice, notice)
    }


def login(client, user):
    client.logout()
    if user.is_authenticated:
        client.force_login(user)


def notice_form(organ_id, target_id) -> dict:
    data = {
        "organ": organ_id or "",
        "title": "引用测试",
        "document_number": "",
        "genre": "notice",
        "disclosure": "proactive",
        "validity": "valid",
        "body": "<p>正文</p>",
        "lock_version": "",
        "citations-0-position": "1",
        "citations-0-target": target_id,
        "citations-0-title": "",
        "citations-0-document_number": "",
    }
    for prefix, total in (("attachments", 0), ("citations", 1)):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": str(total),
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return data


def assessment_form(organ_id, notice_id) -> dict:
    return {
        "organ": organ_id or "",
        "year": 2017,
        "title": "引用测试考核",
        "notice": notice_id,
        "basis": "",
        "summary": "",
    }


def first_organ_id(user):
    if not user.is_authenticated:
        return None
    organ = user.organs.order_by("pk").first()
    return organ.pk if organ else None


def test_rejected_forms_never_name_a_notice_the_user_may_not_see(client, world):
    users, secrets = world
    problems = []
    for role in ROLES:
        user = users[role]
        login(client, user)
        organ_id = first_organ_id(user)
        for title, notice in hidden_from(user, secrets).items():
            for url, data in (
                (NOTICE_ADD, notice_form(organ_id, notice.pk)),
                (ASSESSMENT_ADD, assessment_form(organ_id, notice.pk)),
            ):
                response = client.post(url, data)
                page = response.content.decode(errors="replace")
                where = f"{role}: {url} with #{notice.pk}"
                if response.status_code not in {200, 302, 403}:
                    problems.append(f"{where}: answered {response.status_code}")
                if title in page:
                    problems.append(f"{where}: shows {title!r}")
                if response.status_code == 200 and OUT_OF_SCOPE not in page:
                    problems.append(f"{where}: no {OUT_OF_SCOPE!r}")
    assert not problems, "\n".join(problems)
    assert not Notice.objects.filter(title="引用测试").exists()


def test_an_editor_cites_another_organs_public_notice_and_their_own_draft(client, world):
    users, secrets = world
    editor = users["editor"]
    client.force_login(editor)
    theirs = Notice.objects.get(title="公开乙原文")
    mine = secrets["机密甲草稿的通知"]
    for target in (theirs, mine):
        data = notice_form(first_organ_id(editor), target.pk)
        data["title"] = f"引用{target.pk}"
        response = client.post(NOTICE_ADD, data)
        assert response.status_code == 302, response.content.decode()[:3000]
        assert Notice.objects.get(title=f"引用{target.pk}").citations.get().target == target


def test_a_form_sent_back_names_only_the_choices_in_scope(client, world):
    users, secrets = world
    editor = users["editor"]
    client.force_login(editor)
    mine = secrets["机密甲草稿的通知"]
    data = notice_form(first_organ_id(editor), mine.pk)
    data["genre"] = "not-a-genre"
    response = client.post(NOTICE_ADD, data)
    assert response.status_code == 200
    assert mine.title in response.content.decode()


def relation_fields():
    """(app_label, model_name, field_name) of every concrete relation of every model."""
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.is_relation and field.concrete and field.related_model is not None:
                yield model._meta.app_label, model._meta.model_name, field.name


def test_autocomplete_answers_only_what_the_user_may_see(client, world):
    users, secrets = world
    fields = list(relation_fields())
    problems = []
    for role in ROLES:
        user = users[role]
        login(client, user)
        hidden = hidden_from(user, secrets)
        for app_label, model_name, field_name in fields:
            query = {"app_label": app_label, "model_name": model_name, "field_name": field_name}
            url = f"{AUTOCOMPLETE}?{urlencode({**query, 'term': '机密'})}"
            response = client.get(url)
            where = f"{role}: {app_label}.{model_name}.{field_name}"
            if response.status_code >= 500:
                problems.append(f"{where}: answered {response.status_code}")
            page = response.content.decode(errors="replace")
            problems.extend(f"{where}: shows {title!r}" for title in hidden if title in page)
    assert not problems, "\n".join(problems)


def test_autocomplete_finds_the_notices_the_user_may_see(client, world):
    users, _secrets = world
    query = {
        "app_label": "assessments",
        "model_name": "assessment",
        "field_name": "notice",
        "term": "机密甲草稿",
    }
    for role in ("editor", "reviewer", "auditor", "siteadmin"):
        client.force_login(users[role])
        response = client.get(f"{AUTOCOMPLETE}?{urlencode(query)}")
        assert response.status_code == 200, role
        texts = [result["text"] for result in response.json()["results"]]
        assert texts == ["机密甲草稿的通知"], role


def test_every_notice_choice_of_the_notice_and_assessment_admins_is_scoped(rf, world):
    """Each form field of these admins that takes a notice offers only what the user may see,
    and a raw-id box among them names only those."""
    users, secrets = world
    user = users["editor2"]
    hidden = {notice.pk for notice in hidden_from(user, secrets).values()}
    request = rf.get("/")
    request.user = user
    problems = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in {"notices", "assessments"}:
            continue
        forms = [(model_admin.get_form(request, None, fields=None), None)]
        for inline_class in model_admin.inlines:
            inline = inline_class(model, admin.site)
            # The link to the row being edited is the formset's, not a choice.
            formset = inline.get_formset(request, None, fields=None)
            forms.append((formset.form, inline.fk_name or model._meta.model_name))
        for form, parent_link in forms:
            for name, field in form.base_fields.items():
                queryset = getattr(field, "queryset", None)
                if queryset is None or queryset.model is not Notice or name == parent_link:
                    continue
                where = f"{type(model_admin).__name__} {form.__name__}.{name}"
                if queryset.filter(pk__in=hidden).exists():
                    problems.append(f"{where}: offers another organ's unpublished notices")
                if isinstance(field.widget, ForeignKeyRawIdWidget) and not isinstance(
                    field.widget, ScopedRawIdWidget
                ):
                    problems.append(f"{where}: its raw-id box names any notice")
    assert not problems, "\n".join(problems)

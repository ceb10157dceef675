"""Add forms sent twice create once, and a 文号 taken meanwhile is refused with a message."""

import re
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection, transaction
from django.test import Client
from django.urls import reverse

from notices import workflow
from notices.models import FormSubmission, Notice
from tests.notices.test_admin import ADD, change_url, form_data
from tests.notices.test_concurrency import run_together

DUPLICATE = "本机构已有使用该文号的信息，文号不能重复。"
NUMBER = "甘政办发〔2024〕7号"


def token_of(page: str) -> str:
    return re.search(r'name="submission_token" value="([0-9a-f-]{36})"', page).group(1)


def new_form(client, organ, **overrides) -> dict:
    token = token_of(client.get(ADD).content.decode())
    draft = Notice(organ=organ, title="一次提交", genre_id="notice", body="<p>正文</p>")
    return form_data(draft, lock_version="", submission_token=token, **overrides)


def test_each_add_form_carries_its_own_token(client, editor):
    client.force_login(editor)
    first, second = (token_of(client.get(ADD).content.decode()) for _ in range(2))
    assert first != second


def test_an_add_form_sent_twice_creates_one_draft_and_shows_it(client, editor, organ):
    client.force_login(editor)
    data = new_form(client, organ)
    first = client.post(ADD, data)
    assert first.status_code == 302, first.content.decode()[:2000]
    created = Notice.objects.get(title="一次提交")
    again = client.post(ADD, data, follow=True)
    assert again.redirect_chain[-1][0] == change_url(created)
    assert "该表单已经提交过，没有重复创建" in again.content.decode()
    assert Notice.objects.filter(title="一次提交").count() == 1


def test_a_form_sent_back_with_errors_is_sent_again_with_its_token(client, editor, organ):
    client.force_login(editor)
    data = new_form(client, organ, document_number="2024-3")
    assert client.post(ADD, data).status_code == 200
    assert not FormSubmission.objects.exists()
    data["document_number"] = NUMBER
    assert client.post(ADD, data).status_code == 302
    assert Notice.objects.get(title="一次提交").document_number == NUMBER


def test_a_form_without_a_token_still_creates(client, editor, organ):
    client.force_login(editor)
    draft = Notice(organ=organ, title="无标识", genre_id="notice", body="<p>正文</p>")
    assert client.post(ADD, form_data(draft, lock_version="")).status_code == 302
    assert Notice.objects.filter(title="无标识").count() == 1


def test_anothers_token_creates_nothing_and_names_nothing(client, editor, second_editor, organ):
    client.force_login(editor)
    data = new_form(client, organ)
    client.post(ADD, data)
    client.force_login(second_editor)
    response = client.post(ADD, {**data, "title": "冒用"})
    assert response.status_code == 302
    assert response.url == reverse("admin:notices_notice_changelist")
    assert not Notice.objects.filter(title="冒用").exists()


def test_a_number_already_taken_is_refused_on_the_form(client, editor, organ):
    workflow.save_draft(
        Notice(organ=organ, title="先", genre_id="notice", document_number=NUMBER), editor
    )
    client.force_login(editor)
    response = client.post(ADD, new_form(client, organ, document_number="甘政办发[2024]7号"))
    assert response.status_code == 200
    assert DUPLICATE in response.content.decode()
    assert Notice.objects.count() == 1


def hold_while(event: threading.Event, action) -> threading.Thread:
    """Run ``action`` in a transaction of its own that stays open until ``event`` is set."""
    started = threading.Event()

    def work():
        try:
            with transaction.atomic():
                action()
                started.set()
                if not event.wait(timeout=30):
                    raise RuntimeError("the held transaction was never released")
        finally:
            connection.close()

    thread = threading.Thread(target=work)
    thread.start()
    assert started.wait(timeout=30)
    return thread


def commit_once_waited_for(event: threading.Event) -> None:
    """Let the held transaction commit once another one waits for it (or after ten seconds)."""

    def watch():
        try:
            deadline = time.monotonic() + 10
            with connection.cursor() as cursor:
                while time.monotonic() < deadline:
                    cursor.execute(
                        "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
                        " WHERE NOT l.granted AND a.datname = current_database()"
                    )
                    if cursor.fetchone()[0]:
                        break
                    time.sleep(0.05)
        finally:
            event.set()
            connection.close()

    threading.Thread(target=watch).start()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_number_taken_by_a_transaction_in_flight_is_refused_with_the_message(organ, editor):
    # The first insert skips save_draft, so the second's check cannot see it coming: the
    # database's constraint refuses the second, and save_draft says why.
    release = threading.Event()
    holder = hold_while(
        release,
        lambda: Notice.objects.create(
            organ=organ, title="先", genre_id="notice", document_number=NUMBER
        ),
    )
    commit_once_waited_for(release)
    with pytest.raises(ValidationError) as caught:
        workflow.save_draft(
            Notice(organ=organ, title="后", genre_id="notice", document_number=NUMBER), editor
        )
    holder.join()
    close_old_connections()
    assert DUPLICATE in caught.value.messages
    assert list(Notice.objects.values_list("title", flat=True)) == ["先"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_add_form_racing_another_save_of_its_number_gets_the_message(
    organ, editor, second_editor
):
    release = threading.Event()
    first = Notice(
        organ=organ, title="先", genre_id="notice", body="<p>x</p>", document_number=NUMBER
    )
    client = Client()
    client.force_login(second_editor)  # first: a login waits for the audit history's writers
    holder = hold_while(release, lambda: workflow.save_draft(first, editor))
    commit_once_waited_for(release)
    draft = Notice(organ=organ, title="后", genre_id="notice", body="<p>x</p>")
    response = client.post(ADD, form_data(draft, lock_version="", document_number=NUMBER))
    holder.join()
    close_old_connections()
    assert response.status_code == 200
    assert DUPLICATE in response.content.decode()
    assert list(Notice.objects.values_list("title", flat=True)) == ["先"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_editors_adding_one_number_at_once_get_one_notice_and_a_message(
    organ, editor, second_editor
):
    editors = [editor, second_editor]

    def add(index: int):
        client = Client()
        client.force_login(editors[index])
        draft = Notice(organ=organ, title=f"同号{index}", genre_id="notice", body="<p>x</p>")
        return client.post(ADD, form_data(draft, lock_version="", document_number=NUMBER))

    responses = run_together(2, add)
    assert sorted(response.status_code for response in responses) == [200, 302], responses
    refused = next(response for response in responses if response.status_code == 200)
    assert DUPLICATE in refused.content.decode()
    assert Notice.objects.filter(document_number=NUMBER).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_double_click_sends_the_form_twice_at_once_and_creates_once(organ, editor):
    client = Client()
    client.force_login(editor)
    data = new_form(client, organ)

    def send(_index: int):
        own = Client()
        own.force_login(editor)
        return own.post(ADD, data)

    responses = run_together(2, send)
    assert [response.status_code for response in responses] == [302, 302], responses
    created = Notice.objects.get(title="一次提交")
    assert change_url(created) in {response.url for response in responses}

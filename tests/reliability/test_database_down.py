"""A database that is down or read-only: a 503 page in Chinese, cached pages still served,
and nothing half-written once it is back."""

import contextlib

import pytest
from django.db import OperationalError, connection
from django.urls import reverse

from notices.models import Notice


def refuse(execute, sql, params, many, context):
    raise OperationalError("could not connect to server: Connection refused")


@contextlib.contextmanager
def database_down():
    with connection.execute_wrapper(refuse):
        yield


def assert_unavailable(response, *texts: str) -> str:
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    for text in texts:
        assert text in page
    return page


def test_the_portal_answers_503_in_chinese_when_the_database_is_down(client, notice_in):
    notice = notice_in("published")
    with database_down():
        response = client.get(notice.get_absolute_url())
    page = assert_unavailable(response, "服务暂时不可用", "暂时无法连接数据库", 'lang="zh-Hans"')
    assert "出错的环节" not in page
    assert "Content-Security-Policy" in response


def test_cached_portal_pages_are_still_served(client, settings, notice_in):
    settings.PORTAL_PAGE_CACHE_SECONDS = 300
    notice = notice_in("published")
    assert client.get("/notices/").status_code == 200
    with database_down():
        cached = client.get("/notices/")
        uncached = client.get("/organs/")
    assert cached.status_code == 200
    assert notice.title in cached.content.decode()
    assert uncached.status_code == 503


def test_the_admin_says_what_failed_and_that_nothing_was_saved(client, editor, notice_in):
    notice = notice_in("draft")
    client.force_login(editor)
    url = reverse("admin:notices_notice_change", args=[notice.pk])
    with database_down():
        response = client.post(url, {"title": "不会保存的标题"})
    assert_unavailable(response, "出错的环节：数据库连接失败", "没有保存")
    notice.refresh_from_db()
    assert notice.title != "不会保存的标题"


def test_an_admin_read_says_nothing_was_changed(client, editor):
    client.force_login(editor)
    with database_down():
        response = client.get(reverse("admin:notices_notice_changelist"))
    assert_unavailable(response, "出错的环节：数据库连接失败", "没有进行任何修改")


def test_a_write_cut_off_halfway_leaves_nothing_behind(client, editor, reviewer, notice_in):
    """The database fails after the first statements of an approval have run."""
    notice = notice_in("in_review")
    before = (Notice.objects.count(), notice.versions.count(), notice.events.count())
    client.force_login(reviewer)
    calls = {"n": 0}

    def fail_on_the_first_write(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(("UPDATE", "INSERT")):
            calls["n"] += 1
            if calls["n"] == 2:
                raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    url = reverse("admin:notices_notice_workflow", args=[notice.pk])
    with connection.execute_wrapper(fail_on_the_first_write):
        response = client.post(url, {"transition": "approve"})
    assert calls["n"] == 2, "the approval never reached its second write"
    assert_unavailable(response, "您刚才提交的内容没有保存")
    notice.refresh_from_db()
    assert notice.status == Notice.Status.IN_REVIEW
    assert (Notice.objects.count(), notice.versions.count(), notice.events.count()) == before


def test_other_errors_are_still_500(client, monkeypatch, notice_in):
    notice = notice_in("published")
    client.raise_request_exception = False

    def broken(*args, **kwargs):
        raise RuntimeError("a bug, not the database")

    monkeypatch.setattr("notices.views.render_notice", broken)
    assert client.get(notice.get_absolute_url()).status_code == 500


def test_the_drivers_own_error_is_503_too(client, monkeypatch, notice_in):
    """Django wraps the driver's errors, but not those of every call: closing a server-side
    cursor (a form's choices) on a connection the server has just ended raises psycopg2's own
    OperationalError (bench/fault_drill.py met it while the database was switched read-only)."""
    notice = notice_in("published")
    client.raise_request_exception = False

    def cut_off(*args, **kwargs):
        raise connection.Database.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("notices.views.render_notice", cut_off)
    assert_unavailable(client.get(notice.get_absolute_url()), "暂时无法连接数据库")


def test_a_database_error_outside_any_view_is_503_too(rf):
    """Errors of a middleware (saving the session after the view) reach handler500."""
    from config import urls
    from core.reliability import server_error

    assert urls.handler500 == "core.reliability.server_error"
    request = rf.get("/notices/")
    try:
        raise OperationalError("could not connect to server")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        assert server_error(request).status_code == 500


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_read_only_database_answers_503_and_keeps_nothing(client, editor, notice_in):
    """The session's transactions become read-only, as on a standby or during maintenance."""
    notice = notice_in("draft")
    client.force_login(editor)
    url = reverse("admin:notices_notice_change", args=[notice.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list)
    }
    with connection.cursor() as cursor:
        cursor.execute("SET default_transaction_read_only = on")
    try:
        response = client.post(url, {**data, "title": "只读时的修改"})
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET default_transaction_read_only = off")
    assert_unavailable(response, "数据库暂时只读", "拒绝写入")
    notice.refresh_from_db()
    assert notice.title != "只读时的修改"


def test_the_503_page_names_the_site_as_its_identity_does_else_as_configured(
    client, settings, notice_in
):
    from tests.portal.factories import make_identity

    notice = notice_in("published")
    make_identity(portal_name="示例省人民政府 · 政府信息公开")
    with database_down():
        down = client.get(notice.get_absolute_url())
    # Nothing kept: the identity cannot be read, the configured name stands in.
    page = assert_unavailable(down, "服务暂时不可用")
    assert f"<title>服务暂时不可用 · {settings.PORTAL_NAME}</title>" in page

    settings.PORTAL_LISTS_CACHE_SECONDS = 300
    assert "示例省人民政府" in client.get("/notices/").content.decode()  # kept from now on
    with database_down():
        down = client.get(notice.get_absolute_url())
    page = assert_unavailable(down, "服务暂时不可用")
    assert "<title>服务暂时不可用 · 示例省人民政府 · 政府信息公开</title>" in page

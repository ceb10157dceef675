"""Staff accounts: whoever acted is deactivated, not deleted, and is told why."""

from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.urls import reverse

from notices import roles
from tests import factories

CHANGELIST = reverse("admin:auth_user_changelist")


def delete_url(user) -> str:
    return reverse("admin:auth_user_delete", args=[user.pk])


def test_an_account_that_never_acted_is_deleted(client, site_admin, organ):
    newcomer = factories.make_user(roles.EDITOR, [organ])
    client.force_login(site_admin)
    assert client.get(delete_url(newcomer)).status_code == 200
    response = client.post(delete_url(newcomer), {"post": "yes"})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=newcomer.pk).exists()


def test_an_account_that_acted_is_not_deleted_and_the_admin_is_told_why(
    client, site_admin, organ, editor
):
    factories.make_draft(organ, editor)
    client.force_login(site_admin)
    for response in (
        client.get(delete_url(editor), follow=True),
        client.post(delete_url(editor), {"post": "yes"}, follow=True),
    ):
        assert response.status_code == 200
        assert response.redirect_chain[-1][0] == reverse("admin:auth_user_change", args=[editor.pk])
        page = response.content.decode()
        assert "不能删除" in page and "公告" in page and "停用" in page
    assert get_user_model().objects.filter(pk=editor.pk).exists()


def test_bulk_deletion_of_an_account_that_acted_deletes_nobody(client, site_admin, organ, editor):
    factories.make_draft(organ, editor)
    newcomer = factories.make_user(roles.EDITOR, [organ])
    client.force_login(site_admin)
    data = {
        "action": "delete_selected",
        helpers.ACTION_CHECKBOX_NAME: [editor.pk, newcomer.pk],
        "post": "yes",
    }
    response = client.post(CHANGELIST, data, follow=True)
    assert response.status_code == 200
    assert "不能删除" in response.content.decode()
    assert get_user_model().objects.filter(pk__in=[editor.pk, newcomer.pk]).count() == 2


def test_a_deactivated_account_cannot_log_in_and_its_session_ends(client, site_admin, editor):
    signed_in = factories.make_user(roles.EDITOR)
    other = client.__class__()
    assert other.login(username=signed_in.username, password=factories.PASSWORD)
    client.force_login(site_admin)
    data = {
        "action": "deactivate_users",
        helpers.ACTION_CHECKBOX_NAME: [editor.pk, signed_in.pk, site_admin.pk],
    }
    response = client.post(CHANGELIST, data, follow=True)
    page = response.content.decode()
    assert "已停用 2 个用户" in page and "不能停用自己的账号" in page
    editor.refresh_from_db()
    site_admin.refresh_from_db()
    assert not editor.is_active and site_admin.is_active
    assert not client.__class__().login(username=editor.username, password=factories.PASSWORD)
    assert other.get(reverse("admin:index")).status_code == 302

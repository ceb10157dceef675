"""The leaders are kept once (portal.Leader): the 机构信息 page of their organ lists the current
ones and the checks before publication read the same rows; who may write which leader; and the
move of the checks' own list into this one, without losing a row."""

import importlib

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse

from editorial_checks import services as checks
from portal import services
from portal.models import Leader
from tests.portal.factories import make_profile

pytestmark = pytest.mark.django_db


def leader_form(profile, **changes) -> dict:
    data = {
        "profile": profile.pk if profile is not None else "",
        "name": "赵文明",
        "post": "厅长",
        "duties": "主持全面工作",
        "wrong_forms": "赵文名",
        "current": "on",
        "position": "1",
    }
    return {**data, **changes}


def findings(notice) -> list[tuple[str, str, str]]:
    run = checks.latest_run(notice)
    return [(f.kind, f.text, f.suggestion) for f in run.findings.order_by("offset")]


def test_a_leader_entered_once_is_on_the_organs_page_and_in_the_check(
    client, organ, editor, notice_in
):
    profile = make_profile(organ)
    client.force_login(editor)
    for name, post, wrong in (("赵文明", "厅长", "赵文名"), ("钱立新", "副厅长", "")):
        data = leader_form(profile, name=name, post=post, wrong_forms=wrong)
        response = client.post(reverse("admin:portal_leader_add"), data)
        assert response.status_code == 302, response.content.decode()
    client.logout()

    page = client.get(reverse("portal:organ-profile", args=[organ.pk])).content.decode()
    assert "赵文明" in page and "厅长" in page and "主持全面工作" in page
    notice = notice_in("in_review", body="<p>副厅长赵文明出席，赵文名讲话。</p>")
    assert findings(notice) == [
        ("leader_title", "副厅长赵文明", "厅长赵文明"),
        ("leader_name", "赵文名", "赵文明"),
    ]


def test_leaders_are_written_in_one_place_the_profile_links_there(client, organ, editor):
    profile = make_profile(organ)
    leader = profile.leaders.create(name="赵文明", post="厅长")
    client.force_login(editor)
    url = reverse("admin:portal_organprofile_change", args=[profile.pk])
    page = client.get(url).content.decode()
    assert "leaders-TOTAL_FORMS" not in page  # no second form for the same rows
    assert reverse("admin:portal_leader_change", args=[leader.pk]) in page
    add_url = reverse("admin:portal_leader_add") + f"?profile={profile.pk}"
    assert add_url in page
    added = client.get(add_url).content.decode()
    assert f'<option value="{profile.pk}" selected>' in added

    # Leaders posted with the profile's form, as an inline would send them, are not saved.
    data = {
        "functions": "负责政务公开。",
        "address": "",
        "office_hours": "",
        "phone": "",
        "website": "",
        "leaders-TOTAL_FORMS": "1",
        "leaders-INITIAL_FORMS": "0",
        "leaders-0-name": "钱立新",
        "leaders-0-post": "副厅长",
        "leaders-0-current": "on",
        "leaders-0-position": "0",
    }
    assert client.post(url, data).status_code == 302
    profile.refresh_from_db()
    assert profile.functions == "负责政务公开。"
    assert list(profile.leaders.values_list("name", flat=True)) == ["赵文明"]


def test_a_former_leader_leaves_the_page_and_the_check(client, organ, notice_in):
    profile = make_profile(organ)
    profile.leaders.create(name="赵文明", post="厅长")
    leader = profile.leaders.create(name="钱立新", post="副厅长", duties="分管政务公开")
    leader.current = False
    leader.save()
    page = client.get(reverse("portal:organ-profile", args=[organ.pk])).content.decode()
    assert "钱立新" not in page
    notice = notice_in("in_review", body="<p>厅长钱立新出席。</p>")
    assert findings(notice) == []


def test_a_leader_of_no_organ_is_checked_but_on_no_page(client, organ, site_admin, notice_in):
    make_profile(organ)
    client.force_login(site_admin)
    for name, post in (("王小明", "省长"), ("李建华", "副省长")):
        data = leader_form(None, name=name, post=post, wrong_forms="")
        response = client.post(reverse("admin:portal_leader_add"), data)
        assert response.status_code == 302, response.content.decode()
    assert Leader.objects.get(name="王小明").profile is None
    page = client.get(reverse("portal:organ-profile", args=[organ.pk])).content.decode()
    assert "王小明" not in page
    notice = notice_in("in_review", body="<p>副省长王小明出席。</p>")
    assert findings(notice) == [("leader_title", "副省长王小明", "省长王小明")]


def test_an_editor_writes_only_their_organs_leaders(client, organ, other_organ, editor):
    ours, theirs = make_profile(organ), make_profile(other_organ)
    client.force_login(editor)
    response = client.post(reverse("admin:portal_leader_add"), leader_form(theirs))
    assert response.status_code == 200
    response = client.post(reverse("admin:portal_leader_add"), leader_form(None))
    assert response.status_code == 200
    assert "不属于任何机构的领导由网站管理员填写" in response.content.decode()
    assert not Leader.objects.exists()

    their_leader = theirs.leaders.create(name="孙志强", post="厅长")
    url = reverse("admin:portal_leader_change", args=[their_leader.pk])
    client.post(url, leader_form(theirs, name="篡改"))
    their_leader.refresh_from_db()
    assert their_leader.name == "孙志强"
    listed = client.get(reverse("admin:portal_leader_changelist")).content.decode()
    assert "孙志强" not in listed
    with pytest.raises(PermissionDenied):
        services.save_leader(editor, their_leader)
    services.save_leader(editor, Leader(profile=ours, name="周明", post="副厅长"))
    assert ours.leaders.get().name == "周明"


@pytest.mark.parametrize("role", ["reviewer", "auditor"])
def test_reviewers_and_auditors_read_leaders_but_do_not_write_them(client, request, organ, role):
    user = request.getfixturevalue(role)
    leader = make_profile(organ).leaders.create(name="孙志强", post="厅长")
    client.force_login(user)
    url = reverse("admin:portal_leader_change", args=[leader.pk])
    client.post(url, leader_form(leader.profile, name="篡改"))
    leader.refresh_from_db()
    assert leader.name == "孙志强"
    with pytest.raises(PermissionDenied):
        services.save_leader(user, leader)


def test_a_site_admin_writes_any_organs_leaders(site_admin, organ):
    profile = make_profile(organ)
    services.save_leader(site_admin, Leader(profile=profile, name="周明", post="副厅长"))
    services.save_leader(site_admin, Leader(name="王小明", post="省长"))
    assert Leader.objects.count() == 2


# The old table is made inside the test's transaction, which SQLite's schema editor refuses.
@pytest.mark.postgres
def test_the_checks_list_moves_to_the_portals_without_losing_a_row(organ):
    """editorial_checks 0003: each row of the old list is merged into the page's row of the same
    name and title, or kept as a leader of no organ (a different title, or no longer active)."""
    loader = MigrationLoader(connection)
    state = loader.project_state(
        [("editorial_checks", "0002_starter_word_list"), ("portal", "0003_leader_kept_once")]
    )
    old = state.apps.get_model("editorial_checks", "Leader")
    with connection.schema_editor() as editor:
        editor.create_model(old)
    profile = make_profile(organ)
    on_page = profile.leaders.create(name="李建华", post="副省长", wrong_forms="李建化")
    old.objects.create(name="李建华", title="副省长", wrong_forms="李健华，李建化", position=2)
    old.objects.create(name="王小明", title="省长", wrong_forms="王晓明", position=1)
    old.objects.create(name="赵文明", title="厅长", position=3, active=False)
    migration = importlib.import_module("editorial_checks.migrations.0003_leaders_to_portal")

    migration.forwards(state.apps, None)

    on_page.refresh_from_db()
    assert on_page.wrong_names() == ["李建化", "李健华"]
    assert Leader.objects.count() == 3
    kept = Leader.objects.filter(profile=None).order_by("name")
    assert [(x.name, x.post, x.wrong_forms, x.current, x.position) for x in kept] == [
        ("王小明", "省长", "王晓明", True, 1),
        ("赵文明", "厅长", "", False, 3),
    ]

"""Who may change the portal's pages: the identity (site admins), an organ's guide, rules and
机构信息 (editors of that organ), the 法定主动公开内容 columns (site admins); every role from
both sides, through the admin and through the service."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal import services
from portal.models import DisclosureGuide, SiteIdentity, StatutoryColumn
from tests import factories
from tests.portal.factories import make_guide, make_identity

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def identity_form(**changes) -> dict:
    data = {
        "portal_name": "甘肃省人民政府 · 政府信息公开",
        "sponsor": "甘肃省人民政府办公厅",
        "operator": "",
        "site_code": "6200000001",
        "icp_number": "陇ICP备05000251号-1",
        "police_number": "甘公网安备 62010202000123号",
        "contact_address": "",
        "contact_phone": "",
        "contact_email": "",
        "contact_note": "",
    }
    return {**data, **changes}


def guide_form(organ, **changes) -> dict:
    data = {
        "organ": organ.pk,
        "office_name": "政务公开办公室",
        "address": "兰州市城关区中央广场1号",
        "postcode": "730030",
        "office_hours": "工作日 9:00—17:30",
        "phone": "0931-8888888",
        "fax": "",
        "email": "",
        "how_to_apply": "<p>在线申请</p>",
        "body": "",
    }
    return {**data, **changes}


def test_a_site_admin_fills_in_the_identity_with_an_emblem(client, site_admin):
    client.force_login(site_admin)
    assert client.get(reverse("admin:portal_siteidentity_changelist")).status_code == 200
    emblem = SimpleUploadedFile("emblem.png", PNG, content_type="image/png")
    response = client.post(
        reverse("admin:portal_siteidentity_add"), {**identity_form(), "emblem_file": emblem}
    )
    assert response.status_code == 302, response.content.decode()
    row = SiteIdentity.objects.get()
    assert row.sponsor == "甘肃省人民政府办公厅"
    assert bytes(row.emblem) == PNG and row.emblem_type == "image/png"
    client.logout()
    page = client.get(reverse("notices:home")).content.decode()
    emblem_url = reverse("portal:emblem", args=[row.emblem_digest[:16]])
    assert f'src="{emblem_url}"' in page
    served = client.get(emblem_url)
    assert served.content == PNG and served["Content-Type"] == "image/png"
    assert client.get(reverse("portal:emblem", args=["0" * 16])).status_code == 404


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("emblem.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "PNG 或 JPEG"),
        ("emblem.png", b"", "空文件"),
        ("emblem.png", PNG + b"\0" * (200 * 1024), "图片太大"),
        ("emblem.png", PNG[:16] + b"\x00\x00\x10\x00\x00\x00\x10\x00" + PNG[24:], "尺寸过大"),
        ("emblem.png", PNG[:40] + b"<html><script>" + PNG[40:], "网页或脚本"),
    ],
)
def test_a_bad_emblem_is_refused_with_a_chinese_reason(client, site_admin, name, content, message):
    client.force_login(site_admin)
    upload = SimpleUploadedFile(name, content)
    response = client.post(
        reverse("admin:portal_siteidentity_add"), {**identity_form(), "emblem_file": upload}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SiteIdentity.objects.exists()


def test_a_malformed_site_code_is_refused(client, site_admin):
    client.force_login(site_admin)
    response = client.post(reverse("admin:portal_siteidentity_add"), identity_form(site_code="62"))
    assert "网站标识码是 10 位数字" in response.content.decode()


@pytest.mark.parametrize("role", ["editor", "reviewer", "auditor"])
def test_only_a_site_admin_may_change_the_identity(client, request, role):
    user = request.getfixturevalue(role)
    make_identity()
    client.force_login(user)
    url = reverse("admin:portal_siteidentity_change", args=[1])
    response = client.post(url, identity_form(portal_name="篡改"))
    assert response.status_code in (302, 403)
    assert SiteIdentity.objects.get().portal_name != "篡改"
    with pytest.raises(PermissionDenied):
        services.save_identity(user, SiteIdentity.objects.get())


def test_anonymous_readers_reach_no_admin_page_of_the_portal(client, db):
    for name in ("siteidentity", "disclosureguide", "statutorycolumn"):
        response = client.get(reverse(f"admin:portal_{name}_changelist"))
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_editor_writes_their_organs_guide(client, organ, editor):
    client.force_login(editor)
    response = client.post(reverse("admin:portal_disclosureguide_add"), guide_form(organ))
    assert response.status_code == 302, response.content.decode()
    guide = DisclosureGuide.objects.get(organ=organ)
    url = reverse("admin:portal_disclosureguide_change", args=[guide.pk])
    changed = guide_form(organ, phone="0931-1111111", how_to_apply="<p>信函<script>x</script></p>")
    assert client.post(url, changed).status_code == 302
    guide.refresh_from_db()
    assert guide.phone == "0931-1111111"
    assert "<script>" not in guide.how_to_apply and "信函" in guide.how_to_apply


def test_an_editor_cannot_write_or_see_another_organs_guide(client, organ, other_organ, editor):
    client.force_login(editor)
    response = client.post(reverse("admin:portal_disclosureguide_add"), guide_form(other_organ))
    assert response.status_code == 200  # the organ is not among the choices
    assert not DisclosureGuide.objects.exists()
    theirs = make_guide(other_organ)
    url = reverse("admin:portal_disclosureguide_change", args=[theirs.pk])
    assert client.get(url).status_code in (302, 404)
    client.post(url, guide_form(other_organ, phone="0000"))
    theirs.refresh_from_db()
    assert theirs.phone != "0000"
    listed = client.get(reverse("admin:portal_disclosureguide_changelist")).content.decode()
    assert other_organ.name not in listed
    with pytest.raises(PermissionDenied):
        services.save_organ_page(editor, theirs)


@pytest.mark.parametrize("role", ["reviewer", "auditor"])
def test_reviewers_and_auditors_read_guides_but_do_not_write_them(client, request, organ, role):
    user = request.getfixturevalue(role)
    guide = make_guide(organ)
    client.force_login(user)
    url = reverse("admin:portal_disclosureguide_change", args=[guide.pk])
    client.post(url, guide_form(organ, phone="0000"))
    guide.refresh_from_db()
    assert guide.phone != "0000"
    with pytest.raises(PermissionDenied):
        services.save_organ_page(user, guide)


def test_a_site_admin_configures_a_column_and_an_editor_cannot(client, organ, site_admin, editor):
    topic = factories.make_topic("财政")
    column = StatutoryColumn.objects.get(organ__isnull=True, article_item=7)
    url = reverse("admin:portal_statutorycolumn_change", args=[column.pk])
    data = {
        "organ": "",
        "parent": "",
        "name": "财政预决算",
        "article_item": "7",
        "kind": "notices",
        "topics": [topic.pk],
        "genres": [],
        "position": "70",
    }
    client.force_login(editor)
    client.post(url, data)
    assert not column.topics.exists()
    client.force_login(site_admin)
    assert client.post(url, data).status_code == 302
    assert list(column.topics.all()) == [topic]
    too_deep = {**data, "name": "三级", "parent": "", "article_item": ""}
    child = StatutoryColumn.objects.create(parent=column, name="部门预算")
    response = client.post(
        reverse("admin:portal_statutorycolumn_add"), {**too_deep, "parent": child.pk}
    )
    assert "栏目最多两级" in response.content.decode()

"""One guide per organ: the 依申请公开 page shows the 申请方式和程序 of the organ's 政府信息公开指南
(portal.DisclosureGuide), the same text as its 指南 page; the site's general guide is one row;
and the organs' guides of the applications app moved into the portal's without loss."""

import importlib

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse

from applications.models import ApplicationGuide
from portal.models import DisclosureGuide
from tests import factories
from tests.applications.test_public_form import guide_section
from tests.portal.factories import make_guide

pytestmark = pytest.mark.django_db
URL = "/apply/"


def test_an_organs_guide_written_once_shows_on_the_guide_page_and_the_apply_page(client, organ):
    guide = make_guide(organ, how_to_apply="<p>信函申请请寄至示例路1号。</p>")
    guide.how_to_apply = "<p>信函申请请寄至示例路2号。</p><script>x</script>"
    guide.save()
    on_apply = guide_section(client.get(URL, {"organ": organ.pk}).content.decode())
    on_guide = client.get(reverse("portal:guide", args=[organ.pk])).content.decode()
    for page in (on_apply, on_guide):
        assert "示例路2号" in page and "示例路1号" not in page and "<script>" not in page
    assert guide.office_name in on_apply and guide.phone in on_apply
    assert f'href="{reverse("portal:guide", args=[organ.pk])}"' in on_apply


def test_the_general_guide_is_one_row(db):
    assert ApplicationGuide.objects.count() == 1  # seeded by the migrations
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationGuide.objects.create(text="第二份通用指南")


def test_a_site_admin_cannot_add_a_second_general_guide(client, site_admin):
    client.force_login(site_admin)
    assert client.get(reverse("admin:applications_applicationguide_add")).status_code == 403
    general = ApplicationGuide.general()
    url = reverse("admin:applications_applicationguide_change", args=[general.pk])
    assert client.post(url, {"text": "修改后的通用指南"}).status_code == 302
    assert ApplicationGuide.general().text == "修改后的通用指南"


def test_the_organs_guides_move_into_their_disclosure_guides(organ, other_organ):
    """applications 0007: an organ's guide fills or extends the 申请方式和程序 of its 指南, or
    starts one; the general guide stays."""
    third = factories.make_organ(name="甘肃省财政厅", code="000014351")
    loader = MigrationLoader(connection)
    state = loader.project_state(
        [("applications", "0006_queue_order_indexes"), ("portal", "0003_leader_kept_once")]
    )
    old = state.apps.get_model("applications", "ApplicationGuide")
    with connection.schema_editor() as editor:
        editor.remove_constraint(ApplicationGuide, ApplicationGuide._meta.constraints[0])
        editor.add_field(old, old._meta.get_field("organ"))
    make_guide(organ, how_to_apply="<p>在线申请。</p>")
    make_guide(other_organ, how_to_apply="<p>本机关受理地点：示例路1号</p>")
    old.objects.create(organ_id=organ.pk, text="受理地点：示例路3号\n\n电话：0931-3")
    old.objects.create(organ_id=other_organ.pk, text="本机关受理地点：示例路1号")
    old.objects.create(organ_id=third.pk, text="财政厅受理窗口 <b>3</b> 号")
    migration = importlib.import_module("applications.migrations.0007_organ_guides_to_portal")

    migration.forwards(state.apps, None)

    extended = DisclosureGuide.objects.get(organ=organ).how_to_apply
    assert extended.index("在线申请") < extended.index("示例路3号") < extended.index("0931-3")
    unchanged = DisclosureGuide.objects.get(organ=other_organ).how_to_apply
    assert unchanged == "<p>本机关受理地点：示例路1号</p>"
    started = DisclosureGuide.objects.get(organ=third)
    assert "财政厅受理窗口 &lt;b&gt;3&lt;/b&gt; 号" in started.how_to_apply
    assert started.office_name == ""
    assert old.objects.filter(organ__isnull=False).count() == 0
    assert old.objects.filter(organ__isnull=True).count() == 1

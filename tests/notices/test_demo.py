import io
import json

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from notices import roles
from notices.demo_loader import DEMO_DIR
from notices.models import Notice, Topic

SEED_TITLE = "甘肃省人民政府办公厅关于2016年政务公开工作考核情况的通报"
EXPECTED = json.loads((DEMO_DIR / "notices.json").read_text(encoding="utf-8"))


def test_roles_are_groups_created_by_migration(db):
    groups = {group.name: group for group in Group.objects.prefetch_related("permissions")}
    assert set(roles.ROLE_PERMISSIONS) <= set(groups)
    codenames = {
        name: {p.codename for p in group.permissions.all()} for name, group in groups.items()
    }
    assert "review_notice" in codenames[roles.REVIEWER]
    assert "change_notice" not in codenames[roles.REVIEWER]
    assert "review_notice" not in codenames[roles.EDITOR]
    assert {c for c in codenames[roles.AUDITOR] if not c.startswith("view_")} == {
        "access_all_organs"
    }


def test_demo_loads_the_seed_notice_with_its_metadata_and_is_idempotent(db, client):
    call_command("load_demo", stdout=io.StringIO())
    loaded = Notice.objects.count()
    call_command("load_demo", stdout=io.StringIO())

    assert Notice.objects.count() == loaded  # nothing doubled
    titles = [item["title"] for item in EXPECTED["notices"]]
    # Each demo notice once (other apps' demo data, such as the annual reports, add their own).
    assert Notice.objects.originals().filter(title__in=titles).count() == len(titles)
    seed = Notice.objects.get(title=SEED_TITLE)
    assert seed.is_live()
    assert seed.document_number == "甘政办发〔2017〕136号"
    assert seed.organ.name == "甘肃省人民政府办公厅"
    assert seed.index_number == "000014349/2017-00001"
    assert seed.signed_on.isoformat() == "2017-08-11"
    assert seed.published_at.date().isoformat() == "2017-08-16"
    assert seed.genre_name == "通报"
    assert [c.display_number for c in seed.citations.all()] == [
        "甘政办发〔2015〕156号",
        "甘政办发〔2016〕70号",
    ]
    for heading in ("一、总体情况", "二、主要特点", "三、主要问题", "四、整改要求"):
        assert f"<h2>{heading}</h2>" in seed.body
    for item in (
        "（一）公开渠道更加畅通",
        "（五）监督保障机制仍需加强",
        "（四）加强第三方评估工作",
    ):
        assert f"<h3>{item}</h3>" in seed.body
    assert "訪" not in seed.body and "wèn" not in seed.body

    page = client.get(seed.get_absolute_url()).content.decode()
    assert "000014349/2017-00001" in page and "1563668" in page


def test_demo_topics_come_in_the_order_the_demo_lists_them(db):
    call_command("load_demo", stdout=io.StringIO())
    listed = [
        item["name"] for item in json.loads((DEMO_DIR / "notices.json").read_text())["topics"]
    ]
    roots = Topic.objects.filter(parent=None, name__in=listed)
    # The tree's order (综合政务 first), not the names' code points (民政… before 综合政务).
    assert [topic.name for topic in roots] == listed
    general = roots.get(name="综合政务")
    assert [topic.name for topic in general.children.all()] == ["政务公开", "政务督查", "应急管理"]


def test_demo_covers_every_state_and_every_role(db):
    call_command("load_demo", stdout=io.StringIO())
    states = {n.state_label for n in Notice.objects.all()}
    assert {"已发布", "已撤回", "已排期", "草稿", "待审核"} <= states
    for account in ("editor", "reviewer", "auditor", "siteadmin"):
        user = get_user_model().objects.get(username=account)
        assert user.is_staff and user.check_password("demo-pass-2026")

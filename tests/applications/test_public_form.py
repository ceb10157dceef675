"""The public form (条例 §29): every field's Chinese message, nothing typed lost, the honeypot,
the per-address limit, uploads checked by content, and the receipt."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from applications.models import Application, ApplicationAttachment, ApplicationEvent
from tests.applications.public_helpers import PNG, credit_code, form_data, png, resident_id
from tests.portal.factories import make_guide

URL = "/apply/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def post(client, data, **extra):
    return client.post(URL, data, **extra)


def errors_of(response) -> dict:
    return response.context["form"].errors


def test_page_shows_the_guide_the_form_and_is_reachable_from_the_navigation(client, organ):
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "申请指南" in html and "第二十九条" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert organ.name in html
    home = client.get("/").content.decode()
    assert reverse("applications:apply") in home and "依申请公开" in home


def test_page_is_never_cached_by_the_browser_or_the_page_cache(client, organ):
    response = client.get(URL)
    assert "no-store" in response["Cache-Control"]


def test_valid_application_is_filed_and_the_receipt_shows_number_and_code_once(client, organ):
    response = post(client, form_data(organ))
    assert response.status_code == 200
    application = Application.objects.get()
    code = response.context["code"]
    html = response.content.decode()
    assert application.number in html and code in html
    assert "只显示这一次" in html
    assert application.check_lookup_code(code)
    assert code not in application.lookup_code_hash
    assert application.channel == Application.Channel.ONLINE
    assert application.events.get().action == ApplicationEvent.Action.SUBMITTED
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("organ", "", "请选择向哪个机关提出申请"),
        ("applicant_type", "", "请选择申请人类型"),
        ("applicant_name", "", "请填写申请人姓名或法人或其他组织名称"),
        ("applicant_name", "名" * 101, "不能超过100个字"),
        ("id_type", "", "请选择证件类型"),
        ("id_number", "", "请填写证件号码"),
        ("id_number", "110105194912310020", "校验位不正确"),
        ("id_number", "11010519491331002X", "出生日期不正确"),
        ("id_number", "12345", "应为18位"),
        ("email", "not-an-address", "电子邮箱格式不正确"),
        ("phone", "call me", "联系电话只能包含数字"),
        ("postcode", "1000", "邮政编码应为6位数字"),
        ("description", "文件", "太简略"),
        ("description", "", "请描述所需的政府信息"),
        ("delivery", "", "请选择获取信息的方式"),
        ("delivery", "carrier-pigeon", "请从列表中选择"),
        ("medium", "", "请选择信息的载体形式"),
    ],
)
def test_each_field_refuses_bad_input_in_chinese(client, organ, field, value, message):
    if field == "id_number" and value == "110105194912310020" and resident_id().endswith("0"):
        value = value[:-1] + "1"
    response = post(client, form_data(organ, **{field: value}))
    assert response.status_code == 400
    assert any(message in error for error in errors_of(response)[field]), errors_of(response)
    assert message in response.content.decode()
    assert not Application.objects.exists()


def test_at_least_one_contact_is_required(client, organ):
    response = post(client, form_data(organ, phone="", email="", delivery="pickup"))
    assert "请至少留下联系电话或电子邮箱中的一种" in errors_of(response)["phone"][0]


def test_delivery_by_mail_needs_an_email_and_by_post_an_address(client, organ):
    response = post(client, form_data(organ, email="", delivery="email"))
    assert "请填写电子邮箱" in errors_of(response)["email"][0]
    response = post(client, form_data(organ, delivery="post"))
    assert "请填写通信地址" in errors_of(response)["postal_address"][0]


def test_organization_needs_its_kind_contact_person_and_credit_code(client, organ):
    response = post(
        client, form_data(organ, applicant_type="organization", applicant_name="示例公司")
    )
    errors = errors_of(response)
    assert "请选择组织类别" in errors["organization_kind"][0]
    assert "请填写联系人" in errors["contact_person"][0]
    assert "统一社会信用代码" in errors["id_type"][0]
    bad_code = credit_code()[:-1] + ("0" if credit_code()[-1] != "0" else "1")
    response = post(
        client,
        form_data(
            organ,
            applicant_type="organization",
            organization_kind="research",
            applicant_name="示例研究所",
            contact_person="示例经办人",
            id_type="credit_code",
            id_number=bad_code,
        ),
    )
    assert "校验位不正确" in errors_of(response)["id_number"][0]


def test_organization_with_a_valid_credit_code_is_filed_with_its_kind(client, organ):
    response = post(
        client,
        form_data(
            organ,
            applicant_type="organization",
            organization_kind="legal_service",
            applicant_name="示例律师事务所",
            contact_person="示例经办人",
            id_type="credit_code",
            id_number=credit_code().lower(),
        ),
    )
    assert response.status_code == 200, errors_of(response)
    application = Application.objects.get()
    assert application.organization_kind == "legal_service"
    assert application.id_number == credit_code()


def test_a_natural_persons_organization_kind_is_dropped(client, organ):
    post(client, form_data(organ, organization_kind="commercial"))
    assert Application.objects.get().organization_kind == ""


def test_nothing_typed_is_lost_on_error_and_files_must_be_chosen_again(client, organ):
    data = form_data(organ, id_number="123", postal_address="示例市示例路1号")
    response = post(client, {**data, "identity_file": png()})
    html = response.content.decode()
    for typed in ("示例申请人甲", "jia@example.invalid", "示例市示例路1号", "老旧小区改造项目"):
        assert typed in html
    assert "请重新选择附件" in html


def test_honeypot_filled_is_refused_and_nothing_is_filed(client, organ):
    response = post(client, form_data(organ, website="http://spam.example"))
    assert response.status_code == 400
    assert "请不要填写" in response.content.decode()
    assert not Application.objects.exists()


def test_honeypot_is_out_of_sight_and_out_of_the_tab_order(client, organ):
    html = client.get(URL).content.decode()
    assert 'class="apply-trap" aria-hidden="true"' in html
    assert 'tabindex="-1"' in html


def test_submissions_are_limited_per_address_with_a_chinese_message(client, organ, settings):
    settings.APPLICATION_RATE_LIMITS = {"submit": (2, 3600)}
    for _ in range(2):
        assert post(client, form_data(organ)).status_code == 200
    response = post(client, form_data(organ), REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 429
    assert "操作过于频繁" in response.content.decode()
    assert "示例申请人甲" in response.content.decode()
    assert Application.objects.count() == 2
    other = post(client, form_data(organ), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def test_the_limit_counts_in_the_shared_cache_under_a_hashed_address(client, organ, settings):
    settings.APPLICATION_RATE_LIMITS = {"submit": (1, 3600)}
    post(client, form_data(organ), REMOTE_ADDR="10.1.2.3")
    cache.clear()  # another app server, or a restart, sees the same count only in the cache
    assert post(client, form_data(organ), REMOTE_ADDR="10.1.2.3").status_code == 200


def test_identity_scan_is_kept_in_storage(client, organ):
    response = post(client, {**form_data(organ), "identity_file": png()})
    assert response.status_code == 200
    attachment = ApplicationAttachment.objects.get()
    assert attachment.kind == ApplicationAttachment.Kind.IDENTITY
    assert attachment.original_name == "身份证.png"
    with attachment.file.open("rb") as stored:
        assert stored.read() == PNG


@pytest.mark.parametrize(
    "upload, message",
    [
        (png("scan.png", b"<html><script>alert(1)</script>"), "不符"),
        (png("scan.exe", b"MZ\x90\x00"), "只接受"),
        (png("scan.png", b""), "空"),
    ],
)
def test_disguised_or_empty_uploads_are_refused(client, organ, upload, message):
    response = post(client, {**form_data(organ), "identity_file": upload})
    assert response.status_code == 400
    errors = errors_of(response).get("identity_file", [])
    assert any(message in error for error in errors), errors_of(response)
    assert not Application.objects.exists()


def test_oversized_uploads_are_refused(client, organ, settings):
    settings.APPLICATION_ATTACHMENT_MAX_BYTES = 100
    response = post(client, {**form_data(organ), "identity_file": png(content=PNG * 3)})
    assert "附件太大" in errors_of(response)["identity_file"][0]


def test_post_without_csrf_token_is_refused(organ):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(URL, form_data(organ))
    assert response.status_code == 403
    assert not Application.objects.exists()


def test_the_same_form_posted_twice_files_one_application(client, organ):
    data = form_data(organ, once="form-token-1")
    first = post(client, data)
    again = post(client, data)
    assert Application.objects.count() == 1
    html = again.content.decode()
    assert "已经提交过" in html
    assert first.context["code"] not in html
    assert post(client, form_data(organ, once="form-token-2")).status_code == 200
    assert Application.objects.count() == 2


def test_the_form_carries_a_fresh_one_time_token(client, organ):
    first = client.get(URL).context["form"]["once"].value()
    second = client.get(URL).context["form"]["once"].value()
    assert first and second and first != second


def guide_section(html: str) -> str:
    start = html.index('id="apply-guide"')
    return html[start : html.index("</section>", start)]


def test_choosing_an_organ_shows_its_own_guide_and_starts_the_form_with_it(
    client, organ, other_organ
):
    make_guide(organ, how_to_apply="<p>本机关受理地点：示例路1号</p><p>电话：0931-0000000</p>")
    html = client.get(URL, {"organ": organ.pk}).content.decode()
    guide = guide_section(html)
    assert f"{organ.name}政府信息公开申请指南" in guide
    assert "示例路1号" in guide and "第二十九条" not in guide
    assert f'<option value="{organ.pk}" selected>' in html  # the picker and the form
    form_select = html[html.index('name="organ" required id="id_organ"') :]
    assert f'<option value="{organ.pk}" selected>' in form_select[: form_select.index("</select>")]


def test_an_organ_without_its_own_guide_falls_back_to_the_general_one(client, organ, other_organ):
    make_guide(organ, how_to_apply="<p>只属于第一个机关的指南</p>")
    guide = guide_section(client.get(URL, {"organ": other_organ.pk}).content.decode())
    assert f"{other_organ.name}没有单独发布申请指南" in guide
    assert "第二十九条" in guide and "只属于第一个机关的指南" not in guide


@pytest.mark.parametrize("organ_param", ["", "abc", "999999"])
def test_no_or_an_unknown_organ_shows_the_general_guide(client, organ, organ_param):
    response = client.get(URL, {"organ": organ_param})
    assert response.status_code == 200
    guide = guide_section(response.content.decode())
    assert "第二十九条" in guide and "没有单独发布" not in guide


def test_the_picker_works_without_javascript_as_a_plain_get_form(client, organ):
    html = client.get(URL).content.decode()
    picker = html[html.index("data-guide-picker") - 100 : html.index("查看申请指南")]
    assert 'method="get"' in picker and f'action="{URL}"' in picker and 'name="organ"' in picker
    assert 'src="/static/js/apply-guide.js"' in html or "js/apply-guide" in html


def test_a_refused_form_shows_the_guide_of_the_organ_it_was_sent_to(client, organ):
    make_guide(organ, how_to_apply="<p>本机关的申请指南</p>")
    response = post(client, {**form_data(organ), "applicant_name": ""})
    assert response.status_code == 400
    assert "本机关的申请指南" in guide_section(response.content.decode())


def test_the_page_reads_the_organs_and_the_guide_in_few_queries(
    client, organ, other_organ, django_assert_max_num_queries
):
    # The organs, the guide (own, general), the select; and the footer's site identity, read
    # each time in tests (kept with the shared lists in production: portal/identity.py).
    with django_assert_max_num_queries(5):
        client.get(URL, {"organ": organ.pk})

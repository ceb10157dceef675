"""The handlers' queue and an application's page: scoping, filters, buttons, privacy."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, Outcome
from tests.applications import factories

D = datetime.date
LIST = reverse("admin:applications_application_changelist")


def change_url(application):
    return reverse("admin:applications_application_change", args=[application.pk])


def step_url(application, step):
    return reverse("admin:applications_application_step", args=[application.pk, step])


@pytest.fixture
def both(organ, other_organ, handler, other_handler):
    mine = factories.accepted(organ, handler, applicant_name="本机关申请人甲")
    theirs = factories.accepted(other_organ, other_handler, applicant_name="他机关申请人乙")
    return mine, theirs


@pytest.mark.parametrize(
    ("who", "sees_mine", "sees_theirs"),
    [
        ("handler", True, False),
        ("other_handler", False, True),
        ("auditor", True, True),
        ("site_admin", True, True),
    ],
)
def test_queue_is_scoped_to_the_organs_of_the_user(
    client, request, both, who, sees_mine, sees_theirs
):
    client.force_login(request.getfixturevalue(who))
    page = client.get(LIST).content.decode()
    assert (both[0].number in page) is sees_mine
    assert (both[1].number in page) is sees_theirs


@pytest.mark.parametrize("who", ["editor", "reviewer"])
def test_editors_and_reviewers_have_no_queue(client, request, both, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(LIST).status_code == 403
    assert client.get(change_url(both[0])).status_code in (302, 403, 404)


def test_handler_of_another_organ_cannot_open_or_act(client, both, other_handler):
    client.force_login(other_handler)
    mine = both[0]
    assert client.get(change_url(mine)).status_code in (302, 404)
    response = client.post(step_url(mine, "archive"), {"archive-archived_on": "2026-03-03"})
    assert response.status_code == 404
    mine.refresh_from_db()
    assert mine.state == Application.State.ACCEPTED


def test_overdue_and_due_soon_filters(client, organ, handler):
    late = factories.accepted(organ, handler, received_on=D(2026, 3, 2))
    today = timezone.localdate()
    fresh = factories.accepted(organ, handler, received_on=today)
    client.force_login(handler)
    page = client.get(LIST, {"due": "overdue"}).content.decode()
    assert late.number in page and fresh.number not in page
    assert "已逾期" in page
    Application.objects.filter(pk=fresh.pk).update(due_on=today + datetime.timedelta(days=1))
    page = client.get(LIST, {"due": "soon"}).content.decode()
    assert fresh.number in page and late.number not in page


def test_applicants_data_shown_to_handler_and_auditor_only(
    client, both, handler, auditor, other_handler
):
    mine = both[0]
    for user in (handler, auditor):
        client.force_login(user)
        assert "本机关申请人甲" in client.get(change_url(mine)).content.decode()
    client.force_login(other_handler)
    assert "本机关申请人甲" not in client.get(LIST).content.decode()


def test_page_shows_clock_timeline_and_only_allowed_buttons(client, both, handler, auditor):
    mine = both[0]
    client.force_login(handler)
    page = client.get(change_url(mine)).content.decode()
    assert "2026年3月30日" in page and "登记受理" in page  # due date; the event
    assert step_url(mine, "answer") in page and step_url(mine, "ask_correction") in page
    assert step_url(mine, "archive") not in page
    client.force_login(auditor)
    page = client.get(change_url(mine)).content.decode()
    assert "本机关申请人甲" in page and step_url(mine, "answer") not in page


def test_a_button_calls_the_service(client, both, handler):
    mine = both[0]
    client.force_login(handler)
    response = client.post(
        step_url(mine, "answer"),
        {
            "answer-outcome": Outcome.DISCLOSED,
            "answer-legal_basis": "《条例》第三十六条第一项",
            "answer-answered_on": "2026-03-20",
        },
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.state == Application.State.ANSWERED
    assert mine.events.last().actor == handler


def test_a_refusal_is_shown_with_what_was_typed(client, both, handler):
    mine = both[0]
    client.force_login(handler)
    response = client.post(
        step_url(mine, "extend"),
        {
            "extend-days": "10",
            "extend-reason": "需要检索档案",
            "extend-approved_by": "测试局局长",
            "extend-approved_on": "2026-04-20",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "届满前决定" in page and "需要检索档案" in page
    mine.refresh_from_db()
    assert mine.state == Application.State.ACCEPTED


def test_auditor_cannot_act_even_by_posting(client, both, auditor):
    mine = both[0]
    client.force_login(auditor)
    client.post(step_url(mine, "archive"), {"archive-archived_on": "2026-03-03"})
    mine.refresh_from_db()
    assert mine.state == Application.State.ACCEPTED


def test_repeated_requests_are_marked_with_a_link_to_draft_a_notice(
    client, organ, handler, site_admin
):
    first = factories.accepted(organ, handler, description="2025年财政预算")
    factories.accepted(organ, handler, description="请公开2025年度财政预算。")
    factories.accepted(organ, handler, description="某路段施工许可证")
    client.force_login(handler)
    page = client.get(LIST).content.decode()
    assert page.count("同类申请1件") == 2
    client.force_login(site_admin)
    page = client.get(change_url(first)).content.decode()
    assert "据此起草主动公开信息" in page and reverse("admin:notices_notice_add") in page


def test_no_raw_editing(client, both, site_admin):
    client.force_login(site_admin)
    mine = both[0]
    client.post(change_url(mine), {"state": "archived"})
    mine.refresh_from_db()
    assert mine.state == Application.State.ACCEPTED


ENTER = reverse("admin:applications_application_enter")


def entry_data(organ, **overrides):
    data = {
        "organ": organ.pk,
        "channel": "letter",
        "applicant_type": "organization",
        "organization_kind": "commercial",
        "applicant_name": "示例贸易有限公司",
        "id_type": "credit_code",
        "id_number": "91350100M000100Y43",
        "phone": "",
        "email": "contact@example.invalid",
        "description": "某示例项目的批复文件",
        "delivery": "post",
        "medium": "paper",
        "received_on": "2026-10-03",
    }
    data.update(overrides)
    return data


def test_handler_enters_a_letter_and_gets_number_and_code_once(client, organ, handler):
    client.force_login(handler)
    assert ENTER in client.get(LIST).content.decode()
    response = client.post(ENTER, entry_data(organ))
    page = response.content.decode()
    application = Application.objects.get()
    assert application.state == Application.State.ACCEPTED and application.channel == "letter"
    assert application.due_on == D(2026, 11, 4)  # received in 国庆: counted from 8 October
    assert application.number in page and "查询码" in page
    code = page.split("查询码：<strong>")[1].split("<")[0]
    assert application.check_lookup_code(code)


def test_entry_refuses_bad_input_in_chinese_and_keeps_it(client, organ, handler):
    client.force_login(handler)
    page = client.post(
        ENTER, entry_data(organ, id_number="91350100M000100Y44", email="")
    ).content.decode()
    assert "校验位不正确" in page and "至少留下联系电话或电子邮箱" in page
    assert "某示例项目的批复文件" in page
    assert not Application.objects.exists()


def test_entry_only_for_handlers_and_their_organs(client, organ, other_organ, handler, auditor):
    client.force_login(auditor)
    assert client.get(ENTER).status_code == 403
    client.force_login(handler)
    page = client.post(ENTER, entry_data(other_organ)).content.decode()
    assert "errorlist" in page and not Application.objects.exists()


def test_deadlines_panel_counts_the_users_organs_only(
    organ, other_organ, handler, other_handler, editor
):
    from django.template import Context, Template

    factories.accepted(organ, handler)  # overdue
    factories.accepted(other_organ, other_handler)
    factories.submitted(organ)
    template = Template("{% load applications_admin %}{% application_deadlines user %}")
    page = template.render(Context({"user": handler}))
    assert "已逾期：<strong>1</strong>" in page and "待登记：1 件" in page
    assert template.render(Context({"user": editor})).strip() == ""


def test_correction_lapsed_filter(client, organ, handler):
    from applications import services

    lapsed = factories.accepted(organ, handler)
    services.ask_correction(
        lapsed, handler, what="请补充。", reply_by=D(2026, 3, 20), asked_on=D(2026, 3, 3)
    )
    waiting = factories.accepted(organ, handler)
    services.ask_correction(
        waiting, handler, what="请补充。", reply_by=D(2999, 1, 1), asked_on=D(2026, 3, 3)
    )
    client.force_login(handler)
    page = client.get(LIST, {"due": "correction_lapsed"}).content.decode()
    assert lapsed.number in page and waiting.number not in page


def test_queue_queries_do_not_grow_with_rows(client, organ, handler, django_assert_max_num_queries):
    for _ in range(3):
        factories.accepted(organ, handler)
    client.force_login(handler)
    with django_assert_max_num_queries(40) as few:
        client.get(LIST)
    for _ in range(12):
        factories.accepted(organ, handler)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(LIST)


def test_date_fields_start_with_today_in_the_format_a_date_input_reads(organ, handler):
    """A type=date input shows nothing for the locale's 2026/12/07; it needs 2026-12-07."""
    from django.utils import timezone

    from applications.admin_actions import RegisterForm
    from applications.admin_entry import EntryForm

    today = timezone.localdate().isoformat()
    assert f'value="{today}"' in str(RegisterForm(prefix="register")["received_on"])
    assert f'value="{today}"' in str(EntryForm(user=handler)["received_on"])

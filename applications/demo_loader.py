"""Demo applications (示例): fictional applicants, one in each interesting state, through the
service functions. Run after notices.demo_loader (organs, accounts). Loading again changes
nothing: an example with the same description is left alone.

Dates are counted back from today in working days, so the demo shows the same picture
whenever it is loaded: one overdue, one waiting for 补正, one extended, one in consultation,
one answered and archived with a 行政复议, one not yet registered, and two alike (§44)."""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from applications import appeals, clock, services
from applications.calendar import add_working_days
from applications.models import Application, Consultation, Outcome
from applications.roles import HANDLER
from notices.demo_loader import DEMO_PASSWORD, FIRST_ORGANS
from notices.models import Organ

HANDLERS = [("handler", FIRST_ORGANS[0]), ("handler2", FIRST_ORGANS[1])]


def _handler(username: str, organ: Organ):
    user, _ = get_user_model().objects.get_or_create(username=username)
    if not (user.is_staff and user.check_password(DEMO_PASSWORD)):
        user.is_staff = True
        user.set_password(DEMO_PASSWORD)
        user.save()
    user.groups.set([Group.objects.get(name=HANDLER)])
    user.organs.set([organ])
    return get_user_model().objects.get(pk=user.pk)


def _applicant(n: int, description: str, **fields) -> dict:
    values = {
        "applicant_type": Application.ApplicantType.NATURAL_PERSON,
        "applicant_name": f"示例申请人{n}号",
        "id_type": Application.IdType.OTHER,
        "id_number": f"示例{n:06d}",
        "phone": "000-00000000",
        "email": f"demo{n}@example.invalid",
        "postal_address": "示例省示例市示例路0号",
        "description": description,
        "delivery": Application.Delivery.EMAIL,
        "medium": Application.Medium.ELECTRONIC,
        "is_example": True,
    }
    values.update(fields)
    return values


def _working_days_ago(days: int, calendar) -> datetime.date:
    day = timezone.localdate()
    while days > 0:
        day -= datetime.timedelta(days=1)
        if calendar.is_working_day(day):
            days -= 1
    return day


def load() -> list[Application]:
    organs = [Organ.objects.get(code=code) for code in FIRST_ORGANS]
    with transaction.atomic():
        handlers = [_handler(name, Organ.objects.get(code=code)) for name, code in HANDLERS]
        calendar = clock.working_calendar()
        return [
            application
            for application in (
                build(n, organs, handlers, calendar) for n in range(1, len(SCENARIOS) + 1)
            )
            if application is not None
        ]


def build(n: int, organs, handlers, calendar) -> Application | None:
    description, organ_index, scenario, fields = SCENARIOS[n - 1]
    existing = Application.objects.filter(is_example=True, description=description).first()
    if existing is not None:
        return existing
    organ, handler = organs[organ_index], handlers[organ_index]
    channel = Application.Channel.ONLINE if scenario == "submitted" else Application.Channel.LETTER
    application, _code = services.submit(
        organ,
        channel=channel,
        actor=None if channel == Application.Channel.ONLINE else handler,
        **_applicant(n, description, **fields),
    )
    if scenario == "submitted":
        return application

    def ago(days):
        return _working_days_ago(days, calendar)

    received = {"overdue": 30, "correction": 4, "extended": 22, "consulting": 6, "answered": 35}
    received_on = ago(received.get(scenario, 3))
    application = services.register(application, handler, received_on=received_on)
    if scenario == "correction":
        services.ask_correction(
            application,
            handler,
            what="请写明所需文件的名称或文号，以及大致的发布时间。",
            asked_on=ago(2),
            reply_by=add_working_days(timezone.localdate(), 10, calendar),
        )
    elif scenario == "extended":
        services.extend(
            application,
            handler,
            days=15,
            reason="所需信息分散在多个处室，需要逐一检索汇总。",
            approved_by="示例局副局长（分管政务公开）",
            approved_on=ago(4),
        )
    elif scenario == "consulting":
        services.start_consultation(
            application,
            handler,
            kind=Consultation.Kind.THIRD_PARTY,
            party="示例建设有限公司",
            started_on=ago(2),
        )
    elif scenario == "answered":
        services.answer(
            application,
            handler,
            outcome=Outcome.PARTIAL,
            legal_basis="《中华人民共和国政府信息公开条例》第十五条、第三十七条",
            withheld="合同附件中的个人身份信息和银行账号，属于第三方个人隐私。",
            summary="提供合同正文，删除个人信息后公开附件。",
            answered_on=ago(20),
        )
        services.archive(application, handler, archived_on=ago(19))
        appeals.record_review(application, handler, filed_on=ago(10), body="示例市人民政府")
    return Application.objects.get(pk=application.pk)


# description, organ (0/1: the first two demo organs), scenario, other fields
SCENARIOS = [
    ("示例：2025年省级部门预算公开情况", 0, "accepted", {}),
    ("示例：请公开2025年度省级部门预算", 0, "submitted", {}),
    ("示例：某示例路段道路施工许可证", 0, "overdue", {}),
    ("示例：关于某项补助资金的文件", 1, "correction", {}),
    (
        "示例：近三年社会组织年检结果汇总",
        1,
        "extended",
        {
            "applicant_type": Application.ApplicantType.ORGANIZATION,
            "organization_kind": Application.OrganizationKind.RESEARCH,
            "applicant_name": "示例研究院",
            "id_type": Application.IdType.OTHER,
            "contact_person": "示例联系人",
        },
    ),
    ("示例：某示例建设项目的环境影响评价批复", 0, "consulting", {}),
    ("示例：某示例采购项目的合同", 1, "answered", {"delivery": Application.Delivery.POST}),
]

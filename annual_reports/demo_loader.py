"""Demo annual reports (示例) for the first demo organ: last year's report counted from
fictional applications of that year (across applicant kinds and outcomes, one carried into this
year, one 行政复议) and from two fictional 规章 (one abolished), published through the two-person
workflow; and the year before's report, published with its texts only. Runs after the notices'
and applications' loaders (accounts, organs, handlers). Loading again changes nothing."""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from annual_reports import services
from annual_reports.models import AnnualReport
from applications import appeals
from applications import services as application_services
from applications.models import Application, Outcome
from notices import workflow
from notices.demo_loader import FIRST_ORGANS
from notices.models import Notice, Organ

# (description, applicant kind or "", received (month, day), outcome, answered (month, day))
APPLICATIONS = [
    ("示例：本市2025年度城乡低保资金发放情况", "", (2, 10), Outcome.DISCLOSED, (2, 24)),
    ("示例：某道路拓宽工程的立项批复", "commercial", (3, 3), Outcome.PARTIAL, (3, 20)),
    ("示例：某科研项目的经费使用明细", "research", (4, 7), Outcome.NOT_HELD, (4, 18)),
    ("示例：某专项审计的内部讨论记录", "", (5, 12), Outcome.PROCESS, (5, 30)),
    ("示例：已公开出版的统计年鉴全文", "public_welfare", (6, 2), Outcome.PUBLICATION, (6, 6)),
    ("示例：某信访事项的处理结果", "", (7, 1), Outcome.PETITION, (7, 8)),
    ("示例：律师事务所调取的征收补偿方案", "legal_service", (9, 1), Outcome.DISCLOSED, (9, 12)),
    ("示例：年末收到的规划调整材料", "", (12, 29), "", None),
]
TEXTS = {
    "overview": "<p>（示例）本年度，本机关坚持以公开为常态、不公开为例外，"
    "围绕重点领域信息公开、政策解读和依申请公开办理开展工作。</p>",
    "problems": "<p>（示例）政策解读形式还不够丰富；部分依申请公开答复说理不够充分。"
    "下一步将加强培训，规范答复文书。</p>",
    "other_matters": "<p>（示例）本年度未收取信息处理费。</p>",
}


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


def _organization(kind: str) -> dict:
    if not kind:
        return {"applicant_type": Application.ApplicantType.NATURAL_PERSON}
    return {
        "applicant_type": Application.ApplicantType.ORGANIZATION,
        "organization_kind": kind,
        "contact_person": "示例经办人",
    }


def _applications(organ: Organ, handler, year: int) -> None:
    for n, (description, kind, received, outcome, answered) in enumerate(APPLICATIONS, 1):
        if Application.objects.filter(is_example=True, description=description).exists():
            continue
        application, _code = application_services.submit(
            organ,
            channel=Application.Channel.LETTER,
            actor=handler,
            applicant_name=f"示例年报申请人{n}号" if not kind else f"示例单位{n}",
            id_type=Application.IdType.OTHER,
            id_number=f"DEMO-AR-{n:04d}",
            phone="0931-0000000",
            description=description,
            delivery=Application.Delivery.POST,
            medium=Application.Medium.PAPER,
            postal_address="示例市示例路1号",
            is_example=True,
            **_organization(kind),
        )
        application = application_services.register(
            application, handler, received_on=datetime.date(year, *received)
        )
        if not outcome:
            continue
        answered_on = datetime.date(year, *answered)
        # answer() takes every outcome of table 3 with its date (decline() dates it today).
        application = application_services.answer(
            application,
            handler,
            outcome=outcome,
            legal_basis="《政府信息公开条例》第三十六条",
            withheld="涉及第三方商业秘密的部分" if outcome == Outcome.PARTIAL else "",
            answered_on=answered_on,
        )
        if outcome == Outcome.PROCESS:
            review = appeals.record_review(
                application, handler, filed_on=datetime.date(year, 7, 1), body="示例市人民政府"
            )
            appeals.decide_review(
                review, handler, outcome="upheld", decided_on=datetime.date(year, 9, 20)
            )


def _rules(organ: Organ, editor, reviewer, year: int) -> None:
    items = [
        ("示例：某市政府信息公开工作规定", datetime.date(year, 4, 1), None),
        (
            "示例：某市旧版政府信息公开办法",
            datetime.date(year - 3, 4, 1),
            datetime.date(year, 4, 1),
        ),
    ]
    for title, published_on, repealed_on in items:
        if Notice.objects.filter(organ=organ, title=title).exists():
            continue
        notice = Notice(
            organ=organ,
            title=title,
            body="<p>（示例规章正文）</p>",
            published_at=timezone.make_aware(
                datetime.datetime.combine(published_on, datetime.time(9))
            ),
        )
        setattr(notice, Notice._meta.get_field("genre").attname, "rules")
        if repealed_on:
            notice.validity = Notice.Validity.REPEALED
            notice.validity_changed_on = repealed_on
        notice = workflow.save_draft(notice, editor)
        workflow.submit(notice, editor)
        workflow.approve(notice, reviewer)


def _report(organ: Organ, year: int, editor, reviewer, texts: dict) -> None:
    report = AnnualReport.objects.filter(organ=organ, year=year).first()
    if report is not None:
        return
    report = services.create_report(organ, year, editor, is_example=True)
    for field, value in texts.items():
        setattr(report, field, value)
    report.licensing_decisions, report.penalty_decisions, report.coercion_decisions = 126, 8, 0
    report = services.save_report(report, editor)
    services.submit(report, editor)
    services.approve(report, reviewer)


def load() -> list[AnnualReport]:
    organ = Organ.objects.filter(code=FIRST_ORGANS[0]).first()
    editor, reviewer, handler = _user("editor"), _user("reviewer"), _user("handler")
    if None in (organ, editor, reviewer, handler):
        return []
    year = timezone.localdate().year - 1
    with transaction.atomic():
        _applications(organ, handler, year)
        _rules(organ, editor, reviewer, year)
        _report(organ, year - 1, editor, reviewer, {"overview": "<p>（示例）上一年度报告。</p>"})
        _report(organ, year, editor, reviewer, TEXTS)
    return list(AnnualReport.objects.filter(organ=organ, is_example=True))


def describe(base_url: str) -> list[str]:
    return [
        f"年度报告（示例）：{base_url}/annual-reports/ ；"
        "编辑 editor 在后台“年度报告”中编写、调整，审核 reviewer 发布。"
    ]

"""Demo annual reports (示例) for the first demo organ: last year's report counted from
fictional applications of that year (across applicant kinds and outcomes, one carried into this
year, one 行政复议) and from a year of fictional notices (规章 and 行政规范性文件 among them, two
abolished by newer ones through reviewed validity changes), published through the two-person
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
from notices import validity, workflow
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


# A year of the organ's example notices: (title, 文件类别, 体裁 code, published (years
# back, month, day), abolished by (the title of another item, month, day) or None). Table 2 of
# the year's report counts the 规章 and 行政规范性文件 among them.
DOCUMENTS = [
    ("示例：某市政府信息公开工作规定", "rules", "rules", (0, 4, 1), None),
    (
        "示例：某市旧版政府信息公开办法",
        "rules",
        "rules",
        (3, 4, 1),
        ("示例：某市政府信息公开工作规定", 4, 1),
    ),
    ("示例：某市行政规范性文件管理办法", "normative", "measures", (0, 2, 15), None),
    ("示例：某市城乡居民最低生活保障实施细则", "normative", "provisions", (0, 6, 10), None),
    (
        "示例：某市城乡居民最低生活保障暂行办法",
        "normative",
        "measures",
        (2, 5, 20),
        ("示例：某市城乡居民最低生活保障实施细则", 6, 10),
    ),
    ("示例：关于做好春节期间安全生产工作的通知", "other", "notice", (0, 1, 20), None),
    ("示例：关于一季度政务公开工作情况的通报", "other", "circular", (0, 4, 15), None),
    ("示例：关于征求城市绿化条例修改意见的公告", "other", "announcement", (0, 5, 8), None),
    ("示例：关于推进政务服务“一网通办”的意见", "other", "opinion", (0, 7, 3), None),
    ("示例：上半年重点工作进展情况报告", "other", "report", (0, 8, 12), None),
    ("示例：关于开展秋季森林防火检查的通知", "other", "notice", (0, 10, 9), None),
    ("示例：年度重点民生实事实施方案", "other", "plan", (0, 11, 18), None),
]


def _documents(organ: Organ, editor, reviewer, year: int) -> None:
    made = {}
    for title, category, genre, (back, month, day), _abolished in DOCUMENTS:
        notice = Notice.objects.filter(organ=organ, title=title).first()
        if notice is None:
            notice = Notice(
                organ=organ,
                title=title,
                document_category=category,
                body=f"<p>（示例正文）{title.removeprefix('示例：')}。</p>",
                published_at=timezone.make_aware(datetime.datetime(year - back, month, day, 9)),
            )
            setattr(notice, Notice._meta.get_field("genre").attname, genre)
            notice = workflow.save_draft(notice, editor)
            workflow.submit(notice, editor)
            notice = workflow.approve(notice, reviewer)
        made[title] = notice
    for title, _category, _genre, _published, abolished in DOCUMENTS:
        notice = made[title]
        if abolished is None or notice.validity != Notice.Validity.VALID:
            continue
        by_title, month, day = abolished
        change = validity.propose(
            notice,
            editor,
            validity=Notice.Validity.REPEALED,
            effective_on=datetime.date(year, month, day),
            by_notice=made[by_title],
            reason="（示例）已被新文件取代。",
        )
        validity.approve(change, reviewer)


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
        _documents(organ, editor, reviewer, year)
        _report(organ, year - 1, editor, reviewer, {"overview": "<p>（示例）上一年度报告。</p>"})
        _report(organ, year, editor, reviewer, TEXTS)
    return list(AnnualReport.objects.filter(organ=organ, is_example=True))


def describe(base_url: str) -> list[str]:
    return [
        f"年度报告（示例）：{base_url}/annual-reports/ ；"
        "编辑 editor 在后台“年度报告”中编写、调整，审核 reviewer 发布。"
    ]

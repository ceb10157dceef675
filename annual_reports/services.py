"""Every change of an annual report: who may do it, in one transaction on a locked row.

The editorial rules are the notices' (notices/roles.py, notices/access.py, notices/workflow.py):
an editor of the organ drafts, adjusts and submits; a reviewer of the organ who did not edit the
report last publishes it or sends it back; auditors read. Submitting freezes the content and
drafts the report's notice (体裁 年度报告) through notices.workflow as the editor; publishing
approves that notice as the reviewer, so the report enters the catalogue, the search index and
the audit history like any notice. A published report is corrected by starting a correction,
editing, and submitting again with a change note."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from annual_reports import content, layout
from annual_reports.models import Adjustment, AnnualReport
from notices import access
from notices import workflow as notice_workflow
from notices.models import Notice

State = AnnualReport.State
ANNUAL_REPORT_GENRE = "annualreport"  # the 体裁 年度报告 (notices/genres.py)
# The report's notice's 主题词: readers look for reports as 年报 as often as 年度报告.
KEYWORDS = "政府信息公开 年度报告 年报"
EDIT_PERMISSION = "notices.change_notice"
CREATE_PERMISSION = "notices.add_notice"
REVIEW_PERMISSION = notice_workflow.REVIEW_PERMISSION
VIEW_PERMISSION = "notices.view_notice"


class ReportError(Exception):
    """A change the rules refuse; the message is for people."""


def _staff(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_staff


def can_view(user, report: AnnualReport) -> bool:
    return (
        _staff(user)
        and user.has_perm(VIEW_PERMISSION)
        and access.can_access_organ(user, report.organ_id)
    )


def can_create(user, organ_id: int | None = None) -> bool:
    return (
        _staff(user)
        and user.has_perm(CREATE_PERMISSION)
        and (organ_id is None or access.can_access_organ(user, organ_id))
    )


def can_edit(user, report: AnnualReport) -> bool:
    return (
        _staff(user)
        and user.has_perm(EDIT_PERMISSION)
        and access.can_access_organ(user, report.organ_id)
        and report.state == State.DRAFT
    )


def can_review(user, report: AnnualReport) -> bool:
    return (
        _staff(user)
        and user.has_perm(REVIEW_PERMISSION)
        and access.can_access_organ(user, report.organ_id)
    )


def can_start_correction(user, report: AnnualReport) -> bool:
    return (
        report.state == State.PUBLISHED
        and _staff(user)
        and user.has_perm(EDIT_PERMISSION)
        and access.can_access_organ(user, report.organ_id)
    )


def available_actions(user, report: AnnualReport) -> list[tuple[str, str]]:
    """(name, label) of what this user may do to the report now, for the admin's buttons."""
    found = []
    if report.state == State.DRAFT and can_edit(user, report):
        found.append(("submit", "提交审核"))
    if report.state == State.IN_REVIEW and can_review(user, report):
        if report.last_edited_by_id != user.pk:
            found.append(("approve", "审核通过并发布"))
        found.append(("send_back", "退回修改"))
    if can_start_correction(user, report):
        found.append(("start_correction", "更正"))
    return found


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ReportError(message)


def _locked(report: AnnualReport) -> AnnualReport:
    return AnnualReport.objects.select_for_update().select_related("organ").get(pk=report.pk)


@transaction.atomic
def create_report(organ, year: int, user, is_example: bool = False) -> AnnualReport:
    _require(can_create(user, organ.pk), "您无权为该机构编写年度报告。")
    report = AnnualReport(
        organ=organ, year=year, created_by=user, last_edited_by=user, is_example=is_example
    )
    try:
        report.full_clean()
    except ValidationError as error:
        raise ReportError("；".join(error.messages)) from error
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError as error:
        raise ReportError("该机构这一年度的年度报告已经存在。") from error
    return report


@transaction.atomic
def save_report(report: AnnualReport, user) -> AnnualReport:
    """Save the texts and entered figures of a draft as the form gave them."""
    current = _locked(report)
    _require(can_edit(user, current), "只有本机构的编辑可以修改草稿状态的年度报告。")
    report.state = current.state
    report.last_edited_by = user
    try:
        report.full_clean()
    except ValidationError as error:
        raise ReportError("；".join(error.messages)) from error
    report.save()
    return report


Cell = tuple[str, str, str]  # (table, row, column)
LARGEST_FIGURE = 2_147_483_647  # what the column holds (PositiveIntegerField)


def _balance_kept(report: AnnualReport, before: list[str]) -> None:
    """Refuse (and so roll back) a change of adjustments that breaks a rule of the template
    which held before it, saying which and by how much."""
    introduced = [finding for finding in content.build(report)["findings"] if finding not in before]
    _require(
        not introduced,
        "调整未保存：调整后不符合年度报告格式的勾稽关系。"
        + "".join(introduced)
        + "请一并调整相关的数字（例如本年新收与办理结果），使第一项加第二项等于第三项加第四项。",
    )


@transaction.atomic
def set_adjustments(
    report: AnnualReport, user, values: dict[Cell, int | None], reason: str
) -> list[Adjustment]:
    """Set several cells by hand at once (None puts a cell back to its counted figure). The
    reason is required and published with the report. Totals follow their parts; a change
    that breaks the template's balance is refused with the rule it breaks, and nothing of it
    is saved."""
    report = _locked(report)
    _require(can_edit(user, report), "只有本机构的编辑可以调整草稿状态的年度报告。")
    _require(bool(values), "请选择要调整的单元格。")
    for (table, row, column), value in values.items():
        _require(layout.is_cell(table, row, column), "所选的行或列不在这张表中。")
        _require(
            layout.is_adjustable(table, row, column),
            f"表{layout.TABLE_NUMBERS[table]}「{layout.row_label(table, row)}」"
            f"「{layout.column_label(table, column)}」是各项之和，随各项自动计算，不能单独调整。",
        )
        _require(
            value is None or 0 <= int(value) <= LARGEST_FIGURE,
            f"调整后数值须为0至{LARGEST_FIGURE}之间的整数。",
        )
    reason = (reason or "").strip()
    setting = any(value is not None for value in values.values())
    _require(not setting or bool(reason), "手工调整必须写明理由。")
    before = content.build(report)["findings"]
    saved = []
    for (table, row, column), value in values.items():
        cell = {"report": report, "table": table, "row": row, "column": column}
        if value is None:
            Adjustment.objects.filter(**cell).delete()
            continue
        adjustment, _created = Adjustment.objects.update_or_create(
            **cell, defaults={"value": int(value), "reason": reason, "created_by": user}
        )
        saved.append(adjustment)
    _balance_kept(report, before)
    report.last_edited_by = user
    report.save(update_fields=["last_edited_by", "updated_at"])
    return saved


def set_adjustment(
    report: AnnualReport, user, table: str, row: str, column: str, value: int, reason: str
) -> Adjustment:
    """Set one cell by hand. A part of table 3 moves its column's balance, so it usually needs
    another cell changed with it: set_adjustments takes them together."""
    return set_adjustments(report, user, {(table, row, column): value}, reason)[0]


@transaction.atomic
def remove_adjustment(report: AnnualReport, user, adjustment_id: int) -> None:
    report = _locked(report)
    _require(can_edit(user, report), "只有本机构的编辑可以调整草稿状态的年度报告。")
    before = content.build(report)["findings"]
    deleted, _rows = report.adjustments.filter(pk=adjustment_id).delete()
    _require(deleted > 0, "这项调整不存在。")
    _balance_kept(report, before)
    report.last_edited_by = user
    report.save(update_fields=["last_edited_by", "updated_at"])


def render_body(frozen: dict, report_url: str = "") -> str:
    """The report as its notice's body; with report_url, a closing line pointing the reader
    to the report's own page and its downloads."""
    context = content.context(frozen)
    context["report_url"] = report_url
    return render_to_string("annual_reports/report_body.html", context)


def _notice_for_submission(report: AnnualReport, user, frozen: dict) -> Notice:
    """The draft notice carrying the report: a new one, or a correction of the published one."""
    if report.notice_id is None:
        notice = Notice(organ=report.organ)
    elif report.notice.status == Notice.Status.DRAFT:
        notice = report.notice
    else:
        notice = notice_workflow.start_correction(report.notice, user)
        notice.change_note = report.change_note
    notice.title = report.title
    setattr(notice, Notice._meta.get_field("genre").attname, ANNUAL_REPORT_GENRE)
    notice.disclosure = Notice.Disclosure.PROACTIVE
    notice.keywords = KEYWORDS
    notice.body = render_body(frozen, report.get_absolute_url())
    return notice_workflow.save_draft(notice, user)


@transaction.atomic
def submit(report: AnnualReport, user) -> AnnualReport:
    report = _locked(report)
    _require(can_edit(user, report), "只有本机构的编辑可以提交审核。")
    _require(
        report.published_content is None or bool(report.change_note.strip()),
        "更正已发布的年度报告须填写更正说明。",
    )
    frozen = content.build(report)
    try:
        notice = _notice_for_submission(report, user, frozen)
        notice = notice_workflow.submit(notice, user)
    except (notice_workflow.WorkflowError, PermissionDenied) as error:
        raise ReportError(str(error)) from error
    if report.notice_id is None:
        report.notice = notice
    report.review_content = frozen
    report.state = State.IN_REVIEW
    report.last_edited_by = user
    report.check_override_reason = ""
    report.save()
    return report


def _review_notice(report: AnnualReport) -> Notice:
    """The notice in review for this report: its own, or the correction opened for it."""
    notice = report.notice
    correction = notice.corrections.first()
    return correction if correction is not None else notice


@transaction.atomic
def send_back(report: AnnualReport, user, comment: str) -> AnnualReport:
    comment = (comment or "").strip()
    _require(bool(comment), "退回修改必须填写意见。")
    report = _locked(report)
    _require(can_review(user, report), "只有本机构的审核人员可以退回。")
    _require(report.state == State.IN_REVIEW, "这份年度报告不在审核中。")
    try:
        notice_workflow.send_back(_review_notice(report), user, comment)
    except (notice_workflow.WorkflowError, PermissionDenied) as error:
        raise ReportError(str(error)) from error
    report.state = State.DRAFT
    report.review_content = None
    report.save(update_fields=["state", "review_content", "updated_at"])
    return report


@transaction.atomic
def approve(report: AnnualReport, user, override_reason: str = "") -> AnnualReport:
    """Publish the report as submitted. Refused while a consistency check fails, unless the
    reviewer records why it is published as it is (the reason is kept with the report)."""
    report = _locked(report)
    _require(can_review(user, report), "只有本机构的审核人员可以审核发布。")
    _require(
        report.state == State.IN_REVIEW, "这份年度报告不在审核中（可能已被其他审核人员处理）。"
    )
    _require(
        report.last_edited_by_id != user.pk,
        "您是这份年度报告的最后编辑人，不能审核自己的修改，请由其他审核人员审核。",
    )
    frozen = report.review_content
    override_reason = (override_reason or "").strip()
    if frozen["findings"] and not override_reason:
        raise ReportError(
            f"核对未通过（{len(frozen['findings'])}项），不能发布：请退回修改，"
            "或写明按现有数字发布的理由。"
        )
    try:
        notice_workflow.approve(_review_notice(report), user)
    except (notice_workflow.WorkflowError, PermissionDenied) as error:
        raise ReportError(str(error)) from error
    report.notice.refresh_from_db()
    report.state = State.PUBLISHED
    report.published_content = frozen
    report.check_override_reason = override_reason if frozen["findings"] else ""
    report.published_at = timezone.now()
    report.save()
    return report


@transaction.atomic
def start_correction(report: AnnualReport, user) -> AnnualReport:
    """Open a published report for correction; the published version stays public meanwhile."""
    report = _locked(report)
    _require(can_start_correction(user, report), "只有本机构的编辑可以更正已发布的年度报告。")
    report.state = State.DRAFT
    report.review_content = None
    report.change_note = ""
    report.last_edited_by = user
    report.save(
        update_fields=["state", "review_content", "change_note", "last_edited_by", "updated_at"]
    )
    return report


ACTIONS = {
    "submit": lambda report, user, form: submit(report, user),
    "approve": lambda report, user, form: approve(report, user, form.get("reason", "")),
    "send_back": lambda report, user, form: send_back(report, user, form.get("reason", "")),
    "start_correction": lambda report, user, form: start_correction(report, user),
}

"""The applications as a dataset of the auditors' exports, registered from this app
(``ApplicationsConfig.ready``) so that exports does not import it.

Without the auditor's explicit request (with a reason, recorded in the audit history and the
manifest) no column identifies the applicant: name, identity document, contact person, phone,
e-mail and postal address are left out. The lookup code's hash is never exported.
"""

from applications.models import Application, ApplicationEvent, Outcome, State
from exports import datasets
from exports.columns import choice, day, flag, integer, moment, text
from exports.tables import between, scoped, table

PERSONAL_DATA = "申请人姓名或名称、证件类型和号码、联系人、电话、电子邮箱、通信地址和邮编"


def application_spec(personal_data: bool) -> list:
    spec = [
        (integer("id", "系统编号"), "id"),
        (text("number", "申请编号"), "number"),
        (text("organ", "受理机关"), "organ__name"),
        (text("organ_code", "机构代码"), "organ__code"),
        (choice("state", "状态", Application.State.choices), "state"),
        (choice("channel", "申请渠道", Application.Channel.choices), "channel"),
        (
            choice("applicant_type", "申请人类型", Application.ApplicantType.choices),
            "applicant_type",
        ),
        (
            choice("organization_kind", "法人或其他组织类型", Application.OrganizationKind.choices),
            "organization_kind",
        ),
        (text("description", "所需信息描述"), "description"),
        (choice("delivery", "获取方式", Application.Delivery.choices), "delivery"),
        (choice("medium", "载体形式", Application.Medium.choices), "medium"),
        (moment("submitted_at", "提交时间"), "submitted_at"),
        (day("received_on", "收到申请日期"), "received_on"),
        (day("clock_started_on", "起算日"), "clock_started_on"),
        (integer("excluded_days", "不计入的工作日"), "excluded_days"),
        (integer("extension_days", "延期工作日"), "extension__days"),
        (day("due_on", "答复期限"), "due_on"),
        (choice("outcome", "办理结果", Outcome.choices), "outcome"),
        (text("legal_basis", "法律依据"), "legal_basis"),
        (text("withheld", "不予公开的部分及理由"), "withheld"),
        (text("answer_summary", "答复内容摘要"), "answer_summary"),
        (day("answered_on", "答复日期"), "answered_on"),
        (day("archived_on", "归档日期"), "archived_on"),
        (flag("is_example", "示例数据"), "is_example"),
    ]
    if personal_data:
        spec += [
            (text("applicant_name", "姓名或名称"), "applicant_name"),
            (choice("id_type", "证件类型", Application.IdType.choices), "id_type"),
            (text("id_number", "证件号码"), "id_number"),
            (text("contact_person", "联系人"), "contact_person"),
            (text("phone", "联系电话"), "phone"),
            (text("email", "电子邮箱"), "email"),
            (text("postal_address", "通信地址"), "postal_address"),
            (text("postcode", "邮政编码"), "postcode"),
        ]
    return spec


def event_spec() -> list:
    return [
        (integer("id", "系统编号"), "id"),
        (integer("application_id", "申请系统编号"), "application_id"),
        (text("number", "申请编号"), "application__number"),
        (choice("action", "操作", ApplicationEvent.Action.choices), "action"),
        (choice("from_state", "原状态", State.choices), "from_state"),
        (choice("to_state", "新状态", State.choices), "to_state"),
        (text("actor", "操作人"), "actor__username"),
        (moment("created_at", "时间"), "created_at"),
        (text("comment", "说明"), "comment"),
    ]


def application_tables(selection, user, head_sequence: int) -> list:
    """The applications within the organs the user sees (submitted in the range or year, by
    organ and state), then their steps."""
    applications = scoped(Application.objects.all(), user)
    if selection.organ:
        applications = applications.filter(organ=selection.organ)
    if selection.status:
        applications = applications.filter(state=selection.status)
    applications = between(
        applications, "submitted_at", selection.since, selection.until, selection.year
    )
    events = ApplicationEvent.objects.filter(application__in=applications.values("pk"))
    return [
        table(
            "applications",
            "依申请公开",
            applications.order_by("pk"),
            application_spec(selection.personal_data),
        ),
        table(
            "application_events", "办理记录", events.order_by("application_id", "pk"), event_spec()
        ),
    ]


def register() -> None:
    datasets.register(
        datasets.Dataset(
            "applications",
            "依申请公开（申请与办理记录）",
            application_tables,
            date_label="提交时间",
            statuses=State,
            personal_data=PERSONAL_DATA,
            personal_data_permission="applications.view_application",
        )
    )

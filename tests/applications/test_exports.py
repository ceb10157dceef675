"""The applications in the auditors' exports: no applicant's personal data unless an auditor
asks for it with a reason, which the manifest and the audit history record."""

import io
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse

from applications import services
from applications.models import Outcome
from audit.models import AuditEvent
from exports.export import Export, ExportError, Selection
from tests.applications import factories
from tests.exports.test_exports import export, read_csv, unzip

URL = reverse("exports:export")
REASON = "2026年度依申请公开专项审计，核对答复送达对象"
NAME, ID_NUMBER, EMAIL, PHONE = "示例申请人甲", "TESTID-778899", "jia@example.invalid", "010-1234"
PERSONAL_HEADERS = {
    "姓名或名称",
    "证件类型",
    "证件号码",
    "联系人",
    "联系电话",
    "电子邮箱",
    "通信地址",
}

pytestmark = pytest.mark.django_db


@pytest.fixture
def applications(organ, other_organ, handler, other_handler):
    answered = factories.accepted(
        organ,
        handler,
        applicant_name=NAME,
        id_number=ID_NUMBER,
        email=EMAIL,
        phone=PHONE,
        postal_address="示例市示例路1号",
    )
    services.answer(answered, handler, outcome=Outcome.NOT_HELD, legal_basis="第三十六条")
    elsewhere = factories.accepted(other_organ, other_handler)
    return answered, elsewhere


def everything(files: dict) -> str:
    return "".join(data.decode("utf-8-sig") for data in files.values())


def post(client, **data):
    return client.post(URL, {"dataset": "applications", "format": "csv", **data})


@pytest.mark.parametrize("format", ["csv", "json", "xlsx"])
def test_by_default_no_file_holds_the_applicants_personal_data(applications, auditor, format):
    files, manifest = export(Selection("applications", format), auditor)
    assert set(files) == {f"applications.{format}", f"application_events.{format}", "manifest.json"}
    if format != "xlsx":
        text = everything(files)
        for value in (NAME, ID_NUMBER, EMAIL, PHONE, "示例路"):
            assert value not in text
    assert manifest["personal_data"] is False and manifest["personal_data_reason"] is None
    assert any("不含个人信息" in note for note in manifest["notes"])
    assert manifest["rows"] > 2


def test_the_applications_file_has_the_handling_columns(applications, auditor):
    answered, elsewhere = applications
    files, _ = export(Selection("applications"), auditor)
    header, *rows = read_csv(files["applications.csv"])
    assert not PERSONAL_HEADERS & set(header)
    assert {"申请编号", "受理机关", "状态", "答复期限", "办理结果", "法律依据"} <= set(header)
    row = dict(zip(header, rows[0], strict=True))
    assert row["申请编号"] == answered.number
    assert row["状态"] == "已答复"
    assert row["办理结果"] == "无法提供：本机关不掌握相关政府信息"
    assert [r[header.index("申请编号")] for r in rows] == [answered.number, elsewhere.number]


def test_personal_data_when_asked_with_a_reason_is_in_the_file_and_the_manifest(
    applications, auditor
):
    files, manifest = export(Selection("applications", personal_data=True, reason=REASON), auditor)
    header, *rows = read_csv(files["applications.csv"])
    assert set(header) >= PERSONAL_HEADERS
    row = dict(zip(header, rows[0], strict=True))
    assert (row["姓名或名称"], row["证件号码"], row["电子邮箱"]) == (NAME, ID_NUMBER, EMAIL)
    assert manifest["personal_data"] is True
    assert manifest["personal_data_reason"] == REASON
    assert "含个人信息" in manifest["filters_text"]
    assert any("本次导出含个人信息" in note for note in manifest["notes"])


def test_the_export_with_personal_data_is_recorded_with_its_reason(client, applications, auditor):
    client.force_login(auditor)
    response = post(client, personal_data="on", reason=REASON)
    assert response.status_code == 200
    files, _ = unzip(b"".join(response.streaming_content))
    assert NAME in files["applications.csv"].decode("utf-8-sig")
    event = AuditEvent.objects.filter(additional_data__event="export").latest("sequence")
    assert event.actor_id == auditor.pk
    assert event.additional_data["dataset"] == "applications"
    assert event.additional_data["personal_data"] is True
    assert event.additional_data["reason"] == REASON


def test_an_export_without_personal_data_is_recorded_as_such(client, applications, auditor):
    client.force_login(auditor)
    response = post(client, reason="写了理由但没有勾选")
    unzip(b"".join(response.streaming_content))
    event = AuditEvent.objects.filter(additional_data__event="export").latest("sequence")
    assert event.additional_data["personal_data"] is False
    assert "reason" not in event.additional_data


@pytest.mark.parametrize("reason", ["", "   ", "审计"])
def test_personal_data_without_a_real_reason_is_refused_and_nothing_exported(
    client, applications, auditor, reason
):
    client.force_login(auditor)
    response = post(client, personal_data="on", reason=reason)
    assert response.status_code == 200
    page = response.content.decode()
    assert "导出个人信息须写明理由" in page
    assert 'name="reason"' in page and "checked" in page  # what was typed is kept
    assert not AuditEvent.objects.filter(additional_data__event="export").exists()


def test_a_dataset_without_personal_data_refuses_the_checkbox(db, auditor):
    with pytest.raises(ExportError, match="不含个人信息"):
        Export(Selection("notices", personal_data=True, reason=REASON), auditor)


@pytest.mark.parametrize("who", ["auditor", "site_admin"])
def test_auditor_and_site_admin_may_export_applications_with_or_without_personal_data(
    client, request, applications, who
):
    client.force_login(request.getfixturevalue(who))
    page = client.get(URL).content.decode()
    assert "依申请公开（申请与办理记录）" in page and "包含个人信息" in page
    for data in ({}, {"personal_data": "on", "reason": REASON}):
        response = post(client, **data)
        assert response.status_code == 200
        files, manifest = unzip(b"".join(response.streaming_content))
        assert manifest["rows"] > 2
        assert (NAME in files["applications.csv"].decode("utf-8-sig")) is bool(data)


@pytest.mark.parametrize("who", ["handler", "other_handler", "editor", "reviewer"])
def test_handlers_editors_and_reviewers_cannot_export_applications(
    client, request, applications, who
):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert post(client, personal_data="on", reason=REASON).status_code == 403
    with pytest.raises(PermissionDenied):
        Export(Selection("applications"), user)
    assert not AuditEvent.objects.filter(additional_data__event="export").exists()


def test_anonymous_is_sent_to_login(client, applications):
    response = post(client, personal_data="on", reason=REASON)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_personal_data_needs_the_right_to_read_applications(applications, auditor):
    permission = Permission.objects.get(
        codename="view_application", content_type__app_label="applications"
    )
    auditor.groups.get().permissions.remove(permission)
    auditor = type(auditor).objects.get(pk=auditor.pk)
    Export(Selection("applications"), auditor)  # without personal data: allowed
    with pytest.raises(PermissionDenied, match="无权导出个人信息"):
        Export(Selection("applications", personal_data=True, reason=REASON), auditor)


def test_filters_by_organ_and_state(applications, auditor, organ):
    _, manifest = export(Selection("applications", organ=organ), auditor)
    assert manifest["files"][0]["rows"] == 1
    _, manifest = export(Selection("applications", status="accepted"), auditor)
    assert manifest["files"][0]["rows"] == 1
    with pytest.raises(ExportError, match="没有“published”这个状态"):
        Export(Selection("applications", status="published"), auditor)


@pytest.mark.parametrize("format", ["csv", "json"])
def test_postgresql_writes_the_same_bytes_as_python(applications, auditor, format):
    selection = Selection("applications", format, personal_data=True, reason=REASON)
    copied, _ = export(selection, auditor, use_copy=True)
    formatted, _ = export(selection, auditor, use_copy=False)
    for name in (f"applications.{format}", f"application_events.{format}"):
        assert copied[name] == formatted[name]


def test_the_command_needs_a_reason_for_personal_data(applications, tmp_path):
    output = tmp_path / "a.zip"
    with pytest.raises(CommandError, match="理由"):
        call_command("export_records", "applications", "--personal-data", "-o", str(output))
    call_command(
        "export_records",
        "applications",
        "--personal-data",
        "--reason",
        REASON,
        "-o",
        str(output),
        stdout=io.StringIO(),
    )
    with zipfile.ZipFile(output) as archive:
        assert NAME in archive.read("applications.csv").decode("utf-8-sig")
    event = AuditEvent.objects.filter(additional_data__event="export").latest("sequence")
    assert event.additional_data["reason"] == REASON and event.actor is None

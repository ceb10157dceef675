"""Auditor exports: what the files hold, the manifest, the filters, who may export, the record."""

import base64
import codecs
import csv
import datetime
import hashlib
import io
import json
import re
import threading
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import connection
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from assessments import workflow as assessment_workflow
from assessments.models import Finding, Requirement
from audit import chain, checkpoints
from audit.context import acting
from audit.models import GENESIS_HASH, AuditEvent, ChainHead
from exports import writers
from exports.columns import excel_precision
from exports.export import FORMATS, Export, ExportError, Selection, can_export
from exports.tables import scoped, sees_history
from exports.writers import EXCEL_MAX_CELL_CHARS
from notices import roles
from notices.models import Genre, Notice
from tests import factories
from tests.assessments import factories as af

URL = reverse("exports:export")
TZ = timezone.get_default_timezone()


def at(year, month, day, hour=10):
    return datetime.datetime(year, month, day, hour, tzinfo=TZ)


def post(client, **data):
    return client.post(URL, {"dataset": "notices", "format": "csv", **data})


def unzip(content: bytes) -> tuple[dict[str, bytes], dict]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    return files, json.loads(files["manifest.json"])


def export(selection: Selection, user=None, **options) -> tuple[dict[str, bytes], dict]:
    return unzip(b"".join(Export(selection, user, **options).stream()))


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def read_xlsx(data: bytes) -> dict[str, list[list]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in workbook.worksheets
    }


def local(value):
    return timezone.localtime(value).isoformat() if value else None


def username(user):
    return user.username if user else None


def notice_row(notice: Notice) -> list:
    """What a notice's row should hold in CSV and XLSX, typed as the spreadsheet types it."""
    notice.refresh_from_db()
    return [
        notice.pk,
        notice.index_number,
        notice.title,
        notice.document_number,
        notice.organ.name,
        notice.organ.code,
        notice.genre.name,
        notice.get_status_display(),
        notice.signed_on.isoformat() if notice.signed_on else None,
        local(notice.published_at),
        notice.get_document_category_display(),
        notice.get_validity_display(),
        notice.validity_changed_on.isoformat() if notice.validity_changed_on else None,
        notice.get_disclosure_display(),
        notice.withheld_reason,
        notice.keywords,
        notice.summary,
        notice.addressees,
        notice.correction_of_id,
        notice.change_note,
        local(notice.withdrawn_at),
        notice.withdrawal_reason,
        username(notice.created_by),
        local(notice.created_at),
        username(notice.last_edited_by),
        local(notice.updated_at),
        notice.view_count,
        notice.body,
    ]


def as_csv(row: list) -> list[str]:
    return ["" if value is None else str(value) for value in row]


def as_xlsx(row: list) -> list:
    """A CSV row as XLSX types it: dates and times are cells of their own type (openpyxl reads
    both as datetimes), times in the site's zone without an offset."""

    def typed(value):
        if value == "":
            return None
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return datetime.datetime.fromisoformat(value)
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}T[0-9:.]+\+08:00", value):
            return excel_precision(datetime.datetime.fromisoformat(value).replace(tzinfo=None))
        return value

    return [typed(value) for value in row]


@pytest.fixture
def notices(organ, other_organ, editor, reviewer, other_editor, other_reviewer, notice_in):
    """Notices of two organs, in several states and years."""
    return {
        "circular": notice_in(
            "published",
            title="关于2017年政务公开工作要点的通知",
            document_number="甘政办发〔2017〕36号",
            signed_on=datetime.date(2017, 2, 20),
            published_at=at(2017, 3, 1),
            keywords="政务公开 工作要点",
            summary='部署全年工作，含逗号,引号"和\n换行。',
            addressees="各市、自治州人民政府，省政府各部门",
            body="<p>各市、自治州人民政府：</p><p>现将工作要点印发给你们。</p>",
            document_category="normative",
        ),
        "draft": notice_in("draft", title="尚未提交的草稿"),
        "withdrawn": notice_in("withdrawn", title="已撤回的通知", published_at=at(2018, 5, 6)),
        "other": factories.make_notice(
            other_organ,
            other_editor,
            other_reviewer,
            "published",
            title="民政厅2017年的公告",
            genre="announcement",
            published_at=at(2017, 12, 31, 23),
        ),
    }


def test_notice_csv_matches_the_database_row_for_row(notices, auditor):
    files, _ = export(Selection("notices", "csv"), auditor)
    assert sorted(files) == ["manifest.json", "notices.csv"]
    header, *rows = read_csv(files["notices.csv"])
    assert header[:13] == [
        "系统编号", "索引号", "标题", "文号", "发布机构", "机构代码", "体裁", "状态",
        "成文日期", "发布日期", "文件类别", "有效性", "失效或废止日期",
    ]  # fmt: skip
    expected = sorted(notices.values(), key=lambda notice: notice.pk)
    assert rows == [as_csv(notice_row(notice)) for notice in expected]
    circular = rows[0]
    assert circular[8:10] == ["2017-02-20", "2017-03-01T10:00:00+08:00"]
    assert circular[7] == "已发布"


def test_notice_xlsx_matches_the_database_row_for_row(notices, auditor):
    files, _ = export(Selection("notices", "xlsx"), auditor)
    sheets = read_xlsx(files["notices.xlsx"])
    assert list(sheets) == ["公告"]
    header, *rows = sheets["公告"]
    assert header[1:4] == ["索引号", "标题", "文号"]
    expected = sorted(notices.values(), key=lambda notice: notice.pk)
    assert rows == [as_xlsx(notice_row(notice)) for notice in expected]


def test_notice_json_has_english_keys_codes_and_iso_dates(notices, auditor):
    files, _ = export(Selection("notices", "json"), auditor)
    rows = json.loads(files["notices.json"])
    assert [row["id"] for row in rows] == sorted(notice.pk for notice in notices.values())
    circular = notices["circular"]
    circular.refresh_from_db()
    assert rows[0] == {
        "id": circular.pk,
        "index_number": circular.index_number,
        "title": circular.title,
        "document_number": "甘政办发〔2017〕36号",
        "organ": circular.organ.name,
        "organ_code": circular.organ.code,
        "genre": "通知",
        "status": "published",
        "signed_on": "2017-02-20",
        "published_at": "2017-03-01T10:00:00+08:00",
        "document_category": "normative",
        "validity": "valid",
        "validity_changed_on": None,
        "disclosure": "proactive",
        "withheld_reason": "",
        "keywords": "政务公开 工作要点",
        "summary": circular.summary,
        "addressees": circular.addressees,
        "correction_of": None,
        "change_note": "",
        "withdrawn_at": None,
        "withdrawal_reason": "",
        "created_by": circular.created_by.username,
        "created_at": local(circular.created_at),
        "last_edited_by": circular.last_edited_by.username,
        "updated_at": local(circular.updated_at),
        "view_count": 0,
        "body": circular.body,
    }


@pytest.mark.parametrize("use_copy", [False, True], ids=["python", "postgresql"])
def test_every_format_says_each_notices_category_and_validity(notice_in, auditor, use_copy):
    kept = notice_in("published", title="规章", document_category="rules")
    repealed = notice_in("published", title="已废止的规范性文件", document_category="normative")
    Notice.objects.filter(pk=repealed.pk).update(
        validity="repealed", validity_changed_on=datetime.date(2026, 6, 30)
    )
    other = notice_in("published", title="其他信息")
    expected = {
        kept.pk: ("规章", "有效", "", "rules", "valid", None),
        repealed.pk: (
            "行政规范性文件",
            "废止",
            "2026-06-30",
            "normative",
            "repealed",
            "2026-06-30",
        ),
        other.pk: ("其他", "有效", "", "other", "valid", None),
    }
    made = {f: export(Selection("notices", f), auditor, use_copy=use_copy) for f in FORMATS}
    for files, manifest in made.values():
        (entry,) = manifest["files"]
        assert entry["rows"] == manifest["rows"] == len(expected)
        assert entry["sha256"] == hashlib.sha256(files[entry["name"]]).hexdigest()
        keys = [column["key"] for column in entry["columns"]]
        assert keys[keys.index("document_category") :][:3] == [
            "document_category", "validity", "validity_changed_on",
        ]  # fmt: skip
    header, *rows = read_csv(made["csv"][0]["notices.csv"])
    at = header.index("文件类别")
    assert {int(row[0]): tuple(row[at : at + 3]) for row in rows} == {
        pk: values[:3] for pk, values in expected.items()
    }
    header, *rows = read_xlsx(made["xlsx"][0]["notices.xlsx"])["公告"]
    assert {row[0]: tuple(row[at : at + 2]) for row in rows} == {
        pk: values[:2] for pk, values in expected.items()
    }
    rows = json.loads(made["json"][0]["notices.json"])
    assert {
        row["id"]: (row["document_category"], row["validity"], row["validity_changed_on"])
        for row in rows
    } == {pk: values[3:] for pk, values in expected.items()}


def test_empty_exports_are_well_formed(db, auditor):
    made = {f: export(Selection("notices", f), auditor) for f in FORMATS}
    assert all(manifest["rows"] == 0 for _, manifest in made.values())
    header = [column["label"] for column in made["csv"][1]["files"][0]["columns"]]
    assert read_csv(made["csv"][0]["notices.csv"]) == [header]
    assert read_xlsx(made["xlsx"][0]["notices.xlsx"])["公告"][1:] == []
    assert json.loads(made["json"][0]["notices.json"]) == []


@pytest.mark.parametrize("format", list(FORMATS))
def test_manifest_hashes_match_the_files_in_the_zip(notices, auditor, format):
    files, manifest = export(Selection("notices", format), auditor)
    (entry,) = manifest["files"]
    assert entry["name"] == f"notices.{format}"
    data = files[entry["name"]]
    assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    assert entry["bytes"] == len(data)
    assert entry["rows"] == manifest["rows"] == len(notices)


def test_manifest_names_filters_counts_author_and_chain_head(client, notices, auditor, organ):
    client.force_login(auditor)
    head_before = chain.head()
    response = post(client, organ=organ.pk, since="2017-01-01", until="2017-12-31", year="2017")
    files, manifest = unzip(b"".join(response.streaming_content))
    assert manifest["dataset"] == "notices" and manifest["format"] == "csv"
    assert manifest["filters"] == {
        "organ": {"code": organ.code, "name": organ.name},
        "since": "2017-01-01",
        "until": "2017-12-31",
        "status": None,
        "year": 2017,
    }
    assert manifest["rows"] == 1
    assert manifest["generated_by"]["username"] == auditor.username
    assert manifest["source"] == "网页"
    assert datetime.datetime.fromisoformat(manifest["generated_at"]).utcoffset()
    assert manifest["chain_head"] == {"sequence": head_before[0], "hash": head_before[1]}
    # The export is the next link of the chain.
    recorded = AuditEvent.objects.get(additional_data__event="export")
    assert recorded.sequence == head_before[0] + 1
    assert recorded.previous_hash == head_before[1]
    assert list(files) == ["notices.csv", "manifest.json"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, {"circular", "draft", "withdrawn", "other"}),
        ({"organ": "mine"}, {"circular", "draft", "withdrawn"}),
        ({"status": "published"}, {"circular", "other"}),
        ({"status": "draft"}, {"draft"}),
        ({"year": 2017}, {"circular", "other"}),
        ({"year": 2018}, {"withdrawn"}),
        ({"since": datetime.date(2017, 3, 2)}, {"withdrawn", "other"}),
        ({"until": datetime.date(2017, 3, 1)}, {"circular"}),
        ({"since": datetime.date(2017, 12, 31), "until": datetime.date(2017, 12, 31)}, {"other"}),
        ({"organ": "mine", "year": 2017, "status": "published"}, {"circular"}),
    ],
)
def test_filters_are_honoured(notices, auditor, organ, filters, expected):
    if filters.get("organ") == "mine":
        filters = {**filters, "organ": organ}
    files, manifest = export(Selection("notices", "json", **filters), auditor)
    titles = {row["title"] for row in json.loads(files["notices.json"])}
    assert titles == {notices[name].title for name in expected}
    assert manifest["rows"] == len(expected)


def test_xlsx_splits_into_sheets_past_the_row_limit(organ, notice_in, auditor):
    made = [notice_in("draft", title=f"草稿{n}") for n in range(5)]
    files, manifest = export(Selection("notices", "xlsx"), auditor, sheet_rows=3)
    sheets = read_xlsx(files["notices.xlsx"])
    assert list(sheets) == ["公告", "公告（2）", "公告（3）"]
    assert [len(rows) for rows in sheets.values()] == [3, 3, 2]
    assert all(rows[0][0] == "系统编号" for rows in sheets.values())
    titles = [row[2] for rows in sheets.values() for row in rows[1:]]
    assert titles == [notice.title for notice in made]
    assert manifest["files"][0]["sheets"] == 3


def test_text_cannot_become_a_spreadsheet_formula(notice_in, auditor):
    formula = '=HYPERLINK("http://example.com","点击")'
    notice_in("draft", title=formula, keywords="@SUM(1)")
    csv_files, manifest = export(Selection("notices", "csv"), auditor)
    header, row = read_csv(csv_files["notices.csv"])
    assert row[2] == "'" + formula
    assert row[header.index("主题词")] == "'@SUM(1)"
    assert any("单引号" in note for note in manifest["notes"])
    xlsx_files, _ = export(Selection("notices", "xlsx"), auditor)
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_files["notices.xlsx"])).active
    assert sheet.cell(2, 3).value == formula
    assert sheet.cell(2, 3).data_type == "s"
    json_files, _ = export(Selection("notices", "json"), auditor)
    assert json.loads(json_files["notices.json"])[0]["keywords"] == "@SUM(1)"


def test_xlsx_keeps_to_excel_limits_and_says_what_it_cut(notice_in, auditor):
    body = "<p>" + "公开" * 20_000 + "</p>"
    notice_in("draft", body=body, keywords="铃\x07声")
    files, manifest = export(Selection("notices", "xlsx"), auditor)
    header, row = read_xlsx(files["notices.xlsx"])["公告"]
    assert row[header.index("主题词")] == "铃声"
    assert row[-1] == body[:EXCEL_MAX_CELL_CHARS]
    assert manifest["files"][0]["truncated_cells"] == 1
    csv_files, _ = export(Selection("notices", "csv"), auditor)
    assert read_csv(csv_files["notices.csv"])[1][-1] == body


@pytest.fixture
def assessment(organ, editor, reviewer):
    """A published assessment with scores, a problem, a requirement and a verified report."""
    assessment = af.make_assessment(organ, editor, year=2017, title="2017年政务公开考核")
    group = af.make_group(assessment)
    first = af.make_unit(group, position=1)
    second = af.make_unit(group, position=2)
    a1 = af.make_indicator(assessment, "A1", 60, position=1)
    a2 = af.make_indicator(assessment, "A2", 40, position=2)
    assessment_workflow.save_scores(
        assessment,
        editor,
        {
            (first.pk, a1.pk): (Decimal("55.5"), "主动公开较好"),
            (first.pk, a2.pk): (Decimal("30"), ""),
            (second.pk, a1.pk): (Decimal("48"), "栏目更新不及时"),
        },
    )
    problem = Finding.objects.create(
        assessment=assessment, kind=Finding.Kind.PROBLEM, position=1, title="栏目更新不及时"
    )
    problem.units.set([second])
    requirement = Requirement.objects.create(
        assessment=assessment, position=1, title="按时更新栏目", deadline=datetime.date(2018, 3, 31)
    )
    requirement.units.set([second])
    requirement.problems.set([problem])
    assessment_workflow.submit(assessment, editor)
    assessment_workflow.publish(assessment, reviewer)
    report = assessment_workflow.report_rectification(
        requirement, second, editor, "done", "已安排专人每周更新。"
    )
    assessment_workflow.verify_rectification(report, reviewer, accepted=True)
    return assessment


def test_assessment_export_has_one_hashed_file_per_table(assessment, auditor):
    files, manifest = export(Selection("assessments", "csv"), auditor)
    names = [entry["name"] for entry in manifest["files"]]
    assert names == [
        "assessments.csv",
        "scores.csv",
        "findings.csv",
        "requirements.csv",
        "rectification_reports.csv",
    ]
    for entry in manifest["files"]:
        assert hashlib.sha256(files[entry["name"]]).hexdigest() == entry["sha256"]
    assert {entry["name"]: entry["rows"] for entry in manifest["files"]} == {
        "assessments.csv": 1,
        "scores.csv": 3,
        "findings.csv": 1,
        "requirements.csv": 1,
        "rectification_reports.csv": 1,
    }
    header, *scores = read_csv(files["scores.csv"])
    assert header == [
        "考核编号", "考核", "分组", "单位", "机构代码", "指标编号", "指标名称", "指标类型",
        "分值", "得分", "备注",
    ]  # fmt: skip
    first, second = assessment.units.order_by("position")
    assert [row[3] for row in scores] == [first.organ.name, first.organ.name, second.organ.name]
    assert [(row[5], row[9], row[10]) for row in scores] == [
        ("A1", "55.50", "主动公开较好"),
        ("A2", "30.00", ""),
        ("A1", "48.00", "栏目更新不及时"),
    ]
    (finding,) = read_csv(files["findings.csv"])[1:]
    assert finding[3:] == ["主要问题", "1", "栏目更新不及时", "", second.organ.name]
    (requirement,) = read_csv(files["requirements.csv"])[1:]
    assert requirement[6:] == ["2018-03-31", second.organ.name, "栏目更新不及时"]
    (report,) = read_csv(files["rectification_reports.csv"])[1:]
    assert report[7:9] == ["已完成", "已安排专人每周更新。"]
    assert report[11] == "核验通过"


def test_assessment_json_lists_related_units(assessment, auditor):
    files, _ = export(Selection("assessments", "json"), auditor)
    (requirement,) = json.loads(files["requirements.json"])
    second = assessment.units.order_by("position").last()
    assert requirement["units"] == [second.organ.name]
    assert requirement["problems"] == ["栏目更新不及时"]
    scores = json.loads(files["scores.json"])
    assert scores[0]["value"] == "55.50" and scores[0]["indicator_kind"] == "normal"


def test_assessment_filters_by_year_status_and_organ(assessment, auditor, other_organ):
    def count(**filters):
        selection = Selection("assessments", "csv", **filters)
        return export(selection, auditor)[1]["files"][1]["rows"]

    assert count(year=2017) == 3
    assert count(year=2016) == 0
    assert count(status="published") == 3
    assert count(status="preparing") == 0
    assert count(organ=other_organ) == 0


def test_history_export_can_be_verified_offline(notices, auditor):
    files, manifest = export(Selection("history", "json"), auditor)
    rows = json.loads(files["history.json"])
    head = manifest["chain_head"]
    assert len(rows) == head["sequence"] > 10
    previous = GENESIS_HASH
    for row in rows:
        assert row["previous_hash"] == previous
        digest = hashlib.sha256(f"{previous}\n{row['payload']}".encode()).hexdigest()
        assert digest == row["hash"]
        previous = row["hash"]
    assert previous == head["hash"]
    assert {row["action"] for row in rows} >= {"create", "update"}
    assert rows[0]["content_type"].count(".") == 1
    # The head is signed: checked here with nothing but the public key and the manifest.
    checkpoint = manifest["checkpoint"]
    assert (checkpoint["sequence"], checkpoint["hash"]) == (head["sequence"], head["hash"])
    signed = {k: v for k, v in checkpoint.items() if k not in {"signature", "public_key"}}
    message = json.dumps(signed, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    public_key = Ed25519PublicKey.from_public_bytes(base64.b64decode(checkpoint["public_key"]))
    public_key.verify(base64.b64decode(checkpoint["signature"]), message.encode())
    forged = json.dumps({**signed, "sequence": head["sequence"] - 1}, sort_keys=True)
    with pytest.raises(InvalidSignature):
        public_key.verify(base64.b64decode(checkpoint["signature"]), forged.encode())
    assert checkpoints.latest().as_dict() == {
        k: v for k, v in checkpoint.items() if k != "public_key"
    }


@pytest.mark.postgres
def test_an_export_of_a_history_cut_short_says_its_head_could_not_be_signed(notices, auditor):
    chain.record_checkpoint()
    last = AuditEvent.objects.order_by("-sequence").first()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL ROLE NONE")
        cursor.execute("SET LOCAL session_replication_role = replica")
    AuditEvent.objects.filter(pk=last.pk).delete()
    ChainHead.objects.filter(pk=1).update(sequence=last.sequence - 1, hash=last.previous_hash)
    _, manifest = export(Selection("history", "json"), auditor)
    assert "少于上一个检查点" in manifest["checkpoint"]["refused"]


def test_history_csv_has_chinese_headers(notices, auditor):
    files, _ = export(Selection("history", "csv"), auditor)
    header, first, *_ = read_csv(files["history.csv"])
    assert header[:3] == ["序号", "时间", "操作人"]
    assert header[-4:] == ["上一条的哈希", "哈希", "封印", "哈希原文"]
    assert first[0] == "1" and first[-4] == GENESIS_HASH


def test_history_cannot_be_filtered_by_organ_or_status(organ, auditor):
    selection = Selection("history", "csv", organ=organ, status="published")
    assert selection.errors() == ["审计记录不能按机构筛选。", "审计记录不能按状态筛选。"]
    with pytest.raises(ExportError):
        Export(selection, auditor)


def test_unknown_status_and_reversed_dates_are_refused(db):
    selection = Selection(
        "assessments",
        status="withdrawn",
        since=datetime.date(2018, 1, 1),
        until=datetime.date(2017, 1, 1),
    )
    errors = selection.errors()
    assert "起始日期不能晚于截止日期。" in errors
    assert any("没有“withdrawn”这个状态" in error for error in errors)


def test_export_is_recorded_in_the_history(client, notices, auditor):
    client.force_login(auditor)
    data = {"dataset": "notices", "format": "json", "status": "published"}
    response = client.post(URL, data, REMOTE_ADDR="192.0.2.9")
    files, _ = unzip(b"".join(response.streaming_content))
    event = AuditEvent.objects.filter(additional_data__event="export").latest("sequence")
    assert event.action == AuditEvent.Action.ACCESS
    assert event.actor_id == auditor.pk
    assert event.remote_addr == "192.0.2.9"
    assert event.source == "网页"
    data = event.additional_data
    assert data["dataset"] == "notices" and data["format"] == "json"
    assert data["filters"]["status"] == "published"
    assert data["rows"] == 2
    assert data["sha256"] == {
        "notices.json": hashlib.sha256(files["notices.json"]).hexdigest(),
        "manifest.json": hashlib.sha256(files["manifest.json"]).hexdigest(),
    }
    assert chain.verify().intact


def test_an_interrupted_download_is_recorded_too(monkeypatch, organ, notice_in, auditor):
    monkeypatch.setattr(writers, "WRITE_BATCH", 1)
    monkeypatch.setattr(writers, "STREAM_CHUNK_BYTES", 1)
    for n in range(3):
        notice_in("draft", title=f"草稿{n}")
    stream = Export(Selection("notices"), auditor).stream()
    next(stream)
    stream.close()
    event = AuditEvent.objects.get(additional_data__event="export")
    assert event.additional_data["completed"] is False
    assert event.additional_data["rows"] == 1


def test_response_streams_a_zip_named_after_dataset_and_time(client, notices, auditor):
    client.force_login(auditor)
    response = post(client, dataset="history", format="xlsx")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "application/zip"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="history-')
    assert disposition.endswith('.zip"')
    assert "no-cache" in response["Cache-Control"]
    files, _ = unzip(b"".join(response.streaming_content))
    assert read_xlsx(files["history.xlsx"])["审计记录"][0][0] == "序号"


def test_zip_members_carry_the_export_time_and_xlsx_is_stored_as_is(notices, auditor):
    export = Export(Selection("notices", "xlsx"), auditor)
    with zipfile.ZipFile(io.BytesIO(b"".join(export.stream()))) as archive:
        xlsx, manifest = archive.infolist()
    when = timezone.localtime(export.generated_at).timetuple()[:5]
    assert xlsx.date_time[:5] == manifest.date_time[:5] == when
    assert xlsx.compress_type == zipfile.ZIP_STORED
    assert manifest.compress_type == zipfile.ZIP_DEFLATED


@pytest.mark.parametrize("format", ["csv", "json", "xlsx"])
def test_data_files_are_stored_unless_compression_is_asked_for(notices, auditor, format):
    def members(**options):
        export = Export(Selection("notices", format), auditor, **options)
        with zipfile.ZipFile(io.BytesIO(b"".join(export.stream()))) as archive:
            data = archive.getinfo(f"notices.{format}")
            return data, archive.read(data), export.manifest["files"][0]["sha256"]

    stored, stored_bytes, stored_hash = members()
    asked, asked_bytes, asked_hash = members(compress=True)
    assert stored.compress_type == zipfile.ZIP_STORED
    # XLSX files are compressed inside already.
    compressed = zipfile.ZIP_STORED if format == "xlsx" else zipfile.ZIP_DEFLATED
    assert asked.compress_type == compressed
    if format != "xlsx":
        assert asked_bytes == stored_bytes and asked_hash == stored_hash
        assert asked.compress_size < stored.compress_size


def test_the_page_and_the_command_compress_when_asked(client, tmp_path, notices, auditor):
    client.force_login(auditor)
    for data, expected in (({}, zipfile.ZIP_STORED), ({"compress": "on"}, zipfile.ZIP_DEFLATED)):
        response = post(client, **data)
        content = io.BytesIO(b"".join(response.streaming_content))
        assert zipfile.ZipFile(content).getinfo("notices.csv").compress_type == expected
    output = tmp_path / "out.zip"
    call_command(
        "export_records", "notices", "--compress", "--output", str(output), stdout=io.StringIO()
    )
    assert zipfile.ZipFile(output).getinfo("notices.csv").compress_type == zipfile.ZIP_DEFLATED


@pytest.mark.parametrize("who", ["auditor", "site_admin"])
def test_auditor_and_site_admin_may_export(client, request, notices, who):
    client.force_login(request.getfixturevalue(who))
    page = client.get(URL)
    assert page.status_code == 200
    assert "导出数据" in page.content.decode()
    response = post(client)
    assert response.status_code == 200
    assert unzip(b"".join(response.streaming_content))[1]["rows"] == len(notices)


@pytest.mark.parametrize(
    ("who", "sees_link"),
    [("auditor", True), ("site_admin", True), ("editor", False), ("reviewer", False)],
)
def test_admin_home_links_to_the_export_page_for_those_who_may_export(
    client, db, request, who, sees_link
):
    client.force_login(request.getfixturevalue(who))
    page = client.get(reverse("admin:index")).content.decode()
    assert (f'href="{URL}"' in page) is sees_link


@pytest.mark.parametrize("who", ["editor", "reviewer", "other_editor"])
def test_editors_and_reviewers_are_refused(client, request, notices, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert post(client).status_code == 403
    assert not AuditEvent.objects.filter(additional_data__event="export").exists()
    with pytest.raises(PermissionDenied):
        Export(Selection("notices"), user)


def test_anonymous_and_non_staff_are_sent_to_the_admin_login(client, db):
    login = f"{reverse('admin:login')}?next={URL}"
    for response in (client.get(URL), post(client)):
        assert response.status_code == 302
        assert response["Location"] == login
    client.force_login(factories.make_user())
    assert client.get(URL)["Location"] == login
    assert not AuditEvent.objects.filter(additional_data__event="export").exists()


def test_an_auditor_without_the_required_second_factor_is_sent_to_login(client, settings, auditor):
    client.force_login(auditor)
    assert client.get(URL).status_code == 200
    settings.OTP_REQUIRED_FOR_STAFF = True
    response = post(client)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert not AuditEvent.objects.filter(additional_data__event="export").exists()


def test_inactive_or_non_staff_auditors_cannot_export(auditor):
    assert can_export(auditor)
    auditor.is_staff = False
    assert not can_export(auditor)
    auditor.is_staff, auditor.is_active = True, False
    assert not can_export(auditor)


def test_anyone_without_every_organ_would_see_only_their_organs(notices, editor, organ):
    visible = scoped(Notice.objects.all(), editor)
    assert set(visible.values_list("organ", flat=True)) == {organ.pk}
    assert not sees_history(editor)
    assert sees_history(None)


def test_form_explains_a_filter_that_does_not_apply(client, organ, auditor):
    client.force_login(auditor)
    response = post(client, dataset="history", organ=organ.pk)
    assert response.status_code == 200
    assert "审计记录不能按机构筛选" in response.content.decode()
    assert not AuditEvent.objects.filter(additional_data__event="export").exists()


def test_command_writes_the_same_zip_as_the_page(client, tmp_path, notices, auditor, organ):
    client.force_login(auditor)
    filters = {"organ": organ.pk, "since": "2017-01-01", "until": "2017-12-31"}
    response = post(client, status="published", **filters)
    web_files, web_manifest = unzip(b"".join(response.streaming_content))
    output = tmp_path / "out.zip"
    out = io.StringIO()
    call_command(
        "export_records", "notices", "--format", "csv", "--organ", organ.code,
        "--since", "2017-01-01", "--until", "2017-12-31", "--status", "published",
        "--output", str(output), stdout=out,
    )  # fmt: skip
    files, manifest = unzip(output.read_bytes())
    assert files["notices.csv"] == web_files["notices.csv"]
    assert manifest["files"] == web_manifest["files"]
    assert manifest["filters"] == web_manifest["filters"]
    assert manifest["generated_by"] is None
    assert manifest["source"] == "命令 export_records"
    assert "已导出 1 行" in out.getvalue()
    assert not (tmp_path / "out.zip.part").exists()
    event = AuditEvent.objects.filter(additional_data__event="export").latest("sequence")
    assert event.actor_id is None
    assert event.source == "命令 export_records"
    assert event.additional_data["sha256"]["notices.csv"] == manifest["files"][0]["sha256"]


def test_command_refuses_unknown_organs_and_unfit_filters(db, tmp_path):
    output = str(tmp_path / "out.zip")
    with pytest.raises(CommandError, match="没有机构代码为 nope"):
        call_command("export_records", "notices", "--organ", "nope", "--output", output)
    with pytest.raises(CommandError, match="审计记录不能按状态筛选"):
        call_command("export_records", "history", "--status", "draft", "--output", output)
    assert not list(tmp_path.iterdir())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_postgresql_reads_one_snapshot_and_records(organ):
    auditor = factories.make_user(roles.AUDITOR)
    editor, reviewer = factories.make_editor(organ), factories.make_reviewer(organ)
    factories.make_notice(organ, editor, reviewer, "published")
    with acting(source="测试"):
        stream = Export(Selection("history", "json"), auditor).stream()
        files, manifest = unzip(b"".join(stream))
    rows = json.loads(files["history.json"])
    assert rows[-1]["hash"] == manifest["chain_head"]["hash"]
    event = AuditEvent.objects.filter(additional_data__event="export").get()
    assert event.sequence == manifest["chain_head"]["sequence"] + 1
    assert event.source == "测试"


# Text that tests every rule of the two writers: quoting, the formula guard, empty and missing
# values, control characters, characters beyond the BMP, backslashes (escaped in JSON).
AWKWARD_TEXT = [
    '引号"和逗号,',
    "换行\n和回车\r\n",
    "=SUM(A1)",
    "+86 0931",
    "-1",
    "@提及",
    "\t制表符开头",
    "\r回车开头",
    "'已有单引号",
    "",
    "反斜杠\\n不是换行",
    "控制字符\x01\x1f和\x7f",
    "扩展汉字𠀀与表情😀",
    "  前后空格  ",
    "\\.",
]


def awkward_notices(organ, editor, reviewer) -> list[Notice]:
    """Notices whose stored values (set past the model's cleaning, as an export must take
    whatever is stored) cover the awkward cases, with times with and without microseconds, in
    both halves of a year and before 1901, when offsets had seconds."""
    times = [
        at(2017, 3, 1),
        at(2017, 7, 1, 23).replace(microsecond=123456),
        datetime.datetime(1890, 1, 1, tzinfo=datetime.UTC),
        datetime.datetime(2024, 11, 3, 5, 30, 0, 1, tzinfo=datetime.UTC),
    ]
    made = []
    for n, value in enumerate(AWKWARD_TEXT):
        notice = factories.make_notice(organ, editor, reviewer, "published")
        made.append(notice)
        Notice.objects.filter(pk=notice.pk).update(
            title=value or "标题",
            document_number=value,
            keywords=value,
            summary=value,
            addressees=value,
            change_note=value,
            body=value,
            genre=factories.GENRE_CODES[n % len(factories.GENRE_CODES)],
            published_at=times[n % len(times)],
            created_at=times[(n + 1) % len(times)],
            updated_at=times[(n + 2) % len(times)],
            signed_on=datetime.date(999 + n * 100, 1, 31) if n % 3 else None,
            view_count=n * 1_000_000_007,
        )
    # A retired genre is exported by its name like any other.
    Genre.objects.create(code="retired", name="retired", active=False)
    Notice.objects.filter(pk=made[0].pk).update(genre="retired")
    return made


@pytest.fixture
def copies(monkeypatch):
    """How many COPY statements the exports ran."""
    statements = []

    class Counted(writers.CopyOut):
        def __init__(self, raw_connection, statement, **options):
            statements.append(statement)
            super().__init__(raw_connection, statement, **options)

    monkeypatch.setattr(writers, "CopyOut", Counted)
    return statements


@pytest.mark.postgres
@pytest.mark.parametrize("format", ["csv", "json"])
@pytest.mark.parametrize("time_zone", ["Asia/Shanghai", "America/St_Johns"])
def test_postgresql_writes_the_same_bytes_as_python(
    settings, copies, organ, editor, reviewer, auditor, format, time_zone
):
    settings.TIME_ZONE = time_zone
    awkward_notices(organ, editor, reviewer)
    selection = Selection("notices", format)
    by_python, _ = export(selection, auditor, use_copy=False)
    assert not copies
    by_postgresql, manifest = export(selection, auditor)
    assert len(copies) == 1
    name = f"notices.{format}"
    assert by_postgresql[name] == by_python[name]
    assert manifest["rows"] == len(AWKWARD_TEXT)
    if format == "csv":
        rows = read_csv(by_postgresql[name])[1:]
        assert [row[2] for row in rows[2:8]] == [
            "'=SUM(A1)", "'+86 0931", "'-1", "'@提及", "'\t制表符开头", "'\r回车开头",
        ]  # fmt: skip
        assert rows[0][6] == "retired" and rows[1][6] == "通报"
    else:
        rows = json.loads(by_postgresql[name])
        assert rows[11]["title"] == AWKWARD_TEXT[11]


@pytest.mark.postgres
@pytest.mark.parametrize("format", ["csv", "json"])
def test_postgresql_writes_assessment_tables_as_python_does(copies, assessment, auditor, format):
    selection = Selection("assessments", format)
    by_python, _ = export(selection, auditor, use_copy=False)
    by_postgresql, manifest = export(selection, auditor)
    # Findings and requirements list related names, which only Python adds.
    assert len(copies) == 3
    assert by_postgresql == {**by_python, "manifest.json": by_postgresql["manifest.json"]}
    assert manifest["files"][1]["rows"] == 3


@pytest.mark.postgres
def test_a_copy_leaves_the_session_as_django_needs_it(copies, notices, auditor):
    circular = notices["circular"]
    export(Selection("notices", "csv"), auditor)
    assert copies
    with connection.cursor() as cursor:
        cursor.execute("SHOW TIME ZONE")
        assert cursor.fetchone()[0] == "UTC"
    assert Notice.objects.get(pk=circular.pk).published_at == at(2017, 3, 1)


@pytest.mark.postgres
def test_an_interrupted_copy_is_cancelled_and_recorded(monkeypatch, copies, notice_in, auditor):
    monkeypatch.setattr(writers, "WRITE_BATCH", 1)
    monkeypatch.setattr(writers, "STREAM_CHUNK_BYTES", 1)
    for n in range(20):
        notice_in("draft", title=f"草稿{n}")
    stream = Export(Selection("notices"), auditor).stream()
    next(stream)
    stream.close()
    assert copies
    assert not [thread for thread in threading.enumerate() if thread.name == "export-copy"]
    event = AuditEvent.objects.get(additional_data__event="export")
    assert event.additional_data["completed"] is False
    assert event.additional_data["rows"] < 20
    assert Notice.objects.count() == 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("format", ["csv", "json"])
def test_a_copy_reads_the_snapshot_the_export_began_with(monkeypatch, organ, format):
    monkeypatch.setattr(writers, "WRITE_BATCH", 1)
    monkeypatch.setattr(writers, "STREAM_CHUNK_BYTES", 1)
    auditor = factories.make_user(roles.AUDITOR)
    editor, reviewer = factories.make_editor(organ), factories.make_reviewer(organ)
    made = [factories.make_notice(organ, editor, reviewer, "draft") for _ in range(3)]
    stream = Export(Selection("notices", format), auditor).stream()
    chunks = [next(stream)]

    def change_meanwhile():
        Notice.objects.filter(pk=made[-1].pk).update(title="导出开始后改的标题")
        connection.close()

    changer = threading.Thread(target=change_meanwhile)
    changer.start()
    changer.join()
    files, manifest = unzip(b"".join([*chunks, *stream]))
    assert "导出开始后改的标题".encode() not in files[f"notices.{format}"]
    assert made[-1].title.encode() in files[f"notices.{format}"]
    assert manifest["rows"] == 3
    assert Notice.objects.get(pk=made[-1].pk).title == "导出开始后改的标题"


def test_xlsx_dates_and_times_are_cells_a_spreadsheet_computes_with(notices, auditor):
    files, _ = export(Selection("notices", "xlsx"), auditor)
    sheet = openpyxl.load_workbook(io.BytesIO(files["notices.xlsx"])).active
    header = [cell.value for cell in sheet[1]]
    circular = next(
        row for row in sheet.iter_rows(min_row=2) if row[2].value.startswith("关于2017")
    )
    signed = circular[header.index("成文日期")]
    published = circular[header.index("发布日期")]
    assert signed.is_date and signed.value == datetime.datetime(2017, 2, 20)
    assert signed.number_format == "yyyy-mm-dd"
    assert published.is_date and published.value == datetime.datetime(2017, 3, 1, 10, 0)
    assert published.number_format == "yyyy-mm-dd hh:mm:ss"

"""Importing files into the database: drafts only, assessment records, idempotence, atomicity."""

import datetime

import pytest

from assessments import statistics
from assessments.models import Assessment, Finding, Requirement, StatisticReport, StatisticValue
from importer import saving
from importer.models import ImportedSource, ImportFlag
from importer.report import Status
from notices.models import CitedDocument, Notice, WorkflowEvent
from tests import factories
from tests.importer.helpers import corpus_bytes, expected, fold_brackets, make_docx, seed_bytes

pytestmark = pytest.mark.django_db


def import_seed(organ, user):
    return saving.import_file(seed_bytes(), "gansu-2016-notice.raw.txt", organ, user)


def test_seed_becomes_a_draft_with_its_metadata(organ, editor):
    result = import_seed(organ, editor)
    assert result.status == Status.IMPORTED, result.reason
    notice = Notice.objects.get(pk=result.notice_id)
    want = expected()
    assert notice.status == Notice.Status.DRAFT
    assert notice.index_number is None
    assert not Notice.objects.published().exists()
    assert notice.title == want["title"]
    assert notice.document_number == want["document_number"]
    assert notice.genre_id == "circular"
    assert notice.signed_on == datetime.date(2017, 8, 11)
    # The page's date (a mirror's, for all anyone knows) is the source's, not the notice's.
    assert notice.published_at is None
    assert notice.imported_source.source_published_on == datetime.date(2017, 8, 16)
    assert notice.addressees == "，".join(want["addressees"])
    assert notice.created_by == editor and notice.last_edited_by == editor
    assert WorkflowEvent.objects.filter(notice=notice, action="created", actor=editor).exists()
    assert notice.body.count("<h2>") == 4 and notice.body.count("<h3>") == 15
    cited = [(c.title, c.document_number) for c in notice.citations.all()]
    assert cited == [
        (fold_brackets(c["title"]), c["document_number"]) for c in want["cited_documents"]
    ]


def test_seed_keeps_the_raw_source_and_the_page_facts(organ, editor):
    result = import_seed(organ, editor)
    source = ImportedSource.objects.get(notice_id=result.notice_id)
    assert bytes(source.raw) == seed_bytes()
    assert source.kind == "text" and source.size == len(seed_bytes())
    assert source.source_published_on == datetime.date(2017, 8, 16)
    assert source.source_view_count == 94
    assert source.attachment_titles == expected()["attachments"]
    assert source.imported_by == editor
    assert source.report["status"] == Status.IMPORTED


def test_seed_makes_a_preparing_assessment_with_findings_and_statistics(organ, editor):
    result = import_seed(organ, editor)
    assessment = Assessment.objects.get(pk=result.assessment_id)
    assert assessment.status == Assessment.Status.PREPARING
    assert assessment.notice_id == result.notice_id
    assert assessment.year == 2016
    assert "甘政办发〔2015〕156号" in assessment.basis
    assert assessment.summary.startswith("2016年，各地各有关部门")
    want = {s.get("kind"): s["items"] for s in expected()["sections"]}
    highlights = assessment.findings.filter(kind=Finding.Kind.HIGHLIGHT).order_by("position")
    problems = assessment.findings.filter(kind=Finding.Kind.PROBLEM).order_by("position")
    requirements = Requirement.objects.filter(assessment=assessment).order_by("position")
    for rows, items in (
        (highlights, want["highlights"]),
        (problems, want["problems"]),
        (requirements, want["rectifications"]),
    ):
        assert len(rows) == len(items)
        for row, item in zip(rows, items, strict=True):
            if not item.get("damaged"):
                assert row.title == item["title"]
            assert row.text
    report = StatisticReport.objects.get(assessment=assessment)
    values = dict(StatisticValue.objects.filter(report=report).values_list("item__code", "value"))
    assert values["proactive_total"] == 1563668
    assert values["requests_total"] == 2071
    assert len(values) == 19
    assert statistics.failures([report])[report.pk] == []


def test_damaged_items_are_flagged_in_the_database_with_the_raw_fragment(organ, editor):
    result = import_seed(organ, editor)
    source = ImportedSource.objects.get(notice_id=result.notice_id)
    headings = source.flags.filter(kind=ImportFlag.Kind.DAMAGED_HEADING)
    assert headings.count() == 9
    raw = seed_bytes().decode("utf-8")
    for flag in headings:
        assert flag.raw_fragment in raw and flag.raw_fragment.startswith("?。")
        assert (flag.finding or flag.requirement) is not None
    first = headings.get(location="二、主要特点 （一）")
    assert first.finding.title.startswith("?。ㄒ唬")
    assert first.suggestion == "公开渠道更加畅通"
    assert source.flags.filter(kind=ImportFlag.Kind.DAMAGED_TEXT).count() == 3
    assert len(result.flags) == source.flags.count()


def test_report_lists_what_was_recognized(organ, editor):
    result = import_seed(organ, editor)
    labels = dict(result.recognized)
    assert labels["文号"] == "甘政办发〔2017〕136号"
    assert labels["原网站点击数"] == "94"
    assert "考核记录" in labels
    text = result.as_text()
    assert "已导入为草稿" in text and "?。ㄒ唬" in text and "点击" in text


def test_reimporting_the_same_file_creates_nothing(organ, editor):
    first = import_seed(organ, editor)
    again = import_seed(organ, editor)
    assert again.status == Status.SKIPPED
    assert "导入过" in again.reason and again.notice_id == first.notice_id
    assert Notice.objects.count() == 1
    assert Assessment.objects.count() == 1
    assert ImportedSource.objects.count() == 1


def test_same_document_number_from_another_file_is_not_duplicated(organ, editor):
    import_seed(organ, editor)
    changed = seed_bytes().replace("歡迎".encode(), "欢迎".encode())
    result = saving.import_file(changed, "copy.txt", organ, editor)
    assert result.status == Status.SKIPPED
    assert "甘政办发〔2017〕136号" in result.reason
    assert Notice.objects.count() == 1


def test_a_failure_midway_leaves_nothing_of_that_file(organ, editor, monkeypatch):
    def explode(parsed, assessment):
        raise RuntimeError("disk full")

    monkeypatch.setattr(saving, "_statistics", explode)
    result = import_seed(organ, editor)
    assert result.status == Status.FAILED
    assert "已全部撤销" in result.reason and result.notice_id is None
    assert not Notice.objects.exists()
    assert not CitedDocument.objects.exists()
    assert not Assessment.objects.exists()
    assert not Finding.objects.exists()
    assert not ImportedSource.objects.exists()


def test_one_bad_file_does_not_stop_the_others(organ, editor):
    report = saving.import_files(
        [
            ("empty.txt", b""),
            ("seed.txt", seed_bytes()),
            ("binary.txt", bytes(range(256)) * 4),
            ("clean.txt", corpus_bytes("assessment-clean.txt")),
        ],
        organ,
        editor,
    )
    assert [r.status for r in report.files] == ["failed", "imported", "failed", "imported"]
    assert "文件是空的" in report.files[0].reason
    assert "二进制" in report.files[2].reason
    assert Notice.objects.count() == 2
    assert "导入 2 个" in report.summary and "失败 2 个" in report.summary


def test_deleting_the_draft_deletes_its_raw_source(organ, editor):
    result = import_seed(organ, editor)
    Notice.objects.get(pk=result.notice_id).delete()
    assert not ImportedSource.objects.exists()
    assert not ImportFlag.objects.exists()


def test_only_editors_of_the_organ_may_import(organ, reviewer, other_editor, auditor):
    for user in (reviewer, other_editor, auditor):
        result = import_seed(organ, user)
        assert result.status == Status.FAILED and "无权" in result.reason
    assert not Notice.objects.exists()


def test_docx_import(organ, editor):
    lines = corpus_bytes("assessment-clean.txt").decode("utf-8").split("\n")
    result = saving.import_file(make_docx(lines), "通报.docx", organ, editor)
    assert result.status == Status.IMPORTED, result.reason
    notice = Notice.objects.get(pk=result.notice_id)
    assert notice.document_number == "示市政办发〔2019〕12号"
    assessment = Assessment.objects.get(notice=notice)
    assert assessment.findings.count() == 5 and assessment.requirements.count() == 3
    report = assessment.statistics.get()
    # Outcomes are not stated; the channels add up and are imported.
    assert StatisticValue.objects.filter(report=report, item__code="requests_fax").get().value == 5
    assert ImportedSource.objects.get(notice=notice).kind == "docx"


def test_html_page_import_keeps_page_facts(organ, editor):
    result = saving.import_file(corpus_bytes("inspection-page.html"), "page.html", organ, editor)
    assert result.status == Status.IMPORTED, result.reason
    source = ImportedSource.objects.get(notice_id=result.notice_id)
    assert source.source_view_count == 1024
    assert source.source_name == "示例市人民政府办公室"
    assert "版权所有" not in source.notice.body
    assert not Assessment.objects.exists()  # an inspection notice, not an assessment


def test_mentioned_parts_that_add_up_make_the_rest_zero(organ, editor):
    text = corpus_bytes("annual-report-pinyin.txt").decode("utf-8")
    text = text.replace("工作年(nián)度报告", "工作年度考核情况的通报")
    result = saving.import_file(text.encode(), "a.txt", organ, editor)
    assert result.status == Status.IMPORTED, result.reason
    report = Assessment.objects.get(pk=result.assessment_id).statistics.get()
    assert statistics.failures([report])[report.pk] == []
    assert "按 0 计" in report.note


def test_existing_assessment_of_the_same_name_is_not_duplicated(organ, editor):
    Assessment.objects.create(
        organ=organ, year=2016, title=expected()["title"], status=Assessment.Status.PUBLISHED
    )
    result = import_seed(organ, editor)
    assert result.status == Status.IMPORTED
    assert result.assessment_id is None
    assert any("同名考核" in flag["message"] for flag in result.flags)
    assert Assessment.objects.count() == 1


def test_import_into_an_organ_with_other_notices(organ, editor, notice_in):
    notice_in("published", document_number="甘政办发〔2015〕156号", title="考核办法")
    result = import_seed(organ, editor)
    notice = Notice.objects.get(pk=result.notice_id)
    first = notice.citations.order_by("position").first()
    assert first.target is not None and first.target.title == "考核办法"


def test_another_organs_editor_imports_into_their_own_organ(organ, other_organ, other_editor):
    result = import_seed(other_organ, other_editor)
    assert result.status == Status.IMPORTED
    assert any("与导入到的机构" in flag["message"] for flag in result.flags)
    # The same file may still be imported by the organ it belongs to.
    editor = factories.make_editor(organ)
    assert import_seed(organ, editor).status == Status.IMPORTED


def test_gbk_file_with_a_stray_nul_imports(organ, editor):
    data = seed_bytes().decode("utf-8").encode("gb18030").replace(b"\n\n", b"\n\x00\n", 1)
    result = saving.import_file(data, "seed-gbk.txt", organ, editor)
    assert result.status == Status.IMPORTED, result.reason
    source = ImportedSource.objects.get(notice_id=result.notice_id)
    assert source.encoding == "gb18030" and bytes(source.raw) == data


def test_an_assessment_notice_without_numbered_findings_makes_no_assessment(organ, editor):
    text = (
        "示例市人民政府办公室关于2019年政务公开工作考核情况的通报\n"
        "各县区人民政府：\n"
        "一、总体情况\n全市政务公开工作取得新进展，各单位认真落实各项要求。\n"
        "二、存在问题\n部分单位栏目更新不及时，个别网站链接失效。\n"
        "三、整改要求\n各单位要于4月30日前完成整改。\n"
        "示例市人民政府办公室\n2020年4月1日\n"
    )
    result = saving.import_file(text.encode(), "考核通报.txt", organ, editor)
    assert result.status == Status.IMPORTED, result.reason
    assert result.assessment_id is None and not Assessment.objects.exists()

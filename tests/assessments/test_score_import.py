"""Score tables in and out: every import error names its row and column, nothing is saved unless
the whole file is valid, and the preview is applied only as it was shown."""

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments import score_io, workflow
from assessments.models import Indicator, Score
from tests import factories
from tests.assessments import factories as af

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def sheet(organ, editor):
    """Two groups; A1.1 and A1.2 apply to all, B1 to cities only, B2 to departments only."""
    assessment = af.make_assessment(organ, editor)
    cities = af.make_group(assessment, "市州人民政府", 0)
    departments = af.make_group(assessment, "省政府部门", 1)
    lanzhou = af.make_unit(
        cities, factories.make_organ(name="兰州市人民政府", short_name="兰州市"), 0
    )
    tianshui = af.make_unit(
        cities, factories.make_organ(name="天水市人民政府", short_name="天水市"), 1
    )
    finance = af.make_unit(departments, factories.make_organ(name="甘肃省财政厅"))
    platform = af.make_indicator(assessment, "A1", 60, name="平台建设")
    leaves = {
        "A1.1": af.make_indicator(assessment, "A1.1", 40, parent=platform, name="政府网站"),
        "A1.2": af.make_indicator(assessment, "A1.2", 20, parent=platform, name="公开专栏"),
        "B1": af.make_indicator(assessment, "B1", 30, group=cities, name="政策解读"),
        "B2": af.make_indicator(assessment, "B2", 30, group=departments, name="依申请公开"),
        "C1": af.make_indicator(assessment, "C1", 5, kind=Indicator.Kind.BONUS, name="加分"),
    }
    return {
        "assessment": assessment,
        "cities": cities,
        "departments": departments,
        "lanzhou": lanzhou,
        "tianshui": tianshui,
        "finance": finance,
        "platform": platform,
        "leaves": leaves,
    }


def upload(text: str, encoding: str = "utf-8-sig", name: str = "成绩表.csv"):
    return SimpleUploadedFile(name, text.encode(encoding))


def check(sheet, text: str, encoding: str = "utf-8-sig"):
    rows = score_io.parse_table(upload(text, encoding))
    return score_io.build_entries(sheet["assessment"], rows)


def scores_of(assessment) -> dict[tuple[str, str], Decimal]:
    return {
        (score.unit.organ.name, score.indicator.code): score.value
        for score in Score.objects.filter(unit__assessment=assessment).select_related(
            "unit__organ", "indicator"
        )
    }


def test_a_valid_csv_gives_entries_for_save_scores(sheet):
    entries, errors = check(
        sheet, "单位名称,A1.1 政府网站,A1.2,B1\n兰州市人民政府,38.5,18,25\n天水市,36,20,0\n"
    )
    assert errors == []
    lanzhou, tianshui, leaves = sheet["lanzhou"], sheet["tianshui"], sheet["leaves"]
    assert entries[(lanzhou.pk, leaves["A1.1"].pk)] == (Decimal("38.5"), "")
    assert entries[(tianshui.pk, leaves["B1"].pk)] == (Decimal("0"), "")
    assert len(entries) == 6


def test_title_rows_reader_columns_full_width_digits_and_remarks_are_understood(sheet, editor):
    af.score(sheet["assessment"], editor, {(sheet["lanzhou"], sheet["leaves"]["A1.2"]): 10})
    Score.objects.filter(indicator=sheet["leaves"]["A1.2"]).update(remark="专栏更新不及时")
    text = (
        "附件1 2016年度市州政府政务公开工作考核成绩表,,,,,\n"
        "序号,单位名称,Ａ１．１,A1.1 备注,A1.2,总分,等次\n"
        "1,兰州市人民政府,３８．５,网站改版,12,50.5,不合格\n"
    )
    entries, errors = check(sheet, text)
    assert errors == []
    lanzhou, leaves = sheet["lanzhou"], sheet["leaves"]
    assert entries[(lanzhou.pk, leaves["A1.1"].pk)] == (Decimal("38.5"), "网站改版")
    assert entries[(lanzhou.pk, leaves["A1.2"].pk)] == (Decimal("12"), "专栏更新不及时"), (
        "without a remark column the remark stays"
    )


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            "单位名称,A1.1\n不存在市人民政府,30\n",
            "第 2 行「单位名称」列：“不存在市人民政府”不是这次考核的考核对象",
        ),
        (
            "单位名称,A1.1,X9 新指标\n兰州市,30,1\n",
            "第 1 行「X9 新指标」列：这次考核没有编号为“X9”的指标",
        ),
        ("单位名称,A1\n兰州市,30\n", "第 1 行「A1」列：A1 是上级指标，只能为末级指标打分"),
        (
            "单位名称,B2\n兰州市,10\n",
            "第 2 行「B2」列：指标 B2 不适用于“兰州市人民政府”所在的分组“市州人民政府”",
        ),
        ("单位名称,A1.2\n兰州市,42\n", "第 2 行「A1.2」列：得分 42 超出范围（0–20）"),
        ("单位名称,C1\n兰州市,5.5\n", "第 2 行「C1」列：得分 5.5 超出范围（0–5）"),
        (
            "单位名称,A1.1\n兰州市人民政府,30\n天水市,30\n兰州市,31\n",
            "第 4 行「单位名称」列：“兰州市”与第 2 行是同一单位，重复了",
        ),
        (
            "单位名称,A1.1,A1.1 政府网站\n兰州市,30,30\n",
            "第 1 行「A1.1 政府网站」列：与「A1.1」列重复",
        ),
        ("单位名称,A1.1,A1.2\n兰州市,30,\n", "第 2 行「A1.2」列：得分为空。不修改的指标请删除整列"),
        ("单位名称,A1.2\n兰州市,优\n", "第 2 行「A1.2」列：“优”不是数字"),
        ("单位名称,A1.2\n兰州市,-3\n", "第 2 行「A1.2」列：得分 -3 超出范围（0–20）"),
        ("单位名称,A1.2\n兰州市,12.345\n", "第 2 行「A1.2」列：得分 12.345 最多保留两位小数"),
        ("单位名称,A1.2\n兰州市,NaN\n", "第 2 行「A1.2」列：“NaN”不是数字"),
        ("单位名称,A1.2\n,12\n", "第 2 行「单位名称」列：单位名称为空"),
        ("单位名称,A1.2,\n兰州市,12,7\n", "第 1 行第 3 列：有数据但缺少列名"),
        ("单位名称,序号\n兰州市,1\n", "表头中没有指标列"),
        ("名称,A1.1\n兰州市,12\n", "找不到表头"),
    ],
    ids=[
        "unknown-unit",
        "unknown-indicator",
        "parent-indicator",
        "not-applicable",
        "out-of-range",
        "bonus-out-of-range",
        "duplicate-unit",
        "duplicate-column",
        "empty-cell",
        "not-a-number",
        "negative",
        "too-many-decimals",
        "nan",
        "blank-unit",
        "column-without-header",
        "no-indicator-column",
        "no-header",
    ],
)
def test_each_import_error_names_its_row_and_column(sheet, table, message):
    _, errors = check(sheet, table)
    assert any(message in error for error in errors), errors


def test_a_column_that_does_not_apply_may_stay_empty(sheet):
    entries, errors = check(sheet, "单位名称,B1,B2\n兰州市,20,\n甘肃省财政厅,,25\n")
    assert errors == []
    assert entries[(sheet["finance"].pk, sheet["leaves"]["B2"].pk)] == (Decimal(25), "")
    assert len(entries) == 2


def test_all_errors_of_a_file_are_reported_at_once(sheet):
    _, errors = check(sheet, "单位名称,A1.1,A1.2\n兰州市,41,x\n某某局,1,1\n")
    assert len(errors) == 3


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_is_read_in_utf8_with_or_without_bom_and_in_gb18030(sheet, encoding):
    entries, errors = check(sheet, "单位名称,A1.1\n兰州市人民政府,38\n", encoding)
    assert errors == []
    assert entries == {(sheet["lanzhou"].pk, sheet["leaves"]["A1.1"].pk): (Decimal(38), "")}


def test_tab_separated_text_is_read_too(sheet):
    entries, errors = check(sheet, "单位名称\tA1.1\n兰州市\t38\n")
    assert errors == [] and len(entries) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "文件是空的"),
        (b"\xa1\xff\xfe\xfd", "无法识别文件编码"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "不是 CSV 或 XLSX"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "不支持旧版 Excel"),
        (b"PK\x03\x04" + b"broken zip" * 20, "无法读取 XLSX"),
    ],
    ids=["empty", "undecodable", "png", "xls", "broken-xlsx"],
)
def test_files_that_are_not_readable_tables_are_refused(content, message):
    with pytest.raises(score_io.TableError, match=message):
        score_io.parse_table(SimpleUploadedFile("成绩表.csv", content))


def test_too_many_rows_are_refused(monkeypatch):
    monkeypatch.setattr(score_io, "MAX_ROWS", 5)
    text = "单位名称,A1.1\n" + "".join(f"单位{n},1\n" for n in range(6))
    with pytest.raises(score_io.TableError, match="文件超过 5 行"):
        score_io.parse_table(upload(text))


def test_a_file_of_endless_blank_rows_is_refused(monkeypatch):
    monkeypatch.setattr(score_io, "MAX_SCANNED_ROWS", 50)
    with pytest.raises(score_io.TableError, match="含空行"):
        score_io.parse_table(upload("单位名称,A1.1\n" + ",\n" * 60 + "兰州市,1\n"))


def test_a_workbook_damaged_inside_its_zip_is_refused():
    workbook = openpyxl.Workbook()
    workbook.active.append(["单位名称", "A1.1"])
    out = io.BytesIO()
    workbook.save(out)
    damaged = io.BytesIO()
    with zipfile.ZipFile(out) as original, zipfile.ZipFile(damaged, "w") as copy:
        for name in original.namelist():
            content = original.read(name)
            copy.writestr(name, content[:40] if name.endswith("sheet1.xml") else content)
    with pytest.raises(score_io.TableError, match="无法读取 XLSX"):
        score_io.parse_table(SimpleUploadedFile("成绩表.xlsx", damaged.getvalue()))


def test_a_workbook_with_data_on_two_sheets_is_refused():
    workbook = openpyxl.Workbook()
    workbook.active.append(["单位名称", "A1.1"])
    workbook.create_sheet("另一个").append(["单位名称", "A1.2"])
    out = io.BytesIO()
    workbook.save(out)
    with pytest.raises(score_io.TableError, match="只能有一个工作表"):
        score_io.parse_table(SimpleUploadedFile("成绩表.xlsx", out.getvalue()))


def test_xlsx_round_trip_export_fill_import_gives_the_same_scores(sheet, editor):
    assessment, cities, leaves = sheet["assessment"], sheet["cities"], sheet["leaves"]
    af.score(assessment, editor, {(sheet["lanzhou"], leaves["A1.1"]): 30})
    workbook = openpyxl.load_workbook(io.BytesIO(score_io.export_xlsx(assessment, cities)))
    worksheet = workbook.active
    header = [cell.value for cell in worksheet[1]]
    assert header == ["单位名称", "A1.1 政府网站", "A1.2 公开专栏", "B1 政策解读", "C1 加分"]
    assert [cell.value for cell in worksheet[2]][:2] == ["兰州市人民政府", 30]
    filled = {
        "兰州市人民政府": [38.5, 18, 25, 2],
        "天水市人民政府": [36, 20, 27.25, 0],
    }
    for row in worksheet.iter_rows(min_row=2):
        for cell, value in zip(row[1:], filled[row[0].value], strict=True):
            cell.value = value
    out = io.BytesIO()
    workbook.save(out)

    rows = score_io.parse_table(SimpleUploadedFile("成绩表.xlsx", out.getvalue()))
    entries, errors = score_io.build_entries(assessment, rows)
    assert errors == []
    workflow.save_scores(assessment, editor, entries)
    codes = [header_text.split()[0] for header_text in header[1:]]
    expected = {
        (name, code): Decimal(str(value))
        for name, values in filled.items()
        for code, value in zip(codes, values, strict=True)
    }
    assert scores_of(assessment) == expected


def test_csv_export_has_a_bom_the_current_scores_and_reads_back(sheet, editor):
    assessment, departments = sheet["assessment"], sheet["departments"]
    af.score(assessment, editor, {(sheet["finance"], sheet["leaves"]["B2"]): 27.5})
    content = score_io.export_csv(assessment, departments)
    assert content.startswith(b"\xef\xbb\xbf")
    lines = content.decode("utf-8-sig").splitlines()
    assert lines[0] == "单位名称,A1.1 政府网站,A1.2 公开专栏,B2 依申请公开,C1 加分"
    assert lines[1] == "甘肃省财政厅,,,27.5,"
    rows = score_io.parse_table(SimpleUploadedFile("t.csv", content.replace(b",,,", b",1,2,")))
    _, errors = score_io.build_entries(assessment, rows)
    assert [e for e in errors if "「C1 加分」列：得分为空" in e], "blank cells must be filled"


def test_names_that_look_like_formulas_are_quoted_in_exports_and_still_match(sheet):
    organ = sheet["finance"].organ
    organ.name = "=HYPERLINK(1)"
    organ.save()
    content = score_io.export_csv(sheet["assessment"], sheet["departments"])
    assert "\n'=HYPERLINK(1)," in content.decode("utf-8-sig")
    rows = score_io.parse_table(SimpleUploadedFile("t.csv", content))
    _, errors = score_io.build_entries(sheet["assessment"], rows)
    assert not [e for e in errors if "不是这次考核的考核对象" in e]


def test_indicators_are_in_tree_order_with_numbers_compared_as_numbers(sheet):
    assessment = sheet["assessment"]
    af.make_indicator(assessment, "A1.10", 1, parent=sheet["platform"])
    codes = [
        i.code for i in score_io.sheet_columns(list(assessment.indicators.all()), sheet["cities"])
    ]
    assert codes == ["A1.1", "A1.2", "A1.10", "B1", "C1"]


# The admin pages: upload → preview → confirm.


def import_url(assessment):
    return reverse("admin:assessments_assessment_import", args=[assessment.pk])


def confirm_url(assessment):
    return reverse("admin:assessments_assessment_import_confirm", args=[assessment.pk])


def post_file(client, assessment, text: str, name="成绩表.csv", encoding="utf-8-sig"):
    return client.post(import_url(assessment), {"file": upload(text, encoding, name)})


def test_preview_shows_every_change_and_saves_nothing(client, editor, sheet):
    assessment = sheet["assessment"]
    af.score(assessment, editor, {(sheet["lanzhou"], sheet["leaves"]["A1.1"]): 30})
    client.force_login(editor)
    response = post_file(client, assessment, "单位名称,A1.1,A1.2\n兰州市,38.5,18\n天水市,30,20\n")
    page = response.content.decode()
    assert response.status_code == 200
    assert "将修改 4 处成绩" in page
    assert "兰州市人民政府" in page and "A1.1 政府网站" in page
    assert '<td class="number">30</td>' in page and '<td class="number">38.5</td>' in page
    assert 'name="payload"' in page
    assert scores_of(assessment) == {("兰州市人民政府", "A1.1"): Decimal(30)}


def test_a_table_equal_to_the_current_scores_has_nothing_to_confirm(client, editor, sheet):
    assessment = sheet["assessment"]
    af.score(assessment, editor, {(sheet["lanzhou"], sheet["leaves"]["A1.1"]): 30})
    client.force_login(editor)
    page = post_file(client, assessment, "单位名称,A1.1\n兰州市,30.00\n").content.decode()
    assert "成绩表与现有成绩一致" in page and 'name="payload"' not in page


def test_confirming_the_preview_saves_the_changes(client, editor, sheet):
    assessment = sheet["assessment"]
    client.force_login(editor)
    response = post_file(client, assessment, "单位名称,A1.1,A1.2\n兰州市,38.5,18\n")
    payload = response.context["payload"]
    response = client.post(confirm_url(assessment), {"payload": payload}, follow=True)
    assert "已导入 2 处成绩修改" in response.content.decode()
    assert scores_of(assessment) == {
        ("兰州市人民政府", "A1.1"): Decimal("38.5"),
        ("兰州市人民政府", "A1.2"): Decimal(18),
    }
    assessment.refresh_from_db()
    assert assessment.last_edited_by == editor


def test_xlsx_upload_through_the_admin(client, editor, sheet):
    assessment = sheet["assessment"]
    workbook = openpyxl.Workbook()
    workbook.active.append(["单位名称", "A1.2"])
    workbook.active.append(["天水市", 19.5])
    out = io.BytesIO()
    workbook.save(out)
    client.force_login(editor)
    file = SimpleUploadedFile("成绩表.xlsx", out.getvalue(), content_type=XLSX)
    response = client.post(import_url(assessment), {"file": file})
    assert "将修改 1 处成绩" in response.content.decode()


def test_a_file_with_one_bad_cell_saves_nothing_and_lists_the_error(client, editor, sheet):
    assessment = sheet["assessment"]
    af.score(assessment, editor, {(sheet["tianshui"], sheet["leaves"]["A1.2"]): 5})
    client.force_login(editor)
    response = post_file(client, assessment, "单位名称,A1.1,A1.2\n兰州市,38,18\n天水市,30,42\n")
    page = response.content.decode()
    assert "第 3 行「A1.2」列：得分 42 超出范围（0–20）" in page
    assert "没有保存任何成绩" in page
    assert 'name="payload"' not in page
    assert scores_of(assessment) == {("天水市人民政府", "A1.2"): Decimal(5)}


def test_a_file_in_the_wrong_format_gets_a_message(client, editor, sheet):
    client.force_login(editor)
    response = post_file(
        client, sheet["assessment"], "单位名称,A1.1\n兰州市,38\n", encoding="utf-16"
    )
    assert "请另存为“CSV UTF-8”或 XLSX" in response.content.decode()


def test_a_tampered_payload_is_refused_and_nothing_is_saved(client, editor, sheet):
    assessment = sheet["assessment"]
    client.force_login(editor)
    payload = post_file(client, assessment, "单位名称,A1.1\n兰州市,38\n").context["payload"]
    forged = signing.dumps(
        {"assessment": assessment.pk, "changes": [[sheet["lanzhou"].pk, 0, None, "40", ""]]},
        salt="another-salt",
    )
    for bad in (payload[:-3] + "xyz", forged, ""):
        response = client.post(confirm_url(assessment), {"payload": bad}, follow=True)
        assert "导入数据校验失败" in response.content.decode()
    assert scores_of(assessment) == {}


def test_a_payload_of_another_assessment_is_refused(client, organ, editor, sheet):
    assessment = sheet["assessment"]
    other = af.make_assessment(organ, editor)
    client.force_login(editor)
    payload = post_file(client, assessment, "单位名称,A1.1\n兰州市,38\n").context["payload"]
    response = client.post(confirm_url(other), {"payload": payload}, follow=True)
    assert "导入数据校验失败" in response.content.decode()
    assert scores_of(assessment) == {}


def test_a_preview_overtaken_by_another_edit_is_not_applied(client, editor, second_editor, sheet):
    assessment, lanzhou, leaves = sheet["assessment"], sheet["lanzhou"], sheet["leaves"]
    client.force_login(editor)
    payload = post_file(client, assessment, "单位名称,A1.1,A1.2\n兰州市,38,18\n").context["payload"]
    af.score(assessment, second_editor, {(lanzhou, leaves["A1.1"]): 12})
    response = client.post(confirm_url(assessment), {"payload": payload}, follow=True)
    assert "预览之后成绩已被修改" in response.content.decode()
    assert scores_of(assessment) == {("兰州市人民政府", "A1.1"): Decimal(12)}


def test_confirm_saves_nothing_if_a_change_became_invalid(client, editor, sheet):
    assessment = sheet["assessment"]
    client.force_login(editor)
    payload = post_file(client, assessment, "单位名称,A1.1,A1.2\n兰州市,38,18\n").context["payload"]
    Indicator.objects.filter(pk=sheet["leaves"]["A1.2"].pk).update(points=10)
    response = client.post(confirm_url(assessment), {"payload": payload}, follow=True)
    assert "导入未保存" in response.content.decode()
    assert scores_of(assessment) == {}


def test_import_is_refused_once_the_assessment_is_submitted(client, editor, sheet):
    assessment = sheet["assessment"]
    client.force_login(editor)
    payload = post_file(client, assessment, "单位名称,A1.1\n兰州市,38\n").context["payload"]
    workflow.submit(assessment, editor)
    assert client.get(import_url(assessment)).status_code == 403
    assert client.post(confirm_url(assessment), {"payload": payload}).status_code == 403
    assert scores_of(assessment) == {}


def workbook_bytes(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def with_member(content: bytes, name: str, replacement: bytes) -> bytes:
    """The workbook with one member's content replaced, or added."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as original,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        for member in original.namelist():
            if member != name:
                copy.writestr(member, original.read(member))
        copy.writestr(name, replacement)
    return out.getvalue()


def small_workbook() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["单位名称", "A1.1"])
    workbook.active.append(["兰州市", 38])
    return workbook_bytes(workbook)


def refused(content: bytes, message: str) -> None:
    import time

    started = time.monotonic()
    with pytest.raises(score_io.TableError, match=message) as caught:
        score_io.parse_table(SimpleUploadedFile("成绩表.xlsx", content))
    assert time.monotonic() - started < 5, "refused, but not fast"
    assert "无法读取 XLSX" in str(caught.value) or "超过" in str(caught.value)


def test_a_sheet_whose_xml_inflates_a_thousandfold_is_refused_fast():
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n) for n in range(1, 3))
    padding = b" " * (25 * 1024 * 1024)
    sheet_xml = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>" + rows + padding + b"</sheetData></worksheet>"
    )
    bomb = with_member(small_workbook(), "xl/worksheets/sheet1.xml", sheet_xml)
    assert len(bomb) < 100 * 1024
    refused(bomb, "压缩炸弹|解压后超过")


def test_a_sheet_with_entity_declarations_is_refused():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    refused(with_member(small_workbook(), "xl/worksheets/sheet1.xml", laughs), "实体声明")


def test_xml_nested_too_deep_is_refused():
    deep = b"<a>" * 5000 + b"</a>" * 5000
    sheet_xml = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData/><extLst>" + deep + b"</extLst></worksheet>"
    )
    refused(with_member(small_workbook(), "xl/worksheets/sheet1.xml", sheet_xml), "嵌套超过")


def test_an_oversized_sheet_is_refused_by_its_cells(monkeypatch):
    monkeypatch.setattr(score_io, "MAX_CELLS", 1000)
    workbook = openpyxl.Workbook(write_only=True)
    worksheet = workbook.create_sheet()
    for row in range(30):
        worksheet.append([f"单位{row}", *range(49)])
    with pytest.raises(score_io.TableError, match="超过 1000 个单元格"):
        score_io.parse_table(SimpleUploadedFile("成绩表.xlsx", workbook_bytes(workbook)))


def test_reading_stops_at_the_deadline(monkeypatch):
    monkeypatch.setattr(score_io, "READ_SECONDS", -1)
    with pytest.raises(score_io.TableError, match="超时"):
        score_io.parse_table(SimpleUploadedFile("成绩表.xlsx", small_workbook()))


def test_a_macro_enabled_workbook_is_refused():
    content = with_member(small_workbook(), "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0")
    refused(content, "宏")

"""Editors compare published versions side by side and restore one as a draft for review."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core import text_diff
from notices import versions, workflow
from notices.models import Notice
from tests import factories


def correct(notice, editor, reviewer, **changes):
    correction = workflow.start_correction(notice, editor)
    for field, value in changes.items():
        setattr(correction, field, value)
    correction.change_note = correction.change_note or "更正"
    workflow.save_draft(correction, editor)
    workflow.submit(correction, editor)
    return workflow.approve(correction, reviewer)


@pytest.fixture
def corrected(notice_in, editor, reviewer):
    notice = notice_in(
        "in_review",
        title="第一版标题",
        body="<h2>一、总体情况</h2><p>原来的段落。</p><p>不变的段落。</p>",
    )
    factories.make_attachment(notice, "成绩表")
    notice = workflow.approve(notice, reviewer)
    return correct(
        notice,
        editor,
        reviewer,
        title="第二版标题",
        body="<h2>一、总体情况</h2><p>改过的段落。</p><p>不变的段落。</p>",
        change_note="更正标题和第一段",
    )


def versions_url(notice, **query):
    url = reverse("admin:notices_notice_versions", args=[notice.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_body_lines_follow_paragraphs_not_tags():
    assert text_diff.body_lines(
        "<h2>标题</h2><p>第一段&amp;<strong>加粗</strong></p><ul><li>一项</li></ul>"
    ) == [
        "标题",
        "第一段&加粗",
        "一项",
    ]


def test_editor_sees_two_versions_side_by_side(client, editor, corrected):
    client.force_login(editor)
    page = client.get(versions_url(corrected)).content.decode()
    assert "第 1 版 → 第 2 版" in page
    assert '标题<span class="review-diff__flag">有改动</span>' in page
    assert '文号<span class="review-diff__flag">' not in page
    assert "<del>原来</del>的段落" in page and "<ins>改过</ins>的段落" in page
    assert "<ins>第二版</ins>" not in page, "only the changed characters are marked"
    assert "第<del>一</del>版标题" in page and "第<ins>二</ins>版标题" in page


def test_unknown_version_number_gives_a_message_not_an_error(client, editor, corrected):
    client.force_login(editor)
    response = client.get(versions_url(corrected, a=99, b="x"))
    assert response.status_code == 200
    assert "没有这个版本" in response.content.decode()


def test_editor_of_another_organ_cannot_see_versions(client, other_editor, corrected):
    client.force_login(other_editor)
    assert client.get(versions_url(corrected)).status_code == 404


def test_restore_opens_a_correction_that_goes_through_review(client, editor, reviewer, corrected):
    client.force_login(editor)
    url = reverse("admin:notices_notice_restore", args=[corrected.pk, 1])
    response = client.post(url)
    correction = Notice.objects.get(correction_of=corrected)
    assert response["Location"] == reverse("admin:notices_notice_change", args=[correction.pk])
    assert correction.title == "第一版标题"
    assert "原来的段落" in correction.body
    assert correction.status == Notice.Status.DRAFT
    assert [a.title for a in correction.attachments.all()] == ["成绩表"]
    assert Notice.objects.get(pk=corrected.pk).title == "第二版标题", "live until reviewed"

    workflow.submit(correction, editor)
    restored = workflow.approve(correction, reviewer)
    assert restored.title == "第一版标题"
    assert restored.versions.count() == 3
    assert restored.versions.get(number=3).change_note == "恢复为第 1 版的内容"


def test_restore_refuses_while_another_correction_is_open(editor, corrected):
    workflow.start_correction(corrected, editor)
    with pytest.raises(workflow.WorkflowError, match="更正稿"):
        workflow.restore_version(corrected, corrected.versions.get(number=1), editor)


@pytest.mark.parametrize("who", ["reviewer", "auditor", "other_editor"])
def test_only_editors_of_the_organ_restore(request, corrected, who):
    with pytest.raises(PermissionDenied):
        workflow.restore_version(
            corrected, corrected.versions.get(number=1), request.getfixturevalue(who)
        )
    assert not Notice.objects.filter(correction_of=corrected).exists()


def test_tokens_keep_numbers_and_latin_words_whole():
    assert text_diff.tokens("于2027年印发PDF版，共1,563,668条（95.5%）") == [
        "于", "2027", "年", "印", "发", "PDF", "版", "，", "共", "1,563,668", "条", "（",
        "95.5%", "）",
    ]  # fmt: skip


def test_a_changed_year_is_marked_as_a_whole_number():
    old, new = text_diff.inline_diff("于2026年12月印发", "于2027年12月印发")
    assert [s for s in old if s.change] == [text_diff.Segment("2026", "del")]
    assert [s for s in new if s.change] == [text_diff.Segment("2027", "ins")]
    assert "".join(s.text for s in new) == "于2027年12月印发"


def test_paragraphs_added_and_removed_face_an_empty_side():
    rows = versions.compare_lines(["甲。", "乙。", "丙。"], ["甲。", "丙。", "丁。"])
    assert [(row.old_text, row.new_text, row.changed) for row in rows] == [
        ("甲。", "甲。", False),
        ("乙。", "", True),
        ("丙。", "丙。", False),
        ("", "丁。", True),
    ]


def test_table_rows_compare_as_lines_with_their_cells():
    lines = text_diff.body_lines(
        "<table><tr><th>单位</th><th>得分</th></tr><tr><td>兰州市</td><td>95</td></tr></table>"
    )
    assert lines == ["单位 | 得分", "兰州市 | 95"]


@pytest.mark.django_db
def test_values_are_shown_as_a_reader_writes_them():
    assert versions.display("genre", "notice") == "通知"
    assert versions.display("signed_on", "2017-11-08") == "2017年11月8日"
    assert versions.display("published_at", "2017-11-08T02:30:00+00:00") == "2017年11月8日 10:30"
    assert versions.display("keywords", "") == "—"


def review_page(client, user, notice) -> str:
    client.force_login(user)
    response = client.get(reverse("admin:notices_notice_change", args=[notice.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_reviewer_reads_the_body_as_published_not_its_source(client, reviewer, notice_in):
    notice = notice_in(
        "in_review",
        body='<h2 class="text-center">一、总体情况</h2><p>正文&amp;段落。</p>'
        '<p class="text-right">甘肃省人民政府办公厅</p><script>alert(1)</script>',
    )
    page = review_page(client, reviewer, notice)
    panel = page[page.index('id="review-body-heading"') :]
    assert '<div class="notice__body"><h2 class="text-center">一、总体情况</h2>' in panel
    assert '<p class="text-right">甘肃省人民政府办公厅</p>' in panel
    assert "<script>alert(1)" not in page
    assert "css/notice-body.css" in page


def test_draft_shows_no_review_panels(client, editor, notice_in):
    page = review_page(client, editor, notice_in("draft"))
    assert "review-body-heading" not in page and "review-comparison-heading" not in page


def test_correction_in_review_is_compared_with_the_published_version(
    client, editor, reviewer, notice_in
):
    notice = notice_in(
        "published",
        title="关于2026年工作的通知",
        signed_on=datetime.date(2026, 3, 1),
        body="<p>各单位于2026年底前报送。</p><p>不变的段落。</p>",
    )
    correction = workflow.start_correction(notice, editor)
    correction.title = "关于2027年工作的通知"
    # The genre by its stored code, whether the field holds the code or points at it.
    setattr(correction, Notice._meta.get_field("genre").attname, "opinion")
    correction.signed_on = datetime.date(2026, 3, 2)
    correction.body = "<p>各单位于2027年底前报送。</p><p>不变的段落。</p><p>新增的段落。</p>"
    correction.change_note = "更正年份"
    workflow.save_draft(correction, editor)
    correction = workflow.submit(correction, editor)

    page = review_page(client, reviewer, correction)
    panel = page[page.index('id="review-comparison-heading"') :]
    assert "已发布（第 1 版）" in panel and "更正稿" in panel
    assert "关于<del>2026</del>年工作的通知" in panel
    assert "关于<ins>2027</ins>年工作的通知" in panel
    assert "各单位于<del>2026</del>年底前报送。" in panel
    assert "<ins>新增的段落。</ins>" in panel
    assert "<del>通知</del>" in panel and "<ins>意见</ins>" in panel
    assert "2026年3月<del>1</del>日" in panel and "2026年3月<ins>2</ins>日" in panel
    assert "改动的项目：标题、体裁、成文日期、正文。" in " ".join(panel.split())
    assert "027年" not in panel.replace("2027年", "")


def test_a_version_reads_as_fields_and_paragraphs(corrected):
    rows = dict(versions.content_rows(corrected.versions.get(number=1).content))
    assert rows["标题"] == "第一版标题"
    assert rows["正文"] == "一、总体情况\n原来的段落。\n不变的段落。"
    assert rows["附件"].startswith("成绩表（")


REPORT_TABLE = (
    "<p>二、主动公开政府信息情况</p>"
    "<table><caption>表一 规章和规范性文件</caption>"
    "<tr><th>信息内容</th><th>本年制发件数</th><th>本年废止件数</th><th>现行有效件数</th></tr>"
    "<tr><td>规章</td><td>3</td><td>0</td><td>41</td></tr>"
    "<tr><td>行政规范性文件</td><td>12</td><td>2</td><td>130</td></tr>"
    "</table><p>三、收到和处理政府信息公开申请情况</p>"
)


def test_a_table_is_compared_row_by_row_and_cell_by_cell():
    corrected = REPORT_TABLE.replace("<td>12</td><td>2</td>", "<td>13</td><td>2</td>").replace(
        "</table>", "<tr><td>行政许可</td><td>7</td><td>0</td><td>7</td></tr></table>"
    )
    compared = versions.compare_body(REPORT_TABLE, corrected)
    paragraphs = [row for row in compared if not row.is_table]
    (table,) = [row for row in compared if row.is_table]
    assert [row.old_text for row in paragraphs] == [
        "二、主动公开政府信息情况",
        "表一 规章和规范性文件",
        "三、收到和处理政府信息公开申请情况",
    ]
    assert not any(row.changed for row in paragraphs)
    header, rules, normative, added = table.rows
    assert not header.changed and not rules.changed
    # Only the changed cell is marked, as a whole number; the other cells stay plain.
    assert [[s.change for s in cell] for cell in normative.old] == [[""], ["del"], [""], [""]]
    assert "".join(s.text for s in normative.new[1]) == "13"
    assert added.old is None and [cell[0].change for cell in added.new] == ["ins"] * 4
    assert table.width == 4


def test_paragraphs_and_tables_keep_their_order_when_both_change():
    corrected = REPORT_TABLE.replace("<td>41</td>", "<td>42</td>").replace(
        "三、收到", "三、收到（更正）"
    )
    kinds = [(row.is_table, row.changed) for row in versions.compare_body(REPORT_TABLE, corrected)]
    assert kinds == [(False, False), (False, False), (True, True), (False, True)]


def test_a_correction_of_an_annual_report_shows_its_tables_cell_by_cell(
    client, editor, reviewer, notice_in
):
    report = notice_in(
        "published", genre="annualreport", title="2025年政府信息公开工作年度报告", body=REPORT_TABLE
    )
    correction = workflow.start_correction(report, editor)
    correction.body = REPORT_TABLE.replace("<td>130</td>", "<td>131</td>")
    correction.change_note = "更正现行有效件数"
    workflow.save_draft(correction, editor)
    correction = workflow.submit(correction, editor)
    page = review_page(client, reviewer, correction)
    panel = page[page.index('id="review-comparison-heading"') :]
    assert '<table class="review-table">' in panel
    assert "<td><del>130</del></td>" in panel and "<td><ins>131</ins></td>" in panel
    assert "<td>行政规范性文件</td><td>12</td>" in panel
    assert " | " not in panel  # no row flattened into "a | b | c"


def test_every_field_a_correction_can_change_is_compared():
    compared = set(versions.FIELD_ORDER) | {"body"}
    assert set(workflow.CONTENT_FIELDS) <= compared


def test_a_correction_of_an_interpretation_shows_its_document_form_and_video(
    client, editor, reviewer, notice_in
):
    first = notice_in("published", title="甘肃省政务公开工作规范化管理办法")
    second = notice_in("published", title="甘肃省政府信息公开申请办理办法")
    interpretation = notice_in(
        "published",
        title="《办法》解读",
        genre="interpretation",
        interpretation_form="text",
        interprets=first,
    )
    correction = workflow.start_correction(interpretation, editor)
    correction.interprets = second
    correction.interpretation_form = "video"
    correction.video_url = "https://www.gansu.gov.cn/video/jiedu.mp4"
    correction.change_note = "更正所解读的文件"
    workflow.save_draft(correction, editor)
    correction = workflow.submit(correction, editor)

    panel = review_page(client, reviewer, correction)
    panel = " ".join(panel[panel.index('id="review-comparison-heading"') :].split())
    assert "改动的项目：解读的文件、解读形式、视频地址。" in panel
    assert "<td>甘肃省政<del>务</del>公开<del>工作规范化管</del>理办法</td>" in panel
    assert "<td>甘肃省政<ins>府信息</ins>公开<ins>申请办</ins>理办法</td>" in panel
    assert "<td><del>文字</del>解读</td>" in panel and "<td><ins>视频</ins>解读</td>" in panel
    assert "<ins>https://www.gansu.gov.cn/video/jiedu.mp4</ins>" in panel


def test_a_notice_that_is_no_interpretation_shows_no_interpretation_rows(corrected):
    rows = dict(versions.content_rows(corrected.versions.get(number=1).content))
    assert "解读的文件" not in rows and "视频地址" not in rows
    comparison = versions.compare_content(
        corrected.versions.get(number=1).content, corrected.versions.get(number=2).content, "", ""
    )
    assert "解读的文件" not in [row.label for row in comparison.fields]

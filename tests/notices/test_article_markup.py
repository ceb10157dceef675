"""The notice page's article is written by the notice_article tag and the parts template in the
markup its template wrote (tests/notices/notice_article.html, the old block)."""

import re
from pathlib import Path

from django.template import Context, Template
from django.test import RequestFactory
from django.utils.safestring import mark_safe

from notices import workflow
from notices.models import Notice
from notices.sanitize import displayed_html
from notices.views import NOTICE_PAGE, notice_context, render_notice
from tests import factories
from tests.assessments.test_portal import sheet_in  # noqa: F401 - a fixture

OLD_ARTICLE = (Path(__file__).parent / "notice_article.html").read_text()


def collapsed(markup: str) -> str:
    """Markup with each run of white space as one space: the same document to a browser."""
    return re.sub(r"\s+", " ", markup).strip()


def both_ways(notice: Notice, preview: bool = False) -> tuple[str, str]:
    request = RequestFactory().get(notice.get_absolute_url())
    page = render_notice(request, notice, preview=preview).content.decode()
    start = page.index('<main id="main"')
    written = page[page.index(">", start) + 1 : page.index("</main>")]
    context = notice_context(notice, preview)
    shown_body = mark_safe(displayed_html(notice.body, notice.body_seal))  # noqa: S308
    expected = Template(OLD_ARTICLE).render(Context({**context, "shown_body": shown_body}))
    return collapsed(written), collapsed(expected)


def test_every_kind_of_notice_page_is_written_as_the_template_wrote_it(
    notice_in, organ, editor, reviewer
):
    organ.name = "省<政府>办公厅"
    organ.save()
    full = notice_in(
        "published",
        title='关于"考核"<结果>的通报',
        document_number="甘政办发〔2017〕136号",
        summary="通报2016年考核<情况>",
        body="<h2>一、总体情况</h2><p>全省共公开信息。</p>",
    )
    full.topics.set([factories.make_topic("政务公开")])
    factories.make_attachment(full, "成绩表<一>")
    full.citations.create(title="引用的<文件>", document_number="甘政办发〔2016〕70号")
    correction = workflow.start_correction(full, editor)
    correction.title = "关于考核结果的通报（更正）"
    correction.change_note = "更正<标题>"
    correction.save()
    workflow.submit(correction, editor)
    workflow.approve(correction, reviewer)
    bare = notice_in("published", title="关于放假的通知", summary="", document_number="")
    unsealed = notice_in("published")
    Notice.objects.filter(pk=unsealed.pk).update(body='<p>正文</p><img src=x onerror="x()">')

    for notice in (full, bare, unsealed):
        written, expected = both_ways(NOTICE_PAGE.get(notice.pk))
        assert written == expected
    draft = Notice.objects.get(pk=notice_in("draft").pk)
    written, expected = both_ways(draft, preview=True)
    assert written == expected
    assert "预览：当前状态为“草稿”" in written
    page, _ = both_ways(NOTICE_PAGE.get(full.pk))
    for shown in (
        "关于考核结果的通报（更正）",
        "甘政办发〔2017〕136号",
        "通报2016年考核&lt;情况&gt;",
    ):
        assert shown in page
    for part in ("成绩表&lt;一&gt;", "《引用的&lt;文件&gt;》", "更正&lt;标题&gt;"):
        assert part in page
    assert "<h2>一、总体情况</h2>" in page
    assert "onerror" not in both_ways(NOTICE_PAGE.get(unsealed.pk))[0]


def test_the_assessment_link_is_written_as_the_template_wrote_it(notice_in, sheet_in):  # noqa: F811
    notice = notice_in("published", title="关于2016年政务公开工作考核情况的通报")
    sheet_in("published", notice=notice)
    written, expected = both_ways(NOTICE_PAGE.get(notice.pk))
    assert written == expected
    assert "查看考核结果" in written

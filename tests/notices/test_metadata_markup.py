"""The notice page's metadata table (a Jinja2 template) is written in the markup its Django
template wrote (tests/notices/metadata_table.html)."""

import datetime
from pathlib import Path

from django.template import Context, Template

from core import templating
from notices.models import Notice
from notices.views import NOTICE_PAGE, topic_paths_of
from tests import factories

# The table as templates/notices/notice_detail.html had it.
TEMPLATE_TABLE = (Path(__file__).parent / "metadata_table.html").read_text()


def both_ways(notice: Notice) -> tuple[str, str]:
    paths = topic_paths_of(notice)
    expected = Template(TEMPLATE_TABLE).render(Context({"notice": notice, "topic_paths": paths}))
    context = {"notice": notice, "topic_paths": paths}
    written = "  " + templating.render("notices/metadata.html", context) + "\n"
    return written, expected


def test_every_kind_of_metadata_is_written_as_the_template_wrote_it(notice_in, organ):
    organ.name = "省<政府>办公厅"
    organ.save()
    parent = factories.make_topic("综合政务")
    topics = [factories.make_topic("政务公开 & 考核", parent=parent), factories.make_topic("其他")]
    full = notice_in(
        "published",
        title='关于"考核"<结果>的通报',
        document_number="甘政办发〔2017〕136号",
        signed_on=datetime.date(2017, 9, 30),
        keywords="考核 通报",
        validity=Notice.Validity.REPEALED,
        validity_changed_on=datetime.date(2020, 1, 1),
    )
    full.topics.set(topics)
    bare = notice_in("published", title="关于放假的通知", keywords="")
    draft = notice_in("draft")  # no 索引号 and no publication date yet
    for notice in (full, bare):
        written, expected = both_ways(NOTICE_PAGE.get(notice.pk))
        assert written == expected
    written, expected = both_ways(draft)
    assert written == expected
    assert "（发布时生成）" in written
    page, _ = both_ways(NOTICE_PAGE.get(full.pk))
    assert "省&lt;政府&gt;办公厅" in page
    assert "<td>其他；综合政务 › 政务公开 &amp; 考核</td>" in page  # in the topics' order
    assert "关于&quot;考核&quot;&lt;结果&gt;的通报" in page
    assert "废止（2020-01-01起）" in page

"""A notice page suggests public notices of the same 文件 series or of the same topics."""

import datetime

from django.utils import timezone

from notices import related
from tests import factories


def pks(rows) -> list[int]:
    return [row.pk for row in rows]


def days_ago(days: int):
    return timezone.now() - datetime.timedelta(days=days)


def test_series_prefix_is_the_issuers_code_and_opening_bracket():
    assert related.series_prefix("甘政办发〔2017〕136号") == "甘政办发〔"
    assert related.series_prefix("甘政办发[2017]136号") == "甘政办发〔"
    assert related.series_prefix("国务院令第711号") == ""
    assert related.series_prefix("") == ""
    assert related.series_prefix("不是文号") == ""


def test_related_are_same_series_or_topic_public_and_newest_first(
    notice_in, other_organ, editor, reviewer
):
    topic, elsewhere = factories.make_topic(), factories.make_topic()
    notice = notice_in("published", document_number="甘政办发〔2017〕136号")
    notice.topics.set([topic])
    series_old = notice_in(
        "published", document_number="甘政办发〔2016〕70号", published_at=days_ago(30)
    )
    same_topic = notice_in("published", published_at=days_ago(2))
    same_topic.topics.set([topic, elsewhere])
    unrelated = notice_in("published", document_number="甘政发〔2017〕1号")
    unrelated.topics.set([elsewhere])
    draft = notice_in("draft", document_number="甘政办发〔2018〕1号")
    withdrawn = notice_in("withdrawn")
    withdrawn.topics.set([topic])
    other_editor = factories.make_editor(other_organ)
    other_reviewer = factories.make_reviewer(other_organ)
    # Another organ's number with the same characters is another series.
    theirs = factories.make_notice(
        other_organ, other_editor, other_reviewer, document_number="甘政办发〔2015〕9号"
    )
    found = pks(related.related_notices(notice))
    assert found == [same_topic.pk, series_old.pk]
    for hidden in (notice, unrelated, draft, withdrawn, theirs):
        assert hidden.pk not in found
    assert pks(related.related_notices(notice, limit=1)) == [same_topic.pk]


def test_the_notice_page_lists_its_related_notices(client, notice_in):
    topic = factories.make_topic()
    notice = notice_in("published", title="关于主页面的通知")
    notice.topics.set([topic])
    sibling = notice_in("published", title="同一主题的另一份通知")
    sibling.topics.set([topic])
    page = client.get(notice.get_absolute_url()).content.decode()
    section = page.split('<section class="related-notices"')[1]
    assert "相关信息" in section and sibling.get_absolute_url() in section
    alone = notice_in("published", title="没有相关信息的通知")
    assert "related-notices" not in client.get(alone.get_absolute_url()).content.decode()


def test_related_notices_are_kept_for_every_notice_of_the_same_topics_until_a_publication(
    notice_in, settings, django_assert_num_queries, django_capture_on_commit_callbacks
):
    settings.PORTAL_LISTS_CACHE_SECONDS = 300
    topic = factories.make_topic()
    first, second, older = (
        notice_in("published", published_at=days_ago(days)) for days in (1, 2, 3)
    )
    for notice in (first, second, older):
        notice.topics.set([topic])
        notice.filed_topic_paths = [topic.path]  # as the notice page's query gives them
    assert pks(related.related_notices(first)) == [second.pk, older.pk]
    with django_assert_num_queries(0):  # another notice of the same topics: kept
        assert pks(related.related_notices(second)) == [first.pk, older.pk]

    with django_capture_on_commit_callbacks(execute=True):  # a publication changes the notices
        newest = notice_in("published")
        newest.topics.set([topic])
    assert related.related_notices(second)[0].pk == newest.pk


def test_a_notice_of_no_topic_and_no_series_looks_for_nothing(notice_in, django_assert_num_queries):
    notice = notice_in("published", document_number="")
    notice.filed_topic_paths = []
    with django_assert_num_queries(0):
        assert related.related_notices(notice) == []

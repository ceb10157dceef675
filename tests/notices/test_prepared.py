"""The notice page's prepared query gives what the ORM's queryset gives, at the given instant."""

import datetime
import threading

import pytest
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from notices import prepared
from notices.models import Notice
from notices.views import NOTICE_PAGE
from tests import factories


def orm_lookup(pk: int, at=None) -> Notice | None:
    return NOTICE_PAGE.build(at or timezone.now(), pk).first()


def loaded(notice: Notice) -> dict:
    fields = {field.attname: getattr(notice, field.attname) for field in Notice._meta.fields}
    parts = ("has_attachments", "has_citations", "has_change_notes", "filed_topic_ids")
    return {
        **fields,
        **{name: getattr(notice, name) for name in parts},
        "organ": (notice.organ.pk, notice.organ.name),
        "assessment": getattr(notice, "assessment", None),
    }


def test_a_notice_comes_with_its_organ_parts_and_topics_as_from_the_orm(
    notice_in, django_assert_num_queries
):
    notice = notice_in("published")
    factories.make_attachment(notice)
    topics = [factories.make_topic(), factories.make_topic()]
    notice.topics.set(topics)
    plain = notice_in("published")
    for each in (notice, plain):
        with django_assert_num_queries(1):
            found = NOTICE_PAGE.get(each.pk)
            shown = loaded(found)
        assert shown == loaded(orm_lookup(each.pk))
        assert found._state.db == "default"
        assert not found._state.adding
    assert not shown["has_attachments"]  # of the plain notice
    assert NOTICE_PAGE.get(notice.pk).has_attachments
    assert sorted(NOTICE_PAGE.get(notice.pk).filed_topic_ids.split(",")) == sorted(
        str(topic.pk) for topic in topics
    )


def test_the_publication_rule_is_taken_at_the_given_instant(notice_in):
    due = timezone.now() + datetime.timedelta(hours=1)
    scheduled = notice_in("scheduled", published_at=due)
    assert NOTICE_PAGE.get(scheduled.pk) is None
    assert NOTICE_PAGE.get(scheduled.pk, at=due - datetime.timedelta(seconds=1)) is None
    assert NOTICE_PAGE.get(scheduled.pk, at=due).pk == scheduled.pk


@pytest.mark.parametrize("state", ["draft", "in_review"])
def test_what_the_queryset_leaves_out_is_not_found(notice_in, state):
    assert NOTICE_PAGE.get(notice_in(state).pk) is None


def test_a_withdrawal_page_is_found(notice_in, reviewer):
    notice = notice_in("withdrawn")
    assert NOTICE_PAGE.get(notice.pk).status == Notice.Status.WITHDRAWN


@pytest.mark.parametrize("pk", [0, -1, 10**12, 2**63, -(2**63) - 1, 10**30])
def test_keys_of_no_row_or_out_of_the_columns_range_find_nothing(db, pk):
    assert NOTICE_PAGE.get(pk) is None


def test_a_query_that_takes_the_instant_twice_is_refused(db):
    twice = prepared.PreparedLookup(
        Notice,
        lambda at, pk: Notice.objects.filter(
            Q(published_at__lte=at) | Q(withdrawn_at__lte=at), pk=pk
        ),
    )
    with pytest.raises(ValueError, match="2 times"):
        twice.get(1)


@pytest.mark.django_db(transaction=True)
def test_a_lookup_prepared_in_one_thread_serves_another(notice_in):
    notice = notice_in("published")
    here = NOTICE_PAGE.get(notice.pk)
    found = {}

    def look_up():
        try:
            found["notice"] = NOTICE_PAGE.get(notice.pk)
        finally:
            connection.close()

    worker = threading.Thread(target=look_up)
    worker.start()
    worker.join()
    assert loaded(found["notice"]) == loaded(here)

"""The hot queries written out as SQL (notices/prepared.py) give what the ORM's querysets of the
same rows give, at the given instant; on PostgreSQL each is prepared on the server once per
connection."""

import dataclasses
import datetime
import threading

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from notices import prepared, views
from notices.forms import NoticeFilterForm
from notices.listed import ListedNotice
from notices.models import Notice, Topic
from notices.views import NOTICE_PAGE
from tests import factories


def orm_lookup(pk: int, at=None) -> Notice | None:
    return NOTICE_PAGE.query.orm(at=at or timezone.now(), pk=pk).first()


def loaded(notice: Notice) -> dict:
    fields = {field.attname: getattr(notice, field.attname) for field in Notice._meta.fields}
    parts = ("has_attachments", "has_citations", "has_change_notes", "filed_topic_paths")
    return {
        **fields,
        **{name: getattr(notice, name) for name in parts},
        "organ": (notice.organ.pk, notice.organ.name),
        "assessment": views.published_assessment(notice),
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
    in_order = Topic.objects.filter(pk__in=[topic.pk for topic in topics])
    assert NOTICE_PAGE.get(notice.pk).filed_topic_paths == [topic.path for topic in in_order]


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


# The catalogue's first page: compiled once per combination of filters.


def catalogue_rows(filters: dict, at=None) -> list[dict]:
    found = views.CATALOGUE_FIRST_PAGE.all(size=views.PAGE_SIZE, at=at or timezone.now(), **filters)
    return [loaded_row(notice) for notice in found]


def orm_rows(filters: dict, at=None) -> list[dict]:
    queryset = views.catalogue(Notice.objects.published(at), filters)[: views.PAGE_SIZE]
    return [loaded_row(notice) for notice in queryset]


def loaded_row(notice) -> dict:
    """A catalogue row as a dict of its values; a notice from the ORM as the row a list shows."""
    row = notice if isinstance(notice, ListedNotice) else ListedNotice.of(notice)
    return {"id": row.pk, **dataclasses.asdict(row)}


def published_by(organ, **fields) -> Notice:
    """A published notice of ``organ``, written and approved by its own editor and reviewer."""
    editor, reviewer = factories.make_editor(organ), factories.make_reviewer(organ)
    return factories.make_notice(organ, editor, reviewer, "published", **fields)


def test_every_combination_of_filters_gives_the_orms_rows(notice_in, organ, other_organ):
    parent = factories.make_topic("综合政务")
    child = factories.make_topic("政务公开", parent=parent)
    zone = timezone.get_current_timezone()
    moments = [
        datetime.datetime(2023, 12, 31, 23, 59, 59, 999999, tzinfo=zone),  # the year's edges
        datetime.datetime(2024, 1, 1, tzinfo=zone),
        datetime.datetime(2024, 7, 1, 12, tzinfo=zone),
    ]
    for number, moment in enumerate(moments):
        notice = notice_in(
            "published",
            published_at=moment,
            genre=["notice", "circular"][number % 2],
            validity=["valid", "expired"][number % 2],
            validity_changed_on=[None, datetime.date(2024, 1, 1)][number % 2],
        )
        notice.topics.set([[parent], [child], []][number])
    published_by(other_organ, genre="notice")
    notice_in("draft", genre="notice")
    # The first of these is interpreted by a published interpretation, the second only by a
    # draft one.
    interpreted, drafted = Notice.objects.published().order_by("pk")[:2]
    notice_in(
        "published",
        genre="interpretation",
        interprets=interpreted,
        published_at=datetime.datetime(2022, 6, 1, tzinfo=zone),
    )
    notice_in("draft", genre="interpretation", interprets=drafted)
    choices = {
        "organ": [organ.pk, other_organ.pk],
        "topic": [parent.pk, child.pk],
        "genre": ["notice", "circular"],
        "year": ["2023", "2024"],
        "validity": ["valid", "expired"],
        "interpreted": ["1"],
    }
    combinations = [{}] + [{name: value} for name, values in choices.items() for value in values]
    combinations += [
        {"organ": organ.pk, "genre": "notice", "year": "2024"},
        {"topic": parent.pk, "year": "2024", "validity": "valid"},
        {"organ": other_organ.pk, "topic": child.pk},
        {"interpreted": "1", "year": "2023"},
        {"interpreted": "1", "organ": other_organ.pk},
    ]
    seen = set()
    for query in combinations:
        form = NoticeFilterForm({name: str(value) for name, value in query.items()})
        assert form.is_valid(), form.errors
        filters = form.query_values()
        rows = catalogue_rows(filters)
        assert rows == orm_rows(filters), query
        seen.update(row["id"] for row in rows)
        if "year" in query:
            year = int(query["year"])
            assert {row["published_at"].astimezone(zone).year for row in rows} <= {year}
            if len(query) == 1:  # the last moment of 2023, then the first of 2024 and one more
                assert len(rows) == {2023: 1, 2024: 2}[year]
    assert len(seen) == 5  # every published notice is found by some combination
    assert [row["id"] for row in catalogue_rows({"interpreted": True})] == [interpreted.pk]
    # Rows, not notices: no body read, no model instance built.
    assert type(views.CATALOGUE_FIRST_PAGE.all(size=1, at=timezone.now())[0]) is ListedNotice


def test_the_catalogue_is_taken_at_the_given_instant(notice_in):
    due = timezone.now() + datetime.timedelta(hours=1)
    scheduled = notice_in("scheduled", published_at=due)
    assert scheduled.pk not in [row["id"] for row in catalogue_rows({})]
    assert [row["id"] for row in catalogue_rows({}, at=due)] == [scheduled.pk]


def test_a_longer_list_of_topics_is_prepared_on_its_own(notice_in):
    topics = [factories.make_topic() for _ in range(3)]
    tagged = notice_in("published")
    tagged.topics.set([topics[2]])
    assert catalogue_rows({"topic_ids": [topics[0].pk]}) == []
    assert [row["id"] for row in catalogue_rows({"topic_ids": [t.pk for t in topics]})] == [
        tagged.pk
    ]


# Later pages: one statement per combination of filters, the offset one of its values.


def anew(query: prepared.SQLQuery) -> prepared.SQLQuery:
    """The same query with no statement made yet (so that a test sees what it makes)."""
    return prepared.SQLQuery(sql=query.sql, read=query.read, orm=query.orm, shape=query.shape)


def later_pages():
    return anew(views.CATALOGUE_LATER_PAGE)


def test_later_pages_give_the_orms_rows_with_one_statement_for_every_offset(notice_in, other_organ):
    now = timezone.now()
    for days in range(7):
        notice_in(
            "published",
            published_at=now - datetime.timedelta(days=days),
            genre=["notice", "circular"][days % 2],
        )
    published_by(other_organ, genre="circular")
    query = later_pages()
    for chosen in ({}, {"genre": "circular"}, {"organ": str(other_organ.pk)}):
        form = NoticeFilterForm(chosen)
        assert form.is_valid(), form.errors
        filters = form.query_values()
        ordered = views.catalogue(Notice.objects.published(now), filters)
        for offset in range(10):
            found = query.all(size=2, at=now, offset=offset, **filters)
            rows = [loaded_row(notice) for notice in found]
            expected = [loaded_row(notice) for notice in ordered[offset : offset + 2]]
            assert rows == expected, (chosen, offset)
        assert rows == [] and expected == []  # past the end
    if connection.vendor == "postgresql":
        assert len(query._statements) == 3  # one per combination of filters, whatever the offset
    assert type(query.all(size=2, at=now, offset=1)[0]) is ListedNotice


# Pages after or before a notice: one statement per direction and combination of filters.


def test_pages_around_a_notice_give_the_orms_rows_for_every_position(notice_in, other_organ):
    now = timezone.now()
    same_moment = now - datetime.timedelta(days=3)
    for days in range(7):
        notice_in(
            "published",
            published_at=now - datetime.timedelta(days=days) if days % 3 else same_moment,
            genre=["notice", "circular"][days % 2],
        )
    published_by(other_organ, genre="circular")
    now = timezone.now()  # after every notice is made, so that all are published by then
    after, before = anew(views.CATALOGUE_AFTER), anew(views.CATALOGUE_BEFORE)
    for chosen in ({}, {"genre": "circular"}, {"organ": str(other_organ.pk)}):
        form = NoticeFilterForm(chosen)
        assert form.is_valid(), form.errors
        filters = form.query_values()
        ordered = list(views.catalogue(Notice.objects.published(now), filters))
        for place, notice in enumerate(ordered):
            position = {"moment": notice.published_at, "same_moment": notice.published_at}
            found = after.all(size=2, at=now, pk=notice.pk, **position, **filters)
            assert [loaded_row(n) for n in found] == [
                loaded_row(n) for n in ordered[place + 1 : place + 3]
            ], (chosen, place)
            found = before.all(size=2, at=now, pk=notice.pk, **position, **filters)
            assert [loaded_row(n) for n in found] == [
                loaded_row(n) for n in ordered[max(0, place - 2) : place][::-1]
            ], (chosen, place)
    if connection.vendor == "postgresql":
        assert len(after._statements) == len(before._statements) == 3  # one per combination


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_cursor_and_the_page_after_it_are_only_executed_once_prepared(notice_in):
    now = timezone.now()
    notices = [
        notice_in("published", published_at=now - datetime.timedelta(days=days))
        for days in range(3)
    ]
    rows_after = views.catalogue_around(views.CATALOGUE_AFTER, {})

    def page_after_the_first():
        position = views.cursor_position(notices[0].pk)
        return [notice.pk for notice in rows_after(position, 5)]

    connection.close()
    assert page_after_the_first() == [notices[1].pk, notices[2].pk]
    again = sent(page_after_the_first)
    # The cursor's notice, then the page.
    assert len(again) == 2 and all(sql.startswith("EXECUTE ") for sql in again), again


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_later_page_is_executed_with_its_offset_as_a_parameter(notice_in):
    now = timezone.now()
    titles = [
        notice_in("published", published_at=now - datetime.timedelta(days=days)).title
        for days in range(5)
    ]
    query = later_pages()
    connection.close()
    first = sent(lambda: query.all(size=2, at=now, offset=1))[-1]
    name = first.split(" ")[1]
    assert "LIMIT 2 OFFSET $2" in first
    for offset in (0, 2, 3):
        again = sent(lambda offset=offset: query.all(size=2, at=now, offset=offset))
        assert len(again) == 1 and again[0].startswith(f"EXECUTE {name} (")
        found = [notice.title for notice in query.all(size=2, at=now, offset=offset)]
        assert found == titles[offset : offset + 2]


# On PostgreSQL: prepared on the server once per connection.


def sent(call) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        call()
    return [query["sql"] for query in captured.captured_queries]


def prepared_on_server() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return {statement for (statement,) in cursor.fetchall()}


@pytest.fixture
def clean_server_state(db):
    """Tests that put the server's prepared statements and this process's record of them out
    of step leave both empty, so that the tests after them find them in step."""
    yield
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    prepared._prepared_on.pop(connection.connection, None)


def kinds(statements: list[str]) -> list[str]:
    return [statement.split(" ", 1)[0] for statement in statements]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_query_is_prepared_once_per_connection_and_then_only_executed(notice_in):
    notice = notice_in("published")
    connection.close()
    first = sent(lambda: NOTICE_PAGE.get(notice.pk))
    again = sent(lambda: NOTICE_PAGE.get(notice.pk))
    assert kinds(first) == ["PREPARE"]
    name = first[0].split(" ")[1]
    assert f"; EXECUTE {name} (" in first[0]
    assert len(again) == 1 and again[0].startswith(f"EXECUTE {name} (")
    assert loaded(NOTICE_PAGE.get(notice.pk)) == loaded(orm_lookup(notice.pk))
    # A new connection prepares it anew.
    connection.close()
    assert kinds(sent(lambda: NOTICE_PAGE.get(notice.pk))) == ["PREPARE"]


@pytest.mark.postgres
def test_constants_are_written_into_the_prepared_sql_and_values_are_its_parameters(notice_in):
    notice = notice_in("published")
    NOTICE_PAGE.get(notice.pk)
    # The page's own statement (the connection may hold other tests' statements too). It names
    # the public notices' status and disclosure, so that a plan kept for it may use the partial
    # indexes over public notices; the instant and the id are its parameters.
    page = next(s for s in prepared_on_server() if "has_attachments" in s)
    assert "\"status\" = 'published'" in page and "'proactive'" in page
    assert "<= $1" in page and '"id" = $2' in page and "$3" not in page


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("clean_server_state")
def test_statements_deallocated_behind_its_back_are_prepared_again(notice_in):
    notice = notice_in("published")
    NOTICE_PAGE.get(notice.pk)
    latest = lambda: views.CATALOGUE_FIRST_PAGE.all(size=views.PAGE_SIZE, at=timezone.now())  # noqa: E731
    latest()
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # as a pooler's DISCARD ALL does
    statements = sent(lambda: NOTICE_PAGE.get(notice.pk))
    # The EXECUTE failed; the session's statements are read again and this one prepared.
    assert kinds(statements) == ["EXECUTE", "SELECT", "PREPARE"]
    assert loaded(NOTICE_PAGE.get(notice.pk)) == loaded(orm_lookup(notice.pk))
    # The others went with it, and are prepared again without a failed EXECUTE first, even
    # inside a transaction.
    with transaction.atomic():
        assert sent(latest)[0].startswith("PREPARE")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("clean_server_state")
def test_a_statement_the_server_kept_from_a_failed_attempt_is_used(notice_in):
    notice = notice_in("published")
    NOTICE_PAGE.get(notice.pk)
    # As after a PREPARE that succeeded in a round trip whose EXECUTE failed.
    prepared._prepared_on[connection.connection] = None
    statements = sent(lambda: NOTICE_PAGE.get(notice.pk))
    assert kinds(statements) == ["SELECT", "EXECUTE"]
    assert sent(lambda: NOTICE_PAGE.get(notice.pk))[0].startswith("EXECUTE")


@pytest.mark.postgres
@pytest.mark.usefixtures("clean_server_state")
def test_inside_a_transaction_a_lost_statement_fails_and_is_prepared_next_time(notice_in):
    notice = notice_in("published")
    NOTICE_PAGE.get(notice.pk)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    with pytest.raises(DatabaseError, match="does not exist"), transaction.atomic():
        NOTICE_PAGE.get(notice.pk)
    assert kinds(sent(lambda: NOTICE_PAGE.get(notice.pk))) == ["SELECT", "PREPARE"]


@pytest.mark.postgres
@override_settings(DATABASE_PREPARED_STATEMENTS=False)
def test_with_prepared_statements_off_the_sql_itself_is_sent(notice_in):
    notice = notice_in("published")
    statements = sent(lambda: NOTICE_PAGE.get(notice.pk))
    assert len(statements) == 1 and statements[0].startswith("SELECT")
    assert loaded(NOTICE_PAGE.get(notice.pk)) == loaded(orm_lookup(notice.pk))


def test_a_notice_without_an_assessment_asks_for_none(notice_in, django_assert_num_queries):
    notice = notice_in("published")
    found = NOTICE_PAGE.get(notice.pk)
    with django_assert_num_queries(0):
        assert views.published_assessment(found) is None


# Sorted by 成文日期: newest signed first, notices without one last, then by 发布日期.


def test_every_page_sorted_by_signed_date_gives_the_orms_and_the_oracles_rows(notice_in, organ):
    now = timezone.now()
    same_moment = now - datetime.timedelta(days=9)
    signed = [
        datetime.date(2024, 5, 1),
        None,
        datetime.date(2024, 5, 1),
        datetime.date(2019, 1, 2),
        None,
        datetime.date(2025, 12, 31),
        datetime.date(2024, 5, 1),
    ]
    for days, signed_on in enumerate(signed):
        notice_in(
            "published",
            published_at=same_moment if days in (2, 4, 6) else now - datetime.timedelta(days=days),
            signed_on=signed_on,
            genre=["notice", "circular"][days % 2],
        )
    now = timezone.now()
    first, later = anew(views.CATALOGUE_FIRST_PAGE), later_pages()
    after, before = anew(views.CATALOGUE_AFTER), anew(views.CATALOGUE_BEFORE)
    for chosen in ({"sort": "signed"}, {"sort": "signed", "genre": "notice"}):
        form = NoticeFilterForm(chosen)
        assert form.is_valid(), form.errors
        filters, order = form.query_values(), form.order()
        assert order == "signed"
        oracle = sorted(
            Notice.objects.published(now).filter(
                **({"genre": filters["genre"]} if filters else {})
            ),
            key=lambda n: (n.signed_on or datetime.date.min, n.published_at, n.pk),
            reverse=True,
        )
        ordered = list(views.catalogue(Notice.objects.published(now), filters, order))
        assert [n.pk for n in ordered] == [n.pk for n in oracle]
        assert [n.signed_on for n in ordered][-1 if filters else -2 :] == [None] * (
            1 if filters else 2
        )
        found = first.all(size=20, at=now, order=order, **filters)
        assert [loaded_row(n) for n in found] == [loaded_row(n) for n in ordered]
        for offset in range(len(ordered) + 1):
            found = later.all(size=2, at=now, offset=offset, order=order, **filters)
            assert [n.pk for n in found] == [n.pk for n in oracle[offset : offset + 2]], offset
        rows_after = views.catalogue_around(after, filters, order)
        rows_before = views.catalogue_around(before, filters, order)
        for place, notice in enumerate(ordered):
            position = views.cursor_position(notice.pk)
            assert [n.pk for n in rows_after(position, 2)] == [
                n.pk for n in oracle[place + 1 : place + 3]
            ], (chosen, place)
            assert [n.pk for n in rows_before(position, 2)] == [
                n.pk for n in oracle[max(0, place - 2) : place][::-1]
            ], (chosen, place)
    if connection.vendor == "postgresql":
        # One statement per order and combination of filters.
        assert len(after._statements) == len(before._statements) == 2


@pytest.mark.postgres
def test_the_catalogue_by_signed_date_walks_its_index(notice_in):
    for days in range(3):
        notice_in("published", signed_on=datetime.date(2024, 1, 1 + days))
    values = {"size": 20, "at": timezone.now(), "order": "signed"}
    statement = prepared._statement(prepared.catalogue_first_sql, values)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + statement.sql, [values[name] for name in statement.names])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "notice_public_signed" in plan, plan

"""The portal's hottest reads as SQL written out: the notice page and the catalogue's pages (the
home page's latest notices are the catalogue's first page).

Built with the ORM on every request, these queries cost more to build and compile than
PostgreSQL takes to run them, and PostgreSQL takes longer to parse and plan the notice page's
query than to run it (docs/performance.md gives the measured gain). So on PostgreSQL each is SQL
written out here once per combination of filters, prepared on the server once per connection
(``PREPARE``), after which a request sends only ``EXECUTE`` with its values; its rows become
instances through ``Model.from_db``. The statements name the query's constants (a status, a
disclosure) as literals, so that the plan PostgreSQL keeps can use the partial indexes that name
them. A pooler that hands each transaction another server connection (PgBouncer's
``pool_mode = transaction``) keeps no session's statements: ``DATABASE_PREPARED_STATEMENTS=0``
sends the SQL itself instead.

Each query keeps its ORM queryset (``orm``), which other databases (SQLite) run instead and
which tests/notices/test_prepared.py checks the SQL against: what the public may read is decided
in notices/models/notice.py (``PUBLIC``, ``WITHDRAWAL_PAGE``), the catalogue's filters in
notices/forms.py (``filtered``), and the SQL here says the same. Columns come from the models'
fields, so a new field needs no change here. The SQL is made of table and column names,
constants and placeholders only: every value is a parameter.
"""

import datetime
import itertools
import json
import os
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections, router
from django.db.models import Model
from django.utils import timezone
from django.utils.functional import cached_property

from notices.listed import NOTICE_FIELDS, ListedNotice
from notices.models import Attachment, CitedDocument, Notice, NoticeVersion, Organ, Topic
from notices.models.notice import UNSIGNED

NOTICES = Notice._meta.db_table
ORGANS = Organ._meta.db_table
TOPICS = Topic._meta.db_table
FILED = Notice.topics.through._meta.db_table
ASSESSMENT = Notice._meta.get_field("assessment").related_model  # no import of assessments

# The names of the statements each PostgreSQL session holds (by the DB-API connection object,
# which takes its statements with it when it closes); None when they are to be read from the
# server.
_prepared_on: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_statement_numbers = itertools.count()
_UNKNOWN = object()


def column(field_name: str, table: str = NOTICES) -> str:
    return f'"{table}"."{Notice._meta.get_field(field_name).column}"'


def _proactive() -> str:
    """Only 主动公开 information is on the portal (notices.models.PUBLIC)."""
    return f"{column('disclosure')} = '{Notice.Disclosure.PROACTIVE}'"


def public_sql(at: str) -> str:
    """notices.models.public_now(at): published, an original, disclosed, and due at ``at``."""
    return (
        f"{column('correction_of')} IS NULL AND {column('status')} = "
        f"'{Notice.Status.PUBLISHED}' AND {_proactive()} AND {column('published_at')} <= {at}"
    )


def withdrawal_page_sql() -> str:
    """notices.models.WITHDRAWAL_PAGE: a withdrawn original that was disclosed."""
    return (
        f"{column('correction_of')} IS NULL AND {column('status')} = "
        f"'{Notice.Status.WITHDRAWN}' AND {_proactive()}"
    )


def filters_sql(filters: dict, param: Callable[[str], str]) -> list[str]:
    """notices.forms.filtered: the conditions of the filters given, each value a parameter."""
    conditions = []
    if filters.get("organ_id") is not None:
        conditions.append(f"{column('organ')} = {param('organ_id')}")
    if filters.get("topic_ids"):
        conditions.append(
            f'EXISTS (SELECT 1 FROM "{FILED}" WHERE "{FILED}"."notice_id" = "{NOTICES}"."id" '  # noqa: S608
            f'AND "{FILED}"."topic_id" = ANY({param("topic_ids")}))'
        )
    if filters.get("genre"):
        conditions.append(f"{column('genre')} = {param('genre')}")
    if filters.get("year_start") is not None:
        conditions.append(f"{column('published_at')} >= {param('year_start')}")
        conditions.append(f"{column('published_at')} < {param('year_end')}")
    if filters.get("validity"):
        conditions.append(f"{column('validity')} = {param('validity')}")
    if filters.get("interpreted"):
        conditions.append(f'"{NOTICES}"."id" IN ({interpreted_sql(param("at"))})')
    return conditions


def interpreted_sql(at: str) -> str:
    """The ids of the documents an interpretation public at ``at`` names (the filter
    ``interpreted`` of notices.forms.filtered)."""
    interprets = column("interprets")
    return (
        f'SELECT {interprets} FROM "{NOTICES}" '  # noqa: S608
        f"WHERE {interprets} IS NOT NULL AND {public_sql(at)}"
    )


def parts_sql(postgresql: bool) -> dict[str, str]:
    """SQL for which parts a notice has (most have no attachment, citation or correction) and
    the full paths of its topics in the topics' order (a JSON array): the notice page queries
    only the parts it has. Shared with the ORM's version of the query (notices.views)."""

    def exists(table: str, condition: str = "") -> str:
        where = f'"{table}"."notice_id" = "{NOTICES}"."id"{condition}'
        return f'EXISTS (SELECT 1 FROM "{table}" WHERE {where})'  # noqa: S608

    order = ", ".join(f'"{TOPICS}"."{name}"' for name in ("position", "name", "id"))
    rows = (
        f'FROM "{FILED}" JOIN "{TOPICS}" ON "{TOPICS}"."id" = "{FILED}"."topic_id" '
        f'WHERE "{FILED}"."notice_id" = "{NOTICES}"."id"'
    )
    if postgresql:
        paths = f'SELECT COALESCE(jsonb_agg("{TOPICS}"."path" ORDER BY {order}), \'[]\') {rows}'
    else:
        paths = (
            f'SELECT json_group_array(path) FROM (SELECT "{TOPICS}"."path" {rows} ORDER BY {order})'  # noqa: S608
        )
    versions = NoticeVersion._meta.db_table
    attachments = Attachment._meta.db_table
    interpretation = f'"{NOTICES}" AS "interpretation"'
    return {
        # Images shown in the body are not listed among the attachments.
        "has_attachments": exists(attachments, f' AND NOT "{attachments}"."body_image"'),
        "has_citations": exists(CitedDocument._meta.db_table),
        "has_change_notes": exists(versions, f' AND "{versions}"."change_note" <> \'\''),
        # Any interpretation naming the notice: the page then asks which are public.
        "has_interpretations": (
            f"EXISTS (SELECT 1 FROM {interpretation} WHERE "  # noqa: S608
            f'"interpretation"."{Notice._meta.get_field("interprets").column}" = "{NOTICES}"."id")'
        ),
        "filed_topic_paths": f"({paths})",
    }


@dataclass(frozen=True)
class Columns:
    """The columns of a model's fields in a statement, and how a row's slice becomes an
    instance."""

    model: type[Model]
    table: str
    fields: tuple

    @classmethod
    def of(cls, model: type[Model], table: str, leave_out: tuple[str, ...] = ()) -> "Columns":
        fields = tuple(f for f in model._meta.concrete_fields if f.name not in leave_out)
        return cls(model, table, fields)

    def sql(self) -> str:
        return ", ".join(f'"{self.table}"."{field.column}"' for field in self.fields)

    @cached_property
    def names(self) -> list[str]:
        return [field.attname for field in self.fields]

    @cached_property
    def converted(self) -> tuple[int, ...]:
        """The positions of the fields whose values are converted when read (from_db_value)."""
        return tuple(i for i, field in enumerate(self.fields) if hasattr(field, "from_db_value"))

    def instance(self, alias: str, values, connection) -> Model:
        if self.converted:
            values = list(values)
            for position in self.converted:
                convert = self.fields[position].from_db_value
                values[position] = convert(values[position], None, connection)
        return self.model.from_db(alias, self.names, values)


PAGE = Columns.of(Notice, NOTICES)
ORGAN = Columns.of(Organ, ORGANS)
ASSESSMENT_COLUMNS = Columns.of(ASSESSMENT, ASSESSMENT._meta.db_table)


@dataclass(frozen=True)
class _Statement:
    name: str
    sql: str  # the SQL itself, with %s for each value
    names: tuple[str, ...]  # the values' names, in the order of their parameters
    prepare: str  # PREPARE name AS ... ($1, $2 … for the values)
    execute: str  # EXECUTE name (%s, …)


def _statement(build: Callable[[dict, Callable[[str], str]], str], values: dict) -> _Statement:
    names: list[str] = []

    def direct(name: str) -> str:
        names.append(name)
        return "%s"

    numbered: list[str] = []

    def dollar(name: str) -> str:
        numbered.append(name)
        return f"${len(numbered)}"

    sql = build(values, direct)
    body = build(values, dollar)
    if numbered != names:
        raise ValueError("a statement must take its values in the same order each time")
    # Named apart from any other process's that may have used the same server session.
    name = f"hot_query_{os.getpid()}_{next(_statement_numbers)}"
    arguments = f" ({', '.join(['%s'] * len(names))})" if names else ""
    return _Statement(
        name, sql, tuple(names), f"PREPARE {name} AS {body}", f"EXECUTE {name}{arguments}"
    )


class SQLQuery:
    """``all(**values)``: the instances of ``read(row)`` for the rows of the statement
    ``sql(values, param)`` builds (``param(name)`` places a value); on a database other than
    PostgreSQL, those of ``orm(**values)``. ``shape(values)`` says which values change the
    statement (which filters are given)."""

    def __init__(self, *, sql, read, orm, shape=lambda values: ()):
        self.sql = sql
        self.read = read
        self.orm = orm
        self.shape = shape
        self._statements: dict[tuple, _Statement] = {}
        self._lock = threading.Lock()

    def all(self, **values) -> list[Model]:
        alias = router.db_for_read(Notice)
        connection = connections[alias]
        if connection.vendor != "postgresql":
            return list(self.orm(**values))
        key = self.shape(values)
        statement = self._statements.get(key)
        if statement is None:
            with self._lock:
                statement = self._statements.setdefault(key, _statement(self.sql, values))
        params = [values[name] for name in statement.names]
        with connection.cursor() as cursor:
            _execute(statement, connection, cursor, params)
            rows = cursor.fetchall()
        return [self.read(alias, row, connection) for row in rows]


def _execute(statement: _Statement, connection, cursor, params: list) -> None:
    """On PostgreSQL, ``EXECUTE`` the statement, after ``PREPARE`` in the same round trip the
    first time on this connection. A session's statements outlive its transactions, even failed
    ones, and something may deallocate them (``DISCARD ALL``): after a failure, which ones the
    session holds is read from the server (``pg_prepared_statements``) before the next attempt.
    Outside a transaction that attempt is made at once (inside one, the transaction has failed:
    the error stands)."""
    if not settings.DATABASE_PREPARED_STATEMENTS:
        cursor.execute(statement.sql, params)
        return
    session = connection.connection
    for attempt in (1, 2):
        held = _prepared_on.get(session, _UNKNOWN)
        if held is _UNKNOWN:
            held = _prepared_on[session] = set()  # a new session holds none
        elif held is None:
            cursor.execute("SELECT name FROM pg_prepared_statements")
            held = _prepared_on[session] = {name for (name,) in cursor.fetchall()}
        known = statement.name in held
        try:
            cursor.execute(
                statement.execute if known else f"{statement.prepare}; {statement.execute}",
                params,
            )
        except DatabaseError:
            _prepared_on[session] = None  # to be read from the server
            if attempt == 2 or connection.in_atomic_block:
                raise
        else:
            held.add(statement.name)
            return


def filter_shape(values: dict) -> tuple:
    """What makes a catalogue query a statement of its own: how many rows it reads (written
    into the SQL, so that the plan PostgreSQL keeps stops that early), its order and which
    filters it is given."""
    given = ("organ_id", "topic_ids", "genre", "year_start", "validity", "interpreted")
    return (
        int(values["size"]),
        values.get("order", "published"),
        *(name for name in given if values.get(name) not in (None, "", [], ())),
    )


def signed_key_sql() -> str:
    """notices.models.signed_key: the 成文日期, or UNSIGNED (as the index on it says)."""
    return f"COALESCE({column('signed_on')}, DATE '{UNSIGNED.isoformat()}')"


def _signed(values: dict) -> bool:
    return values.get("order") == "signed"


def order_sql(values: dict, direction: str = "DESC") -> str:
    """notices.forms.ordered: by 发布日期, or by 成文日期 and then 发布日期; the id last."""
    keys = [signed_key_sql()] if _signed(values) else []
    keys += [column("published_at"), f'"{NOTICES}"."id"']
    return ", ".join(f"{key} {direction}" for key in keys)


def listed_sql() -> str:
    """The columns of a catalogue row (notices.listed.ListedNotice), its organ's name last."""
    return ", ".join([*map(column, NOTICE_FIELDS), f'"{ORGANS}"."name"'])


def listed(alias: str, row, connection) -> ListedNotice:
    """A catalogue row as its list shows it."""
    return ListedNotice(*row)


def _catalogue_sql(values: dict, param, extra: str = "", order: str = "DESC") -> str:
    conditions = [public_sql(param("at")), *filters_sql(values, param)]
    if extra:
        conditions.append(extra)
    return (
        f'SELECT {listed_sql()} FROM "{NOTICES}" '  # noqa: S608
        f'INNER JOIN "{ORGANS}" ON ({column("organ")} = "{ORGANS}"."id") '
        f"WHERE {' AND '.join(conditions)} "
        f"ORDER BY {order_sql(values, order)} "
        f"LIMIT {int(values['size'])}"
    )


def catalogue_first_sql(values: dict, param) -> str:
    """The first ``size`` notices of the catalogue (newest first) meeting the filters."""
    return _catalogue_sql(values, param)


def catalogue_later_sql(values: dict, param) -> str:
    """The ``size`` notices after the first ``offset``: their ids found first, walking only the
    index over those before them, then their rows."""
    conditions = [public_sql(param("at")), *filters_sql(values, param)]
    ids = (
        f'SELECT "{NOTICES}"."id" FROM "{NOTICES}" WHERE {" AND ".join(conditions)} '  # noqa: S608
        f"ORDER BY {order_sql(values)} "
        f"LIMIT {int(values['size'])} OFFSET {param('offset')}"
    )
    return (
        f'SELECT {listed_sql()} FROM "{NOTICES}" '  # noqa: S608
        f'INNER JOIN "{ORGANS}" ON ({column("organ")} = "{ORGANS}"."id") '
        f'WHERE "{NOTICES}"."id" IN ({ids}) '
        f"ORDER BY {order_sql(values)}"
    )


def _beyond_sql(values: dict, param, comparison: str) -> str:
    """Sorted by 成文日期: the notices whose (key, moment, id) compare so with the given
    notice's (``signed``, ``moment``, ``pk``), as one row comparison that the index on them
    can start at."""
    return (
        f'({signed_key_sql()}, {column("published_at")}, "{NOTICES}"."id") {comparison} '
        f"({param('signed')}, {param('moment')}, {param('pk')})"
    )


def catalogue_after_sql(values: dict, param) -> str:
    """The ``size`` notices after the one at (``moment``, ``pk``), newest first. The moment is
    a bound of its own, which lets the index scan start right at it."""
    if _signed(values):
        return _catalogue_sql(values, param, _beyond_sql(values, param, "<"))
    published_at = column("published_at")
    after = (
        f"{published_at} <= {param('moment')} AND NOT ({published_at} = {param('same_moment')} "
        f'AND "{NOTICES}"."id" >= {param("pk")})'
    )
    return _catalogue_sql(values, param, after)


def catalogue_before_sql(values: dict, param) -> str:
    """The ``size`` notices before the one at (``moment``, ``pk``), oldest first."""
    if _signed(values):
        return _catalogue_sql(values, param, _beyond_sql(values, param, ">"), order="ASC")
    published_at = column("published_at")
    before = (
        f"{published_at} >= {param('moment')} AND NOT ({published_at} = {param('same_moment')} "
        f'AND "{NOTICES}"."id" <= {param("pk")})'
    )
    return _catalogue_sql(values, param, before, order="ASC")


# The parts' names, in the order of the notice page's columns.
PARTS = tuple(parts_sql(postgresql=True))


def notice_page_sql(values: dict, param) -> str:
    """The notice with a public page (published and due, or a withdrawal page) of that id, with
    its parts, its organ and the assessment it announces."""
    parts = ", ".join(f"{sql} AS {name}" for name, sql in parts_sql(postgresql=True).items())
    assessments = ASSESSMENT._meta.db_table
    return (
        f"SELECT {PAGE.sql()}, {parts}, {ORGAN.sql()}, {ASSESSMENT_COLUMNS.sql()} "  # noqa: S608
        f'FROM "{NOTICES}" INNER JOIN "{ORGANS}" ON ({column("organ")} = "{ORGANS}"."id") '
        f'LEFT OUTER JOIN "{assessments}" ON ("{NOTICES}"."id" = "{assessments}"."notice_id") '
        f"WHERE (({public_sql(param('at'))}) OR ({withdrawal_page_sql()})) "
        f'AND "{NOTICES}"."id" = {param("pk")}'
    )


def cursor_sql(values: dict, param) -> str:
    """The moment of the notice a cursor names: any notice with a public page, so that a link
    keeps working after that notice is withdrawn."""
    return (
        f'SELECT {MOMENT.sql()} FROM "{NOTICES}" '  # noqa: S608
        f"WHERE (({public_sql(param('at'))}) OR ({withdrawal_page_sql()})) "
        f'AND "{NOTICES}"."id" = {param("pk")}'
    )


MOMENT = Columns(
    Notice,
    NOTICES,
    # In the model's order, which Model.from_db expects of a part of the fields.
    tuple(
        field
        for field in Notice._meta.concrete_fields
        if field.name in ("id", "signed_on", "published_at")
    ),
)


def moment_of(alias: str, row, connection) -> Notice:
    """A notice with only its id, publication moment and 成文日期 (its place in each order)."""
    return MOMENT.instance(alias, row, connection)


def notice_with_parts(alias: str, row, connection) -> Notice:
    row = list(row)
    count = len(PAGE.fields)
    notice = PAGE.instance(alias, row[:count], connection)
    names = list(PARTS)
    parts = dict(zip(names, row[count : count + len(names)], strict=True))
    paths = parts.pop("filed_topic_paths")
    for name, value in parts.items():
        setattr(notice, name, value)
    notice.filed_topic_paths = json.loads(paths) if isinstance(paths, str) else paths
    start = count + len(names)
    notice.organ = ORGAN.instance(alias, row[start : start + len(ORGAN.fields)], connection)
    assessment = row[start + len(ORGAN.fields) :]
    # Without one, the page asks for none (notices.views.published_assessment).
    notice.has_assessment = assessment[0] is not None
    if notice.has_assessment:
        notice.assessment = ASSESSMENT_COLUMNS.instance(alias, assessment, connection)
    return notice


class Lookup:
    """``get(pk, at=None)``: the one notice of ``query`` with that id at ``at`` (now), or None."""

    def __init__(self, query: SQLQuery):
        self.query = query

    def get(self, pk: int, at: datetime.datetime | None = None) -> Notice | None:
        lowest, highest = connections[router.db_for_read(Notice)].ops.integer_field_range(
            Notice._meta.pk.get_internal_type()
        )
        if not lowest <= pk <= highest:
            return None  # as the ORM answers for a key out of the column's range
        found = self.query.all(at=at or timezone.now(), pk=pk)
        return found[0] if found else None

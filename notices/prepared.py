"""A hot page's query built and compiled to SQL once per process, then run with new values.

Building a queryset with its filters, annotations and select_related, and compiling it to SQL,
costs several times what PostgreSQL takes to run it: for the notice page it was most of the
request, for a catalogue page a quarter. A PreparedQuery builds the queryset once per database
alias and shape of its values (which values are given; how many, for a list) with sentinel
values, remembers the SQL and where the sentinels landed among its parameters, and from then on
runs that SQL with the request's values, making the instances the way Django's own
ModelIterable does (the row's converters, the related objects, the annotations). The queryset
itself stays the one definition of what is selected.

On PostgreSQL the SQL is also prepared on the server, once per connection (``PREPARE``), and
each request sends only ``EXECUTE`` with its values: parsing and planning the notice page's
query took PostgreSQL seven times as long as running it. Prepared statements belong to a
session, so a pooler that hands each transaction another server connection (PgBouncer's
``pool_mode = transaction``) needs ``DATABASE_PREPARED_STATEMENTS=0``.
"""

import datetime
import itertools
import re
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone
from psycopg2 import errors

# Values no real query uses, to be found again among the compiled query's parameters.
SENTINEL_AT = datetime.datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=datetime.UTC)
SENTINEL_INT = 918_273_645_546_372
SENTINEL_TEXT = "\x00prepared-sentinel-"

# The names of the statements prepared on each PostgreSQL connection (psycopg2's own, which
# takes its prepared statements with it when it closes).
_server_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_statement_numbers = itertools.count()
# A parameter or a literal percent sign in Django's SQL (in psycopg2's paramstyle).
_PLACEHOLDER = re.compile(r"%[%s]")


@dataclass(frozen=True)
class _Prepared:
    sql: str
    params: tuple
    # For each value's name, where its items go among the parameters.
    positions: dict[str, list[int]]
    compiler: SQLCompiler
    init_list: list[str]
    fields_start: int
    fields_end: int
    populators: list
    annotation_col_map: dict[str, int]
    # Each thread's connection's converters for the row's columns, made once per connection.
    converters: weakref.WeakKeyDictionary
    # On PostgreSQL: the statement that prepares the SQL on the server, the one that runs it,
    # and the positions among the parameters of the values it is run with.
    prepare: str | None
    execute: str | None
    executed_with: tuple[int, ...]


def _items(value) -> tuple:
    return tuple(value) if isinstance(value, list | tuple) else (value,)


def _shape(values: dict) -> tuple:
    """What the SQL depends on besides the values themselves: their names and kinds, and how
    many there are of a list."""
    return tuple(
        (name, len(value) if isinstance(value, list | tuple) else type(value).__name__)
        for name, value in sorted(values.items())
    )


def _sentinels(values: dict) -> dict:
    """A value of the same kind as each of ``values``, every one different and unlike any
    real value."""
    numbers = itertools.count()

    def like(value):
        number = next(numbers)
        if isinstance(value, datetime.datetime):
            return SENTINEL_AT + datetime.timedelta(microseconds=number)
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise TypeError(f"a prepared query takes datetimes, ints and strs, not {value!r}")
        return SENTINEL_INT + number if isinstance(value, int) else f"{SENTINEL_TEXT}{number}"

    return {
        name: [like(item) for item in value] if isinstance(value, list | tuple) else like(value)
        for name, value in values.items()
    }


def _adapted(value, connection):
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


class PreparedQuery:
    """``all(*fixed, **values)``: the instances of ``build(*fixed, **values)``, a queryset of
    ``model`` whose SQL takes each value (each item of a list) exactly once. ``fixed`` are
    written into the SQL itself: each of their combinations is prepared on its own. A slice's
    bound that Django writes into the SQL (an offset) may be a value all the same: it is made a
    parameter (``_literals_as_parameters``)."""

    def __init__(self, model: type[Model], build: Callable[..., QuerySet]):
        self.model = model
        self.build = build
        self._prepared: dict[tuple, _Prepared] = {}
        self._lock = threading.Lock()

    def all(self, *fixed, **values) -> list[Model]:
        alias = router.db_for_read(self.model)
        key = (alias, fixed, _shape(values))
        prepared = self._prepared.get(key) or self._prepare(key, values)
        connection = connections[alias]
        params = list(prepared.params)
        for name, positions in prepared.positions.items():
            for position, item in zip(positions, _items(values[name]), strict=True):
                params[position] = _adapted(item, connection)
        with connection.cursor() as cursor:
            _execute(prepared, connection, cursor, params)
            rows = cursor.fetchall()
        return [self._instance(list(row), prepared, alias, connection) for row in rows]

    def _instance(self, row: list, prepared: _Prepared, alias: str, connection) -> Model:
        row = _converted(row, prepared, connection)
        instance = self.model.from_db(
            alias, prepared.init_list, row[prepared.fields_start : prepared.fields_end]
        )
        for populator in prepared.populators:
            populator.populate(row, instance)
        for name, position in prepared.annotation_col_map.items():
            setattr(instance, name, row[position])
        return instance

    def _prepare(self, key: tuple, values: dict) -> _Prepared:
        with self._lock:
            if key in self._prepared:
                return self._prepared[key]
            alias, fixed = key[0], key[1]
            connection = connections[alias]
            sentinels = _sentinels(values)
            queryset = self.build(*fixed, **sentinels).using(alias)
            compiler = queryset.query.get_compiler(using=alias)
            sql, params = _literals_as_parameters(*compiler.as_sql(), sentinels)
            positions = {
                name: [_only_index(params, _adapted(item, connection)) for item in _items(sentinel)]
                for name, sentinel in sentinels.items()
            }
            klass_info = compiler.klass_info
            fields = klass_info["select_fields"]
            start, end = fields[0], fields[-1] + 1
            prepared = _Prepared(
                sql=sql,
                params=tuple(params),
                positions=positions,
                compiler=compiler,
                init_list=[column[0].target.attname for column in compiler.select[start:end]],
                fields_start=start,
                fields_end=end,
                populators=get_related_populators(klass_info, compiler.select, alias),
                annotation_col_map=compiler.annotation_col_map,
                converters=weakref.WeakKeyDictionary(),
                **_server_statements(sql, params, positions, connection),
            )
            self._prepared[key] = prepared
            return prepared


class PreparedLookup:
    """``get(pk)``: the one instance of ``build(at, pk)`` (a queryset of ``model`` filtered to
    that primary key, with ``at`` the instant its conditions are taken at), or None."""

    def __init__(self, model: type[Model], build: Callable[[datetime.datetime, int], QuerySet]):
        self.model = model
        self.build = build
        self._query = PreparedQuery(model, build)

    def get(self, pk: int, at: datetime.datetime | None = None) -> Model | None:
        connection = connections[router.db_for_read(self.model)]
        lowest, highest = connection.ops.integer_field_range(
            self.model._meta.pk.get_internal_type()
        )
        if not lowest <= pk <= highest:
            return None  # as the ORM answers for a key out of the column's range
        found = self._query.all(at=at or timezone.now(), pk=pk)
        if len(found) > 1:
            raise self.model.MultipleObjectsReturned("a lookup by primary key found several rows")
        return found[0] if found else None


def _server_statements(sql: str, params: list, positions: dict, connection) -> dict:
    """``PREPARE`` and ``EXECUTE`` statements for Django's ``sql`` and ``params``, of which
    those at ``positions`` are the values given each time (on other databases, None).

    The other parameters are the query's constants (a status, a disclosure): they are written
    into the prepared SQL, so that the plan PostgreSQL keeps for it can use the partial indexes
    that name them. Both statements go through psycopg2's interpolation, so a percent sign is
    doubled, in Django's SQL and in a constant alike."""
    if connection.vendor != "postgresql":
        return {"prepare": None, "execute": None, "executed_with": ()}
    given = {position for found in positions.values() for position in found}
    name = f"prepared_query_{next(_statement_numbers)}"
    placeholders = iter(range(len(params)))
    executed_with = []

    def replaced(match: re.Match) -> str:
        if match[0] == "%%":
            return match[0]
        position = next(placeholders)
        if position in given:
            executed_with.append(position)
            return f"${len(executed_with)}"
        return connection.ops.compose_sql("%s", [params[position]]).replace("%", "%%")

    body = _PLACEHOLDER.sub(replaced, sql)
    values = f" ({', '.join(['%s'] * len(executed_with))})" if executed_with else ""
    return {
        "prepare": f"PREPARE {name} AS {body}",
        "execute": f"EXECUTE {name}{values}",
        "executed_with": tuple(executed_with),
    }


def _execute(prepared: _Prepared, connection, cursor, params: list) -> None:
    """Run the prepared query on this connection: on PostgreSQL as ``EXECUTE``, after
    ``PREPARE`` in the same round trip the first time; elsewhere as the SQL itself.

    A session's prepared statements outlive its transactions, even failed ones; what is kept
    here of them can still be wrong if a statement's ``EXECUTE`` failed after its ``PREPARE``
    succeeded, or if something deallocated them (``DISCARD ALL``). The server's error says
    which; outside a transaction the statement is then sent again at once, the right way
    (inside one, the transaction has failed: the next request sends it the right way)."""
    if prepared.execute is None or not settings.DATABASE_PREPARED_STATEMENTS:
        cursor.execute(prepared.sql, params)
        return
    params = [params[position] for position in prepared.executed_with]
    prepared_here = _server_prepared.setdefault(connection.connection, set())
    for attempt in (1, 2):
        known = prepared.prepare in prepared_here
        try:
            cursor.execute(
                prepared.execute if known else f"{prepared.prepare}; {prepared.execute}", params
            )
        except DatabaseError as error:
            if isinstance(error.__cause__, errors.DuplicatePreparedStatement):
                prepared_here.add(prepared.prepare)
            elif isinstance(error.__cause__, errors.InvalidSqlStatementName):
                # Deallocated behind this process's back (DISCARD ALL, DEALLOCATE ALL), and
                # so, most likely, all the others too.
                prepared_here.clear()
            else:
                raise
            if attempt == 2 or connection.in_atomic_block:
                raise
        else:
            prepared_here.add(prepared.prepare)
            return


def _converted(row: list, prepared: _Prepared, connection) -> list:
    """The row as SQLCompiler.results_iter converts it, with this thread's connection."""
    converters = prepared.converters.get(connection)
    if converters is None:
        compiler = prepared.compiler
        columns = [column[0] for column in compiler.select[: compiler.col_count]]
        converters = []
        for position, column in enumerate(columns):
            functions = connection.ops.get_db_converters(column) + column.get_db_converters(
                connection
            )
            if functions:
                converters.append((position, functions, column))
        prepared.converters[connection] = converters
    for position, functions, column in converters:
        value = row[position]
        for convert in functions:
            value = convert(value, column, connection)
        row[position] = value
    return row


def _literals_as_parameters(sql: str, params, sentinels: dict) -> tuple[str, list]:
    """Django writes a slice's bounds into the SQL itself (``LIMIT 20 OFFSET 40``): an integer
    sentinel written there becomes a parameter like the others, so that one statement serves
    every offset."""
    params = list(params)
    for sentinel in sentinels.values():
        for item in _items(sentinel):
            if not isinstance(item, int) or item in params:
                continue
            found = [match.start() for match in re.finditer(rf"\b{item}\b", sql)]
            if len(found) != 1:
                continue  # _only_index says what is wrong
            before = sum(match[0] == "%s" for match in _PLACEHOLDER.finditer(sql, 0, found[0]))
            sql = f"{sql[: found[0]]}%s{sql[found[0] + len(str(item)) :]}"
            params.insert(before, item)
    return sql, params


def _only_index(params, value) -> int:
    found = [index for index, param in enumerate(params) if param == value]
    if len(found) != 1:
        raise ValueError(f"the query takes {value!r} {len(found)} times, not once")
    return found[0]

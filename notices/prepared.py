"""A hot page's query built and compiled to SQL once per process, then run with new values.

Building a queryset with its filters, annotations and select_related, and compiling it to SQL,
costs several times what PostgreSQL takes to run it: for the notice page it was most of the
request. A PreparedLookup builds the queryset once per database alias with sentinel values for
the instant and the primary key, remembers the SQL and where the sentinels landed among its
parameters, and from then on runs that SQL with the request's values, making the instances the
way Django's own ModelIterable does (the row's converters, the related objects, the
annotations). The queryset itself stays the one definition of what is selected.
"""

import datetime
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

# Values no real lookup uses, to be found again among the compiled query's parameters.
SENTINEL_AT = datetime.datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=datetime.UTC)
SENTINEL_PK = 918_273_645_546_372


@dataclass(frozen=True)
class _Prepared:
    sql: str
    params: tuple
    at_index: int
    pk_index: int
    compiler: SQLCompiler
    init_list: list[str]
    fields_start: int
    fields_end: int
    populators: list
    annotation_col_map: dict[str, int]
    # Each thread's connection's converters for the row's columns, made once per connection.
    converters: weakref.WeakKeyDictionary


class PreparedLookup:
    """``get(pk)``: the one instance of ``build(at, pk)`` (a queryset of ``model`` filtered to
    that primary key, with ``at`` the instant its conditions are taken at), or None."""

    def __init__(self, model: type[Model], build: Callable[[datetime.datetime, int], QuerySet]):
        self.model = model
        self.build = build
        self._prepared: dict[str, _Prepared] = {}
        self._lock = threading.Lock()

    def get(self, pk: int, at: datetime.datetime | None = None) -> Model | None:
        alias = router.db_for_read(self.model)
        prepared = self._prepared.get(alias) or self._prepare(alias)
        connection = connections[alias]
        lowest, highest = connection.ops.integer_field_range(
            self.model._meta.pk.get_internal_type()
        )
        if not lowest <= pk <= highest:
            return None  # as the ORM answers for a key out of the column's range
        params = list(prepared.params)
        params[prepared.at_index] = connection.ops.adapt_datetimefield_value(at or timezone.now())
        params[prepared.pk_index] = pk
        with connection.cursor() as cursor:
            cursor.execute(prepared.sql, params)
            rows = cursor.fetchmany(2)
        if not rows:
            return None
        if len(rows) > 1:
            raise self.model.MultipleObjectsReturned("a lookup by primary key found several rows")
        row = _converted(list(rows[0]), prepared, connection)
        instance = self.model.from_db(
            alias, prepared.init_list, row[prepared.fields_start : prepared.fields_end]
        )
        for populator in prepared.populators:
            populator.populate(row, instance)
        for name, position in prepared.annotation_col_map.items():
            setattr(instance, name, row[position])
        return instance

    def _prepare(self, alias: str) -> _Prepared:
        with self._lock:
            if alias in self._prepared:
                return self._prepared[alias]
            connection = connections[alias]
            queryset = self.build(SENTINEL_AT, SENTINEL_PK).using(alias)
            compiler = queryset.query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
            at = connection.ops.adapt_datetimefield_value(SENTINEL_AT)
            at_index, pk_index = _only_index(params, at), _only_index(params, SENTINEL_PK)
            klass_info = compiler.klass_info
            fields = klass_info["select_fields"]
            start, end = fields[0], fields[-1] + 1
            prepared = _Prepared(
                sql=sql,
                params=tuple(params),
                at_index=at_index,
                pk_index=pk_index,
                compiler=compiler,
                init_list=[column[0].target.attname for column in compiler.select[start:end]],
                fields_start=start,
                fields_end=end,
                populators=get_related_populators(klass_info, compiler.select, alias),
                annotation_col_map=compiler.annotation_col_map,
                converters=weakref.WeakKeyDictionary(),
            )
            self._prepared[alias] = prepared
            return prepared


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


def _only_index(params, value) -> int:
    found = [index for index, param in enumerate(params) if param == value]
    if len(found) != 1:
        raise ValueError(f"the query takes {value!r} {len(found)} times, not once")
    return found[0]

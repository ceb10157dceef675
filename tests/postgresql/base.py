"""Django's PostgreSQL backend as the tests use it: connected as the application's role
(docs/audit.md, "Two database roles"), with one difference for the tests' own housekeeping.

Between transactional tests Django empties every table and sends post_migrate, whose receivers
make again the rows migrating made (content types, permissions, roles, genres, columns). Done
with one TRUNCATE of every table and the receivers writing all those rows anew, that took
seconds per test. Instead the rows of the migrated test database are kept aside once
(keep_initial_rows, in a schema of their own), and a flush deletes every row and copies those
back: the tables are as migrating left them, and post_migrate is not sent (the flush command of
tests/postgresql/management).

The application's role may not empty the audit history, and the history's triggers refuse it
to anyone; so the flush runs as the session's own user (the superuser that created the test
database) with triggers off for its transaction.
"""

# ruff: noqa: S608 - the SQL names only tables, from Django's introspection, quoted

from django.db import transaction
from django.db.backends.postgresql import base, operations

INITIAL_ROWS = "test_initial_rows"


class DatabaseOperations(operations.DatabaseOperations):
    kept_tables: frozenset[str] = frozenset()

    def puts_back_initial_rows(self, reset_sequences: bool, allow_cascade: bool) -> bool:
        return bool(self.kept_tables) and not reset_sequences and not allow_cascade

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not self.puts_back_initial_rows(reset_sequences, allow_cascade):
            return super().sql_flush(
                style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return refill_sql(self, tables, INITIAL_ROWS, self.kept_tables)

    def execute_sql_flush(self, sql_list):
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            cursor.execute("SET LOCAL ROLE NONE")
            cursor.execute("SET LOCAL session_replication_role = replica")
            for sql in sql_list:
                cursor.execute(sql)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations


def refill_sql(ops, tables, schema: str, kept: frozenset[str]) -> list[str]:
    """Empty `tables` and copy into them the rows kept in `schema`. DELETE, not TRUNCATE: the
    tests leave few rows, and truncating a hundred tables makes new files for each of them and
    their indexes."""
    return [f"DELETE FROM {ops.quote_name(name)}" for name in tables] + [
        f"INSERT INTO {ops.quote_name(name)} SELECT * FROM {schema}.{ops.quote_name(name)}"
        for name in tables
        if name in kept
    ]


def keep_initial_rows(connection) -> None:
    """Keep the rows of the migrated test database, for the flushes to put back."""
    DatabaseOperations.kept_tables = keep_rows(connection, INITIAL_ROWS)


def keep_rows(connection, schema: str) -> frozenset[str]:
    """Copy the rows of every table that has any into `schema` (made anew), and name those
    tables. As the session's own user: the application's role may not make schemas."""
    kept = set()
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET LOCAL ROLE NONE")
        cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        cursor.execute(f"CREATE SCHEMA {schema}")
        for name in django_tables(connection):
            table = connection.ops.quote_name(name)
            cursor.execute(f"SELECT EXISTS (SELECT FROM {table})")
            if cursor.fetchone()[0]:
                cursor.execute(f"CREATE TABLE {schema}.{table} AS SELECT * FROM {table}")
                kept.add(name)
    return frozenset(kept)


def put_back_rows(connection, schema: str, kept: frozenset[str]) -> None:
    """Make every table hold exactly the rows keep_rows copied into `schema`."""
    tables = django_tables(connection)
    connection.ops.execute_sql_flush(refill_sql(connection.ops, tables, schema, kept))


def django_tables(connection) -> list[str]:
    return connection.introspection.django_table_names(only_existing=True, include_views=False)

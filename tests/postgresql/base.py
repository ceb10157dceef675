"""Django's PostgreSQL backend as the tests use it: connected as the application's role
(docs/audit.md, "Two database roles"), with one difference for the tests' own housekeeping.

Between transactional tests, Django empties every table with one TRUNCATE. The application's
role may not do that to the audit history, and the history's triggers refuse it to anyone; so
the flush alone runs as the session's own user (the superuser that created the test database)
with triggers off for its transaction.
"""

from django.db import transaction
from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def execute_sql_flush(self, sql_list):
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            cursor.execute("SET LOCAL ROLE NONE")
            cursor.execute("SET LOCAL session_replication_role = replica")
            for sql in sql_list:
                cursor.execute(sql)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

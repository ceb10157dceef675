"""The two-role deployment on PostgreSQL (docs/audit.md): a migration role owns the tables and
runs migrations; the application's role may change every table but the audit history, which it
may only read and append to. So a compromised or mistaken application cannot rewrite the history
even through raw SQL, and the owner's own tampering is what the seals and checkpoints catch.
"""

from django.db import connection

from audit.models import AuditEvent, ChainHead


def grant_app_role(role: str) -> None:
    """Give ``role`` what the application needs, and no more on the history. Run it as the
    tables' owner after every ``migrate`` (new tables need their grants too)."""
    quote = connection.ops.quote_name
    role, events, head = (
        quote(role),
        quote(AuditEvent._meta.db_table),
        quote(ChainHead._meta.db_table),
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = quote(cursor.fetchone()[0])
        cursor.execute(f"GRANT USAGE ON SCHEMA {schema} TO {role}")
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}"
        )
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}")
        cursor.execute(f"REVOKE ALL ON {events}, {head} FROM {role}")
        cursor.execute(f"GRANT SELECT, INSERT ON {events} TO {role}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE ON {head} TO {role}")

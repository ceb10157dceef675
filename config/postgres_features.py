"""What the PostgreSQL server at hand was built with, for migrations that use it when present."""


def supports_lz4(cursor) -> bool:
    """Whether the server can compress values with lz4 (built ``--with-lz4``, as Debian's is)."""
    cursor.execute(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
    )
    return bool(cursor.fetchone()[0])

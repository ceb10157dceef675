"""docs/BACKUP.md, tried: dump the database and the media folder, restore both into empty ones,
and find every row and every file identical."""

import hashlib
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import psycopg2
import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.db import connection

from notices.models import Attachment
from tests import factories

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.skipif(
        not (shutil.which("pg_dump") and shutil.which("pg_restore")),
        reason="pg_dump and pg_restore are not installed",
    ),
]


def libpq_environment(settings_dict: dict) -> dict:
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if settings_dict.get(key):
            env[name] = str(settings_dict[key])
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return env


def run(command: list[str], env: dict) -> subprocess.CompletedProcess:
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{' '.join(command)}: {result.stderr}"
    return result


def table_fingerprints(cursor) -> dict[str, tuple[int, str]]:
    """Row count and a checksum of every row, in a fixed order, of each project table."""
    fingerprints = {}
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        cursor.execute(
            f"SELECT count(*), md5(coalesce(string_agg(t::text, chr(10) ORDER BY t::text), '')) "  # noqa: S608
            f'FROM "{table}" AS t'
        )
        fingerprints[table] = cursor.fetchone()
    return fingerprints


def media_fingerprints(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.mark.django_db(transaction=True)
def test_a_dump_and_the_media_folder_restore_every_record_and_file(tmp_path, notice_in):
    for n in range(3):
        notice = notice_in("published" if n else "draft")
        factories.make_attachment(notice, content=factories.PDF_BYTES + str(n).encode() * 100)
    media_root = Path(default_storage.location)
    settings_dict = connection.settings_dict
    env = libpq_environment(settings_dict)
    source = settings_dict["NAME"]
    restored = f"{source}_restored"
    dump = tmp_path / "disclosure.dump"

    # Backup, as docs/BACKUP.md says: pg_dump in the custom format, and the media folder.
    run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", source], env)
    archive = tmp_path / "media.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(media_root, arcname="media")

    # Restore into an empty database and an empty folder.
    run(["dropdb", "--if-exists", restored], env)
    run(["createdb", restored], env)
    try:
        run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored}", str(dump)], env)
        restored_media = tmp_path / "restored"
        with tarfile.open(archive) as tar:
            tar.extractall(restored_media, filter="data")

        with connection.cursor() as cursor:
            expected = table_fingerprints(cursor)
        other = psycopg2.connect(
            dbname=restored,
            host=settings_dict.get("HOST") or None,
            port=settings_dict.get("PORT") or None,
            user=settings_dict.get("USER") or None,
            password=settings_dict.get("PASSWORD") or None,
        )
        try:
            with other.cursor() as cursor:
                found = table_fingerprints(cursor)
        finally:
            other.close()
    finally:
        run(["dropdb", "--if-exists", restored], env)

    assert expected["notices_attachment"][0] == 3
    assert found == expected
    files = media_fingerprints(restored_media / "media")
    assert files == media_fingerprints(media_root)
    for attachment in Attachment.objects.all():
        assert files[attachment.file.name] == attachment.sha256

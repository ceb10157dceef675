"""What importing a folder costs the database, per file: the import of a thousand files is
timed by bench/import_corpus.py; this keeps its queries per file from growing back (about 57 a
file before issue 31's second round, 22 after), with every rule and the audit history kept."""

import shutil

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from audit.models import AuditEvent
from importer.models import ImportedSource
from notices.models import Notice
from search.models import PendingPublication, SearchEntry
from tests.importer import corpus_variants

pytestmark = pytest.mark.django_db(transaction=True)

# Queries a file may cost when imported from a folder by the command, and a few for the run.
PER_FILE = 26
PER_RUN = 15


@pytest.fixture
def folder(tmp_path):
    for entry in corpus_variants.index():
        shutil.copy(corpus_variants.REAL / entry["file"], tmp_path / entry["file"])
    return tmp_path


def test_a_folder_imports_in_a_bounded_number_of_queries_per_file(
    organ, editor, folder, django_assert_max_num_queries
):
    files = len(list(folder.iterdir()))
    with django_assert_max_num_queries(PER_FILE * files + PER_RUN) as counted:
        call_command("import_notices", str(folder), "--organ", organ.code, "--as", editor.username)
    assert Notice.objects.count() == files
    per_file = len(counted.captured_queries) / files
    assert per_file <= PER_FILE, f"{per_file:.1f} queries a file"


def test_what_the_import_saves_on_is_still_recorded(organ, editor, folder):
    """Fewer queries, the same history: each draft and each source audited, the workflow's
    event written, and nothing in the search index for a draft."""
    call_command("import_notices", str(folder), "--organ", organ.code, "--as", editor.username)
    drafts = Notice.objects.all()
    assert drafts.count() == len(list(folder.iterdir()))
    for model, count in ((Notice, drafts.count()), (ImportedSource, drafts.count())):
        created = AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(model), action=AuditEvent.Action.CREATE
        )
        assert created.count() == count
    assert all(notice.events.filter(action="created").exists() for notice in drafts)
    assert not SearchEntry.objects.exists() and not PendingPublication.objects.exists()
    # Each source keeps its report, written with it.
    for source in ImportedSource.objects.all():
        assert source.report["notice_id"] == source.notice_id
        assert source.report["status"] == "imported"

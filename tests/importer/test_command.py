"""manage.py import_notices PATH... --organ CODE --as USERNAME"""

import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from importer.models import ImportedSource
from notices.models import Notice
from tests.importer.helpers import CORPUS, make_docx

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("import_notices", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def folder(tmp_path):
    for name in ("gansu-2016-notice.raw.txt", "inspection-page.html", "assessment-clean.txt"):
        shutil.copy(CORPUS / name, tmp_path / name)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "annual.docx").write_bytes(
        make_docx((CORPUS / "inspection-traditional.txt").read_text(encoding="utf-8").split("\n"))
    )
    (tmp_path / "sub" / "broken.txt").write_bytes(b"\xff\xfe\x00\x00\x01" * 100)
    (tmp_path / ".hidden.txt").write_text("隐藏文件", encoding="utf-8")
    return tmp_path


def test_import_a_folder(organ, editor, folder):
    output = run(str(folder), "--organ", organ.code, "--as", editor.username)
    assert Notice.objects.count() == 4
    assert all(n.status == Notice.Status.DRAFT for n in Notice.objects.all())
    assert "导入 4 个" in output and "失败 1 个" in output
    assert "broken.txt" in output and ".hidden" not in output
    assert "?。ㄒ唬" in output  # the damaged headings are listed with their raw text


def test_reimporting_a_folder_is_idempotent(organ, editor, folder):
    run(str(folder), "--organ", organ.code, "--as", editor.username)
    output = run(str(folder), "--organ", organ.code, "--as", editor.username)
    assert Notice.objects.count() == 4 and ImportedSource.objects.count() == 4
    assert "未重复导入 4 个" in output


def test_import_single_files(organ, editor):
    output = run(
        str(CORPUS / "gansu-2016-notice.raw.txt"), "--organ", organ.code, "--as", editor.username
    )
    assert "已导入为草稿" in output and Notice.objects.count() == 1


def test_huge_file_refused_before_reading(organ, editor, tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 100
    path = tmp_path / "big.txt"
    shutil.copy(CORPUS / "gansu-2016-notice.raw.txt", path)
    output = run(str(path), "--organ", organ.code, "--as", editor.username)
    assert "文件太大" in output and not Notice.objects.exists()


@pytest.mark.parametrize(
    ("organ_code", "username", "message"),
    [("nope", "editor", "没有机构代码"), (None, "nobody", "没有用户名")],
)
def test_unknown_organ_or_user(organ, editor, organ_code, username, message):
    username = editor.username if username == "editor" else username
    with pytest.raises(CommandError, match=message):
        run(str(CORPUS), "--organ", organ_code or organ.code, "--as", username)


def test_reviewer_cannot_import(organ, reviewer):
    with pytest.raises(CommandError, match="不是“甘肃省人民政府办公厅”的编辑"):
        run(str(CORPUS), "--organ", organ.code, "--as", reviewer.username)
    assert not Notice.objects.exists()


def test_missing_path(organ, editor, tmp_path):
    with pytest.raises(CommandError, match="找不到"):
        run(str(tmp_path / "nothing"), "--organ", organ.code, "--as", editor.username)

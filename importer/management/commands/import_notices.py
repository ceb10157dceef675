from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from audit.context import acting
from importer import reading, saving
from importer.report import FileResult, ImportReport
from notices import workflow
from notices.models import Organ


class Command(BaseCommand):
    help = (
        "把旧网站保存的通知、通报（.txt、.html、.docx，文件或文件夹）导入为草稿；"
        "考核通报同时建立准备中的考核记录。每个文件单独导入，不会发布。"
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, help="文件或文件夹")
        parser.add_argument("--organ", required=True, help="导入到的机构代码，例如 000014349")
        parser.add_argument(
            "--as", dest="username", required=True, help="以哪位编辑的身份导入（用户名）"
        )

    def handle(self, *args, paths: list[Path], organ: str, username: str, **options):
        try:
            target = Organ.objects.get(code=organ)
        except Organ.DoesNotExist as error:
            raise CommandError(f"没有机构代码为“{organ}”的机构。") from error
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"没有用户名为“{username}”的用户。") from error
        if not workflow.can_create(user, target.pk):
            raise CommandError(
                f"用户“{username}”不是“{target.name}”的编辑（需要新建信息的权限），不能导入。"
            )
        missing = [str(path) for path in paths if not path.exists()]
        if missing:
            raise CommandError("找不到：" + "、".join(missing))
        report = ImportReport()
        lookups = saving.Lookups()
        with acting(actor=user, source="命令 import_notices"):
            for path in saving.collect_paths(paths):
                report.files.append(self._import(path, target, user, lookups))
                self.stdout.write(report.files[-1].as_text())
                self.stdout.write("")
        style = self.style.SUCCESS if report.count("failed") == 0 else self.style.WARNING
        self.stdout.write(style(report.summary))

    def _import(self, path: Path, organ: Organ, user, lookups: saving.Lookups) -> FileResult:
        try:
            problem = reading.size_problem(path.stat().st_size)
            if problem:  # refused before reading, so a huge file costs nothing
                return FileResult(name=str(path), reason=problem)
            data = path.read_bytes()
        except OSError as error:
            return FileResult(name=str(path), reason=f"无法读取文件：{error.strerror or error}。")
        return saving.import_file(data, str(path), organ, user, lookups=lookups)

"""Check every link in published notices' bodies: dead links and links leaving government
sites (暗链 risk). The results replace the last ones and make the report per organ
(admin: 内容保障 › 链接检查结果)."""

from django.core.management.base import BaseCommand, CommandError

from editorial_checks import link_reports, links
from notices.models import Organ


class Command(BaseCommand):
    help = "检查已发布信息正文中的所有链接（失效链接、指向非政府网站的链接），按机构生成报告。"

    def add_arguments(self, parser):
        parser.add_argument("--organ", help="只检查这个机构（机构代码）的信息")
        parser.add_argument("--concurrency", type=int, default=16, help="同时检查的链接数")
        parser.add_argument("--timeout", type=float, default=10.0, help="每个链接的超时秒数")

    def handle(self, *args, organ=None, concurrency=16, timeout=10.0, **options):
        chosen = None
        if organ:
            chosen = Organ.objects.filter(code=organ).first()
            if chosen is None:
                raise CommandError(f"没有代码为 {organ} 的机构。")
        checker = links.Checker(concurrency=concurrency, timeout=timeout)
        summary = link_reports.check_published(checker, chosen)
        self.stdout.write(str(summary))

from django.core.management.base import BaseCommand

from assessments import demo_loader as assessment_demo
from notices.demo_loader import DEMO_PASSWORD, load


class Command(BaseCommand):
    help = "Load demo organs, topics, notices, assessments and one account per role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args, base_url: str, **options):
        accounts = load()
        assessments = assessment_demo.load()
        base_url = base_url.rstrip("/")
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。"))
        self.stdout.write(f"门户网站：  {base_url}/")
        self.stdout.write(f"管理后台：  {base_url}/admin/")
        self.stdout.write(f"考核结果（{len(assessments)} 项）：")
        for assessment in assessments:
            label = " · 示例数据" if assessment.is_example else ""
            self.stdout.write(
                f"  {base_url}{assessment.get_absolute_url()}  {assessment.title}{label}"
            )
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for account in accounts:
            self.stdout.write(f"  {account.username:<10} {account.description}")

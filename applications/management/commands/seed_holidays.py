from django.core.management.base import BaseCommand, CommandError

from applications.holidays import package_days, seed_year


class Command(BaseCommand):
    help = "从 chinesecalendar 包写入某年的法定节假日和调休上班日（已有的日期不改）。"

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="+", type=int)

    def handle(self, *args, years, **options):
        for year in years:
            if not package_days(year):
                raise CommandError(
                    f"chinesecalendar 包尚无 {year} 年的节假日安排：请升级该包，"
                    "或按国务院办公厅的通知在后台“节假日安排”中逐日录入。"
                )
            added = seed_year(year)
            self.stdout.write(f"{year} 年：新增 {added} 天。")

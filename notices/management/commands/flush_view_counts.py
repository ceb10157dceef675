from django.core.management.base import BaseCommand

from notices import counters


class Command(BaseCommand):
    help = "Write the view counts pending in Redis to the database."

    def handle(self, *args, **options):
        written = counters.flush_views()
        self.stdout.write(f"已写入 {written} 次浏览。")

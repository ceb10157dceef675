from django.core.management.base import BaseCommand, CommandError

from audit import chain


class Command(BaseCommand):
    help = "Verify the audit history's hash chain and name the first broken link."

    def handle(self, *args, **options):
        report = chain.verify()
        if not report.intact:
            raise CommandError(
                f"审计链在第 {report.broken_at} 条处断裂：{report.reason}"
                f"（已核对 {report.checked} 条）"
            )
        summary = (
            f"审计链完整：共 {report.checked} 条，链头 #{report.head_sequence} {report.head_hash}"
        )
        self.stdout.write(self.style.SUCCESS(summary))

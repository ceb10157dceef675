from django.core.management.base import BaseCommand, CommandError

from audit import chain


class Command(BaseCommand):
    help = (
        "Verify the audit history: its hash chain, every event's seal, and the newest signed "
        "checkpoint; name the first event that does not fit."
    )

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
        checkpoint = report.checkpoint
        if checkpoint is None:
            self.stdout.write(
                self.style.WARNING(
                    "尚无签名检查点：无法发现末尾被删除的记录。请运行 manage.py audit_checkpoint。"
                )
            )
        else:
            self.stdout.write(
                f"与最新检查点相符：{checkpoint.time} 签名，共 {checkpoint.sequence} 条"
                f"（公钥 {checkpoint.key_id}）"
            )
            if checkpoint.note:
                self.stdout.write(self.style.WARNING(checkpoint.note))

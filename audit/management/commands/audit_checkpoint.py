from django.core.management.base import BaseCommand, CommandError

from audit import chain, checkpoints


class Command(BaseCommand):
    help = (
        "Sign the audit history as it stands (count and head hash) and write the checkpoint to "
        "the store outside the database. The built-in schedule (manage.py run_schedule) does so "
        "every few minutes; this command is for manual runs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--restored-because",
            default="",
            metavar="REASON",
            help="after restoring a backup (fewer events than the last checkpoint): why; signed "
            "into the new checkpoint",
        )

    def handle(self, *args, restored_because, **options):
        try:
            checkpoint = chain.record_checkpoint(restored_because.strip())
        except checkpoints.CheckpointError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"已写入检查点：共 {checkpoint.sequence} 条，链头 {checkpoint.hash}，"
                f"{checkpoint.time}（公钥 {checkpoint.key_id}）"
            )
        )

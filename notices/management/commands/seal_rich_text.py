from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from notices.models import Notice
from notices.sanitize import seal, seal_if_sanitized


class Command(BaseCommand):
    help = (
        "Seal the stored notice bodies that are exactly what the sanitizer writes, so that pages "
        "show them without sanitizing them again: after an upgrade of the sanitizer or nh3, a "
        "new SECRET_KEY, or rows written without save(). Bodies that sanitizing would change are "
        "left unsealed, and are sanitized on every display."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size 必须是正整数。")
        sealed = unsealable = 0
        after = 0
        while True:
            rows = list(
                Notice.objects.filter(pk__gt=after)
                .order_by("pk")
                .values_list("pk", "body", "body_seal")[:batch_size]
            )
            if not rows:
                break
            after = rows[-1][0]
            changed = []
            for pk, body, stored in rows:
                if stored and stored == seal(body):
                    continue
                fresh = seal_if_sanitized(body)
                if not fresh:
                    unsealable += 1
                    continue
                changed.append(Notice(pk=pk, body_seal=fresh))
            # A body saved meanwhile brought its own seal; writing this batch's over it leaves a
            # seal that does not match, so that body is sanitized on display: never the reverse.
            with transaction.atomic():
                # Small statements: each is a CASE over its rows' ids, checked for every row.
                Notice.objects.bulk_update(changed, ["body_seal"], batch_size=100)
            sealed += len(changed)
        self.stdout.write(
            f"已为 {sealed} 条正文写入校验码；"
            f"{unsealable} 条正文与清理结果不一致，显示时仍逐次清理。"
        )

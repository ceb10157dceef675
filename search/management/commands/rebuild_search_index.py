import time

from django.core.management.base import BaseCommand

from search.backends import get_backend


class Command(BaseCommand):
    help = (
        "Rebuild the full-text search index from the notices the public may read now. By "
        "default entries are rewritten in batches while the site runs; --full (the default for "
        "an empty index) measures the common grams again and rebuilds from scratch, much "
        "faster, but search finds nothing until it is done."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument(
            "--workers", type=int, default=1, help="processes for a full rebuild (PostgreSQL)"
        )
        parser.add_argument("--full", action="store_true", help="rebuild from scratch")

    def handle(self, *args, batch_size: int, workers: int, full: bool, **options):
        started = time.monotonic()

        def progress(done: int) -> None:
            if options["verbosity"] > 1 or done % (batch_size * 20) == 0:
                self.stdout.write(f"  {done} notices indexed ({time.monotonic() - started:.0f} s)")

        done = get_backend().rebuild(
            batch_size=batch_size, progress=progress, workers=workers, full=full or None
        )
        self.stdout.write(
            self.style.SUCCESS(f"Indexed {done} notices in {time.monotonic() - started:.1f} s.")
        )

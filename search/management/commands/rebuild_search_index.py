import time

from django.core.management.base import BaseCommand

from search import index


class Command(BaseCommand):
    help = (
        "Rebuild the full-text search index from the notices the public may read now, in "
        "batches (constant memory). Safe to run while the site is up."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--workers", type=int, default=1, help="processes to fold text in (PostgreSQL only)"
        )

    def handle(self, *args, batch_size: int, workers: int, **options):
        started = time.monotonic()

        def progress(done: int) -> None:
            if options["verbosity"] > 1 or done % (batch_size * 20) == 0:
                self.stdout.write(f"  {done} notices indexed ({time.monotonic() - started:.0f} s)")

        done = index.rebuild(batch_size=batch_size, progress=progress, workers=workers)
        self.stdout.write(
            self.style.SUCCESS(f"Indexed {done} notices in {time.monotonic() - started:.1f} s.")
        )

"""Run the built-in schedule (core/schedule.py): queue each periodic job's task when it falls due.

Run it beside ``manage.py db_worker``, as a service, on one server or on all of them: however
many run, each due job is queued once."""

import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from core import schedule
from core.models import ScheduledJob

logger = logging.getLogger("core.schedule")


class Command(BaseCommand):
    help = (
        "按内置的定时任务表，把到期的定时任务放入任务队列（由 db_worker 运行）；"
        "可在多台服务器上同时运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="只检查一次到期的任务，然后退出")
        parser.add_argument(
            "--interval",
            type=float,
            default=30.0,
            help="两次检查之间最多等待的秒数（默认 30）",
        )

    def handle(self, *args, once=False, interval=30.0, **options):
        if once:
            self.report(schedule.run_due())
            return
        self.running = True
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        while self.running:
            close_old_connections()
            try:
                self.report(schedule.run_due())
            except Exception:
                # The database away for a moment, or SQLite busy: try again on the next pass.
                logger.exception("The schedule could not be run; trying again")
            close_old_connections()
            self.sleep(self.pause(interval))

    def stop(self, *args) -> None:
        self.running = False

    def sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while self.running and time.monotonic() < deadline:
            time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))

    @staticmethod
    def pause(interval: float) -> float:
        """Until the next job is due, at most ``interval`` seconds (to notice changed settings
        and jobs another server moved)."""
        try:
            soonest = (
                ScheduledJob.objects.filter(interval__isnull=False, next_run__isnull=False)
                .order_by("next_run")
                .values_list("next_run", flat=True)
                .first()
            )
        except Exception:
            return interval
        if soonest is None:
            return interval
        return min(interval, max(1.0, (soonest - timezone.now()).total_seconds()))

    def report(self, queued: list[str]) -> None:
        if queued:
            self.stdout.write(f"已放入任务队列：{'、'.join(queued)}")

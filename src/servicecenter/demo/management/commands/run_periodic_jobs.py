"""`manage.py run_periodic_jobs`: the embedded scheduler on its own (servicecenter.scheduler).

`servicecenter serve` already runs it; use this command when the web server is something else (e.g. runserver or
an external gunicorn) and there is no Redis / celery beat. Run exactly one. `--once` runs the jobs due now once
(for cron-style use) — with `--once` every entry counts as due.
"""

from __future__ import annotations

import threading

from django.core.management.base import BaseCommand
from django.utils import timezone

from servicecenter.scheduler import project_scheduler


class Command(BaseCommand):
    help = "在本进程内运行定时任务（无 Redis 时）/ run the periodic jobs in this process (embedded mode)"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="run every periodic job once and exit")

    def handle(self, *args, once: bool = False, **options) -> None:
        scheduler = project_scheduler()
        if once:
            failed = 0
            for run in scheduler.run_all(timezone.now()):
                status = "ok" if run.ok else f"FAILED {run.error}"
                failed += not run.ok
                self.stdout.write(f"{run.entry} ({run.task}): {status} {run.seconds:.2f}s")
            if failed:
                self.stderr.write(f"{failed} 个任务失败 / job(s) failed")
                raise SystemExit(1)
            return
        stop = threading.Event()
        try:
            scheduler.run_forever(stop)
        except KeyboardInterrupt:
            stop.set()

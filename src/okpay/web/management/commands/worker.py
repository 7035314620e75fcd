"""`okpay worker`: run background jobs, and queue the ledger's periodic sweep.

One process does both: the django-tasks database worker loop runs the queued tasks, and a
small scheduler thread queues ``expire_pending_transfers`` every
``OKPAY_EXPIRY_SWEEP_SECONDS`` unless an earlier sweep is still waiting or running.
SIGINT or SIGTERM lets the task in hand finish and stops; a second SIGINT stops at once.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from datetime import timedelta
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, close_old_connections, connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from okpay.ledger.tasks import expire_pending_transfers

logger = logging.getLogger("okpay.worker")

# A sweep "running" for longer than this belongs to a worker that died: queue a new one.
STALE_RUN_AFTER = timedelta(minutes=10)


def expiry_sweep_enqueue_if_idle() -> bool:
    """Queue the pending-transfer expiry sweep unless one is queued or running already.

    Two workers may both queue one in a race; the task is idempotent, so that costs only
    an empty run.
    """
    task_path = expire_pending_transfers.module_path
    waiting = DBTaskResult.objects.filter(task_path=task_path, status=TaskResultStatus.READY)
    running = DBTaskResult.objects.filter(
        task_path=task_path,
        status=TaskResultStatus.RUNNING,
        started_at__gte=timezone.now() - STALE_RUN_AFTER,
    )
    if waiting.exists() or running.exists():
        return False
    expire_pending_transfers.enqueue()
    return True


class SweepScheduler(threading.Thread):
    """Queues the expiry sweep at a fixed interval until ``stop`` is set."""

    def __init__(self, *, every: float, stop: threading.Event) -> None:
        super().__init__(name="okpay-sweep-scheduler", daemon=True)
        self.every = every
        self.stop = stop

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                try:
                    if expiry_sweep_enqueue_if_idle():
                        logger.debug("queued the pending-transfer expiry sweep")
                except DatabaseError:
                    logger.exception("could not queue the expiry sweep; trying again later")
                finally:
                    close_old_connections()
                self.stop.wait(self.every)
        finally:
            connections.close_all()


class GracefulWorker(Worker):
    """The django-tasks database worker, stopping between tasks instead of exiting mid-way."""

    def __init__(self, *, stop: threading.Event, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stop = stop

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        self.stop.set()
        if self.running:
            logger.info("received %s: stopping after the current task", signal.strsignal(signum))
            self.running = False
            return
        if signum == signal.SIGINT:
            logger.warning("second interrupt: stopping now")
            self.reset_signals()
            sys.exit(1)


class Command(BaseCommand):
    help = "Run background jobs and queue the periodic ledger sweeps."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="Queue the sweeps that are due, run every waiting task, then exit.",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait between polls when the queue is empty (default: 1).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interval = options["interval"]
        if not 0 < interval <= 60:
            raise CommandError(f"--interval must be between 0 and 60 seconds; got {interval}.")
        sweep_every = settings.OKPAY_EXPIRY_SWEEP_SECONDS
        if sweep_every <= 0:
            raise CommandError("OKPAY_EXPIRY_SWEEP_SECONDS must be a positive number of seconds.")
        stop = threading.Event()
        worker = GracefulWorker(
            stop=stop,
            queue_names=["*"],
            excluded_queue_names=[],
            interval=interval,
            batch=options["once"],
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=not options["once"],
            max_tasks=None,
            worker_id=get_random_string(32),
        )
        if options["once"]:
            queued = expiry_sweep_enqueue_if_idle()
            worker.run()
            if options["verbosity"] >= 1:
                self.stdout.write(
                    f"expiry sweep {'queued' if queued else 'already queued'}; "
                    f"ran {worker._run_tasks} task(s)"
                )
            return

        worker.configure_signals()
        scheduler = SweepScheduler(every=sweep_every, stop=stop)
        scheduler.start()
        logger.info("worker %s started; expiry sweep every %s s", worker.worker_id, sweep_every)
        try:
            worker.run()
        finally:
            stop.set()
            scheduler.join(timeout=30)
            worker.reset_signals()
        logger.info("worker %s stopped", worker.worker_id)

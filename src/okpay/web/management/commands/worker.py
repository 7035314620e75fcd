"""`okpay worker`: run background jobs, and queue the periodic ones.

One process does both: the django-tasks database worker loop runs the queued tasks, and a
small scheduler thread queues each periodic job (``periodic_jobs()``: the ledger's expiry
sweep and the sandbox rails' settlement every ``OKPAY_EXPIRY_SWEEP_SECONDS``, e-mail
retries and the live-chat queue timeout every minute, the support SLA escalation every five
minutes, identity upkeep every hour) when it is due, unless an earlier run
is still waiting or running.
SIGINT or SIGTERM lets the task in hand finish and stops; a second SIGINT stops at once.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
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

from okpay.identity.tasks import prune_identity_state
from okpay.ledger.tasks import expire_pending_transfers
from okpay.notifications.tasks import retry_due_emails
from okpay.support.tasks import support_chats_expire, support_sla_escalate
from okpay.wallets.tasks import rails_settle_due

logger = logging.getLogger("okpay.worker")

# A sweep "running" for longer than this belongs to a worker that died: queue a new one.
STALE_RUN_AFTER = timedelta(minutes=10)


def periodic_jobs() -> list[tuple[Any, float]]:
    """(task, seconds between runs) for every job the worker queues on its own."""
    return [
        (expire_pending_transfers, float(settings.OKPAY_EXPIRY_SWEEP_SECONDS)),
        (rails_settle_due, float(settings.OKPAY_EXPIRY_SWEEP_SECONDS)),
        (retry_due_emails, 60.0),
        (support_sla_escalate, 300.0),
        (support_chats_expire, 60.0),
        (prune_identity_state, 3600.0),
    ]


def enqueue_if_idle(job: Any) -> bool:
    """Queue ``job`` unless a run of it is queued or running already.

    Two workers may both queue one in a race; every periodic task is idempotent, so that
    costs only an empty run.
    """
    task_path = job.module_path
    waiting = DBTaskResult.objects.filter(task_path=task_path, status=TaskResultStatus.READY)
    running = DBTaskResult.objects.filter(
        task_path=task_path,
        status=TaskResultStatus.RUNNING,
        started_at__gte=timezone.now() - STALE_RUN_AFTER,
    )
    if waiting.exists() or running.exists():
        return False
    job.enqueue()
    return True


class PeriodicScheduler(threading.Thread):
    """Queues each periodic job when it is due, until ``stop`` is set."""

    def __init__(self, *, jobs: list[tuple[Any, float]], stop: threading.Event) -> None:
        super().__init__(name="okpay-periodic-scheduler", daemon=True)
        self.jobs = jobs
        self.stop = stop
        self.tick = min(every for _, every in jobs)

    def run(self) -> None:
        next_due = dict.fromkeys(range(len(self.jobs)), 0.0)
        try:
            while not self.stop.is_set():
                now = time.monotonic()
                for index, (job, every) in enumerate(self.jobs):
                    if now < next_due[index]:
                        continue
                    next_due[index] = now + every
                    try:
                        if enqueue_if_idle(job):
                            logger.debug("queued %s", job.module_path)
                    except DatabaseError:
                        logger.exception("could not queue %s; trying again later", job.module_path)
                    finally:
                        close_old_connections()
                self.stop.wait(self.tick)
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
        jobs = periodic_jobs()
        if options["once"]:
            queued = sum(enqueue_if_idle(job) for job, _every in jobs)
            worker.run()
            if options["verbosity"] >= 1:
                self.stdout.write(
                    f"queued {queued} periodic job(s); ran {worker._run_tasks} task(s)"
                )
            return

        worker.configure_signals()
        scheduler = PeriodicScheduler(jobs=jobs, stop=stop)
        scheduler.start()
        logger.info("worker %s started; expiry sweep every %s s", worker.worker_id, sweep_every)
        try:
            worker.run()
        finally:
            stop.set()
            scheduler.join(timeout=30)
            worker.reset_signals()
        logger.info("worker %s stopped", worker.worker_id)

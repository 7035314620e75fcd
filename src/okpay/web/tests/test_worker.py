"""`okpay worker`: the expiry sweep is queued once and run by the database worker."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from okpay.ledger.models import PendingStatus, PendingTransfer
from okpay.ledger.services import accounts_create, transfers_create
from okpay.ledger.tasks import expire_pending_transfers
from okpay.ledger.types import AccountSpec, TransferFlag, TransferSpec
from okpay.web.management.commands.worker import enqueue_if_idle, periodic_jobs

# The worker checks its database connection between tasks as Django does between
# requests, which needs real transactions rather than a test-wide one.
pytestmark = pytest.mark.django_db(transaction=True)

SWEEP = expire_pending_transfers.module_path


def _sweeps(status: str) -> int:
    return DBTaskResult.objects.filter(task_path=SWEEP, status=status).count()


def test_sweep_is_queued_only_when_none_is_waiting() -> None:
    assert enqueue_if_idle(expire_pending_transfers) is True
    assert enqueue_if_idle(expire_pending_transfers) is False

    assert _sweeps(TaskResultStatus.READY) == 1


def test_a_sweep_stuck_in_running_for_long_is_not_waited_for() -> None:
    expire_pending_transfers.enqueue()
    DBTaskResult.objects.filter(task_path=SWEEP).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - timedelta(hours=1)
    )

    assert enqueue_if_idle(expire_pending_transfers) is True
    assert _sweeps(TaskResultStatus.READY) == 1


def _overdue_hold() -> None:
    """A pending transfer whose 60 s timeout ran out an hour ago."""
    accounts_create(
        accounts=[
            AccountSpec(id="t:bank", currency="CNY", code="rail_settlement.bank"),
            AccountSpec(id="t:wallet", currency="CNY", code="wallet"),
        ]
    )
    [result] = transfers_create(
        transfers=[
            TransferSpec(
                id="t:hold",
                debit_account_id="t:bank",
                credit_account_id="t:wallet",
                amount=500,
                currency="CNY",
                code="deposit",
                flags=frozenset({TransferFlag.PENDING.value}),
                timeout_seconds=60,
            )
        ],
        now=timezone.now() - timedelta(hours=1),
    )
    assert result.ok


def test_worker_once_expires_overdue_pending_transfers() -> None:
    # given
    _overdue_hold()

    # when
    out = StringIO()
    call_command("worker", "--once", stdout=out)

    # then
    assert PendingTransfer.objects.get(transfer_id="t:hold").status == PendingStatus.EXPIRED
    [sweep] = DBTaskResult.objects.filter(task_path=SWEEP)
    assert (sweep.status, sweep.return_value) == (TaskResultStatus.SUCCESSFUL, 1)
    jobs = len(periodic_jobs())
    assert jobs == 6  # expiry, rail settlement, e-mail retry, SLA, chat queue, identity
    assert out.getvalue().strip() == f"queued {jobs} periodic job(s); ran {jobs} task(s)"


def test_expiry_task_is_idempotent() -> None:
    _overdue_hold()

    assert expire_pending_transfers.call() == 1
    assert expire_pending_transfers.call() == 0
    assert PendingTransfer.objects.get(transfer_id="t:hold").status == PendingStatus.EXPIRED

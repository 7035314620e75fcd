"""Settle operations a rail has answered: post or void their held ledger transfers.

``rails_settle_due`` (run by the worker) asks the rail about every open operation whose
expected arrival or deadline has passed. Completed → post every hold (one linked chain);
rejected → void them (``failed``, ``rail_rejected``); returned → void them (``returned``,
``payout_returned``); no answer by the deadline → void them (``failed``,
``rail_timeout``). Each operation is settled in its own transaction under a row lock on
the transaction, with ledger ids derived from the reference, so running it twice, or in
two workers at once, settles each operation once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from okpay.ledger.types import TransferFlag, TransferSpec
from okpay.wallets import rails
from okpay.wallets.failures import FailureCode
from okpay.wallets.models import OPEN_STATUSES, Transaction, TransactionStatus, TransactionType
from okpay.wallets.services.common import ledger_apply
from okpay.wallets.services.records import transaction_status_set

KINDS = {
    TransactionType.DEPOSIT: "deposit",
    TransactionType.WITHDRAWAL: "withdrawal",
    TransactionType.INTERNATIONAL_TRANSFER: "payout",
}


@dataclass(frozen=True, slots=True)
class SettleReport:
    completed: int = 0
    failed: int = 0
    returned: int = 0
    timed_out: int = 0
    waiting: int = 0


def held_transfer_ids(txn: Transaction) -> list[str]:
    """The pending ledger transfers of ``txn`` (not their posts or voids)."""
    return [i for i in txn.ledger_transfer_ids if i.count(":") == 1]


def _resolve(txn: Transaction, *, post: bool, now: datetime) -> list[str]:
    flag = TransferFlag.POST_PENDING_TRANSFER if post else TransferFlag.VOID_PENDING_TRANSFER
    suffix = "post" if post else "void"
    specs = [
        TransferSpec(id=f"{held}:{suffix}", pending_id=held, flags=frozenset({flag.value}))
        for held in held_transfer_ids(txn)
    ]
    return ledger_apply(specs=specs, now=now) if specs else []


def transaction_settle(*, transaction_id: int, now: datetime | None = None) -> str:
    """Ask the rail about one open operation and settle it; return its status afterwards."""
    at = now or timezone.now()
    with transaction.atomic():
        txn = Transaction.objects.select_for_update().filter(pk=transaction_id).first()
        if txn is None or txn.status not in OPEN_STATUSES or txn.type not in KINDS:
            return txn.status if txn is not None else ""
        payout = txn.type == TransactionType.INTERNATIONAL_TRANSFER
        answer = rails.rail_get(txn.rail).status(
            operation=rails.RailOperation(
                kind=KINDS[TransactionType(txn.type)],
                reference=txn.reference,
                rail_reference=txn.rail_reference,
                amount_minor=(txn.receive_amount_minor or txn.amount_minor)
                if payout
                else txn.amount_minor,
                currency=txn.receive_currency if payout else txn.currency,
                started_at=txn.created_at,
                eta=txn.eta,
            ),
            now=at,
        )
        code: str
        if answer.state == rails.RailState.PROCESSING:
            if txn.rail_deadline is None or at < txn.rail_deadline:
                return txn.status
            to, code, post = TransactionStatus.FAILED, FailureCode.RAIL_TIMEOUT, False
        elif answer.state == rails.RailState.COMPLETED:
            to, code, post = TransactionStatus.COMPLETED, "", True
        elif answer.state == rails.RailState.RETURNED:
            to, code, post = TransactionStatus.RETURNED, FailureCode.PAYOUT_RETURNED, False
        else:
            to, code, post = TransactionStatus.FAILED, FailureCode.RAIL_REJECTED, False
        resolved = _resolve(txn, post=post, now=at)
        transaction_status_set(
            txn=txn,
            to_status=to,
            now=at,
            reason=answer.code or ("rail_timeout" if code == FailureCode.RAIL_TIMEOUT else ""),
            failure_code=code,
            rail_code=answer.code,
            ledger_transfer_ids=[*txn.ledger_transfer_ids, *resolved],
        )
        _notify_on_commit(txn)
        return to


def _notify_on_commit(txn: Transaction) -> None:
    from okpay.wallets.notify import transaction_notify

    transaction.on_commit(lambda: transaction_notify(transaction_id=txn.pk))


def rails_settle_due(*, now: datetime | None = None, batch_size: int = 200) -> SettleReport:
    """Settle every open operation whose ETA or deadline has passed. Idempotent."""
    at = now or timezone.now()
    due = list(
        Transaction.objects.filter(status__in=OPEN_STATUSES, type__in=list(KINDS))
        .filter(Q(eta__lte=at) | Q(rail_deadline__lte=at))
        .order_by("eta", "id")
        .values_list("pk", flat=True)[:batch_size]
    )
    counts = {"completed": 0, "failed": 0, "returned": 0, "timed_out": 0, "waiting": 0}
    for pk in due:
        status = transaction_settle(transaction_id=pk, now=at)
        if status == TransactionStatus.COMPLETED:
            counts["completed"] += 1
        elif status == TransactionStatus.RETURNED:
            counts["returned"] += 1
        elif status == TransactionStatus.FAILED:
            failed = Transaction.objects.filter(pk=pk, failure_code=FailureCode.RAIL_TIMEOUT)
            counts["timed_out" if failed.exists() else "failed"] += 1
        else:
            counts["waiting"] += 1
    return SettleReport(**counts)

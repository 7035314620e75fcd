"""Transaction records: references, creation and status changes with their history."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from okpay.identity.models import User
from okpay.wallets.models import (
    FAILED_STATUSES,
    ReferenceCounter,
    Transaction,
    TransactionStatus,
    TransactionStatusChange,
)

LETTERS = string.ascii_uppercase


def reference_next(*, now: datetime) -> str:
    """``OK`` + YYMMDD (UTC) + day sequence (4+ digits) + two random letters.

    The counter row of the day is incremented with a conditional ``UPDATE`` (no
    read-modify-write); the row lock is held until the caller's transaction commits.
    """
    day: date = now.astimezone(UTC).date()
    updated = ReferenceCounter.objects.filter(day=day).update(last=F("last") + 1)
    if not updated:
        try:
            with transaction.atomic():
                ReferenceCounter.objects.create(day=day, last=1)
        except IntegrityError:
            ReferenceCounter.objects.filter(day=day).update(last=F("last") + 1)
    sequence = ReferenceCounter.objects.filter(day=day).values_list("last", flat=True).get()
    suffix = "".join(secrets.choice(LETTERS) for _ in range(2))
    return f"OK{day:%y%m%d}{sequence:04d}{suffix}"


@dataclass(frozen=True)
class NewTransaction:
    user: User
    type: str
    status: str
    amount_minor: int
    currency: str
    fee_minor: int = 0
    fee_currency: str = ""
    fee_rule_id: int | None = None
    fx_rate: Any = None
    receive_amount_minor: int | None = None
    receive_currency: str = ""
    funding_source: str = ""
    rail: str = ""
    recipient: dict[str, Any] = field(default_factory=dict)
    client_reference: str = ""
    failure_code: str = ""
    eta: datetime | None = None
    rail_deadline: datetime | None = None


def transaction_record(
    *, new: NewTransaction, now: datetime, reason: str = "", **links: Any
) -> Transaction:
    """Insert a transaction and its first history row. The caller holds the atomic block."""
    txn = Transaction.objects.create(
        reference=reference_next(now=now),
        user=new.user,
        type=new.type,
        status=new.status,
        amount_minor=new.amount_minor,
        currency=new.currency,
        fee_minor=new.fee_minor,
        fee_currency=new.fee_currency or new.currency,
        fee_rule_id=new.fee_rule_id,
        fx_rate=new.fx_rate,
        receive_amount_minor=new.receive_amount_minor,
        receive_currency=new.receive_currency,
        funding_source=new.funding_source,
        rail=new.rail,
        recipient=new.recipient,
        client_reference=new.client_reference,
        failure_code=new.failure_code,
        eta=new.eta,
        rail_deadline=new.rail_deadline,
        created_at=now,
        updated_at=now,
        **links,
    )
    TransactionStatusChange.objects.create(
        transaction=txn, from_status="", to_status=new.status, reason=reason, at=now
    )
    return txn


def transaction_status_set(
    *,
    txn: Transaction,
    to_status: str,
    now: datetime,
    reason: str = "",
    failure_code: str = "",
    expected_from: tuple[str, ...] | None = None,
    **fields: Any,
) -> bool:
    """Move ``txn`` to ``to_status`` if it is still in one of ``expected_from``.

    A conditional ``UPDATE``: a second worker settling the same transaction changes
    nothing and gets False. Writes the history row in the same transaction.
    """
    if to_status in FAILED_STATUSES and not failure_code:
        raise ValueError("a failed or returned transaction needs a failure code")
    allowed = expected_from or (TransactionStatus.PENDING, TransactionStatus.PROCESSING)
    updated = Transaction.objects.filter(pk=txn.pk, status__in=allowed).update(
        status=to_status, failure_code=failure_code, updated_at=now, **fields
    )
    if not updated:
        return False
    TransactionStatusChange.objects.create(
        transaction=txn, from_status=txn.status, to_status=to_status, reason=reason, at=now
    )
    txn.status = to_status
    txn.failure_code = failure_code
    txn.updated_at = now
    for name, value in fields.items():
        setattr(txn, name, value)
    return True

"""Checks every money operation shares: who may pay, limits, ledger calls, idempotency."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum

from okpay.identity.models import User
from okpay.identity.services import require_verified_email
from okpay.ledger.services import transfers_create
from okpay.ledger.types import CreateTransferResult, TransferFlag, TransferSpec
from okpay.money import MAX_AMOUNT_MINOR, AmountNegative, AmountTooLarge, AmountZero
from okpay.money.rounding import require_int
from okpay.wallets import pricing
from okpay.wallets.chart import WALLET_CODE
from okpay.wallets.errors import AccountFrozen, ClientReferenceReused, InsufficientFunds
from okpay.wallets.models import Transaction, TransactionStatus

T = TypeVar("T")

COUNTED_STATUSES = (
    TransactionStatus.PENDING,
    TransactionStatus.PROCESSING,
    TransactionStatus.COMPLETED,
)
_IGNORED = (
    CreateTransferResult.CREATED,
    CreateTransferResult.EXISTS,
    CreateTransferResult.LINKED_EVENT_FAILED,
)


class LedgerRefused(RuntimeError):
    """The ledger refused a transfer for a reason that is a defect, not a user's mistake."""


def user_check(*, user: User) -> None:
    """Money moves only for an active, secured account with a confirmed e-mail address.

    An account an operator marked compromised (``must_change_password``) is frozen until
    the password is changed.
    """
    if not user.is_active or user.must_change_password:
        raise AccountFrozen()
    require_verified_email(user=user)


def amount_check(amount_minor: int, *, field: str = "amount") -> int:
    require_int(amount_minor, field)
    if amount_minor == 0:
        raise AmountZero(field=field)
    if amount_minor < 0:
        raise AmountNegative(field=field)
    if amount_minor > MAX_AMOUNT_MINOR:
        raise AmountTooLarge(field=field)
    return amount_minor


def usage_compute(
    *, user: User, transaction_type: str, currency: str, now: datetime
) -> tuple[int, int]:
    """What ``user`` used today and this calendar month (their time zone) in ``currency``.

    Pending, processing and completed transactions count; failed, returned and cancelled
    ones do not.
    """
    try:
        zone = ZoneInfo(user.time_zone or settings.TIME_ZONE)
    except (ValueError, KeyError):
        zone = ZoneInfo(settings.TIME_ZONE)
    local = now.astimezone(zone)
    day_start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    month_start = day_start.replace(day=1)
    rows = Transaction.objects.filter(
        user=user,
        type=transaction_type,
        currency=currency,
        status__in=COUNTED_STATUSES,
        created_at__gte=month_start,
        created_at__lt=now + timedelta(seconds=1),
    )
    month = rows.aggregate(total=Sum("amount_minor"))["total"] or 0
    day = rows.filter(created_at__gte=day_start).aggregate(total=Sum("amount_minor"))["total"]
    return int(day or 0), int(month)


def limits_enforce(
    *,
    user: User,
    transaction_type: str,
    currency: str,
    amount_minor: int,
    now: datetime,
    to_country: str = "",
) -> None:
    day, month = usage_compute(
        user=user, transaction_type=transaction_type, currency=currency, now=now
    )
    pricing.limit_check(
        user_id=user.pk,
        transaction_type=transaction_type,
        currency=currency,
        amount_minor=amount_minor,
        from_country=user.country,
        to_country=to_country,
        day_minor=day,
        month_minor=month,
    )


def chain(specs: Sequence[TransferSpec]) -> list[TransferSpec]:
    """Link ``specs`` so they succeed or fail together (all but the last get ``linked``)."""
    linked: list[TransferSpec] = []
    for index, spec in enumerate(specs):
        flags = set(spec.flags)
        if index < len(specs) - 1:
            flags.add(TransferFlag.LINKED.value)
        linked.append(
            TransferSpec(
                id=spec.id,
                debit_account_id=spec.debit_account_id,
                credit_account_id=spec.credit_account_id,
                amount=spec.amount,
                currency=spec.currency,
                code=spec.code,
                flags=frozenset(flags),
                pending_id=spec.pending_id,
                metadata=spec.metadata,
            )
        )
    return linked


def ledger_apply(*, specs: Sequence[TransferSpec], now: datetime) -> list[str]:
    """Post ``specs`` as one linked chain; raise ``InsufficientFunds`` for an empty wallet."""
    specs = chain(specs)
    results = transfers_create(transfers=specs, now=now)
    for spec, result in zip(specs, results, strict=True):
        if result.status in _IGNORED:
            continue
        if (
            result.status == CreateTransferResult.EXCEEDS_CREDITS
            and spec.debit_account_id.startswith(f"{WALLET_CODE}:")
        ):
            raise InsufficientFunds(field="amount", currency=spec.currency)
        raise LedgerRefused(f"{spec.id}: {result.status.value}")
    return [s.id for s in specs]


def once(
    *,
    user: User,
    client_reference: str,
    transaction_type: str,
    amount_minor: int,
    work: Callable[[], T],
    recheck: Callable[[], None] | None = None,
) -> T | Transaction:
    """Run ``work`` atomically unless ``client_reference`` was already used by ``user``.

    A repeated submission returns the first transaction (and moves no money again); the
    unique constraint decides a race between two identical submissions. Inside the
    transaction the user's row is locked first, so one user's operations run one at a
    time there, and ``recheck`` (the limits check) sees every earlier operation: two
    parallel requests cannot both fit under a daily or monthly limit that only one fits.
    """

    def existing() -> Transaction | None:
        if not client_reference:
            return None
        found = Transaction.objects.filter(user=user, client_reference=client_reference).first()
        if found is None:
            return None
        if found.type != transaction_type or (
            transaction_type != "international_transfer" and found.amount_minor != amount_minor
        ):
            raise ClientReferenceReused(field="client_reference")
        return found

    first = existing()
    if first is not None:
        return first
    try:
        with transaction.atomic():
            User.objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
            if recheck is not None:
                recheck()
            return work()
    except IntegrityError:
        again = existing()
        if again is not None:
            return again
        raise


def metadata(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, "")}

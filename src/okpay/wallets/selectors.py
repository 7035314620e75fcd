"""Reads for pages and the API. Every selector takes the requesting user and only ever
returns that user's data; another user's transaction is ``NotFound``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from okpay.errors import InvalidInput, NotFound
from okpay.identity.models import User
from okpay.ledger.models import Account, Transfer
from okpay.money import Rounding, convert
from okpay.wallets import pricing
from okpay.wallets.chart import WALLET_CODE, wallet_account_id
from okpay.wallets.failures import FailureExplanation, failure_explain
from okpay.wallets.models import Payee, Transaction, TransactionStatusChange
from okpay.wallets.services.quotes import currency_enabled_check

MAX_PAGE = 100


@dataclass(frozen=True, slots=True)
class WalletBalance:
    currency: str
    account_id: str
    posted_minor: int  # credits posted − debits posted
    available_minor: int  # posted − outgoing held
    pending_incoming_minor: int
    pending_outgoing_minor: int


def wallet_balances(*, user: User) -> list[WalletBalance]:
    """The user's wallets in the order of the enabled currencies, then the others."""
    from okpay.money import enabled_currencies

    order = {c.code: i for i, c in enumerate(enabled_currencies())}
    rows = Account.objects.filter(id__startswith=f"{WALLET_CODE}:{user.pk}:", code=WALLET_CODE)
    balances = [
        WalletBalance(
            currency=a.currency,
            account_id=a.id,
            posted_minor=a.credits_posted - a.debits_posted,
            available_minor=a.credits_posted - a.debits_posted - a.debits_pending,
            pending_incoming_minor=a.credits_pending,
            pending_outgoing_minor=a.debits_pending,
        )
        for a in rows
        if a.id == wallet_account_id(user.pk, a.currency)
    ]
    return sorted(balances, key=lambda b: (order.get(b.currency, len(order)), b.currency))


@dataclass(frozen=True, slots=True)
class WalletsTotal:
    currency: str
    available_minor: int
    rates_as_of: datetime | None


def wallets_total(*, user: User, display_currency: str) -> WalletsTotal:
    """All available balances converted at the mid rate (half-even) into one currency.

    Raises ``FxRatesStale`` / ``CurrencyNotSupported`` from fx when no fresh rate exists.
    """
    currency_enabled_check(display_currency, field="display_currency")
    total = 0
    oldest: datetime | None = None
    for balance in wallet_balances(user=user):
        if balance.available_minor == 0:
            continue
        if balance.currency == display_currency:
            total += balance.available_minor
            continue
        mid = pricing.mid_rate(from_currency=balance.currency, to_currency=display_currency)
        total += convert(
            balance.available_minor,
            rate=mid.rate,
            from_currency=balance.currency,
            to_currency=display_currency,
            rounding=Rounding.HALF_EVEN,
        )
        oldest = mid.as_of if oldest is None or mid.as_of < oldest else oldest
    return WalletsTotal(currency=display_currency, available_minor=total, rates_as_of=oldest)


# --- transactions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TransactionPage:
    items: list[Transaction]
    has_more: bool

    @property
    def next_cursor(self) -> str | None:
        return self.items[-1].reference if self.has_more and self.items else None


def _user_transactions(user: User) -> QuerySet[Transaction]:
    return Transaction.objects.filter(user=user)


def transactions_list(
    *,
    user: User,
    type: str = "",
    status: str = "",
    currency: str = "",
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    search: str = "",
    limit: int = 20,
    starting_after: str = "",
) -> TransactionPage:
    """Newest first; ``created_to`` is exclusive; ``starting_after`` is a reference."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(_("Ask for 1 to 100 items."), field="limit")
    rows = _user_transactions(user)
    if type:
        rows = rows.filter(type=type)
    if status:
        rows = rows.filter(status=status)
    if currency:
        rows = rows.filter(Q(currency=currency) | Q(receive_currency=currency))
    if created_from is not None:
        rows = rows.filter(created_at__gte=created_from)
    if created_to is not None:
        rows = rows.filter(created_at__lt=created_to)
    if search:
        rows = rows.filter(reference__icontains=search.strip())
    if starting_after:
        cursor = (
            _user_transactions(user)
            .filter(reference=starting_after)
            .values_list("created_at", "id")
            .first()
        )
        if cursor is None:
            raise InvalidInput(
                _("The cursor does not name one of your transactions."), field="starting_after"
            )
        at, pk = cursor
        rows = rows.filter(Q(created_at__lt=at) | Q(created_at=at, id__lt=pk))
    items = list(rows.order_by("-created_at", "-id")[: limit + 1])
    return TransactionPage(items=items[:limit], has_more=len(items) > limit)


@dataclass(frozen=True)
class TransactionDetail:
    transaction: Transaction
    history: list[TransactionStatusChange]
    failure: FailureExplanation | None


def transaction_get(*, user: User, reference: str) -> Transaction:
    txn = _user_transactions(user).filter(reference=reference).first()
    if txn is None:
        raise NotFound(_("No transaction of yours has this reference."), field="reference")
    return txn


def transaction_detail(*, user: User, reference: str) -> TransactionDetail:
    """One transaction with its status timeline and, when it failed, what to do next."""
    txn = transaction_get(user=user, reference=reference)
    return TransactionDetail(
        transaction=txn,
        history=list(txn.status_changes.order_by("at", "id")),
        failure=transaction_failure(user=user, transaction=txn),
    )


def transaction_failure(*, user: User, transaction: Transaction) -> FailureExplanation | None:
    """The failure of ``transaction`` in the active language, or None when it did not fail."""
    if transaction.user_id != user.pk:
        raise NotFound(_("No transaction of yours has this reference."), field="reference")
    return failure_explain(transaction.failure_code) if transaction.failure_code else None


# --- balance history and statements ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BalancePoint:
    day: date
    closing_minor: int


def _zone(user: User) -> ZoneInfo:
    try:
        return ZoneInfo(user.time_zone or settings.TIME_ZONE)
    except (ValueError, KeyError):
        return ZoneInfo(settings.TIME_ZONE)


def balance_series(
    *, user: User, currency: str, day_from: date, day_to: date
) -> list[BalancePoint]:
    """Posted balance of the wallet at the end of each day (the user's time zone), inclusive.

    Built from the ledger's transfers: a plain transfer counts when it was made, a pending
    one only once posted (when the post was made); voids change nothing.
    """
    if day_to < day_from or (day_to - day_from).days > 366:
        raise InvalidInput(_("Choose a range of at most a year."), field="day_from")
    zone = _zone(user)
    account_id = wallet_account_id(user.pk, currency)
    end = datetime.combine(day_to + timedelta(days=1), time(), tzinfo=zone)
    start = datetime.combine(day_from, time(), tzinfo=zone)
    moves = Transfer.objects.filter(
        Q(debit_account_id=account_id) | Q(credit_account_id=account_id),
        pending=False,
        void_pending_transfer=False,
        created_at__lt=end,
    ).values_list("created_at", "amount", "credit_account_id")
    opening = 0
    per_day: dict[date, int] = defaultdict(int)
    for created_at, amount, credit in moves.iterator():
        signed = amount if credit == account_id else -amount
        if created_at < start:
            opening += signed
        else:
            per_day[timezone.localtime(created_at, zone).date()] += signed
    points: list[BalancePoint] = []
    running = opening
    day = day_from
    while day <= day_to:
        running += per_day.get(day, 0)
        points.append(BalancePoint(day=day, closing_minor=running))
        day += timedelta(days=1)
    return points


@dataclass(frozen=True, slots=True)
class StatementRow:
    created_at: datetime
    reference: str
    type: str
    status: str
    currency: str
    amount_minor: int  # signed: money in is positive, money out negative
    fee_minor: int
    fee_currency: str
    receive_amount_minor: int | None
    receive_currency: str
    counterparty: str
    failure_code: str


OUTGOING = {"withdrawal", "p2p_send", "international_transfer", "conversion", "fee"}


def statement_rows(
    *, user: User, created_from: datetime, created_to: datetime
) -> list[StatementRow]:
    """The user's transactions in ``[created_from, created_to)``, oldest first."""
    rows = (
        _user_transactions(user)
        .filter(created_at__gte=created_from, created_at__lt=created_to)
        .order_by("created_at", "id")
    )
    return [
        StatementRow(
            created_at=t.created_at,
            reference=t.reference,
            type=t.type,
            status=t.status,
            currency=t.currency,
            amount_minor=-t.amount_minor if t.type in OUTGOING else t.amount_minor,
            fee_minor=t.fee_minor,
            fee_currency=t.fee_currency,
            receive_amount_minor=t.receive_amount_minor,
            receive_currency=t.receive_currency,
            counterparty=str(t.recipient.get("name") or t.recipient.get("email") or ""),
            failure_code=t.failure_code,
        )
        for t in rows
    ]


# --- prices before signing in (fee calculator) ----------------------------------------------


@dataclass(frozen=True, slots=True)
class PriceEstimate:
    """What an operation would cost now: the same arithmetic as a quote, nothing stored."""

    transaction_type: str
    send_currency: str
    send_amount_minor: int
    receive_currency: str
    receive_amount_minor: int
    fee_minor: int
    fee_rule_name: str
    fee_included: bool  # top-ups take the fee from the amount; others charge it on top
    mid_rate: Decimal | None
    customer_rate: Decimal | None
    rate_as_of: datetime | None

    @property
    def total_debit_minor(self) -> int:
        return self.send_amount_minor + (0 if self.fee_included else self.fee_minor)


def price_estimate(
    *,
    transaction_type: str,
    send_currency: str,
    receive_currency: str,
    amount_minor: int,
    amount_side: str = "send",
    funding_source: str = "",
    from_country: str = "",
    to_country: str = "",
) -> PriceEstimate:
    """Fee and rate for a payment of this kind, as a quote would compute them (see
    ``services.quotes`` for the rounding). Deposits credit ``amount - fee``."""
    from okpay.money import Rounding as R
    from okpay.wallets.errors import AmountTooSmall, OperationNotAllowed
    from okpay.wallets.models import TransactionType
    from okpay.wallets.services.common import amount_check
    from okpay.wallets.services.quotes import send_for_receive

    kinds = (
        TransactionType.DEPOSIT,
        TransactionType.WITHDRAWAL,
        TransactionType.P2P_SEND,
        TransactionType.INTERNATIONAL_TRANSFER,
        TransactionType.CONVERSION,
    )
    if transaction_type not in kinds:
        raise OperationNotAllowed(field="transaction_type")
    currency_enabled_check(send_currency, field="send_currency")
    amount_check(amount_minor)
    if transaction_type in (TransactionType.DEPOSIT, TransactionType.WITHDRAWAL):
        receive_currency = send_currency
    currency_enabled_check(receive_currency, field="receive_currency")
    if transaction_type == TransactionType.CONVERSION and send_currency == receive_currency:
        raise OperationNotAllowed(
            _("Choose two different currencies to convert."), field="receive_currency"
        )
    mid: Decimal | None = None
    rate: Decimal | None = None
    as_of: datetime | None = None
    if send_currency == receive_currency:
        send_minor = receive_minor = amount_minor
    else:
        if amount_side == "receive":
            mid_rate = pricing.mid_rate(from_currency=send_currency, to_currency=receive_currency)
            estimate = send_for_receive(
                receive_minor=amount_minor,
                rate=mid_rate.rate,
                send=send_currency,
                receive=receive_currency,
            )
        else:
            estimate = amount_minor
        customer = pricing.customer_rate(
            from_currency=send_currency, to_currency=receive_currency, amount_minor=estimate
        )
        mid, rate, as_of = customer.mid.rate, customer.rate, customer.mid.as_of
        if amount_side == "receive":
            receive_minor = amount_minor
            send_minor = send_for_receive(
                receive_minor=amount_minor, rate=rate, send=send_currency, receive=receive_currency
            )
        else:
            send_minor = amount_minor
            receive_minor = convert(
                amount_minor,
                rate=rate,
                from_currency=send_currency,
                to_currency=receive_currency,
                rounding=R.DOWN,
            )
        if receive_minor <= 0:
            raise AmountTooSmall(_("The amount is too small to convert."), field="amount")
    fee = pricing.fee_compute(
        transaction_type=transaction_type,
        currency=send_currency,
        amount_minor=send_minor,
        funding_source=funding_source,
        from_country=from_country,
        to_country=to_country,
    )
    if transaction_type == TransactionType.DEPOSIT:
        if fee.amount_minor >= send_minor:
            raise AmountTooSmall(field="amount", fee_minor=fee.amount_minor)
        receive_minor = send_minor - fee.amount_minor
    return PriceEstimate(
        transaction_type=transaction_type,
        send_currency=send_currency,
        send_amount_minor=send_minor,
        receive_currency=receive_currency,
        receive_amount_minor=receive_minor,
        fee_minor=fee.amount_minor,
        fee_rule_name=fee.rule_name,
        fee_included=transaction_type == TransactionType.DEPOSIT,
        mid_rate=mid,
        customer_rate=rate,
        rate_as_of=as_of,
    )


def payees_list(*, user: User, kind: str | None = None) -> list[Payee]:
    """The user's saved payees that were not removed (only one kind when ``kind`` is given)."""
    rows = Payee.objects.filter(user=user, removed_at__isnull=True)
    if kind is not None:
        rows = rows.filter(kind=kind)
    return list(rows)

"""The customer's money operations: top-up, withdrawal, P2P send, international transfer,
conversion.

Each public service checks first (account state, e-mail, amount, currency, step-up,
limits, quote) and then, in one atomic block, records the transaction, asks the rail and
moves the money with one linked ledger chain (payment + fee succeed or fail together).
A refused operation raises an ``OkpayError`` carrying a failure code and changes nothing.
Money waiting for a rail is held with pending ledger transfers that ``settlement`` posts
or voids. A repeated ``client_reference`` returns the first transaction.

Rails are called inside the atomic block; that is right for the sandbox, a real rail with
network calls gets an outbox step here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from okpay.identity.models import User
from okpay.identity.services import phone_normalize, step_up_require_for_transfer
from okpay.ledger.types import TransferFlag, TransferSpec
from okpay.wallets import pricing, rails
from okpay.wallets.chart import (
    FEE_REVENUE,
    FX_POSITION,
    RAIL_BANK,
    RAIL_CARD,
    RAIL_SWIFT,
    system_account_id,
)
from okpay.wallets.errors import (
    AmountTooSmall,
    OperationNotAllowed,
    RecipientInvalid,
    RecipientNotFound,
)
from okpay.wallets.failures import FailureCode
from okpay.wallets.models import (
    FundingSource,
    PayeeKind,
    Quote,
    Transaction,
    TransactionStatus,
    TransactionType,
)
from okpay.wallets.services.chart import wallet_open
from okpay.wallets.services.common import (
    amount_check,
    ledger_apply,
    limits_enforce,
    once,
    user_check,
)
from okpay.wallets.services.payees import bank_account_validate, payee_get
from okpay.wallets.services.quotes import currency_enabled_check, quote_create, quote_use
from okpay.wallets.services.records import (
    NewTransaction,
    transaction_record,
    transaction_status_set,
)

PENDING = frozenset({TransferFlag.PENDING.value})


def rail_deadline(now: datetime) -> datetime:
    """When an operation the rail has not answered is given up (``rail_timeout``)."""
    return now + timedelta(seconds=int(settings.OKPAY_RAIL_TIMEOUT_SECONDS))


def _spec(
    txn: Transaction,
    n: int,
    debit: str,
    credit: str,
    amount: int,
    currency: str,
    code: str,
    *,
    pending: bool = False,
) -> TransferSpec:
    return TransferSpec(
        id=f"{txn.reference}:{n}",
        debit_account_id=debit,
        credit_account_id=credit,
        amount=amount,
        currency=currency,
        code=code,
        flags=PENDING if pending else frozenset(),
        metadata={"reference": txn.reference, "type": txn.type},
    )


def _post_ledger(txn: Transaction, specs: list[TransferSpec], now: datetime) -> None:
    ids = ledger_apply(specs=[s for s in specs if s.amount > 0], now=now)
    Transaction.objects.filter(pk=txn.pk).update(ledger_transfer_ids=ids)
    txn.ledger_transfer_ids = ids


# --- top-up ---------------------------------------------------------------------------------


def deposit_create(
    *,
    user: User,
    amount_minor: int,
    currency: str,
    funding_source: str,
    client_reference: str = "",
    now: datetime | None = None,
) -> Transaction:
    """Top up a wallet by bank transfer (pending until the bank settles, with an ETA) or by
    card (completed at once, or failed with ``rail_rejected`` when the card is declined).

    The fee is taken from the amount: the wallet is credited ``amount - fee``.
    """
    at = now or timezone.now()
    user_check(user=user)
    amount_check(amount_minor)
    currency_enabled_check(currency, field="currency")
    if funding_source not in (FundingSource.BANK_TRANSFER, FundingSource.CARD):
        raise OperationNotAllowed(_("Choose bank transfer or card."), field="funding_source")
    limits = partial(
        limits_enforce,
        user=user,
        transaction_type=TransactionType.DEPOSIT,
        currency=currency,
        amount_minor=amount_minor,
        now=at,
    )
    fee = pricing.fee_compute(
        transaction_type=TransactionType.DEPOSIT,
        currency=currency,
        amount_minor=amount_minor,
        funding_source=funding_source,
        from_country=user.country,
        at=at,
    )
    if fee.amount_minor >= amount_minor:
        raise AmountTooSmall(field="amount", fee_minor=fee.amount_minor)
    by_card = funding_source == FundingSource.CARD
    rail = rails.rail_get(rails.CARD if by_card else rails.BANK)
    settlement = system_account_id(RAIL_CARD if by_card else RAIL_BANK, currency)

    def work() -> Transaction:
        wallet = wallet_open(user=user, currency=currency)
        txn = transaction_record(
            new=NewTransaction(
                user=user,
                type=TransactionType.DEPOSIT,
                status=TransactionStatus.PENDING,
                amount_minor=amount_minor,
                currency=currency,
                fee_minor=fee.amount_minor,
                fee_rule_id=fee.rule_id,
                receive_amount_minor=amount_minor - fee.amount_minor,
                receive_currency=currency,
                funding_source=funding_source,
                rail=rail.name,
                client_reference=client_reference,
                rail_deadline=None if by_card else rail_deadline(at),
            ),
            now=at,
        )
        answer = rail.deposit(
            request=rails.RailRequest(
                reference=txn.reference, amount_minor=amount_minor, currency=currency, now=at
            )
        )
        if answer.state == rails.RailState.REJECTED:
            transaction_status_set(
                txn=txn,
                to_status=TransactionStatus.FAILED,
                now=at,
                reason=answer.code,
                failure_code=FailureCode.RAIL_REJECTED,
                rail_code=answer.code,
                rail_deadline=None,
            )
            return txn
        held = answer.state != rails.RailState.COMPLETED
        _post_ledger(
            txn,
            [
                _spec(
                    txn,
                    1,
                    settlement,
                    wallet,
                    amount_minor - fee.amount_minor,
                    currency,
                    "deposit",
                    pending=held,
                ),
                _spec(
                    txn,
                    2,
                    settlement,
                    system_account_id(FEE_REVENUE, currency),
                    fee.amount_minor,
                    currency,
                    "fee",
                    pending=held,
                ),
            ],
            at,
        )
        if held:
            Transaction.objects.filter(pk=txn.pk).update(
                eta=answer.eta, rail_reference=answer.rail_reference
            )
            txn.eta, txn.rail_reference = answer.eta, answer.rail_reference
        else:
            transaction_status_set(
                txn=txn,
                to_status=TransactionStatus.COMPLETED,
                now=at,
                rail_reference=answer.rail_reference,
            )
        return txn

    return once(
        recheck=limits,
        user=user,
        client_reference=client_reference,
        transaction_type=TransactionType.DEPOSIT,
        amount_minor=amount_minor,
        work=work,
    )


# --- withdrawal -----------------------------------------------------------------------------


def withdrawal_create(
    *,
    user: User,
    holder: str,
    payee_id: int,
    amount_minor: int,
    client_reference: str = "",
    now: datetime | None = None,
) -> Transaction:
    """Withdraw to the user's own saved bank account; held until the bank settles."""
    at = now or timezone.now()
    user_check(user=user)
    amount_check(amount_minor)
    payee = payee_get(user=user, payee_id=payee_id)
    if payee.kind != PayeeKind.OWN_BANK_ACCOUNT:
        raise OperationNotAllowed(_("Withdraw only to your own bank account."), field="payee_id")
    currency = payee.currency
    currency_enabled_check(currency, field="currency")
    step_up_require_for_transfer(
        user=user, holder=holder, amount_minor=amount_minor, currency=currency
    )
    limits = partial(
        limits_enforce,
        user=user,
        transaction_type=TransactionType.WITHDRAWAL,
        currency=currency,
        amount_minor=amount_minor,
        now=at,
        to_country=payee.bank_country,
    )
    fee = pricing.fee_compute(
        transaction_type=TransactionType.WITHDRAWAL,
        currency=currency,
        amount_minor=amount_minor,
        from_country=user.country,
        to_country=payee.bank_country,
        at=at,
    )
    rail = rails.rail_get(rails.BANK)

    def work() -> Transaction:
        wallet = wallet_open(user=user, currency=currency)
        txn = transaction_record(
            new=NewTransaction(
                user=user,
                type=TransactionType.WITHDRAWAL,
                status=TransactionStatus.PROCESSING,
                amount_minor=amount_minor,
                currency=currency,
                fee_minor=fee.amount_minor,
                fee_rule_id=fee.rule_id,
                receive_amount_minor=amount_minor,
                receive_currency=currency,
                funding_source=FundingSource.WALLET,
                rail=rail.name,
                recipient=payee.snapshot(),
                client_reference=client_reference,
                rail_deadline=rail_deadline(at),
            ),
            now=at,
            payee=payee,
        )
        _post_ledger(
            txn,
            [
                _spec(
                    txn,
                    1,
                    wallet,
                    system_account_id(RAIL_BANK, currency),
                    amount_minor,
                    currency,
                    "withdrawal",
                    pending=True,
                ),
                _spec(
                    txn,
                    2,
                    wallet,
                    system_account_id(FEE_REVENUE, currency),
                    fee.amount_minor,
                    currency,
                    "fee",
                    pending=True,
                ),
            ],
            at,
        )
        answer = rail.withdrawal(
            request=rails.RailRequest(
                reference=txn.reference,
                amount_minor=amount_minor,
                currency=currency,
                now=at,
                details=payee.snapshot(),
            )
        )
        Transaction.objects.filter(pk=txn.pk).update(
            eta=answer.eta, rail_reference=answer.rail_reference
        )
        txn.eta, txn.rail_reference = answer.eta, answer.rail_reference
        return txn

    return once(
        recheck=limits,
        user=user,
        client_reference=client_reference,
        transaction_type=TransactionType.WITHDRAWAL,
        amount_minor=amount_minor,
        work=work,
    )


# --- P2P and conversion ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Priced:
    send_minor: int
    receive_minor: int
    rate: Decimal | None
    fee_minor: int
    fee_rule_id: int | None
    quote: Quote | None


def _price(
    *,
    user: User,
    operation: str,
    send: str,
    receive: str,
    amount_minor: int,
    quote_id: int | None,
    to_country: str,
    now: datetime,
) -> Priced:
    """From the quote (which is used up here) or, without one, priced now."""
    if quote_id is not None:
        quote = quote_use(user=user, quote_id=quote_id, operation=operation, now=now)
        if (quote.send_currency, quote.receive_currency) != (send, receive):
            raise OperationNotAllowed(_("This quote is for other currencies."), field="quote_id")
        if amount_minor and quote.send_amount_minor != amount_minor:
            raise OperationNotAllowed(_("This quote is for another amount."), field="quote_id")
        rate = None if send == receive else quote.customer_rate
        return Priced(
            quote.send_amount_minor,
            quote.receive_amount_minor,
            rate,
            quote.fee_minor,
            quote.fee_rule_id,
            quote,
        )
    if send == receive:
        fee = pricing.fee_compute(
            transaction_type=operation,
            currency=send,
            amount_minor=amount_minor,
            funding_source=FundingSource.WALLET,
            from_country=user.country,
            to_country=to_country,
            at=now,
        )
        return Priced(amount_minor, amount_minor, None, fee.amount_minor, fee.rule_id, None)
    fresh = quote_create(
        user=user,
        operation=operation,
        send_currency=send,
        receive_currency=receive,
        amount_minor=amount_minor,
        to_country=to_country,
        now=now,
    )
    fresh_used = quote_use(user=user, quote_id=fresh.pk, operation=operation, now=now)
    return Priced(
        fresh_used.send_amount_minor,
        fresh_used.receive_amount_minor,
        fresh_used.customer_rate,
        fresh_used.fee_minor,
        fresh_used.fee_rule_id,
        fresh_used,
    )


def _movement_specs(
    txn: Transaction,
    *,
    source: str,
    target: str,
    send: str,
    receive: str,
    priced: Priced,
    code: str,
    pending: bool = False,
    target_code_prefix: str = "",
) -> list[TransferSpec]:
    """Payment (through the FX position accounts when currencies differ) plus fee."""
    specs: list[TransferSpec] = []
    if send == receive:
        specs.append(_spec(txn, 1, source, target, priced.send_minor, send, code, pending=pending))
    else:
        specs.append(
            _spec(
                txn,
                1,
                source,
                system_account_id(FX_POSITION, send),
                priced.send_minor,
                send,
                "fx",
                pending=pending,
            )
        )
        specs.append(
            _spec(
                txn,
                2,
                system_account_id(FX_POSITION, receive),
                target,
                priced.receive_minor,
                receive,
                code,
                pending=pending,
            )
        )
    specs.append(
        _spec(
            txn,
            3,
            source,
            system_account_id(FEE_REVENUE, send),
            priced.fee_minor,
            send,
            "fee",
            pending=pending,
        )
    )
    return specs


def recipient_find(*, sender: User, recipient: str) -> User:
    """The OKpay user with this e-mail address or phone number (E.164, or local to the
    sender's country)."""
    text = (recipient or "").strip()
    if not text:
        raise RecipientInvalid(
            _("Enter the recipient's e-mail address or phone number."), field="recipient"
        )
    if "@" in text:
        found = User.objects.filter(email__iexact=text, is_active=True).first()
    else:
        try:
            phone = phone_normalize(phone=text, country=sender.country or "CN")
        except Exception:  # noqa: BLE001 - any parse failure means "not a phone number"
            raise RecipientInvalid(
                _("Enter a valid e-mail address or phone number."), field="recipient"
            ) from None
        matches = list(User.objects.filter(phone=phone, is_active=True)[:2]) if phone else []
        found = matches[0] if len(matches) == 1 else None
    if found is None:
        raise RecipientNotFound(field="recipient")
    if found.pk == sender.pk:
        raise RecipientInvalid(
            _("You cannot send money to yourself; use Convert."), field="recipient"
        )
    return found


def p2p_send(
    *,
    user: User,
    holder: str,
    recipient: str,
    amount_minor: int,
    currency: str,
    receive_currency: str = "",
    quote_id: int | None = None,
    note: str = "",
    client_reference: str = "",
    now: datetime | None = None,
) -> Transaction:
    """Send money to another OKpay user; completed at once. With a ``receive_currency``
    other than ``currency`` the money is converted (at the quote's rate when given).

    Returns the sender's ``p2p_send`` transaction; its ``counterparty`` is the recipient's
    ``p2p_receive``.
    """
    at = now or timezone.now()
    user_check(user=user)
    amount_check(amount_minor)
    currency_enabled_check(currency, field="currency")
    receive = receive_currency or currency
    currency_enabled_check(receive, field="receive_currency")
    target_user = recipient_find(sender=user, recipient=recipient)
    step_up_require_for_transfer(
        user=user, holder=holder, amount_minor=amount_minor, currency=currency
    )
    limits = partial(
        limits_enforce,
        user=user,
        transaction_type=TransactionType.P2P_SEND,
        currency=currency,
        amount_minor=amount_minor,
        now=at,
        to_country=target_user.country,
    )
    snapshot = {
        "name": target_user.display_name,
        "email": target_user.email,
        "phone": target_user.phone,
        "note": note[:140],
    }

    def work() -> Transaction:
        source = wallet_open(user=user, currency=currency)
        target = wallet_open(user=target_user, currency=receive)
        priced = _price(
            user=user,
            operation=TransactionType.P2P_SEND,
            send=currency,
            receive=receive,
            amount_minor=amount_minor,
            quote_id=quote_id,
            to_country=target_user.country,
            now=at,
        )
        sent = transaction_record(
            new=NewTransaction(
                user=user,
                type=TransactionType.P2P_SEND,
                status=TransactionStatus.COMPLETED,
                amount_minor=priced.send_minor,
                currency=currency,
                fee_minor=priced.fee_minor,
                fee_rule_id=priced.fee_rule_id,
                fx_rate=priced.rate,
                receive_amount_minor=priced.receive_minor,
                receive_currency=receive,
                funding_source=FundingSource.WALLET,
                recipient=snapshot,
                client_reference=client_reference,
            ),
            now=at,
            quote=priced.quote,
        )
        received = transaction_record(
            new=NewTransaction(
                user=target_user,
                type=TransactionType.P2P_RECEIVE,
                status=TransactionStatus.COMPLETED,
                amount_minor=priced.receive_minor,
                currency=receive,
                fx_rate=priced.rate,
                funding_source=FundingSource.WALLET,
                recipient={"name": user.display_name, "email": user.email, "note": note[:140]},
            ),
            now=at,
            counterparty=sent,
        )
        Transaction.objects.filter(pk=sent.pk).update(counterparty=received)
        sent.counterparty = received
        _post_ledger(
            sent,
            _movement_specs(
                sent,
                source=source,
                target=target,
                send=currency,
                receive=receive,
                priced=priced,
                code="p2p",
            ),
            at,
        )
        Transaction.objects.filter(pk=received.pk).update(
            ledger_transfer_ids=sent.ledger_transfer_ids
        )
        return sent

    return once(
        recheck=limits,
        user=user,
        client_reference=client_reference,
        transaction_type=TransactionType.P2P_SEND,
        amount_minor=amount_minor,
        work=work,
    )


def conversion_create(
    *,
    user: User,
    from_currency: str,
    to_currency: str,
    amount_minor: int = 0,
    quote_id: int | None = None,
    client_reference: str = "",
    now: datetime | None = None,
) -> Transaction:
    """Convert between the user's own wallets (at the quote's rate when one is given;
    then ``amount_minor`` may be 0 and the quote's send amount is used)."""
    at = now or timezone.now()
    user_check(user=user)
    if quote_id is None or amount_minor:
        amount_check(amount_minor)
    currency_enabled_check(from_currency, field="from_currency")
    currency_enabled_check(to_currency, field="to_currency")
    if from_currency == to_currency:
        raise OperationNotAllowed(
            _("Choose two different currencies to convert."), field="to_currency"
        )

    def work() -> Transaction:
        source = wallet_open(user=user, currency=from_currency)
        target = wallet_open(user=user, currency=to_currency)
        priced = _price(
            user=user,
            operation=TransactionType.CONVERSION,
            send=from_currency,
            receive=to_currency,
            amount_minor=amount_minor,
            quote_id=quote_id,
            to_country="",
            now=at,
        )
        limits_enforce(
            user=user,
            transaction_type=TransactionType.CONVERSION,
            currency=from_currency,
            amount_minor=priced.send_minor,
            now=at,
        )
        txn = transaction_record(
            new=NewTransaction(
                user=user,
                type=TransactionType.CONVERSION,
                status=TransactionStatus.COMPLETED,
                amount_minor=priced.send_minor,
                currency=from_currency,
                fee_minor=priced.fee_minor,
                fee_rule_id=priced.fee_rule_id,
                fx_rate=priced.rate,
                receive_amount_minor=priced.receive_minor,
                receive_currency=to_currency,
                funding_source=FundingSource.WALLET,
                client_reference=client_reference,
            ),
            now=at,
            quote=priced.quote,
        )
        _post_ledger(
            txn,
            _movement_specs(
                txn,
                source=source,
                target=target,
                send=from_currency,
                receive=to_currency,
                priced=priced,
                code="conversion",
            ),
            at,
        )
        return txn

    return once(
        user=user,
        client_reference=client_reference,
        transaction_type=TransactionType.CONVERSION,
        amount_minor=amount_minor,
        work=work,
    )


# --- international transfer -----------------------------------------------------------------


def international_transfer_create(
    *,
    user: User,
    holder: str,
    quote_id: int,
    name: str = "",
    address: str = "",
    bank_country: str = "",
    iban: str = "",
    account_number: str = "",
    bic: str = "",
    payee_id: int | None = None,
    client_reference: str = "",
    now: datetime | None = None,
) -> Transaction:
    """Pay a bank account abroad at a quote's rate and fee (the quote is required).

    The recipient comes from a saved payee or from the details given (IBAN validated with
    its checksum, or account number + SWIFT/BIC). The money is held (pending) and the
    status is ``processing`` until the payout rail completes it, rejects it or returns it.
    """
    at = now or timezone.now()
    user_check(user=user)
    payee = None
    if payee_id is not None:
        payee = payee_get(user=user, payee_id=payee_id)
        account = bank_account_validate(
            name=payee.name,
            bank_country=payee.bank_country,
            iban=payee.iban,
            account_number=payee.account_number,
            bic=payee.bic,
            address=payee.address,
        )
    else:
        account = bank_account_validate(
            name=name,
            bank_country=bank_country,
            iban=iban,
            account_number=account_number,
            bic=bic,
            address=address,
        )
    peek = Quote.objects.filter(pk=quote_id, user=user).first()
    limits: Callable[[], None] | None = None
    if peek is not None:
        step_up_require_for_transfer(
            user=user,
            holder=holder,
            amount_minor=peek.send_amount_minor,
            currency=peek.send_currency,
        )
        limits = partial(
            limits_enforce,
            user=user,
            transaction_type=TransactionType.INTERNATIONAL_TRANSFER,
            currency=peek.send_currency,
            amount_minor=peek.send_amount_minor,
            now=at,
            to_country=account.bank_country,
        )
    rail = rails.rail_get(rails.SWIFT)

    def work() -> Transaction:
        quote = quote_use(
            user=user, quote_id=quote_id, operation=TransactionType.INTERNATIONAL_TRANSFER, now=at
        )
        if quote.to_country and quote.to_country != account.bank_country:
            raise OperationNotAllowed(_("This quote is for another country."), field="bank_country")
        send, receive = quote.send_currency, quote.receive_currency
        source = wallet_open(user=user, currency=send)
        priced = Priced(
            quote.send_amount_minor,
            quote.receive_amount_minor,
            None if send == receive else quote.customer_rate,
            quote.fee_minor,
            quote.fee_rule_id,
            quote,
        )
        txn = transaction_record(
            new=NewTransaction(
                user=user,
                type=TransactionType.INTERNATIONAL_TRANSFER,
                status=TransactionStatus.PROCESSING,
                amount_minor=priced.send_minor,
                currency=send,
                fee_minor=priced.fee_minor,
                fee_rule_id=priced.fee_rule_id,
                fx_rate=priced.rate,
                receive_amount_minor=priced.receive_minor,
                receive_currency=receive,
                funding_source=FundingSource.WALLET,
                rail=rail.name,
                recipient=account.snapshot(),
                client_reference=client_reference,
                rail_deadline=rail_deadline(at),
            ),
            now=at,
            quote=quote,
            payee=payee,
        )
        _post_ledger(
            txn,
            _movement_specs(
                txn,
                source=source,
                target=system_account_id(RAIL_SWIFT, receive),
                send=send,
                receive=receive,
                priced=priced,
                code="payout",
                pending=True,
            ),
            at,
        )
        answer = rail.payout(
            request=rails.RailRequest(
                reference=txn.reference,
                amount_minor=priced.receive_minor,
                currency=receive,
                now=at,
                details=account.snapshot(),
            )
        )
        Transaction.objects.filter(pk=txn.pk).update(
            eta=answer.eta, rail_reference=answer.rail_reference
        )
        txn.eta, txn.rail_reference = answer.eta, answer.rail_reference
        return txn

    return once(
        recheck=limits,
        user=user,
        client_reference=client_reference,
        transaction_type=TransactionType.INTERNATIONAL_TRANSFER,
        amount_minor=0,
        work=work,
    )


__all__ = [
    "conversion_create",
    "deposit_create",
    "international_transfer_create",
    "p2p_send",
    "recipient_find",
    "withdrawal_create",
]

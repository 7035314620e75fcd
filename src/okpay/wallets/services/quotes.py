"""Quotes: a rate and a fee locked for a short time, used at most once.

Amounts may be given on either side:

- **send side** (the user says how much leaves the wallet, before the fee): the recipient
  gets ``send × rate`` rounded **down** to the receive currency's minor unit, so OKpay
  never promises more than the rate covers.
- **receive side** (the user says how much must arrive): the amount to send is
  ``receive ÷ rate`` rounded **up** to the send currency's minor unit, so the recipient
  gets at least the amount asked for (checked by converting back, rounding down).

The customer rate's amount tier is chosen from the send amount (estimated at the mid rate
when the receive side is given). The fee is computed on the send amount, in the send
currency, and is charged on top of it. A quote expires ``OKPAY_QUOTE_TTL_SECONDS`` (30)
after it is made: at exactly that instant it is already expired.
"""

from __future__ import annotations

import decimal
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from okpay.errors import InvalidInput, NotFound
from okpay.identity.models import User
from okpay.money import CurrencyNotSupported, Rounding, convert, get_currency, is_enabled
from okpay.money.rounding import round_minor
from okpay.wallets import pricing
from okpay.wallets.errors import AmountTooSmall, OperationNotAllowed, QuoteExpired
from okpay.wallets.models import AmountSide, Quote, TransactionType
from okpay.wallets.services.common import amount_check

QUOTABLE = (
    TransactionType.P2P_SEND,
    TransactionType.INTERNATIONAL_TRANSFER,
    TransactionType.CONVERSION,
)
_DIVISION = decimal.Context(prec=60, rounding=decimal.ROUND_CEILING)


def quote_ttl() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "OKPAY_QUOTE_TTL_SECONDS", 30)))


def currency_enabled_check(code: str, *, field: str) -> str:
    if not isinstance(code, str) or not is_enabled(code):
        raise CurrencyNotSupported(field=field, currency=str(code))
    return code


def send_for_receive(*, receive_minor: int, rate: Decimal, send: str, receive: str) -> int:
    """The smallest send amount whose conversion (rounded down) reaches ``receive_minor``."""
    shift = get_currency(send).exponent - get_currency(receive).exponent
    exact = _DIVISION.divide(Decimal(receive_minor), rate).scaleb(shift, _DIVISION)
    amount = round_minor(exact, Rounding.UP)
    while (
        convert(amount, rate=rate, from_currency=send, to_currency=receive, rounding=Rounding.DOWN)
        < receive_minor
    ):
        amount += 1
    return amount


def quote_create(
    *,
    user: User,
    operation: str,
    send_currency: str,
    receive_currency: str,
    amount_minor: int,
    amount_side: str = AmountSide.SEND,
    funding_source: str = "wallet",
    to_country: str = "",
    now: datetime | None = None,
) -> Quote:
    """Price an operation: customer rate (fx) and fee (fees), locked for 30 seconds."""
    at = now or timezone.now()
    if operation not in QUOTABLE:
        raise OperationNotAllowed(field="operation")
    if amount_side not in AmountSide.values:
        raise InvalidInput(_("Say whether the amount is sent or received."), field="amount_side")
    currency_enabled_check(send_currency, field="send_currency")
    currency_enabled_check(receive_currency, field="receive_currency")
    if operation == TransactionType.CONVERSION and send_currency == receive_currency:
        raise OperationNotAllowed(
            _("Choose two different currencies to convert."), field="receive_currency"
        )
    amount_check(amount_minor)
    if amount_side == AmountSide.SEND:
        send_minor = amount_minor
        rate = pricing.customer_rate(
            from_currency=send_currency,
            to_currency=receive_currency,
            amount_minor=send_minor,
            at=at,
        )
        receive_minor = convert(
            send_minor,
            rate=rate.rate,
            from_currency=send_currency,
            to_currency=receive_currency,
            rounding=Rounding.DOWN,
        )
    else:
        receive_minor = amount_minor
        mid = pricing.mid_rate(from_currency=send_currency, to_currency=receive_currency, at=at)
        estimate = send_for_receive(
            receive_minor=receive_minor, rate=mid.rate, send=send_currency, receive=receive_currency
        )
        rate = pricing.customer_rate(
            from_currency=send_currency,
            to_currency=receive_currency,
            amount_minor=estimate,
            at=at,
        )
        send_minor = send_for_receive(
            receive_minor=receive_minor,
            rate=rate.rate,
            send=send_currency,
            receive=receive_currency,
        )
    if receive_minor <= 0:
        raise AmountTooSmall(_("The amount is too small to convert."), field="amount")
    fee = pricing.fee_compute(
        transaction_type=operation,
        currency=send_currency,
        amount_minor=send_minor,
        funding_source=funding_source,
        from_country=user.country,
        to_country=to_country,
        at=at,
    )
    return Quote.objects.create(
        user=user,
        operation=operation,
        funding_source=funding_source,
        to_country=to_country,
        amount_side=amount_side,
        send_currency=send_currency,
        send_amount_minor=send_minor,
        receive_currency=receive_currency,
        receive_amount_minor=receive_minor,
        mid_rate=rate.mid.rate,
        customer_rate=rate.rate,
        spread_bps=rate.spread_bps,
        rate_source=rate.mid.source[:32],
        rate_as_of=rate.mid.as_of,
        fee_minor=fee.amount_minor,
        fee_currency=send_currency,
        fee_rule_id=fee.rule_id,
        fee_rule_name=fee.rule_name[:100],
        created_at=at,
        expires_at=at + quote_ttl(),
    )


def quote_use(*, user: User, quote_id: int, operation: str, now: datetime) -> Quote:
    """Mark the quote used (a conditional UPDATE) or raise ``QuoteExpired``.

    Runs inside the operation's atomic block: a refused operation leaves it unused.
    """
    quote = Quote.objects.filter(pk=quote_id, user=user).first()
    if quote is None:
        raise NotFound(_("This quote does not exist."), field="quote_id", code="quote_not_found")
    if quote.operation != operation:
        raise OperationNotAllowed(_("This quote is for another kind of payment."), field="quote_id")
    taken = Quote.objects.filter(pk=quote.pk, used_at__isnull=True, expires_at__gt=now).update(
        used_at=now
    )
    if not taken:
        reason = "used" if quote.used_at is not None else "expired"
        raise QuoteExpired(field="quote_id", reason=reason)
    quote.used_at = now
    return quote

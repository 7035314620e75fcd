"""The wallets' one doorway to the pricing apps (fx, fees, limits).

Imported lazily so that the wallets app loads even where a pricing app is switched off;
the call signatures are exactly those of the pricing contract.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from okpay.fees.selectors import FeeQuote
    from okpay.fx.selectors import CustomerRate, MidRate


def mid_rate(*, from_currency: str, to_currency: str, at: datetime | None = None) -> MidRate:
    from okpay.fx import selectors

    return selectors.mid_rate(from_currency=from_currency, to_currency=to_currency, at=at)


def customer_rate(
    *, from_currency: str, to_currency: str, amount_minor: int, at: datetime | None = None
) -> CustomerRate:
    from okpay.fx import selectors

    return selectors.customer_rate(
        from_currency=from_currency, to_currency=to_currency, amount_minor=amount_minor, at=at
    )


def fee_compute(
    *,
    transaction_type: str,
    currency: str,
    amount_minor: int,
    funding_source: str = "",
    from_country: str = "",
    to_country: str = "",
    at: datetime | None = None,
) -> FeeQuote:
    from okpay.fees import selectors

    return selectors.fee_compute(
        transaction_type=transaction_type,
        currency=currency,
        amount_minor=amount_minor,
        funding_source=funding_source,
        from_country=from_country,
        to_country=to_country,
        at=at,
    )


def limit_check(
    *,
    user_id: int,
    transaction_type: str,
    currency: str,
    amount_minor: int,
    from_country: str,
    to_country: str,
    day_minor: int,
    month_minor: int,
) -> None:
    from okpay.limits import services

    services.limit_check(
        user_id=user_id,
        transaction_type=transaction_type,
        currency=currency,
        amount_minor=amount_minor,
        from_country=from_country,
        to_country=to_country,
        usage=services.LimitUsage(day_minor=day_minor, month_minor=month_minor),
    )

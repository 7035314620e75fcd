"""Reading exchange rates: the mid rate of any enabled pair and the customer's rate.

Rules, in the order they apply:

- **Which rate.** Every stored rate has EUR on one side. For a currency its *leg* is the
  newest row of EUR/X or X/EUR with ``as_of`` at or before ``at`` (now by default), whatever
  its source; on equal ``as_of`` the row recorded last wins. A X/EUR row is used as 1/rate.
- **Cross rates through EUR.** The mid rate from A to B is ``leg(B) / leg(A)`` (EUR's own
  leg is exactly 1), computed exactly and rounded once to ``RATE_DECIMAL_PLACES`` (10)
  decimal places, ROUND_HALF_EVEN. CNY→JPY with EUR/CNY 8.2318 and EUR/JPY 181.42 is
  181.42 / 8.2318 = 22.0389222284.
- **Staleness.** A rate is stale when it is *older than* ``OKPAY_FX_MAX_AGE_HOURS``: a rate
  exactly that old still counts; one microsecond more raises ``FxRatesStale``. The age of a
  cross rate is the age of its older leg (that leg's ``as_of`` is the result's ``as_of``).
- **Spread.** The customer's rate is the mid rate less ``spread_bps`` basis points, rounded
  toward zero to 10 decimal places (never better than the stated spread). The spread row is
  the most specific ``FxSpread`` that matches: a concrete from-currency beats "*", then a
  concrete to-currency beats "*", then the highest tier whose ``min_amount_minor`` is at most
  the amount. A pair whose own tiers all start above the amount falls back to the "*" rows.
  No matching row means no spread.
- Same currency: rate exactly 1, no spread, source "" and ``as_of`` = ``at``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from okpay.fx.errors import FxRatesStale
from okpay.fx.models import (
    ANY_CURRENCY,
    PIVOT_CURRENCY,
    RATE_DECIMAL_PLACES,
    FxRate,
    FxSpread,
)
from okpay.money.currencies import enabled_currencies, is_enabled
from okpay.money.errors import CurrencyNotSupported
from okpay.money.rounding import EXACT_CONTEXT, require_int

BPS_PER_UNIT = 10_000
ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class MidRate:
    """``rate`` units of ``to_currency`` for one unit of ``from_currency``."""

    from_currency: str
    to_currency: str
    rate: Decimal
    source: str
    as_of: datetime


@dataclass(frozen=True, slots=True)
class CustomerRate:
    """What the customer gets: ``rate`` is ``mid.rate`` less ``spread_bps`` basis points."""

    mid: MidRate
    rate: Decimal
    spread_bps: int


@dataclass(frozen=True, slots=True)
class CurrentRate:
    """One currency's leg against EUR as ``okpay fx rates`` shows it."""

    currency: str
    rate: Decimal | None  # units of ``currency`` per 1 EUR; None when there is no rate
    source: str
    as_of: datetime | None
    stale: bool


@dataclass(frozen=True, slots=True)
class _Leg:
    rate: Fraction  # units of the currency per 1 EUR, exact
    source: str
    as_of: datetime


def round_rate(value: Fraction, *, toward_zero: bool = False) -> Decimal:
    """``value`` (above zero) to ``RATE_DECIMAL_PLACES`` places: HALF_EVEN, or toward zero."""
    scaled = value * 10**RATE_DECIMAL_PLACES
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    if not toward_zero:
        twice = 2 * rest
        if twice > scaled.denominator or (twice == scaled.denominator and whole % 2 == 1):
            whole += 1
    return EXACT_CONTEXT.scaleb(Decimal(whole), -RATE_DECIMAL_PLACES)


def fx_max_age() -> timedelta:
    return timedelta(hours=getattr(settings, "OKPAY_FX_MAX_AGE_HOURS", 72))


def is_stale(as_of: datetime, *, at: datetime) -> bool:
    """True when ``as_of`` is older than the maximum age at ``at`` (exactly as old is fresh)."""
    return at - as_of > fx_max_age()


def _require_enabled(code: str) -> None:
    if not is_enabled(code):
        raise CurrencyNotSupported(
            format_lazy(
                _("We do not exchange {currency}. Choose another currency."), currency=code
            ),
            currency=code,
        )


def _leg_row(currency: str, at: datetime) -> FxRate | None:
    return (
        FxRate.objects.filter(
            Q(base=PIVOT_CURRENCY, quote=currency) | Q(base=currency, quote=PIVOT_CURRENCY),
            as_of__lte=at,
        )
        .order_by("-as_of", "-created_at", "-id")
        .first()
    )


def _leg(currency: str, at: datetime) -> _Leg | None:
    """EUR→``currency`` from the newest rate at ``at``; None for EUR itself."""
    if currency == PIVOT_CURRENCY:
        return None
    row = _leg_row(currency, at)
    if row is None:
        raise CurrencyNotSupported(
            format_lazy(
                _(
                    "We have no exchange rate for {currency} at the moment. "
                    "Choose another currency."
                ),
                currency=currency,
            ),
            currency=currency,
        )
    rate = Fraction(row.rate)
    return _Leg(
        rate=rate if row.base == PIVOT_CURRENCY else 1 / rate, source=row.source, as_of=row.as_of
    )


def mid_rate(*, from_currency: str, to_currency: str, at: datetime | None = None) -> MidRate:
    """The mid-market rate from ``from_currency`` to ``to_currency`` at ``at`` (now)."""
    moment = at if at is not None else timezone.now()
    _require_enabled(from_currency)
    _require_enabled(to_currency)
    if from_currency == to_currency:
        return MidRate(from_currency, to_currency, ONE, "", moment)
    from_leg = _leg(from_currency, moment)
    to_leg = _leg(to_currency, moment)
    legs = [leg for leg in (from_leg, to_leg) if leg is not None]
    oldest = min(leg.as_of for leg in legs)
    if is_stale(oldest, at=moment):
        raise FxRatesStale(
            from_currency=from_currency,
            to_currency=to_currency,
            as_of=oldest.isoformat(),
            max_age_hours=int(fx_max_age().total_seconds() // 3600),
        )
    exact = (to_leg.rate if to_leg else Fraction(1)) / (from_leg.rate if from_leg else Fraction(1))
    sources = list(dict.fromkeys(leg.source for leg in legs))
    return MidRate(from_currency, to_currency, round_rate(exact), " + ".join(sources), oldest)


def spread_find(*, from_currency: str, to_currency: str, amount_minor: int) -> FxSpread | None:
    """The most specific spread row for the pair and amount (see the module docstring)."""
    rows = FxSpread.objects.filter(
        from_currency__in=(from_currency, ANY_CURRENCY),
        to_currency__in=(to_currency, ANY_CURRENCY),
        min_amount_minor__lte=amount_minor,
    )
    return max(
        rows,
        key=lambda row: (
            row.from_currency != ANY_CURRENCY,
            row.to_currency != ANY_CURRENCY,
            row.min_amount_minor,
        ),
        default=None,
    )


def customer_rate(
    *, from_currency: str, to_currency: str, amount_minor: int, at: datetime | None = None
) -> CustomerRate:
    """The rate the customer gets for converting ``amount_minor`` of ``from_currency``."""
    if require_int(amount_minor, "amount_minor") < 0:
        raise ValueError(f"amount_minor must not be negative, not {amount_minor}")
    mid = mid_rate(from_currency=from_currency, to_currency=to_currency, at=at)
    if from_currency == to_currency:
        return CustomerRate(mid=mid, rate=mid.rate, spread_bps=0)
    row = spread_find(
        from_currency=from_currency, to_currency=to_currency, amount_minor=amount_minor
    )
    bps = row.spread_bps if row is not None else 0
    rate = round_rate(Fraction(mid.rate) * (BPS_PER_UNIT - bps) / BPS_PER_UNIT, toward_zero=True)
    return CustomerRate(mid=mid, rate=rate, spread_bps=bps)


def rates_current(*, at: datetime | None = None) -> tuple[CurrentRate, ...]:
    """Each enabled currency's newest leg against EUR, in the configured currency order."""
    moment = at if at is not None else timezone.now()
    result = []
    for currency in enabled_currencies():
        if currency.code == PIVOT_CURRENCY:
            continue
        row = _leg_row(currency.code, moment)
        if row is None:
            result.append(CurrentRate(currency.code, None, "", None, stale=True))
            continue
        rate = row.rate if row.base == PIVOT_CURRENCY else round_rate(1 / Fraction(row.rate))
        result.append(
            CurrentRate(currency.code, rate, row.source, row.as_of, is_stale(row.as_of, at=moment))
        )
    return tuple(result)

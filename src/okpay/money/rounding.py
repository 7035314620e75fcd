"""Named rounding of Decimal quantities to whole minor units; percentages and FX conversion.

Arithmetic runs in an exact decimal context (multiplication and powers of ten only),
so the single rounding step is the one named by the caller.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from enum import Enum

from okpay.money.currencies import get_currency

# Big enough that products and powers of ten never round.
EXACT_CONTEXT = decimal.Context(
    prec=decimal.MAX_PREC,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)


class Rounding(Enum):
    """How to round to a whole minor unit. HALF_UP sends .5 away from zero (-2.5 -> -3)."""

    HALF_UP = decimal.ROUND_HALF_UP
    HALF_EVEN = decimal.ROUND_HALF_EVEN
    DOWN = decimal.ROUND_DOWN  # toward zero
    UP = decimal.ROUND_UP  # away from zero


def require_int(value: object, name: str) -> int:
    """``value`` as an int of minor units; floats, bools and Decimals raise TypeError."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int of minor units, not {type(value).__name__}")
    return value


def require_decimal(value: object, name: str) -> Decimal:
    """``value`` as a finite Decimal; ints are accepted, floats raise TypeError."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
    result = Decimal(value)
    if not result.is_finite():
        raise ValueError(f"{name} must be finite, not {result}")
    return result


def _require_rounding(rounding: object) -> Rounding:
    if not isinstance(rounding, Rounding):
        raise TypeError(f"rounding must be a Rounding, not {type(rounding).__name__}")
    return rounding


def round_minor(value: Decimal, rounding: Rounding) -> int:
    """Round a Decimal count of minor units to an int the named way."""
    exact = require_decimal(value, "value")
    mode = _require_rounding(rounding)
    return int(exact.to_integral_value(rounding=mode.value, context=EXACT_CONTEXT))


def percent_of(amount_minor: int, percent: Decimal, *, rounding: Rounding) -> int:
    """``percent`` per cent of ``amount_minor`` (Decimal("1.5") is 1.5 %), rounded."""
    amount = Decimal(require_int(amount_minor, "amount_minor"))
    share = EXACT_CONTEXT.multiply(amount, require_decimal(percent, "percent"))
    return round_minor(EXACT_CONTEXT.scaleb(share, -2), rounding)


def convert(
    amount_minor: int,
    *,
    rate: Decimal,
    from_currency: str,
    to_currency: str,
    rounding: Rounding,
) -> int:
    """Minor units of ``to_currency`` for ``amount_minor`` of ``from_currency``.

    ``rate`` is how many major units of ``to_currency`` one major unit of
    ``from_currency`` buys; both exponents are applied before the one rounding.
    """
    amount = Decimal(require_int(amount_minor, "amount_minor"))
    exact_rate = require_decimal(rate, "rate")
    if exact_rate <= 0:
        raise ValueError(f"rate must be above zero, not {exact_rate}")
    shift = get_currency(to_currency).exponent - get_currency(from_currency).exponent
    converted = EXACT_CONTEXT.scaleb(EXACT_CONTEXT.multiply(amount, exact_rate), shift)
    return round_minor(converted, rounding)

"""Money basics: ISO 4217 currencies, int minor-unit amounts, named rounding, display.

No models and no imports from other apps except ``okpay.errors``.
"""

from okpay.money.amounts import MAX_AMOUNT_MINOR, parse_amount, to_decimal, to_minor
from okpay.money.currencies import (
    Currency,
    enabled_currencies,
    find_currency,
    get_currency,
    is_enabled,
)
from okpay.money.errors import (
    AmountCurrencyMismatch,
    AmountError,
    AmountInvalid,
    AmountNegative,
    AmountTooLarge,
    AmountTooManyDecimals,
    AmountZero,
    CurrencyNotSupported,
    MoneyErrorCode,
)
from okpay.money.formatting import format_amount, format_money
from okpay.money.rounding import Rounding, convert, percent_of, round_minor

__all__ = [
    "MAX_AMOUNT_MINOR",
    "AmountCurrencyMismatch",
    "AmountError",
    "AmountInvalid",
    "AmountNegative",
    "AmountTooLarge",
    "AmountTooManyDecimals",
    "AmountZero",
    "Currency",
    "CurrencyNotSupported",
    "MoneyErrorCode",
    "Rounding",
    "convert",
    "enabled_currencies",
    "find_currency",
    "format_amount",
    "format_money",
    "get_currency",
    "is_enabled",
    "parse_amount",
    "percent_of",
    "round_minor",
    "to_decimal",
    "to_minor",
]

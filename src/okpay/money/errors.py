"""Errors raised by the money layer; each code is stable and documented here.

- ``currency_not_supported``: the code is not an ISO 4217 currency we know (field ``currency``).
- ``amount_invalid``: the text is not an amount (empty, letters, misplaced separators).
- ``amount_currency_mismatch``: the text names a different currency than the field's.
- ``amount_too_many_decimals``: more decimal places than the currency's minor unit allows.
- ``amount_negative``, ``amount_zero``: the amount must be above zero.
- ``amount_too_large``: above ``MAX_AMOUNT_MINOR`` minor units.

Amount errors point at the field ``amount`` unless told otherwise.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from okpay.errors import InvalidInput


class MoneyErrorCode(StrEnum):
    CURRENCY_NOT_SUPPORTED = "currency_not_supported"
    AMOUNT_INVALID = "amount_invalid"
    AMOUNT_CURRENCY_MISMATCH = "amount_currency_mismatch"
    AMOUNT_TOO_MANY_DECIMALS = "amount_too_many_decimals"
    AMOUNT_NEGATIVE = "amount_negative"
    AMOUNT_ZERO = "amount_zero"
    AMOUNT_TOO_LARGE = "amount_too_large"


class CurrencyNotSupported(InvalidInput):
    code = MoneyErrorCode.CURRENCY_NOT_SUPPORTED
    default_message = _("This currency is not supported. Choose one from the list.")

    def __init__(
        self, message: str | Promise | None = None, *, field: str | None = "currency", **kwargs: Any
    ) -> None:
        super().__init__(message, field=field, **kwargs)


class AmountError(InvalidInput):
    """Base of the amount errors: the amount a user entered cannot be used."""

    def __init__(
        self, message: str | Promise | None = None, *, field: str | None = "amount", **kwargs: Any
    ) -> None:
        super().__init__(message, field=field, **kwargs)


class AmountInvalid(AmountError):
    code = MoneyErrorCode.AMOUNT_INVALID
    default_message = _("Enter the amount as a number, for example 1,234.56.")


class AmountCurrencyMismatch(AmountError):
    code = MoneyErrorCode.AMOUNT_CURRENCY_MISMATCH
    default_message = _("This amount is in another currency. Enter it in the currency shown.")


class AmountTooManyDecimals(AmountError):
    code = MoneyErrorCode.AMOUNT_TOO_MANY_DECIMALS
    default_message = _("The amount has too many decimal places.")


class AmountNegative(AmountError):
    code = MoneyErrorCode.AMOUNT_NEGATIVE
    default_message = _("The amount cannot be negative. Enter an amount above zero.")


class AmountZero(AmountError):
    code = MoneyErrorCode.AMOUNT_ZERO
    default_message = _("Enter an amount above zero.")


class AmountTooLarge(AmountError):
    code = MoneyErrorCode.AMOUNT_TOO_LARGE
    default_message = _("The amount is too large.")

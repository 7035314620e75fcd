"""ISO 4217 currencies with their minor-unit exponent, and the set OKpay has enabled."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from types import MappingProxyType

from django.core.exceptions import ImproperlyConfigured
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from okpay.money.errors import CurrencyNotSupported
from okpay.money.iso4217 import ISO_4217

DEFAULT_ENABLED_CURRENCIES: tuple[str, ...] = (
    "CNY",
    "USD",
    "EUR",
    "GBP",
    "HKD",
    "JPY",
    "SGD",
    "AUD",
    "CAD",
    "CHF",
    "KWD",
)


@dataclass(frozen=True, slots=True)
class Currency:
    """One ISO 4217 currency; an amount is ``minor / 10 ** exponent`` major units."""

    code: str
    numeric: str
    exponent: int
    name_en: str
    name_zh: str


CURRENCIES: MappingProxyType[str, Currency] = MappingProxyType(
    {row[0]: Currency(*row) for row in ISO_4217}
)


def find_currency(code: str) -> Currency | None:
    """The currency with exactly this upper-case code, or None."""
    if not isinstance(code, str):
        return None
    return CURRENCIES.get(code)


def get_currency(code: str) -> Currency:
    """The currency with exactly this code; raises ``CurrencyNotSupported`` if unknown.

    Enabled or not does not matter here (old amounts must stay readable): ask
    ``is_enabled`` before opening new business in a currency.
    """
    currency = find_currency(code)
    if currency is not None:
        return currency
    if isinstance(code, str) and 0 < len(code) <= 8 and code.isprintable():
        raise CurrencyNotSupported(
            format_lazy(_("“{code}” is not a currency code we support."), code=code),
            currency=code,
        )
    raise CurrencyNotSupported()


def _configured_codes() -> Iterable[str]:
    from django.conf import settings

    try:
        return getattr(settings, "OKPAY_ENABLED_CURRENCIES", DEFAULT_ENABLED_CURRENCIES)
    except ImproperlyConfigured:  # Django settings are not configured at all.
        return DEFAULT_ENABLED_CURRENCIES


def enabled_currencies() -> tuple[Currency, ...]:
    """The enabled currencies in configured order (setting ``OKPAY_ENABLED_CURRENCIES``)."""
    codes = _configured_codes()
    if isinstance(codes, str):
        raise ImproperlyConfigured("OKPAY_ENABLED_CURRENCIES must be a list of codes.")
    result: list[Currency] = []
    for code in codes:
        currency = find_currency(code)
        if currency is None:
            raise ImproperlyConfigured(f"OKPAY_ENABLED_CURRENCIES: unknown currency {code!r}.")
        if currency in result:
            raise ImproperlyConfigured(f"OKPAY_ENABLED_CURRENCIES: {code!r} is listed twice.")
        result.append(currency)
    return tuple(result)


def is_enabled(code: str) -> bool:
    """True when ``code`` is exactly the code of an enabled currency."""
    return any(currency.code == code for currency in enabled_currencies())

"""Amounts for display, through babel's CLDR data, with exactly the currency's decimals.

``locale`` is a Django language code ("zh-hans", "en-us") or a babel locale
("zh_Hans_CN", "en_US"). As CLDR's currency spacing rule asks, a symbol ending in
a letter is kept apart from the digits by a no-break space ("KWD 1.235"); a sign
symbol is not ("$1.00").
"""

from __future__ import annotations

import copy
import unicodedata
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import NumberPattern, get_currency_symbol
from django.utils.translation import to_locale

from okpay.money.amounts import to_decimal
from okpay.money.currencies import get_currency
from okpay.money.rounding import require_int

_NBSP = "\u00a0"


@lru_cache(maxsize=32)
def babel_locale(locale: str) -> Locale:
    """The babel Locale for a Django language code or a babel locale name."""
    name = to_locale(locale) if "-" in locale else locale
    try:
        return Locale.parse(name)
    except (UnknownLocaleError, ValueError) as exc:
        raise ValueError(f"unknown locale {locale!r}") from exc


def _needs_space(char: str) -> bool:
    """CLDR currencyMatch ``[[:^S:]&[:^Z:]]``: the symbol's edge is not a sign or a space."""
    return unicodedata.category(char)[0] not in "SZ"


@lru_cache(maxsize=256)
def _money_pattern(locale: str, currency: str) -> NumberPattern:
    loc = babel_locale(locale)
    pattern = copy.copy(loc.currency_formats["standard"])
    exponent = get_currency(currency).exponent
    pattern.frac_prec = (exponent, exponent)
    symbol = get_currency_symbol(currency, loc)
    if _needs_space(symbol[-1]):
        positive, negative = pattern.prefix
        pattern.prefix = (_space_after_sign(positive), _space_after_sign(negative))
    if _needs_space(symbol[0]):
        positive, negative = pattern.suffix
        pattern.suffix = (_space_before_sign(positive), _space_before_sign(negative))
    return pattern


def _space_after_sign(prefix: str) -> str:
    return prefix + _NBSP if prefix.endswith("¤") else prefix


def _space_before_sign(suffix: str) -> str:
    return _NBSP + suffix if suffix.startswith("¤") else suffix


@lru_cache(maxsize=256)
def _number_pattern(locale: str, exponent: int) -> NumberPattern:
    pattern = copy.copy(babel_locale(locale).decimal_formats[None])
    pattern.frac_prec = (exponent, exponent)
    return pattern


def format_money(amount_minor: int, currency: str, *, locale: str) -> str:
    """The amount with the currency's symbol for ``locale``: "$1,234.56", "US$1,234.56"."""
    value = to_decimal(require_int(amount_minor, "amount_minor"), currency)
    pattern = _money_pattern(locale, get_currency(currency).code)
    return pattern.apply(value, babel_locale(locale), currency=currency, currency_digits=False)


def format_amount(amount_minor: int, currency: str, locale: str) -> str:
    """The amount without a currency sign: "1,234.56", "1,235" for JPY."""
    value = to_decimal(require_int(amount_minor, "amount_minor"), currency)
    pattern = _number_pattern(locale, get_currency(currency).exponent)
    return pattern.apply(value, babel_locale(locale), currency_digits=False)

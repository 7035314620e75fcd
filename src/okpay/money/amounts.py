"""Amounts as int minor units: parsing what people type, and Decimal conversions.

Rules of ``parse_amount``:
- Full-width digits and punctuation count as their ASCII forms; "。" and "．" are
  decimal points; NBSP, thin and ideographic spaces are spaces; "−" is a minus.
- A dot is the only decimal point. Commas or spaces group digits in threes
  and only in threes, first group 1-3 digits not starting with 0 ("1,234", "12 345";
  "1,23,4", "12,5" and "0,123" are refused). Digits are required on both sides of
  the dot (".5" and "12." are refused). A leading minus reads as a negative amount.
- Trailing zeros past the currency's minor unit are accepted ("1.230" CNY is 123,
  "5.0" JPY is 5); any other extra digit is refused, never rounded away.
- One marker of the currency may stand before and one after the number: its code
  (any case), its Chinese name, or a common sign ("¥", "$", "US$", "元", "RMB" ...).
  A marker of another currency is refused ("$12" in a CNY field).
- The result is above zero and at most ``MAX_AMOUNT_MINOR`` minor units.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from okpay.money.currencies import CURRENCIES, Currency, get_currency
from okpay.money.errors import (
    AmountCurrencyMismatch,
    AmountInvalid,
    AmountNegative,
    AmountTooLarge,
    AmountTooManyDecimals,
    AmountZero,
)
from okpay.money.rounding import (
    EXACT_CONTEXT,
    Rounding,
    require_decimal,
    require_int,
    round_minor,
)

MAX_AMOUNT_MINOR = 10**15
_MAX_TEXT_LENGTH = 64

_DOLLAR_CODES = frozenset(code for code, c in CURRENCIES.items() if c.name_en.endswith("Dollar"))

# Signs shared by several currencies, or names that are not the code or CLDR Chinese name.
_MARKERS: dict[str, frozenset[str]] = {
    "$": _DOLLAR_CODES,
    "¥": frozenset({"CNY", "JPY"}),
    "元": frozenset({"CNY"}),
    "块": frozenset({"CNY"}),
    "RMB": frozenset({"CNY"}),
    "CN¥": frozenset({"CNY"}),
    "JP¥": frozenset({"JPY"}),
    "円": frozenset({"JPY"}),
    "US$": frozenset({"USD"}),
    "美金": frozenset({"USD"}),
    "HK$": frozenset({"HKD"}),
    "港币": frozenset({"HKD"}),
    "S$": frozenset({"SGD"}),
    "SG$": frozenset({"SGD"}),
    "A$": frozenset({"AUD"}),
    "AU$": frozenset({"AUD"}),
    "C$": frozenset({"CAD"}),
    "CA$": frozenset({"CAD"}),
    "NZ$": frozenset({"NZD"}),
    "NT$": frozenset({"TWD"}),
    "€": frozenset({"EUR"}),
    "£": frozenset({"GBP"}),
    "₩": frozenset({"KRW"}),
    "₹": frozenset({"INR"}),
    "₽": frozenset({"RUB"}),
    "฿": frozenset({"THB"}),
    "₫": frozenset({"VND"}),
    "₱": frozenset({"PHP"}),
    "₺": frozenset({"TRY"}),
    "₪": frozenset({"ILS"}),
}
for _code, _currency in CURRENCIES.items():
    _MARKERS.setdefault(_code, frozenset({_code}))
    _MARKERS.setdefault(_currency.name_zh, frozenset({_code}))

_EXTRA_FOLDS = str.maketrans({"。": ".", "−": "-"})
_SPACES = re.compile(r"\s+")
_PLAIN = re.compile(r"(?P<int>\d+)(?:\.(?P<frac>\d+))?")
_GROUPED = re.compile(
    r"(?P<int>[1-9]\d{0,2}(?P<sep>[, ])\d{3}(?:(?P=sep)\d{3})*)(?:\.(?P<frac>\d+))?"
)


def _example(currency: Currency) -> str:
    return "1,234" + ("." + "5678"[: currency.exponent] if currency.exponent else "")


def _invalid(currency: Currency, number: str = "") -> AmountInvalid:
    if number.count(".") > 1:
        text = _("Use only one decimal point, for example {example}.")
    elif "," in number or " " in number:
        text = _(
            "Use a dot for decimals and commas only between groups of three digits, "
            "for example {example}."
        )
    else:
        text = _("Enter the amount as a number, for example {example}.")
    return AmountInvalid(format_lazy(text, example=_example(currency)), currency=currency.code)


def _normalize(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).translate(_EXTRA_FOLDS)
    return _SPACES.sub(" ", folded).strip()


def _split(text: str) -> tuple[str, str, str]:
    """(prefix, number, suffix) around the run from the first to the last digit."""
    digits = [i for i, ch in enumerate(text) if "0" <= ch <= "9"]
    if not digits:
        return text, "", ""
    return (
        text[: digits[0]].strip(),
        text[digits[0] : digits[-1] + 1],
        text[digits[-1] + 1 :].strip(),
    )


def _check_marker(marker: str, currency: Currency) -> None:
    if not marker:
        return
    codes = _MARKERS.get(marker) or _MARKERS.get(marker.upper())
    if codes is None:
        raise _invalid(currency)
    if currency.code not in codes:
        raise AmountCurrencyMismatch(
            format_lazy(
                _("This amount is in another currency. Enter it in {currency}."),
                currency=currency.code,
            ),
            currency=currency.code,
        )


def parse_amount(text: str, currency: str) -> int:
    """Minor units of ``currency`` for an amount a person typed; raises an ``AmountError``."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    cur = get_currency(currency)
    if len(text) > _MAX_TEXT_LENGTH:
        raise _invalid(cur)
    cleaned = _normalize(text)
    if not cleaned:
        raise AmountInvalid(_("Enter an amount."), currency=cur.code)
    prefix, number, suffix = _split(cleaned)
    if not number:
        raise _invalid(cur)
    negative = prefix.startswith("-") or prefix.endswith("-")
    if negative:
        prefix = prefix.removeprefix("-").removesuffix("-").strip()
    match = _PLAIN.fullmatch(number) or _GROUPED.fullmatch(number)
    if match is None:
        raise _invalid(cur, number)
    _check_marker(prefix, cur)
    _check_marker(suffix, cur)
    whole = match["int"].replace(",", "").replace(" ", "")
    fraction = match["frac"] or ""
    if negative and (whole + fraction).strip("0"):
        raise AmountNegative(currency=cur.code)
    kept, dropped = fraction[: cur.exponent], fraction[cur.exponent :]
    if dropped.strip("0"):
        raise _too_many_decimals(cur)
    whole = whole.lstrip("0")
    if len(whole) + cur.exponent > len(str(MAX_AMOUNT_MINOR)):
        raise _too_large(cur)
    value = int(whole or "0") * 10**cur.exponent + int(kept.ljust(cur.exponent, "0") or "0")
    if value == 0:
        raise AmountZero(currency=cur.code)
    if value > MAX_AMOUNT_MINOR:
        raise _too_large(cur)
    return value


def _too_many_decimals(currency: Currency) -> AmountTooManyDecimals:
    if currency.exponent == 0:
        message = format_lazy(_("{currency} amounts cannot have decimals."), currency=currency.code)
    else:
        places = ngettext_lazy(
            "Enter at most {places} decimal place for {currency}.",
            "Enter at most {places} decimal places for {currency}.",
            currency.exponent,
        )
        message = format_lazy(places, places=currency.exponent, currency=currency.code)
    return AmountTooManyDecimals(message, currency=currency.code, max_decimals=currency.exponent)


def _too_large(currency: Currency) -> AmountTooLarge:
    maximum = f"{to_decimal(MAX_AMOUNT_MINOR, currency.code):,}"
    return AmountTooLarge(
        format_lazy(
            _("Enter at most {maximum} {currency}."), maximum=maximum, currency=currency.code
        ),
        currency=currency.code,
        maximum=maximum,
    )


def to_minor(value: Decimal, currency: str, rounding: Rounding) -> int:
    """Minor units for a Decimal count of major units, rounded the named way."""
    exact = require_decimal(value, "value")
    return round_minor(EXACT_CONTEXT.scaleb(exact, get_currency(currency).exponent), rounding)


def to_decimal(minor: int, currency: str) -> Decimal:
    """Major units as a Decimal with exactly the currency's exponent of places."""
    exact = Decimal(require_int(minor, "minor"))
    return EXACT_CONTEXT.scaleb(exact, -get_currency(currency).exponent)

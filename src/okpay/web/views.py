"""Public pages: the home page (error pages are the 404.html/500.html templates)."""

from __future__ import annotations

from dataclasses import dataclass

from babel import Locale, UnknownLocaleError
from babel.numbers import get_currency_symbol
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language, to_locale

from okpay.money.currencies import Currency, enabled_currencies


@dataclass(frozen=True, slots=True)
class CurrencyRow:
    code: str
    name: str
    symbol: str
    minor_units: int


def _babel_locale(language: str) -> Locale | None:
    try:
        return Locale.parse(to_locale(language))
    except (UnknownLocaleError, ValueError):
        return None


def currency_rows(*, currencies: tuple[Currency, ...], language: str) -> list[CurrencyRow]:
    """The currencies as shown to a reader of ``language``: local name and symbol."""
    chinese = language.lower().startswith("zh")
    locale = _babel_locale(language)
    rows = []
    for currency in currencies:
        symbol = currency.code
        if locale is not None:
            symbol = get_currency_symbol(currency.code, locale=locale)
        rows.append(
            CurrencyRow(
                code=currency.code,
                name=currency.name_zh if chinese else currency.name_en,
                symbol=symbol,
                minor_units=currency.exponent,
            )
        )
    return rows


def home(request: HttpRequest) -> HttpResponse:
    rows = currency_rows(currencies=enabled_currencies(), language=get_language() or "en")
    return render(request, "web/home.html", {"currencies": rows})

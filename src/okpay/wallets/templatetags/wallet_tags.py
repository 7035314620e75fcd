"""Template filters of the wallet pages: money in the active language."""

from __future__ import annotations

from django import template
from django.utils import translation

from okpay.money.amounts import to_decimal
from okpay.money.formatting import format_money

register = template.Library()


@register.filter
def money(amount_minor: int | None, currency: str) -> str:
    """``1234`` + ``"USD"`` → "$12.34" (en) / "US$12.34" (zh-Hans)."""
    if amount_minor is None or not currency:
        return ""
    return format_money(int(amount_minor), currency, locale=translation.get_language() or "en")


@register.filter
def major(amount_minor: int | None, currency: str) -> str:
    """The plain decimal amount in major units, for form fields: ``1234`` → "12.34"."""
    if amount_minor is None or not currency:
        return ""
    return str(to_decimal(int(amount_minor), currency))

"""Checking an operation against the limits and blocked countries; editing them from code.

``limit_check`` runs before any money moves. It refuses a blocked destination first
(``CorridorBlocked``), then an amount above an allowance (``LimitExceeded``; the rules are in
``okpay.limits.selectors``). When several allowances are exceeded the error names the one
with the least remaining (on a tie the shorter period), which is the most useful to the user.
``user_id`` is accepted for per-user limits to come; today every user has the same limits.
"""

from __future__ import annotations

from django.db import transaction

from okpay.limits.errors import CorridorBlocked, LimitExceeded
from okpay.limits.models import BlockedCountry, LimitRule
from okpay.limits.selectors import KIND_ORDER, LimitUsage, country_blocked, limit_allowances
from okpay.money.currencies import get_currency
from okpay.money.rounding import require_int

__all__ = ["LimitUsage", "blocked_country_add", "limit_check", "limit_rule_set"]


def limit_check(
    *,
    user_id: int,
    transaction_type: str,
    currency: str,
    amount_minor: int,
    from_country: str = "",
    to_country: str = "",
    usage: LimitUsage,
) -> None:
    """Raise ``CorridorBlocked`` or ``LimitExceeded`` when the operation is not allowed."""
    amount = require_int(amount_minor, "amount_minor")
    if amount < 0:
        raise ValueError(f"amount_minor must not be negative, not {amount}")
    code = get_currency(currency).code
    if country_blocked(country=to_country) is not None:
        raise CorridorBlocked(country=to_country.upper())
    exceeded = [
        allowance
        for allowance in limit_allowances(
            transaction_type=transaction_type, currency=code, usage=usage, to_country=to_country
        )
        if amount > allowance.remaining_minor
    ]
    if exceeded:
        worst = min(exceeded, key=lambda a: (a.remaining_minor, KIND_ORDER.index(a.kind)))
        raise LimitExceeded(
            limit=worst.kind,
            limit_minor=worst.limit_minor,
            remaining_minor=worst.remaining_minor,
            currency=code,
        )


def limit_rule_set(
    *,
    transaction_type: str,
    currency: str,
    to_country: str = "",
    per_transaction_minor: int | None = None,
    daily_minor: int | None = None,
    monthly_minor: int | None = None,
    name: str = "",
) -> LimitRule:
    """Create or replace the limits of one scope; raises ``ValidationError`` for bad values."""
    with transaction.atomic():
        rule = LimitRule.objects.select_for_update().filter(
            transaction_type=transaction_type,
            currency=currency.upper(),
            to_country=to_country.upper(),
        ).first() or LimitRule(
            transaction_type=transaction_type, currency=currency, to_country=to_country
        )
        rule.name = name
        rule.per_transaction_minor = per_transaction_minor
        rule.daily_minor = daily_minor
        rule.monthly_minor = monthly_minor
        rule.full_clean()
        rule.save()
        return rule


def blocked_country_add(*, country: str, reason: str) -> BlockedCountry:
    """Block a destination country (idempotent: an existing block gets the new reason)."""
    with transaction.atomic():
        row = BlockedCountry.objects.select_for_update().filter(
            country=country.upper()
        ).first() or BlockedCountry(country=country)
        row.reason = reason
        row.full_clean()
        row.save()
        return row

"""What a user may still move: the tightest limit of each kind for an operation.

Every rule for the transaction type and currency applies: the rule for any destination
and, for a corridor, the rule for that ``to_country`` too. For each kind (per transaction,
per day, per month) the *allowance* is the smallest remaining amount over those rules,
where remaining = limit − usage, never below zero (a per-transaction limit has no usage).
An amount exactly equal to the allowance is allowed; one minor unit more is not.
"""

from __future__ import annotations

from dataclasses import dataclass

from okpay.fees.models import TransactionType
from okpay.limits.errors import LimitKind
from okpay.limits.models import BlockedCountry, LimitRule
from okpay.money.currencies import get_currency
from okpay.money.rounding import require_int

KIND_ORDER = (LimitKind.PER_TRANSACTION, LimitKind.DAILY, LimitKind.MONTHLY)


@dataclass(frozen=True, slots=True)
class LimitUsage:
    """What the user already used in the currency for the transaction type (minor units)."""

    day_minor: int
    month_minor: int


@dataclass(frozen=True, slots=True)
class Allowance:
    kind: LimitKind
    limit_minor: int
    remaining_minor: int


def limit_rules_for(
    *, transaction_type: str, currency: str, to_country: str = ""
) -> list[LimitRule]:
    """The rules that apply to an operation (any destination, and the corridor's)."""
    if transaction_type not in TransactionType.values:
        raise ValueError(f"unknown transaction_type {transaction_type!r}")
    return list(
        LimitRule.objects.filter(
            transaction_type=transaction_type,
            currency=get_currency(currency).code,
            to_country__in={"", to_country.upper()},
        )
    )


def limit_allowances(
    *, transaction_type: str, currency: str, usage: LimitUsage, to_country: str = ""
) -> tuple[Allowance, ...]:
    """The tightest allowance of each kind that has a limit, in per-transaction/day/month order."""
    used = {
        LimitKind.PER_TRANSACTION: 0,
        LimitKind.DAILY: require_int(usage.day_minor, "usage.day_minor"),
        LimitKind.MONTHLY: require_int(usage.month_minor, "usage.month_minor"),
    }
    if used[LimitKind.DAILY] < 0 or used[LimitKind.MONTHLY] < 0:
        raise ValueError("usage must not be negative")
    rules = limit_rules_for(
        transaction_type=transaction_type, currency=currency, to_country=to_country
    )
    result = []
    for kind, field in zip(
        KIND_ORDER, ("per_transaction_minor", "daily_minor", "monthly_minor"), strict=True
    ):
        limits = [getattr(rule, field) for rule in rules if getattr(rule, field) is not None]
        if not limits:
            continue
        candidates = [Allowance(kind, limit, max(limit - used[kind], 0)) for limit in limits]
        result.append(min(candidates, key=lambda a: (a.remaining_minor, a.limit_minor)))
    return tuple(result)


def country_blocked(*, country: str) -> BlockedCountry | None:
    """The block on ``country`` (ISO 3166 code, any case), or None."""
    if not country:
        return None
    return BlockedCountry.objects.filter(country=country.upper()).first()

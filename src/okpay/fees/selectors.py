"""Which fee an operation costs.

**Matching.** A rule matches when its transaction type is the operation's, each of
funding source, from country, to country and currency is empty or equal, the amount is in
``[amount_from_minor, amount_to_minor)`` (no upper bound when empty) and ``at`` (now by
default) is in ``[effective_from, effective_to)`` (open ends when empty).

**The most specific rule wins**, compared in this order:
1. a rule for the destination country (``to_country``) beats one for any country;
2. then one for the origin country (``from_country``);
3. then one for the funding source;
4. then one for the currency;
5. then the higher ``amount_from_minor`` (the narrower tier);
6. then the later ``effective_from`` (a rule with a start beats one without);
7. then the rule edited last (highest id).
So a corridor surcharge (e.g. to NG) overrides the general international price.

**Rounding.** fee = ``percent`` % of the amount, rounded HALF_UP to a whole minor unit of
the currency, plus ``fixed_minor``; then raised to ``minimum_minor`` and lowered to
``maximum_minor`` when they are set. 1.5 % of 33.30 CNY (3330 fen) is 49.95 fen → 50 fen;
1.5 % of 10,030 JPY is 150.45 → 150 yen; 0.25 % of 1.002 KWD (1002 fils) is 2.505 → 3 fils.

No matching rule: the fee is 0 and ``rule_id`` is None. The wallets app stores the fee
with the transaction, so changing a rule never changes an old transaction's fee.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from okpay.fees.models import FeeRule, FundingSource, TransactionType
from okpay.money.currencies import get_currency
from okpay.money.rounding import Rounding, percent_of, require_int

FEE_ROUNDING = Rounding.HALF_UP


@dataclass(frozen=True, slots=True)
class FeeQuote:
    """The fee in minor units of the operation's currency, and the rule that set it."""

    amount_minor: int
    percent: Decimal
    fixed_minor: int
    minimum_minor: int | None
    maximum_minor: int | None
    rule_id: int | None
    rule_name: str


@dataclass(frozen=True, slots=True)
class FeeScheduleRow:
    """One line of the public fee schedule (amounts in minor units of ``currency``)."""

    transaction_type: str
    funding_source: str
    from_country: str
    to_country: str
    currency: str  # "" for any currency
    amount_from_minor: int
    amount_to_minor: int | None
    percent: Decimal
    fixed_minor: int
    minimum_minor: int | None
    maximum_minor: int | None
    effective_from: datetime | None
    effective_to: datetime | None
    name: str


NO_FEE_NAME = ""
_NO_START = datetime.min.replace(tzinfo=UTC)


def _active_at(at: datetime) -> Q:
    return (Q(effective_from__isnull=True) | Q(effective_from__lte=at)) & (
        Q(effective_to__isnull=True) | Q(effective_to__gt=at)
    )


def _sort_key(rule: FeeRule) -> tuple[bool, bool, bool, bool, int, datetime, int]:
    """Larger is more specific (see the module docstring); a rule without a start is oldest."""
    return (
        bool(rule.to_country),
        bool(rule.from_country),
        bool(rule.funding_source),
        bool(rule.currency),
        rule.amount_from_minor,
        rule.effective_from or _NO_START,
        rule.pk,
    )


def fee_rule_find(
    *,
    transaction_type: str,
    currency: str,
    amount_minor: int,
    funding_source: str = "",
    from_country: str = "",
    to_country: str = "",
    at: datetime | None = None,
) -> FeeRule | None:
    """The most specific active rule for the operation, or None."""
    if transaction_type not in TransactionType.values:
        raise ValueError(f"unknown transaction_type {transaction_type!r}")
    if funding_source not in FundingSource.values:
        raise ValueError(f"unknown funding_source {funding_source!r}")
    code = get_currency(currency).code
    amount = require_int(amount_minor, "amount_minor")
    if amount < 0:
        raise ValueError(f"amount_minor must not be negative, not {amount}")
    moment = at if at is not None else timezone.now()
    rules = FeeRule.objects.filter(
        _active_at(moment),
        Q(amount_to_minor__isnull=True) | Q(amount_to_minor__gt=amount),
        transaction_type=transaction_type,
        funding_source__in={"", funding_source},
        from_country__in={"", from_country.upper()},
        to_country__in={"", to_country.upper()},
        currency__in={"", code},
        amount_from_minor__lte=amount,
    )
    return max(rules, key=_sort_key, default=None)


def fee_compute(
    *,
    transaction_type: str,
    currency: str,
    amount_minor: int,
    funding_source: str = "",
    from_country: str = "",
    to_country: str = "",
    at: datetime | None = None,
) -> FeeQuote:
    """The fee for ``amount_minor`` of ``currency`` (rounding: see the module docstring)."""
    rule = fee_rule_find(
        transaction_type=transaction_type,
        currency=currency,
        amount_minor=amount_minor,
        funding_source=funding_source,
        from_country=from_country,
        to_country=to_country,
        at=at,
    )
    if rule is None:
        return FeeQuote(0, Decimal(0), 0, None, None, None, NO_FEE_NAME)
    fee = percent_of(amount_minor, rule.percent, rounding=FEE_ROUNDING) + rule.fixed_minor
    if rule.minimum_minor is not None:
        fee = max(fee, rule.minimum_minor)
    if rule.maximum_minor is not None:
        fee = min(fee, rule.maximum_minor)
    return FeeQuote(
        amount_minor=fee,
        percent=rule.percent,
        fixed_minor=rule.fixed_minor,
        minimum_minor=rule.minimum_minor,
        maximum_minor=rule.maximum_minor,
        rule_id=rule.pk,
        rule_name=rule.name,
    )


def fee_schedule_public(
    *, currency: str | None = None, at: datetime | None = None
) -> tuple[FeeScheduleRow, ...]:
    """The rules in force at ``at`` (now), for ``currency`` (rules for any currency included).

    Ordered by transaction type (as in ``TransactionType``), funding source, corridor,
    currency and tier, for a public fee page or calculator.
    """
    moment = at if at is not None else timezone.now()
    rules = FeeRule.objects.filter(_active_at(moment))
    if currency is not None:
        rules = rules.filter(currency__in=("", get_currency(currency).code))
    type_order = {value: index for index, value in enumerate(TransactionType.values)}
    ordered = sorted(
        rules,
        key=lambda r: (
            type_order[r.transaction_type],
            r.funding_source,
            r.from_country,
            r.to_country,
            r.currency,
            r.amount_from_minor,
            r.pk,
        ),
    )
    return tuple(
        FeeScheduleRow(
            transaction_type=r.transaction_type,
            funding_source=r.funding_source,
            from_country=r.from_country,
            to_country=r.to_country,
            currency=r.currency,
            amount_from_minor=r.amount_from_minor,
            amount_to_minor=r.amount_to_minor,
            percent=r.percent,
            fixed_minor=r.fixed_minor,
            minimum_minor=r.minimum_minor,
            maximum_minor=r.maximum_minor,
            effective_from=r.effective_from,
            effective_to=r.effective_to,
            name=r.name,
        )
        for r in ordered
    )

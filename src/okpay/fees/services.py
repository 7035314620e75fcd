"""Writing the fee schedule outside the admin (scripts, tests): validated like an admin edit."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from okpay.fees.models import FeeRule


def fee_rule_create(
    *,
    name: str,
    transaction_type: str,
    percent: Decimal = Decimal(0),
    fixed_minor: int = 0,
    currency: str = "",
    funding_source: str = "",
    from_country: str = "",
    to_country: str = "",
    amount_from_minor: int = 0,
    amount_to_minor: int | None = None,
    minimum_minor: int | None = None,
    maximum_minor: int | None = None,
    effective_from: datetime | None = None,
    effective_to: datetime | None = None,
) -> FeeRule:
    """A new fee rule; raises ``django.core.exceptions.ValidationError`` for a bad one."""
    rule = FeeRule(
        name=name,
        transaction_type=transaction_type,
        percent=percent,
        fixed_minor=fixed_minor,
        currency=currency,
        funding_source=funding_source,
        from_country=from_country,
        to_country=to_country,
        amount_from_minor=amount_from_minor,
        amount_to_minor=amount_to_minor,
        minimum_minor=minimum_minor,
        maximum_minor=maximum_minor,
        effective_from=effective_from,
        effective_to=effective_to,
    )
    rule.full_clean()
    rule.save()
    return rule

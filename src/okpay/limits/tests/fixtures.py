"""Limit fixtures: one known rule set instead of the shipped defaults."""

from __future__ import annotations

import pytest

from okpay.limits.models import LimitRule


@pytest.fixture
def usd_p2p_limits(db: None) -> LimitRule:
    """USD P2P sends: 1,000.00 per transaction, 2,000.00 a day, 5,000.00 a month."""
    from okpay.limits.services import limit_rule_set

    LimitRule.objects.all().delete()
    return limit_rule_set(
        transaction_type="p2p_send",
        currency="USD",
        per_transaction_minor=100_000,
        daily_minor=200_000,
        monthly_minor=500_000,
    )

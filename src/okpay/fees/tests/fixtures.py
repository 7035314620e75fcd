"""Fee fixtures: an empty schedule to build worked examples on, through the real service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from okpay.fees.models import FeeRule

T0 = datetime(2027, 1, 1, 0, 0, tzinfo=UTC)

MakeRule = Callable[..., FeeRule]


@pytest.fixture
def empty_schedule(db: None) -> None:
    """Remove the shipped default schedule."""
    FeeRule.objects.all().delete()


@pytest.fixture
def make_rule(empty_schedule: None) -> MakeRule:
    from okpay.fees.services import fee_rule_create

    def make(**fields: Any) -> FeeRule:
        fields.setdefault("name", "rule")
        fields.setdefault("transaction_type", "international_transfer")
        return fee_rule_create(**fields)

    return make

"""Fee rules are validated for the admin (clean) and by the database (CHECK constraints)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from okpay.fees.models import FeeRule
from okpay.fees.selectors import FeeScheduleRow, fee_schedule_public
from okpay.fees.tests.fixtures import T0, MakeRule

pytestmark = pytest.mark.django_db

VALID: dict[str, Any] = {
    "name": "rule",
    "transaction_type": "withdrawal",
    "currency": "CNY",
    "percent": Decimal(1),
}


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"percent": Decimal("100.0001")}, {"percent"}),
        ({"percent": Decimal(-1)}, {"percent"}),
        ({"minimum_minor": 200, "maximum_minor": 199}, {"maximum_minor"}),
        ({"fixed_minor": -1}, {"fixed_minor"}),
        ({"amount_from_minor": 100, "amount_to_minor": 100}, {"amount_to_minor"}),
        ({"effective_from": T0, "effective_to": T0}, {"effective_to"}),
        ({"currency": "", "fixed_minor": 100}, {"fixed_minor"}),
        ({"currency": "", "minimum_minor": 0}, {"minimum_minor"}),
        ({"currency": "XYZ"}, {"currency"}),
        ({"to_country": "CHN"}, {"to_country"}),
        ({"transaction_type": "refund"}, {"transaction_type"}),
    ],
)
def test_clean_refuses_inconsistent_rules(
    empty_schedule: None, changes: dict[str, Any], fields: set[str]
) -> None:
    rule = FeeRule(**{**VALID, **changes})
    with pytest.raises(ValidationError) as caught:
        rule.full_clean()
    assert set(caught.value.message_dict) == fields


def test_clean_accepts_edges_and_normalizes_codes(empty_schedule: None) -> None:
    rule = FeeRule(
        **{
            **VALID,
            "percent": Decimal(100),
            "minimum_minor": 100,
            "maximum_minor": 100,
            "currency": "cny",
            "to_country": "ng",
            "amount_to_minor": 1,
            "effective_from": T0,
            "effective_to": T0 + timedelta(microseconds=1),
        }
    )
    rule.full_clean()
    assert (rule.currency, rule.to_country) == ("CNY", "NG")


@pytest.mark.parametrize(
    "changes",
    [
        {"percent": Decimal(101)},
        {"minimum_minor": 200, "maximum_minor": 199},
        {"fixed_minor": -1},
        {"amount_from_minor": 100, "amount_to_minor": 100},
        {"effective_from": T0, "effective_to": T0},
        {"currency": "", "fixed_minor": 100},
        {"transaction_type": "refund"},
    ],
)
def test_database_refuses_what_clean_refuses(empty_schedule: None, changes: dict[str, Any]) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        FeeRule.objects.create(**{**VALID, **changes})
    assert FeeRule.objects.count() == 0


def test_public_schedule_lists_rules_in_force_for_a_currency(make_rule: MakeRule) -> None:
    make_rule(name="intl any", percent=Decimal(1))
    make_rule(name="intl JPY", currency="JPY", percent=Decimal("0.8"), fixed_minor=300)
    make_rule(name="intl USD", currency="USD", percent=Decimal("0.8"), fixed_minor=200)
    make_rule(name="card", transaction_type="deposit", funding_source="card", percent=Decimal(2))
    make_rule(name="expired", currency="JPY", percent=Decimal(5), effective_to=T0)
    rows = fee_schedule_public(currency="JPY", at=T0)
    assert [row.name for row in rows] == ["card", "intl any", "intl JPY"]
    assert rows[2] == FeeScheduleRow(
        transaction_type="international_transfer",
        funding_source="",
        from_country="",
        to_country="",
        currency="JPY",
        amount_from_minor=0,
        amount_to_minor=None,
        percent=Decimal("0.8000"),
        fixed_minor=300,
        minimum_minor=None,
        maximum_minor=None,
        effective_from=None,
        effective_to=None,
        name="intl JPY",
    )
    everything = fee_schedule_public(at=T0 - timedelta(seconds=1))
    assert [row.name for row in everything] == [
        "card",
        "intl any",
        "intl JPY",
        "expired",
        "intl USD",
    ]


def test_shipped_schedule_is_public(db: None) -> None:
    names = [row.name for row in fee_schedule_public(currency="KWD")]
    assert "International transfer (KWD)" in names
    assert "International transfer (USD)" not in names
    assert names[0] == "Top-up by bank transfer"

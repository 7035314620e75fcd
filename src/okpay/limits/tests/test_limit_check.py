"""Limits at their edges: exactly at a limit passes, one minor unit over fails."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from okpay.limits.errors import CorridorBlocked, LimitExceeded
from okpay.limits.models import BlockedCountry, LimitRule
from okpay.limits.selectors import Allowance, LimitKind, limit_allowances
from okpay.limits.services import LimitUsage, blocked_country_add, limit_check, limit_rule_set

pytestmark = pytest.mark.django_db

NOTHING_USED = LimitUsage(day_minor=0, month_minor=0)


def check(amount_minor: int, usage: LimitUsage = NOTHING_USED, **kwargs: Any) -> None:
    kwargs.setdefault("transaction_type", "p2p_send")
    kwargs.setdefault("currency", "USD")
    limit_check(user_id=1, amount_minor=amount_minor, usage=usage, **kwargs)


def refusal(amount_minor: int, usage: LimitUsage = NOTHING_USED, **kwargs: Any) -> LimitExceeded:
    with pytest.raises(LimitExceeded) as caught:
        check(amount_minor, usage, **kwargs)
    return caught.value


# --- per transaction -------------------------------------------------------------------------


@pytest.mark.usefixtures("usd_p2p_limits")
def test_amount_exactly_at_the_per_transaction_limit_passes() -> None:
    assert check(100_000) is None


@pytest.mark.usefixtures("usd_p2p_limits")
def test_one_cent_over_the_per_transaction_limit_fails() -> None:
    error = refusal(100_001)
    assert error.code == "limit_exceeded"
    assert error.field == "amount"
    assert error.details == {
        "limit": "per_transaction",
        "limit_minor": 100_000,
        "remaining_minor": 100_000,
        "currency": "USD",
    }


# --- daily and monthly -----------------------------------------------------------------------


@pytest.mark.usefixtures("usd_p2p_limits")
def test_daily_limit_edge_with_earlier_usage() -> None:
    used = LimitUsage(day_minor=150_000, month_minor=150_000)
    assert check(50_000, used) is None
    error = refusal(50_001, used)
    assert (error.limit, error.limit_minor, error.remaining_minor) == ("daily", 200_000, 50_000)


@pytest.mark.usefixtures("usd_p2p_limits")
def test_monthly_limit_edge_when_today_is_unused() -> None:
    used = LimitUsage(day_minor=0, month_minor=450_000)
    assert check(50_000, used) is None
    error = refusal(50_001, used)
    assert (error.limit, error.limit_minor, error.remaining_minor) == ("monthly", 500_000, 50_000)


@pytest.mark.usefixtures("usd_p2p_limits")
def test_the_limit_with_least_remaining_is_reported() -> None:
    # day: 200,000 - 190,000 = 10,000 left; month: 500,000 - 480,000 = 20,000 left
    error = refusal(100_001, LimitUsage(day_minor=190_000, month_minor=480_000))
    assert (error.limit, error.remaining_minor) == ("daily", 10_000)
    error = refusal(30_000, LimitUsage(day_minor=190_000, month_minor=495_000))
    assert (error.limit, error.remaining_minor) == ("monthly", 5_000)


@pytest.mark.usefixtures("usd_p2p_limits")
def test_equal_remaining_reports_the_shorter_period() -> None:
    error = refusal(10_001, LimitUsage(day_minor=190_000, month_minor=490_000))
    assert (error.limit, error.remaining_minor) == ("daily", 10_000)


@pytest.mark.usefixtures("usd_p2p_limits")
def test_remaining_allowance_is_never_negative() -> None:
    error = refusal(1, LimitUsage(day_minor=250_000, month_minor=250_000))
    assert (error.limit, error.limit_minor, error.remaining_minor) == ("daily", 200_000, 0)


@pytest.mark.usefixtures("usd_p2p_limits")
def test_limits_are_per_currency_and_type() -> None:
    assert check(10**12, currency="CNY") is None
    assert check(10**12, transaction_type="withdrawal") is None


# --- corridors and blocked countries ---------------------------------------------------------


def test_corridor_limit_applies_on_top_of_the_general_one(usd_p2p_limits: LimitRule) -> None:
    limit_rule_set(
        transaction_type="p2p_send", currency="USD", to_country="NG", per_transaction_minor=10_000
    )
    assert check(10_000, to_country="NG") is None
    error = refusal(10_001, to_country="ng")
    assert (error.limit, error.limit_minor, error.remaining_minor) == (
        "per_transaction",
        10_000,
        10_000,
    )
    assert check(100_000, to_country="GH") is None
    assert limit_allowances(
        transaction_type="p2p_send",
        currency="USD",
        usage=LimitUsage(day_minor=199_000, month_minor=0),
        to_country="NG",
    ) == (
        Allowance(LimitKind.PER_TRANSACTION, 10_000, 10_000),
        Allowance(LimitKind.DAILY, 200_000, 1_000),
        Allowance(LimitKind.MONTHLY, 500_000, 500_000),
    )


def test_blocked_destination_is_refused_before_any_limit(usd_p2p_limits: LimitRule) -> None:
    blocked_country_add(country="kp", reason="Sanctions")
    with pytest.raises(CorridorBlocked) as caught, translation.override("en"):
        check(1, transaction_type="international_transfer", to_country="kp")
    assert caught.value.code == "corridor_blocked"
    assert caught.value.details == {"country": "KP"}
    assert caught.value.message == (
        "We cannot send money to North Korea. Choose another destination, or contact "
        "support if you think this is wrong."
    )


def test_shipped_defaults_block_sanctioned_countries_and_cap_cny_sends(db: None) -> None:
    assert sorted(BlockedCountry.objects.values_list("country", flat=True)) == ["IR", "KP", "SY"]
    with pytest.raises(CorridorBlocked):
        check(1, currency="CNY", transaction_type="international_transfer", to_country="IR")
    # P2P in CNY: 2,000 USD x 7 = 14,000.00 CNY per transaction
    assert check(1_400_000, currency="CNY") is None
    assert refusal(1_400_001, currency="CNY").remaining_minor == 1_400_000
    # KWD has three decimals: 2,000 USD x 0.3 = 600.000 KWD
    assert check(600_000, currency="KWD") is None
    assert refusal(600_001, currency="KWD").limit_minor == 600_000
    # JPY has none: 2,000 USD x 150 = 300,000 yen
    assert refusal(300_001, currency="JPY").limit_minor == 300_000


# --- messages name the limit and the remaining amount in the user's language -----------------


@pytest.mark.usefixtures("usd_p2p_limits")
def test_message_in_english() -> None:
    with translation.override("en"):
        error = refusal(60_000, LimitUsage(day_minor=150_000, month_minor=150_000))
    assert error.message == (
        "This amount would go over your daily limit of $2,000.00. You can still use $500.00 "
        "today: enter a smaller amount or try again tomorrow."
    )


@pytest.mark.usefixtures("usd_p2p_limits")
def test_message_in_chinese() -> None:
    with translation.override("zh-hans"):
        error = refusal(100_001)
    assert error.message == (
        "金额超过单笔限额 US$1,000.00。单笔最多可输入 US$1,000.00，或将付款拆分为几笔较小的金额。"
    )


# --- rules are validated ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("limits", "field"),
    [
        ({}, "per_transaction_minor"),
        ({"per_transaction_minor": 0}, "per_transaction_minor"),
        ({"per_transaction_minor": 201, "daily_minor": 200}, "daily_minor"),
        ({"daily_minor": 501, "monthly_minor": 500}, "monthly_minor"),
        ({"per_transaction_minor": 501, "monthly_minor": 500}, "monthly_minor"),
    ],
)
def test_rule_validation(db: None, limits: dict[str, int], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        limit_rule_set(transaction_type="p2p_send", currency="NZD", **limits)
    assert list(caught.value.message_dict) == [field]
    assert not LimitRule.objects.filter(currency="NZD", transaction_type="p2p_send").exists()


@pytest.mark.parametrize(
    "limits",
    [
        {},
        {"per_transaction_minor": 0},
        {"per_transaction_minor": 201, "daily_minor": 200},
        {"daily_minor": 501, "monthly_minor": 500},
    ],
)
def test_database_refuses_what_validation_refuses(db: None, limits: dict[str, int]) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        LimitRule.objects.create(transaction_type="p2p_send", currency="XTS", **limits)


def test_database_refuses_a_blocked_country_without_reason(db: None) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        BlockedCountry.objects.create(country="XX", reason="")

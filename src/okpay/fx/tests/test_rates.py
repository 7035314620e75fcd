"""Mid rates crossed through EUR, staleness at its edge, and spreads by pair and tier."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from okpay.fx.errors import FxRatesStale
from okpay.fx.models import FxRate, FxSpread
from okpay.fx.selectors import CustomerRate, MidRate, customer_rate, mid_rate, rates_current
from okpay.fx.services import fx_rate_record, fx_spread_set
from okpay.fx.tests.fixtures import ECB_AS_OF
from okpay.money.errors import CurrencyNotSupported

pytestmark = pytest.mark.usefixtures("ecb_rates")

SOON = ECB_AS_OF + timedelta(hours=2)


# --- mid rates -------------------------------------------------------------------------------


def test_euro_to_dollar_is_the_ecb_rate() -> None:
    assert mid_rate(from_currency="EUR", to_currency="USD", at=SOON) == MidRate(
        "EUR", "USD", Decimal("1.1612000000"), "ECB", ECB_AS_OF
    )


def test_dollar_to_euro_is_the_inverse_rounded_half_even_to_ten_places() -> None:
    # 1 / 1.1612 = 0.86117809162935...
    assert mid_rate(from_currency="USD", to_currency="EUR", at=SOON).rate == Decimal("0.8611780916")


def test_yuan_to_yen_is_crossed_through_the_euro() -> None:
    # given EUR/CNY 8.2318 and EUR/JPY 181.42: 181.42 / 8.2318 = 22.03892222843...
    result = mid_rate(from_currency="CNY", to_currency="JPY", at=SOON)
    assert result == MidRate("CNY", "JPY", Decimal("22.0389222284"), "ECB", ECB_AS_OF)


def test_same_currency_is_one_without_a_source() -> None:
    assert mid_rate(from_currency="JPY", to_currency="JPY", at=SOON) == MidRate(
        "JPY", "JPY", Decimal(1), "", SOON
    )


def test_currency_that_is_not_enabled_is_not_supported() -> None:
    # the ECB publishes SEK, but OKpay does not exchange it
    with pytest.raises(CurrencyNotSupported) as caught:
        mid_rate(from_currency="SEK", to_currency="EUR", at=SOON)
    assert caught.value.code == "currency_not_supported"
    assert caught.value.details == {"currency": "SEK"}


def test_enabled_currency_without_a_rate_is_not_supported() -> None:
    # the ECB has no KWD and no treasury rate was entered
    with pytest.raises(CurrencyNotSupported) as caught:
        mid_rate(from_currency="CNY", to_currency="KWD", at=SOON)
    assert caught.value.details == {"currency": "KWD"}


def test_no_rate_before_the_first_publication() -> None:
    with pytest.raises(CurrencyNotSupported):
        mid_rate(from_currency="EUR", to_currency="USD", at=ECB_AS_OF - timedelta(microseconds=1))


@pytest.mark.usefixtures("treasury_kwd")
def test_treasury_rate_crosses_with_the_ecb_rate_and_dates_from_the_older_leg() -> None:
    # 0.3562 / 8.2318 = 0.04327121650...
    result = mid_rate(from_currency="CNY", to_currency="KWD", at=SOON)
    assert result == MidRate(
        "CNY", "KWD", Decimal("0.0432712165"), "ECB + OKpay treasury", ECB_AS_OF
    )


def test_newest_rate_of_a_pair_wins_whatever_its_source() -> None:
    later = ECB_AS_OF + timedelta(hours=1)
    fx_rate_record(base="EUR", quote="USD", rate=Decimal("1.2"), source="Desk", as_of=later)
    before = mid_rate(from_currency="EUR", to_currency="USD", at=later - timedelta(microseconds=1))
    after = mid_rate(from_currency="EUR", to_currency="USD", at=later)
    assert (before.rate, before.source) == (Decimal("1.1612000000"), "ECB")
    assert (after.rate, after.source, after.as_of) == (Decimal("1.2000000000"), "Desk", later)


def test_rate_stored_against_the_euro_the_other_way_round_is_inverted() -> None:
    later = ECB_AS_OF + timedelta(hours=1)
    fx_rate_record(base="GBP", quote="EUR", rate=Decimal("1.25"), source="Desk", as_of=later)
    assert mid_rate(from_currency="EUR", to_currency="GBP", at=later).rate == Decimal(
        "0.8000000000"
    )
    assert mid_rate(from_currency="GBP", to_currency="USD", at=later).rate == Decimal(
        "1.4515000000"
    )


# --- staleness: older than the maximum age is stale; exactly as old is not --------------------


def test_rate_exactly_at_the_maximum_age_is_still_fresh() -> None:
    at = ECB_AS_OF + timedelta(hours=72)
    assert mid_rate(from_currency="EUR", to_currency="USD", at=at).as_of == ECB_AS_OF


def test_rate_older_than_the_maximum_age_is_stale() -> None:
    at = ECB_AS_OF + timedelta(hours=72, microseconds=1)
    with pytest.raises(FxRatesStale) as caught:
        mid_rate(from_currency="EUR", to_currency="USD", at=at)
    assert caught.value.code == "fx_rates_stale"
    assert caught.value.retryable is True
    assert caught.value.details == {
        "from_currency": "EUR",
        "to_currency": "USD",
        "as_of": "2026-11-27T15:00:00+00:00",
        "max_age_hours": 72,
    }


def test_maximum_age_comes_from_the_setting(settings: Any) -> None:
    settings.OKPAY_FX_MAX_AGE_HOURS = 1
    at = ECB_AS_OF + timedelta(hours=1)
    assert mid_rate(from_currency="EUR", to_currency="JPY", at=at).rate == Decimal("181.42")
    with pytest.raises(FxRatesStale):
        mid_rate(from_currency="EUR", to_currency="JPY", at=at + timedelta(seconds=1))


def test_cross_rate_is_as_old_as_its_older_leg() -> None:
    # given a fresh USD rate but the CNY rate from the ECB file
    fresh = ECB_AS_OF + timedelta(hours=100)
    fx_rate_record(base="EUR", quote="USD", rate=Decimal("1.17"), source="ECB", as_of=fresh)
    assert mid_rate(from_currency="EUR", to_currency="USD", at=fresh).rate == Decimal("1.17")
    with pytest.raises(FxRatesStale) as caught:
        mid_rate(from_currency="USD", to_currency="CNY", at=fresh)
    assert caught.value.details["as_of"] == "2026-11-27T15:00:00+00:00"


def test_same_currency_is_never_stale() -> None:
    far = ECB_AS_OF + timedelta(days=365)
    assert mid_rate(from_currency="CNY", to_currency="CNY", at=far).rate == Decimal(1)


# --- spreads ---------------------------------------------------------------------------------


def test_shipped_spread_tier_edge_on_the_main_corridor() -> None:
    # USD→CNY: 40 bp below 10,000.00 USD, 25 bp from exactly 10,000.00; mid 7.0890458147
    below = customer_rate(from_currency="USD", to_currency="CNY", amount_minor=999_999, at=SOON)
    at_edge = customer_rate(from_currency="USD", to_currency="CNY", amount_minor=1_000_000, at=SOON)
    assert below.mid.rate == Decimal("7.0890458147")
    assert (below.spread_bps, below.rate) == (40, Decimal("7.0606896314"))
    assert (at_edge.spread_bps, at_edge.rate) == (25, Decimal("7.0713232001"))


@pytest.mark.usefixtures("treasury_kwd")
def test_concrete_from_currency_beats_a_concrete_to_currency() -> None:
    # shipped rows: CNY→* 80 bp and *→KWD 150 bp; the from-currency row is the more specific
    result = customer_rate(from_currency="CNY", to_currency="KWD", amount_minor=10_000, at=SOON)
    assert (result.spread_bps, result.rate) == (80, Decimal("0.0429250467"))


@pytest.mark.usefixtures("no_spreads")
def test_pair_whose_tiers_start_above_the_amount_falls_back_to_the_wildcard() -> None:
    fx_spread_set(from_currency="*", to_currency="*", spread_bps=100)
    fx_spread_set(from_currency="GBP", to_currency="USD", spread_bps=20, min_amount_minor=500_000)

    def bps(amount: int) -> int:
        return customer_rate(
            from_currency="GBP", to_currency="USD", amount_minor=amount, at=SOON
        ).spread_bps

    assert (bps(0), bps(499_999), bps(500_000), bps(10**12)) == (100, 100, 20, 20)


@pytest.mark.usefixtures("no_spreads")
def test_no_spread_row_means_the_mid_rate() -> None:
    result = customer_rate(from_currency="EUR", to_currency="USD", amount_minor=100, at=SOON)
    assert result == CustomerRate(mid=result.mid, rate=Decimal("1.1612000000"), spread_bps=0)


def test_same_currency_has_no_spread() -> None:
    result = customer_rate(from_currency="USD", to_currency="USD", amount_minor=10**9, at=SOON)
    assert (result.rate, result.spread_bps) == (Decimal(1), 0)


def test_spread_is_validated_like_an_admin_edit() -> None:
    with pytest.raises(ValidationError) as caught:
        fx_spread_set(from_currency="*", to_currency="USD", spread_bps=1001, min_amount_minor=5)
    assert set(caught.value.message_dict) == {"spread_bps", "min_amount_minor"}


def test_database_refuses_a_spread_above_ten_percent() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        FxSpread.objects.create(from_currency="USD", to_currency="*", spread_bps=1001)


def test_database_refuses_a_rate_without_the_euro() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        FxRate.objects.create(
            base="USD", quote="CNY", rate=Decimal(7), source="Desk", as_of=ECB_AS_OF
        )


def test_current_rates_list_each_enabled_currency_against_the_euro() -> None:
    rows = {row.currency: row for row in rates_current(at=SOON)}
    assert list(rows) == ["CNY", "USD", "GBP", "HKD", "JPY", "SGD", "AUD", "CAD", "CHF", "KWD"]
    assert (rows["JPY"].rate, rows["JPY"].source, rows["JPY"].stale) == (
        Decimal("181.4200000000"),
        "ECB",
        False,
    )
    assert (rows["KWD"].rate, rows["KWD"].stale) == (None, True)
    late = rates_current(at=ECB_AS_OF + timedelta(days=4))
    assert all(row.stale for row in late)


def test_rates_need_an_aware_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        fx_rate_record(
            base="EUR",
            quote="USD",
            rate=Decimal(1),
            source="Desk",
            as_of=datetime(2026, 1, 1),  # noqa: DTZ001
        )


def test_cross_rate_uses_utc_independent_times() -> None:
    at = datetime(2026, 11, 27, 23, 0, tzinfo=UTC)
    assert mid_rate(from_currency="HKD", to_currency="SGD", at=at).rate == Decimal("0.1671371794")

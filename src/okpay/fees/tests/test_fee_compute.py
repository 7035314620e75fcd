"""Fees as worked examples: HALF_UP rounding in CNY, JPY and KWD, clamping, tiers, dates."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from okpay.fees.selectors import FeeQuote, fee_compute
from okpay.fees.tests.fixtures import T0, MakeRule

pytestmark = pytest.mark.django_db


def fee(currency: str, amount_minor: int, **kwargs: str) -> int:
    kwargs.setdefault("transaction_type", "international_transfer")
    return fee_compute(currency=currency, amount_minor=amount_minor, at=T0, **kwargs).amount_minor


# --- rounding: percent of the amount, HALF_UP to the minor unit, then the fixed part ---------


@pytest.mark.parametrize(
    ("currency", "percent", "amount_minor", "expected"),
    [
        # 1.5 % of 33.30 CNY = 49.95 fen -> 50 fen
        ("CNY", "1.5", 3_330, 50),
        # 1.5 % of 33.29 CNY = 49.935 fen -> 50 fen; of 33.63 = 50.445 -> 50
        ("CNY", "1.5", 3_329, 50),
        ("CNY", "1.5", 3_363, 50),
        # JPY has no minor unit: 1.5 % of 10,030 yen = 150.45 -> 150; of 10,100 = 151.5 -> 152
        ("JPY", "1.5", 10_030, 150),
        ("JPY", "1.5", 10_100, 152),
        ("JPY", "1.5", 10_099, 151),  # 151.485 -> 151
        # KWD has three decimals: 0.25 % of 1.000 KWD = 2.5 fils -> 3 (HALF_EVEN would give 2)
        ("KWD", "0.25", 1_000, 3),
        ("KWD", "0.25", 998, 2),  # 2.495 fils -> 2
        ("KWD", "0.25", 1_002, 3),  # 2.505 fils -> 3
        ("KWD", "0.25", 1_234_567, 3_086),  # 3,086.4175 fils -> 3,086
        ("USD", "0", 1_000_000, 0),
        ("USD", "100", 12_345, 12_345),
    ],
)
def test_percentage_rounds_half_up_to_the_minor_unit(
    make_rule: MakeRule, currency: str, percent: str, amount_minor: int, expected: int
) -> None:
    make_rule(currency=currency, percent=Decimal(percent))
    assert fee(currency, amount_minor) == expected


def test_fixed_part_is_added_after_rounding(make_rule: MakeRule) -> None:
    # 0.8 % of 1,000.65 USD = 800.52 cents -> 801, plus 2.00 USD
    rule = make_rule(name="intl USD", currency="USD", percent=Decimal("0.8"), fixed_minor=200)
    assert fee_compute(
        transaction_type="international_transfer", currency="USD", amount_minor=100_065, at=T0
    ) == FeeQuote(
        amount_minor=1_001,
        percent=Decimal("0.8000"),
        fixed_minor=200,
        minimum_minor=None,
        maximum_minor=None,
        rule_id=rule.pk,
        rule_name="intl USD",
    )


# --- minimum and maximum ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount_minor", "expected"),
    [
        (50_000, 100),  # 0.1 % = 50 fen, raised to the 1.00 CNY minimum
        (99_949, 100),  # 99.949 -> 100, the minimum exactly
        (150_049, 150),  # 150.049 -> 150
        (2_500_000, 2_500),  # exactly the maximum
        (2_500_500, 2_500),  # 2,500.5 -> 2,501, lowered to the 25.00 CNY maximum
        (0, 100),
    ],
)
def test_fee_is_clamped_to_minimum_and_maximum(
    make_rule: MakeRule, amount_minor: int, expected: int
) -> None:
    make_rule(
        transaction_type="withdrawal",
        currency="CNY",
        percent=Decimal("0.1"),
        minimum_minor=100,
        maximum_minor=2_500,
    )
    assert fee("CNY", amount_minor, transaction_type="withdrawal") == expected


def test_fixed_fee_counts_toward_the_maximum(make_rule: MakeRule) -> None:
    make_rule(currency="JPY", percent=Decimal("0.8"), fixed_minor=300, maximum_minor=7_000)
    # 0.8 % of 837,500 yen = 6,700 + 300 = 7,000 exactly; one yen more of fee is capped
    assert (fee("JPY", 837_500), fee("JPY", 837_625), fee("JPY", 10**9)) == (7_000, 7_000, 7_000)
    assert fee("JPY", 837_374) == 6_999  # 6,698.992 -> 6,699 + 300


# --- tiers: from inclusive, to exclusive ----------------------------------------------------


def test_amount_exactly_at_a_tier_boundary_takes_the_upper_tier(make_rule: MakeRule) -> None:
    make_rule(name="small", currency="USD", percent=Decimal(2), amount_to_minor=10_000)
    make_rule(name="large", currency="USD", percent=Decimal(1), amount_from_minor=10_000)
    assert fee("USD", 9_999) == 200  # 199.98 -> 200 at 2 %
    assert fee("USD", 10_000) == 100  # 1 %
    assert fee_compute(
        transaction_type="international_transfer", currency="USD", amount_minor=10_000, at=T0
    ).rule_name == ("large")


def test_amount_outside_every_tier_has_no_fee(make_rule: MakeRule) -> None:
    make_rule(currency="USD", percent=Decimal(1), amount_from_minor=100, amount_to_minor=200)
    quote = fee_compute(
        transaction_type="international_transfer", currency="USD", amount_minor=200, at=T0
    )
    assert quote == FeeQuote(0, Decimal(0), 0, None, None, None, "")
    assert fee("USD", 99) == 0
    assert fee("USD", 199) == 2  # 1.99 -> 2


# --- effective dates: from inclusive, to exclusive ------------------------------------------


def test_new_price_applies_from_its_first_instant(make_rule: MakeRule) -> None:
    change = T0 + timedelta(days=30)
    make_rule(name="old", currency="USD", percent=Decimal(1), effective_to=change)
    make_rule(name="new", currency="USD", percent=Decimal(2), effective_from=change)

    def name_at(at: object) -> str:
        return fee_compute(
            transaction_type="international_transfer",
            currency="USD",
            amount_minor=10_000,
            at=at,  # type: ignore[arg-type]
        ).rule_name

    assert name_at(change - timedelta(microseconds=1)) == "old"
    assert name_at(change) == "new"


def test_rule_not_yet_in_force_or_expired_is_ignored(make_rule: MakeRule) -> None:
    make_rule(
        currency="USD",
        percent=Decimal(1),
        effective_from=T0 + timedelta(seconds=1),
        effective_to=T0 + timedelta(days=1),
    )
    assert fee("USD", 10_000) == 0
    late = fee_compute(
        transaction_type="international_transfer",
        currency="USD",
        amount_minor=10_000,
        at=T0 + timedelta(days=1),
    )
    assert late.rule_id is None


def test_dated_rule_beats_an_open_one_while_it_runs(make_rule: MakeRule) -> None:
    make_rule(name="standard", currency="USD", percent=Decimal(1))
    make_rule(
        name="promotion",
        currency="USD",
        percent=Decimal("0.5"),
        effective_from=T0,
        effective_to=T0 + timedelta(days=7),
    )
    assert fee("USD", 10_000) == 50
    assert (
        fee_compute(
            transaction_type="international_transfer",
            currency="USD",
            amount_minor=10_000,
            at=T0 + timedelta(days=7),
        ).amount_minor
        == 100
    )


# --- the most specific rule wins -------------------------------------------------------------


def test_specificity_order(make_rule: MakeRule) -> None:
    make_rule(name="any", percent=Decimal(1))
    make_rule(name="currency", currency="USD", percent=Decimal(2))
    make_rule(name="funding", funding_source="card", percent=Decimal(3))
    make_rule(name="from", from_country="CN", percent=Decimal(4))
    make_rule(name="to", to_country="NG", percent=Decimal(5))

    def winner(**kwargs: str) -> str:
        return fee_compute(
            transaction_type="international_transfer",
            currency=kwargs.pop("currency", "EUR"),
            amount_minor=10_000,
            at=T0,
            **kwargs,
        ).rule_name

    assert winner() == "any"
    assert winner(currency="USD") == "currency"
    assert winner(currency="USD", funding_source="card") == "funding"
    assert winner(currency="USD", funding_source="card", from_country="cn") == "from"
    assert winner(currency="USD", funding_source="card", from_country="CN", to_country="NG") == "to"
    assert winner(to_country="US") == "any"


def test_narrower_tier_then_latest_rule_break_ties(make_rule: MakeRule) -> None:
    make_rule(name="all amounts", currency="USD", percent=Decimal(1))
    make_rule(name="from 100", currency="USD", percent=Decimal(2), amount_from_minor=10_000)
    first = make_rule(name="first twin", currency="GBP", percent=Decimal(1))
    second = make_rule(name="second twin", currency="GBP", percent=Decimal(2))
    assert fee("USD", 9_999) == 100
    assert fee("USD", 10_000) == 200
    quote = fee_compute(
        transaction_type="international_transfer", currency="GBP", amount_minor=100, at=T0
    )
    assert (quote.rule_id, first.pk < second.pk) == (second.pk, True)


def test_rule_for_another_type_or_source_does_not_match(make_rule: MakeRule) -> None:
    make_rule(transaction_type="deposit", funding_source="card", percent=Decimal("1.5"))
    assert fee("USD", 10_000, transaction_type="deposit", funding_source="bank_transfer") == 0
    assert fee("USD", 10_000, transaction_type="withdrawal") == 0
    assert fee("USD", 10_000, transaction_type="deposit", funding_source="card") == 150


def test_unknown_type_or_funding_source_is_a_programming_error(empty_schedule: None) -> None:
    with pytest.raises(ValueError, match="transaction_type"):
        fee("USD", 1, transaction_type="p2p_receive")
    with pytest.raises(ValueError, match="funding_source"):
        fee("USD", 1, funding_source="cash")
    with pytest.raises(ValueError, match="negative"):
        fee("USD", -1)


# --- the shipped schedule --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # international: 0.8 % + fixed, capped, per currency
        ({"currency": "USD", "amount_minor": 100_000}, 1_000),  # 8.00 + 2.00 USD
        ({"currency": "JPY", "amount_minor": 100_000}, 1_100),  # 800 + 300 yen
        ({"currency": "KWD", "amount_minor": 1_000}, 608),  # 8 + 600 fils
        ({"currency": "KWD", "amount_minor": 10_000_000}, 15_000),  # capped at 15.000 KWD
        ({"currency": "CNY", "amount_minor": 1_000_000}, 9_000),  # 80.00 + 10.00 CNY
        ({"currency": "SGD", "amount_minor": 100_000}, 1_000),  # any other currency: 1 %
        # corridor surcharge beats the currency's own price
        ({"currency": "USD", "amount_minor": 100_000, "to_country": "NG"}, 2_000),
        # top-ups
        (
            {
                "transaction_type": "deposit",
                "currency": "CNY",
                "amount_minor": 10_000,
                "funding_source": "card",
            },
            150,
        ),
        (
            {
                "transaction_type": "deposit",
                "currency": "CNY",
                "amount_minor": 10_000,
                "funding_source": "bank_transfer",
            },
            0,
        ),
        ({"transaction_type": "p2p_send", "currency": "CNY", "amount_minor": 10_000}, 0),
        # conversion: 0.3 %, 0.1 % from exactly 100,000.00 CNY
        ({"transaction_type": "conversion", "currency": "CNY", "amount_minor": 9_999_999}, 30_000),
        ({"transaction_type": "conversion", "currency": "CNY", "amount_minor": 10_000_000}, 10_000),
        ({"transaction_type": "withdrawal", "currency": "CNY", "amount_minor": 10_000}, 100),
    ],
)
def test_shipped_schedule_worked_examples(kwargs: dict[str, object], expected: int) -> None:
    args: dict[str, object] = {"transaction_type": "international_transfer", "at": T0, **kwargs}
    assert fee_compute(**args).amount_minor == expected  # type: ignore[arg-type]

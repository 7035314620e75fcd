from decimal import Decimal

import pytest

from okpay.money import CurrencyNotSupported, Rounding, convert, percent_of, round_minor

HALF_UP, HALF_EVEN, DOWN, UP = Rounding.HALF_UP, Rounding.HALF_EVEN, Rounding.DOWN, Rounding.UP


@pytest.mark.parametrize(
    ("value", "rounding", "expected"),
    [
        ("2.5", HALF_UP, 3),
        ("3.5", HALF_UP, 4),
        ("2.4999", HALF_UP, 2),
        ("-2.5", HALF_UP, -3),
        ("-2.4999", HALF_UP, -2),
        ("2.5", HALF_EVEN, 2),
        ("3.5", HALF_EVEN, 4),
        ("2.5001", HALF_EVEN, 3),
        ("-2.5", HALF_EVEN, -2),
        ("-3.5", HALF_EVEN, -4),
        ("2.5", DOWN, 2),
        ("2.9999", DOWN, 2),
        ("-2.5", DOWN, -2),
        ("-2.9999", DOWN, -2),
        ("2.5", UP, 3),
        ("2.0001", UP, 3),
        ("-2.5", UP, -3),
        ("-2.0001", UP, -3),
        ("7", UP, 7),
        ("-7.000", DOWN, -7),
        ("0.5", HALF_EVEN, 0),
        ("-0.5", HALF_UP, -1),
    ],
)
def test_round_minor_at_half_boundaries(value: str, rounding: Rounding, expected: int) -> None:
    assert round_minor(Decimal(value), rounding) == expected


def test_round_minor_keeps_every_digit_of_large_values() -> None:
    value = Decimal("123456789012345678901234567890123.5")

    assert round_minor(value, HALF_UP) == 123456789012345678901234567890124


def test_rounding_maps_to_decimal_constants() -> None:
    assert {r.name: r.value for r in Rounding} == {
        "HALF_UP": "ROUND_HALF_UP",
        "HALF_EVEN": "ROUND_HALF_EVEN",
        "DOWN": "ROUND_DOWN",
        "UP": "ROUND_UP",
    }


@pytest.mark.parametrize(
    ("amount", "percent", "rounding", "expected"),
    [
        (10000, "1.5", HALF_UP, 150),
        (100, "1.5", HALF_UP, 2),  # 1.5 -> 2
        (100, "1.5", HALF_EVEN, 2),
        (100, "2.5", HALF_EVEN, 2),  # 2.5 -> 2
        (100, "2.5", HALF_UP, 3),
        (100, "2.5", DOWN, 2),
        (101, "1", UP, 2),  # 1.01 -> 2
        (-100, "2.5", HALF_UP, -3),
        (-100, "2.5", DOWN, -2),
        (12345, "0", UP, 0),
        (333, "100", DOWN, 333),
    ],
)
def test_percent_of(amount: int, percent: str, rounding: Rounding, expected: int) -> None:
    assert percent_of(amount, Decimal(percent), rounding=rounding) == expected


@pytest.mark.parametrize(
    ("amount", "rate", "source", "target", "rounding", "expected"),
    [
        (10000, "0.0065", "JPY", "USD", HALF_UP, 6500),  # ¥10,000 -> $65.00
        (10001, "0.0065", "JPY", "USD", HALF_UP, 6501),  # 65.0065 -> 65.01
        (10001, "0.0065", "JPY", "USD", DOWN, 6500),
        (6500, "153.85", "USD", "JPY", HALF_UP, 10000),  # 10,000.25 -> 10,000
        (6500, "153.85", "USD", "JPY", UP, 10001),
        (10000, "0.0425", "CNY", "KWD", HALF_UP, 4250),  # ¥100.00 -> KWD 4.250
        (12345, "0.04251", "CNY", "KWD", HALF_UP, 5248),  # 5.2478... -> 5.248
        (12345, "0.04251", "CNY", "KWD", DOWN, 5247),
        (1000, "23.5", "KWD", "CNY", HALF_EVEN, 2350),  # KWD 1.000 -> ¥23.50
        (1, "23.55", "KWD", "CNY", HALF_EVEN, 2),  # 0.02355 CNY = 2.355 fen -> 2
        (1, "23.55", "KWD", "CNY", UP, 3),
        (-10000, "0.0065", "JPY", "USD", HALF_UP, -6500),
        (500, "1", "USD", "USD", HALF_UP, 500),
    ],
)
def test_convert_respects_both_exponents(
    amount: int, rate: str, source: str, target: str, rounding: Rounding, expected: int
) -> None:
    result = convert(
        amount, rate=Decimal(rate), from_currency=source, to_currency=target, rounding=rounding
    )

    assert result == expected


@pytest.mark.parametrize("rate", ["0", "-1.5"])
def test_convert_refuses_rate_not_above_zero(rate: str) -> None:
    with pytest.raises(ValueError, match="rate must be above zero"):
        convert(100, rate=Decimal(rate), from_currency="USD", to_currency="CNY", rounding=UP)


def test_convert_refuses_unknown_currency() -> None:
    with pytest.raises(CurrencyNotSupported):
        convert(100, rate=Decimal(1), from_currency="USD", to_currency="XYZ", rounding=UP)


@pytest.mark.parametrize(
    "call",
    [
        lambda: round_minor(2.5, HALF_UP),  # type: ignore[arg-type]
        lambda: percent_of(100.0, Decimal("1.5"), rounding=HALF_UP),  # type: ignore[arg-type]
        lambda: percent_of(100, 1.5, rounding=HALF_UP),  # type: ignore[arg-type]
        lambda: percent_of(Decimal(100), Decimal(1), rounding=HALF_UP),  # type: ignore[arg-type]
        lambda: percent_of(True, Decimal(1), rounding=HALF_UP),
        lambda: convert(
            100,
            rate=0.0065,  # type: ignore[arg-type]
            from_currency="JPY",
            to_currency="USD",
            rounding=HALF_UP,
        ),
        lambda: convert(
            100.0,  # type: ignore[arg-type]
            rate=Decimal("0.0065"),
            from_currency="JPY",
            to_currency="USD",
            rounding=HALF_UP,
        ),
        lambda: round_minor(Decimal("2.5"), "ROUND_HALF_UP"),  # type: ignore[arg-type]
    ],
)
def test_floats_and_loose_types_are_refused(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TypeError):
        call()


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_round_minor_refuses_non_finite(value: str) -> None:
    with pytest.raises(ValueError, match="must be finite"):
        round_minor(Decimal(value), HALF_UP)

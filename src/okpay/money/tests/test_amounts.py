from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.functional import Promise

from okpay.money import (
    MAX_AMOUNT_MINOR,
    AmountError,
    CurrencyNotSupported,
    Rounding,
    parse_amount,
    to_decimal,
    to_minor,
)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("text", "currency", "expected"),
    [
        ("1,234.56", "CNY", 123456),
        ("1234.5", "CNY", 123450),
        ("1234", "CNY", 123400),
        ("0.01", "USD", 1),
        ("007", "USD", 700),
        ("¥1,234", "JPY", 1234),
        ("¥1,234.50", "CNY", 123450),
        ("￥88", "CNY", 8800),
        ("$12", "USD", 1200),
        ("$12", "HKD", 1200),
        ("US$12.5", "USD", 1250),
        ("1,234.56 US$", "USD", 123456),
        ("CNY 12.30", "CNY", 1230),
        ("cny12.30", "CNY", 1230),
        ("RMB 5", "CNY", 500),
        ("12.30 元", "CNY", 1230),
        ("12.30元", "CNY", 1230),
        ("人民币 1,000", "CNY", 100000),
        ("12 美元", "USD", 1200),
        ("€9.99", "EUR", 999),
        ("£0.50", "GBP", 50),
        ("１２３４．５６", "CNY", 123456),
        ("１，２３４", "CNY", 123400),
        ("１２。５", "CNY", 1250),
        ("  42  ", "CNY", 4200),
        ("\u3000４２\u3000", "CNY", 4200),
        ("1\u00a0234.56", "EUR", 123456),
        ("1\u2009234.56", "EUR", 123456),
        ("1\u202f234\u202f567", "EUR", 123456700),
        ("1 234 567.891", "KWD", 1234567891),
        ("1.230", "CNY", 123),
        ("5.0", "JPY", 5),
        ("5.000", "JPY", 5),
        ("0.001", "KWD", 1),
        ("1.5", "KWD", 1500),
        ("1,000,000", "KRW", 1000000),
        ("10000000000000", "CNY", MAX_AMOUNT_MINOR),
        ("1,000,000,000,000,000", "JPY", MAX_AMOUNT_MINOR),
    ],
)
def test_parse_amount_accepts(text: str, currency: str, expected: int) -> None:
    assert parse_amount(text, currency) == expected


ONE_DOT = "Use only one decimal point, for example 1,234.56."
GROUPS = (
    "Use a dot for decimals and commas only between groups of three digits, for example 1,234.56."
)
NUMBER = "Enter the amount as a number, for example 1,234.56."
NEGATIVE = "The amount cannot be negative. Enter an amount above zero."
ZERO = "Enter an amount above zero."
MISMATCH_CNY = "This amount is in another currency. Enter it in CNY."
TOO_LARGE_CNY = "Enter at most 10,000,000,000,000.00 CNY."


@pytest.mark.parametrize(
    ("text", "currency", "code", "message"),
    [
        ("", "CNY", "amount_invalid", "Enter an amount."),
        ("   ", "CNY", "amount_invalid", "Enter an amount."),
        ("abc", "CNY", "amount_invalid", NUMBER),
        ("元", "CNY", "amount_invalid", NUMBER),
        ("12abc", "CNY", "amount_invalid", NUMBER),
        ("1e5", "CNY", "amount_invalid", NUMBER),
        ("+5", "CNY", "amount_invalid", NUMBER),
        (".5", "CNY", "amount_invalid", NUMBER),
        ("12.", "CNY", "amount_invalid", NUMBER),
        ("12-", "CNY", "amount_invalid", NUMBER),
        ("1" * 65, "CNY", "amount_invalid", NUMBER),
        ("1..2", "CNY", "amount_invalid", ONE_DOT),
        ("1.2.3", "CNY", "amount_invalid", ONE_DOT),
        ("1,23,4", "CNY", "amount_invalid", GROUPS),
        ("12,5", "CNY", "amount_invalid", GROUPS),
        ("1234,567", "CNY", "amount_invalid", GROUPS),
        ("1,234 567", "CNY", "amount_invalid", GROUPS),
        ("1.234,56", "CNY", "amount_invalid", GROUPS),
        ("0,123", "CNY", "amount_invalid", GROUPS),
        ("1,2345", "JPY", "amount_invalid", GROUPS.replace("1,234.56", "1,234")),
        ("abc", "KWD", "amount_invalid", NUMBER.replace("1,234.56", "1,234.567")),
        ("$12", "CNY", "amount_currency_mismatch", MISMATCH_CNY),
        ("USD 12", "CNY", "amount_currency_mismatch", MISMATCH_CNY),
        ("12 JPY", "CNY", "amount_currency_mismatch", MISMATCH_CNY),
        ("€12", "CNY", "amount_currency_mismatch", MISMATCH_CNY),
        (
            "¥12",
            "USD",
            "amount_currency_mismatch",
            "This amount is in another currency. Enter it in USD.",
        ),
        ("1.5", "JPY", "amount_too_many_decimals", "JPY amounts cannot have decimals."),
        ("1.01", "KRW", "amount_too_many_decimals", "KRW amounts cannot have decimals."),
        ("1.234", "CNY", "amount_too_many_decimals", "Enter at most 2 decimal places for CNY."),
        ("0.001", "USD", "amount_too_many_decimals", "Enter at most 2 decimal places for USD."),
        ("1.2345", "KWD", "amount_too_many_decimals", "Enter at most 3 decimal places for KWD."),
        ("-5", "CNY", "amount_negative", NEGATIVE),
        ("-0.01", "CNY", "amount_negative", NEGATIVE),
        ("－１２", "CNY", "amount_negative", NEGATIVE),
        ("−12", "CNY", "amount_negative", NEGATIVE),
        ("-$12", "USD", "amount_negative", NEGATIVE),
        ("$-12", "USD", "amount_negative", NEGATIVE),
        ("CNY -1,234.56", "CNY", "amount_negative", NEGATIVE),
        ("0", "CNY", "amount_zero", ZERO),
        ("0.00", "USD", "amount_zero", ZERO),
        ("-0", "CNY", "amount_zero", ZERO),
        ("¥0.000", "CNY", "amount_zero", ZERO),
        ("10000000000000.01", "CNY", "amount_too_large", TOO_LARGE_CNY),
        ("99999999999999999999999", "CNY", "amount_too_large", TOO_LARGE_CNY),
        (
            "1,000,000,000,000,001",
            "JPY",
            "amount_too_large",
            "Enter at most 1,000,000,000,000,000 JPY.",
        ),
    ],
)
def test_parse_amount_refuses(text: str, currency: str, code: str, message: str) -> None:
    with pytest.raises(AmountError) as caught:
        parse_amount(text, currency)

    assert caught.value.code == code
    assert str(caught.value.message) == message
    assert caught.value.field == "amount"
    assert caught.value.details["currency"] == currency


def test_too_many_decimals_reports_the_allowed_places() -> None:
    with pytest.raises(AmountError) as caught:
        parse_amount("1.2345", "KWD")

    assert caught.value.as_dict() == {
        "code": "amount_too_many_decimals",
        "message": "Enter at most 3 decimal places for KWD.",
        "field": "amount",
        "details": {"currency": "KWD", "max_decimals": 3},
    }


def test_amount_message_stays_lazy_until_rendered() -> None:
    with pytest.raises(AmountError) as caught:
        parse_amount("1.5", "JPY")

    assert isinstance(caught.value.message, Promise)


def test_parse_amount_refuses_unknown_currency() -> None:
    with pytest.raises(CurrencyNotSupported):
        parse_amount("12", "XYZ")


@pytest.mark.parametrize("text", [12.5, 12, Decimal("12.5"), None])
def test_parse_amount_needs_text(text: object) -> None:
    with pytest.raises(TypeError):
        parse_amount(text, "CNY")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "currency", "rounding", "expected"),
    [
        ("12.345", "CNY", Rounding.HALF_UP, 1235),
        ("12.345", "CNY", Rounding.HALF_EVEN, 1234),
        ("12.345", "CNY", Rounding.DOWN, 1234),
        ("12.341", "CNY", Rounding.UP, 1235),
        ("-12.345", "CNY", Rounding.HALF_UP, -1235),
        ("1234.5", "JPY", Rounding.HALF_EVEN, 1234),
        ("1234.5", "JPY", Rounding.HALF_UP, 1235),
        ("1.2345", "KWD", Rounding.HALF_UP, 1235),
        ("1.2345", "KWD", Rounding.DOWN, 1234),
        ("99999999999999999999999999999.99", "USD", Rounding.DOWN, 9999999999999999999999999999999),
    ],
)
def test_to_minor(value: str, currency: str, rounding: Rounding, expected: int) -> None:
    assert to_minor(Decimal(value), currency, rounding) == expected


@pytest.mark.parametrize(
    ("minor", "currency", "expected"),
    [
        (123456, "CNY", "1234.56"),
        (0, "CNY", "0.00"),
        (-5, "USD", "-0.05"),
        (1235, "JPY", "1235"),
        (1235, "KWD", "1.235"),
        (10**30 + 1, "USD", "10000000000000000000000000000.01"),
    ],
)
def test_to_decimal_has_exactly_the_currency_places(
    minor: int, currency: str, expected: str
) -> None:
    assert str(to_decimal(minor, currency)) == expected


def test_to_decimal_round_trips_through_to_minor() -> None:
    assert to_minor(to_decimal(123456789, "KWD"), "KWD", Rounding.DOWN) == 123456789


@pytest.mark.parametrize(
    "call",
    [
        lambda: to_minor(12.5, "CNY", Rounding.HALF_UP),  # type: ignore[arg-type]
        lambda: to_decimal(1234.0, "CNY"),  # type: ignore[arg-type]
        lambda: to_decimal(Decimal(1234), "CNY"),  # type: ignore[arg-type]
        lambda: to_decimal(True, "CNY"),
    ],
)
def test_conversions_refuse_floats(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TypeError):
        call()

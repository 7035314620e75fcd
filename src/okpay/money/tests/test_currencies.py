import re
from collections.abc import Iterator

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from okpay.money import (
    Currency,
    CurrencyNotSupported,
    enabled_currencies,
    find_currency,
    get_currency,
    is_enabled,
)
from okpay.money.currencies import CURRENCIES


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("code", "exponent"),
    [
        ("JPY", 0),
        ("KRW", 0),
        ("VND", 0),
        ("ISK", 0),
        ("CLP", 0),
        ("CNY", 2),
        ("USD", 2),
        ("EUR", 2),
        ("GBP", 2),
        ("KWD", 3),
        ("BHD", 3),
        ("TND", 3),
        ("OMR", 3),
        ("JOD", 3),
        ("IQD", 3),
        ("LYD", 3),
        ("CLF", 4),
        ("UYW", 4),
    ],
)
def test_exponent_follows_iso_4217(code: str, exponent: int) -> None:
    assert get_currency(code).exponent == exponent


def test_currency_row_has_numeric_code_and_both_names() -> None:
    assert get_currency("CNY") == Currency(
        code="CNY", numeric="156", exponent=2, name_en="Yuan Renminbi", name_zh="人民币"
    )
    assert get_currency("ALL").numeric == "008"


def test_table_codes_and_numeric_codes_are_well_formed_and_unique() -> None:
    codes = list(CURRENCIES)
    numerics = [c.numeric for c in CURRENCIES.values()]

    assert all(re.fullmatch(r"[A-Z]{3}", code) for code in codes)
    assert all(re.fullmatch(r"\d{3}", numeric) for numeric in numerics)
    assert len(set(numerics)) == len(numerics)
    assert all(c.name_en and c.name_zh for c in CURRENCIES.values())


@pytest.mark.parametrize("code", ["HRK", "SLL", "ZWL", "CUC", "ANG", "XAU", "XDR", "XXX", "XTS"])
def test_withdrawn_codes_and_codes_without_minor_unit_are_absent(code: str) -> None:
    assert find_currency(code) is None


@pytest.mark.parametrize("code", ["XCG", "ZWG", "SLE", "VED"])
def test_recent_codes_are_present(code: str) -> None:
    assert find_currency(code) is not None


@pytest.mark.parametrize("code", ["cny", "Cny", " CNY", "CNY ", "CN", "CNYY", "", "156", None, 156])
def test_find_currency_needs_the_exact_upper_case_code(code: object) -> None:
    assert find_currency(code) is None  # type: ignore[arg-type]


def test_get_currency_refuses_unknown_code_with_stable_error() -> None:
    with pytest.raises(CurrencyNotSupported) as caught:
        get_currency("XYZ")

    assert caught.value.as_dict() == {
        "code": "currency_not_supported",
        "message": "“XYZ” is not a currency code we support.",
        "field": "currency",
        "details": {"currency": "XYZ"},
    }
    assert caught.value.http_status == 400


def test_get_currency_does_not_echo_long_input() -> None:
    with pytest.raises(CurrencyNotSupported) as caught:
        get_currency("X" * 50)

    assert caught.value.as_dict() == {
        "code": "currency_not_supported",
        "message": "This currency is not supported. Choose one from the list.",
        "field": "currency",
    }


def test_default_enabled_currencies_in_order() -> None:
    assert [c.code for c in enabled_currencies()] == [
        "CNY",
        "USD",
        "EUR",
        "GBP",
        "HKD",
        "JPY",
        "SGD",
        "AUD",
        "CAD",
        "CHF",
        "KWD",
    ]


def test_enabled_currencies_have_chinese_names() -> None:
    names = {c.code: c.name_zh for c in enabled_currencies()}

    assert names == {
        "CNY": "人民币",
        "USD": "美元",
        "EUR": "欧元",
        "GBP": "英镑",
        "HKD": "港元",
        "JPY": "日元",
        "SGD": "新加坡元",
        "AUD": "澳大利亚元",
        "CAD": "加拿大元",
        "CHF": "瑞士法郎",
        "KWD": "科威特第纳尔",
    }


@pytest.mark.parametrize(
    ("code", "enabled"),
    [("CNY", True), ("KWD", True), ("BHD", False), ("cny", False), ("XYZ", False)],
)
def test_is_enabled_with_defaults(code: str, enabled: bool) -> None:
    assert is_enabled(code) is enabled


def test_setting_overrides_enabled_set(settings) -> None:  # type: ignore[no-untyped-def]
    settings.OKPAY_ENABLED_CURRENCIES = ["USD", "BHD"]

    assert [c.code for c in enabled_currencies()] == ["USD", "BHD"]
    assert is_enabled("BHD") is True
    assert is_enabled("CNY") is False
    assert get_currency("CNY").code == "CNY"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (["USD", "XYZ"], "OKPAY_ENABLED_CURRENCIES: unknown currency 'XYZ'."),
        (["USD", "usd"], "OKPAY_ENABLED_CURRENCIES: unknown currency 'usd'."),
        (["USD", "USD"], "OKPAY_ENABLED_CURRENCIES: 'USD' is listed twice."),
        ("USD", "OKPAY_ENABLED_CURRENCIES must be a list of codes."),
    ],
)
def test_bad_setting_is_refused(settings, value: object, message: str) -> None:  # type: ignore[no-untyped-def]
    settings.OKPAY_ENABLED_CURRENCIES = value

    with pytest.raises(ImproperlyConfigured) as caught:
        enabled_currencies()

    assert str(caught.value) == message

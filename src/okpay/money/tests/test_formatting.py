import pytest

from okpay.money import CurrencyNotSupported, format_amount, format_money

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("minor", "currency", "locale", "expected"),
    [
        (123456, "USD", "en", "$1,234.56"),
        (123456, "CNY", "en", "CN¥1,234.56"),
        (1235, "JPY", "en", "¥1,235"),
        (1235, "KWD", "en", f"KWD{NBSP}1.235"),
        (123450, "CHF", "en", f"CHF{NBSP}1,234.50"),
        (-123456, "EUR", "en", "-€1,234.56"),
        (-1235, "KWD", "en", f"-KWD{NBSP}1.235"),
        (5, "GBP", "en", "£0.05"),
        (0, "USD", "en", "$0.00"),
        (100, "HKD", "en", "HK$1.00"),
        (123456, "USD", "en_US", "$1,234.56"),
        (123456, "USD", "zh-hans", "US$1,234.56"),
        (123456, "CNY", "zh-hans", "¥1,234.56"),
        (1235, "JPY", "zh-hans", "JP¥1,235"),
        (1235, "KWD", "zh-hans", f"KWD{NBSP}1.235"),
        (-123456, "CNY", "zh-hans", "-¥1,234.56"),
        (123456, "CNY", "zh_Hans_CN", "¥1,234.56"),
        (100000000000000, "CNY", "zh-hans", "¥1,000,000,000,000.00"),
    ],
)
def test_format_money(minor: int, currency: str, locale: str, expected: str) -> None:
    assert format_money(minor, currency, locale=locale) == expected


@pytest.mark.parametrize(
    ("minor", "currency", "locale", "expected"),
    [
        (123456, "USD", "en", "1,234.56"),
        (1235, "JPY", "en", "1,235"),
        (1235, "KWD", "en", "1.235"),
        (-5, "CNY", "en", "-0.05"),
        (123456, "CNY", "zh-hans", "1,234.56"),
        (1235, "JPY", "zh_Hans_CN", "1,235"),
        (-123456789, "KWD", "zh-hans", "-123,456.789"),
    ],
)
def test_format_amount(minor: int, currency: str, locale: str, expected: str) -> None:
    assert format_amount(minor, currency, locale) == expected


def test_format_money_refuses_float() -> None:
    with pytest.raises(TypeError):
        format_money(12.5, "USD", locale="en")  # type: ignore[arg-type]


def test_format_amount_refuses_float() -> None:
    with pytest.raises(TypeError):
        format_amount(12.5, "USD", "en")  # type: ignore[arg-type]


def test_format_money_refuses_unknown_currency() -> None:
    with pytest.raises(CurrencyNotSupported):
        format_money(100, "XYZ", locale="en")


def test_format_money_refuses_unknown_locale() -> None:
    with pytest.raises(ValueError, match="unknown locale 'xx-yy'"):
        format_money(100, "USD", locale="xx-yy")

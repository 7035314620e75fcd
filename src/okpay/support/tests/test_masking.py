"""The sensitive-data guard: what is masked, how, and everything that must stay as typed."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import date

import pytest

from okpay.support.masking import (
    Finding,
    MaskResult,
    SensitiveKind,
    cn_id_valid,
    find_sensitive,
    luhn_valid,
    mask_sensitive,
)

CARD = SensitiveKind.CARD
CN_ID = SensitiveKind.CN_ID
IBAN = SensitiveKind.IBAN
SECRET = SensitiveKind.SECRET

# (text as typed, text as stored for agents, kinds found in order)
CASES = [
    # --- Payment card numbers: Luhn-valid, a card network's prefix -------------------------
    pytest.param(
        "card 4111 1111 1111 1111 please",
        "card **** **** **** 1111 please",
        [CARD],
        id="visa-grouped-spaces",
    ),
    pytest.param("4111111111111111", "************1111", [CARD], id="visa-compact"),
    pytest.param(
        "卡号5555-5555-5555-4444，谢谢",
        "卡号****-****-****-4444，谢谢",
        [CARD],
        id="mastercard-dashes-in-chinese",
    ),
    pytest.param("amex 378282246310005.", "amex ***********0005.", [CARD], id="amex-15-digits"),
    pytest.param("银联卡 6200 0000 0000 0005", "银联卡 **** **** **** 0005", [CARD], id="unionpay"),
    pytest.param(
        "卡号：6222 0212 3456 7890 128",
        "卡号：**** **** **** ***0 128",
        [CARD],
        id="unionpay-19-digits",
    ),
    pytest.param("Diners 30569309025904", "Diners **********5904", [CARD], id="diners-14-digits"),
    pytest.param(
        "mc 2223 0031 2200 3222", "mc **** **** **** 3222", [CARD], id="mastercard-2-series"
    ),
    pytest.param(
        "４１１１１１１１１１１１１１１１", "************１１１１", [CARD], id="full-width-digits"
    ),
    pytest.param(
        "4111111111111111 2030", "************1111 2030", [CARD], id="card-then-expiry-year"
    ),
    pytest.param(
        "card 4111 1111 1111 1112", "card 4111 1111 1111 1112", [], id="luhn-fails-grouped"
    ),
    pytest.param("4000056655665557", "4000056655665557", [], id="luhn-fails-compact"),
    pytest.param(
        "ref 1234567812345670", "ref 1234567812345670", [], id="luhn-valid-but-no-card-prefix"
    ),
    pytest.param("x4111111111111111", "x4111111111111111", [], id="glued-to-a-word"),
    pytest.param("41111111111111111111", "41111111111111111111", [], id="twenty-digits-is-no-card"),
    # --- Chinese resident ID numbers -------------------------------------------------------
    pytest.param(
        "身份证号11010519491231002X", "身份证号**************002X", [CN_ID], id="id-check-x"
    ),
    pytest.param(
        "身份证 11010519491231002x 谢谢",
        "身份证 **************002x 谢谢",
        [CN_ID],
        id="id-lowercase-x",
    ),
    pytest.param("ID: 440304198812245127", "ID: **************5127", [CN_ID], id="id-digit-check"),
    pytest.param("ID 110105194912310021", "ID 110105194912310021", [], id="id-wrong-check-digit"),
    pytest.param(
        "证件 440304199003071230", "证件 440304199003071230", [], id="id-wrong-check-zero"
    ),
    pytest.param(
        "110105199002300028", "110105199002300028", [], id="id-february-30-right-checksum"
    ),
    pytest.param("11010519901301123X", "11010519901301123X", [], id="id-month-13-right-checksum"),
    pytest.param("110105209901010020", "110105209901010020", [], id="id-born-in-the-future"),
    pytest.param("990105199003071232", "990105199003071232", [], id="id-unknown-province"),
    # --- IBANs -----------------------------------------------------------------------------
    pytest.param(
        "IBAN DE89 3704 0044 0532 0130 00 is mine",
        "IBAN DE** **** **** **** **30 00 is mine",
        [IBAN],
        id="iban-grouped",
    ),
    pytest.param("GB82WEST12345698765432", "GB****************5432", [IBAN], id="iban-compact"),
    pytest.param(
        "请汇到 fr1420041010050500013m02606 谢谢",
        "请汇到 fr*********************2606 谢谢",
        [IBAN],
        id="iban-lowercase",
    ),
    pytest.param(
        "DE89 3704 0044 0532 0130 01",
        "DE89 3704 0044 0532 0130 01",
        [],
        id="iban-wrong-check-digits",
    ),
    pytest.param(
        "GB82WEST1234569876543", "GB82WEST1234569876543", [], id="iban-too-short-for-country"
    ),
    # --- Codes and passwords after trigger words ------------------------------------------
    pytest.param("我的密码是abc123", "我的密码是******", [SECRET], id="zh-password-shi"),
    pytest.param("验证码：384920", "验证码：******", [SECRET], id="zh-code-fullwidth-colon"),
    pytest.param("支付密码 135790", "支付密码 ******", [SECRET], id="zh-payment-password"),
    pytest.param("口令:Tr0ub4dor&3", "口令:******", [SECRET], id="zh-passphrase"),
    pytest.param(
        "短信码 556677，动态码是 889900",
        "短信码 ******，动态码是 ******",
        [SECRET, SECRET],
        id="zh-two-codes",
    ),
    pytest.param("校验码为 7a9k2q", "校验码为 ******", [SECRET], id="zh-check-code-wei"),
    pytest.param("密码忘了", "密码忘了", [], id="zh-forgot-password"),
    pytest.param("验证码收不到怎么办？", "验证码收不到怎么办？", [], id="zh-code-not-received"),
    pytest.param("密码 OK了", "密码 OK了", [], id="zh-too-short-to-be-a-code"),
    pytest.param("password: hunter", "password: ******", [SECRET], id="en-password-colon"),
    pytest.param("my password is hunter2.", "my password is ******.", [SECRET], id="en-is"),
    pytest.param("OTP 384920", "OTP ******", [SECRET], id="en-otp"),
    pytest.param(
        "Your verification code is 384920.",
        "Your verification code is ******.",
        [SECRET],
        id="en-verification-code",
    ),
    pytest.param("PIN=4321", "PIN=******", [SECRET], id="en-pin-equals"),
    pytest.param("2FA code 123456", "2FA code ******", [SECRET], id="en-2fa-code"),
    pytest.param("the security code is 737", "the security code is ******", [SECRET], id="en-cvv"),
    pytest.param("pwd aB3dEf", "pwd ******", [SECRET], id="en-pwd"),
    pytest.param("passcode Hunter", "passcode Hunter", [], id="en-title-case-word"),
    pytest.param("I forgot my password", "I forgot my password", [], id="en-forgot"),
    pytest.param("my password is wrong", "my password is wrong", [], id="en-plain-word"),
    pytest.param("Password reset link expired", "Password reset link expired", [], id="en-reset"),
    pytest.param("pin it to the wall", "pin it to the wall", [], id="en-pin-verb"),
    pytest.param("passwords are hard", "passwords are hard", [], id="en-plural"),
    # --- Kept as typed: references, phones, amounts, dates ---------------------------------
    pytest.param(
        "交易 OK2611290001AB 金额 ¥1,234.56 日期 2026-11-29",
        "交易 OK2611290001AB 金额 ¥1,234.56 日期 2026-11-29",
        [],
        id="reference-amount-date",
    ),
    pytest.param(
        "电话 +86 138 1234 5678 / 13812345678",
        "电话 +86 138 1234 5678 / 13812345678",
        [],
        id="phone-numbers",
    ),
    pytest.param(
        "order 20261129000123456 paid 2026-11-29 10:00",
        "order 20261129000123456 paid 2026-11-29 10:00",
        [],
        id="order-number",
    ),
    # --- Mixed languages and several findings --------------------------------------------
    pytest.param(
        "卡 4111-1111-1111-1111 身份证 11010519491231002X IBAN GB82 WEST 1234 5698 7654 32 "
        "password: abc123!",
        "卡 ****-****-****-1111 身份证 **************002X IBAN GB** **** **** **** **54 32 "
        "password: ******",
        [CARD, CN_ID, IBAN, SECRET],
        id="one-of-each",
    ),
    pytest.param(
        "Hi, 我的卡 5555555555554444 付款失败, OTP是 112233, order OK2611290001AB",
        "Hi, 我的卡 ************4444 付款失败, OTP是 ******, order OK2611290001AB",
        [CARD, SECRET],
        id="mixed-chinese-english",
    ),
]


@pytest.mark.parametrize(("text", "expected", "kinds"), CASES)
def test_masking_table(text: str, expected: str, kinds: list[SensitiveKind]) -> None:
    result = mask_sensitive(text)

    assert result.text == expected
    assert [f.kind for f in result.findings] == kinds
    assert result.masked is bool(kinds)


@pytest.mark.parametrize(("text", "expected", "kinds"), CASES)
def test_masking_masked_text_changes_nothing(
    text: str, expected: str, kinds: list[SensitiveKind]
) -> None:
    once = mask_sensitive(text).text

    again = mask_sensitive(once)

    assert again.text == once
    assert again.findings == ()


def test_findings_carry_spans_of_the_original_text() -> None:
    text = "卡 4111 1111 1111 1111，验证码 384920"

    findings = find_sensitive(text)

    assert findings == [Finding(CARD, (2, 21)), Finding(SECRET, (26, 32))]
    assert [text[f.start : f.end] for f in findings] == ["4111 1111 1111 1111", "384920"]


def test_an_id_number_that_also_passes_luhn_is_reported_once_as_an_id() -> None:
    number = "310115198511201250"  # province 31 starts like a card number, and passes Luhn
    assert luhn_valid(number) is True

    findings = find_sensitive(f"身份证 {number}")

    assert findings == [Finding(CN_ID, (4, 22))]


def test_mask_result_is_frozen() -> None:
    result = mask_sensitive("OTP 384920")

    with pytest.raises(FrozenInstanceError):
        result.text = "x"  # type: ignore[misc]
    assert isinstance(result, MaskResult)


def test_the_secret_mask_hides_the_length() -> None:
    short = mask_sensitive("PIN 1234").text
    long = mask_sensitive("password: correct-horse-battery-staple").text

    assert short == "PIN ******"
    assert long == "password: ******"


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("4111111111111111", True),
        ("4111111111111112", False),
        ("79927398713", True),
        ("79927398710", False),
        ("41111111111111ab", False),
    ],
)
def test_luhn(digits: str, valid: bool) -> None:
    assert luhn_valid(digits) is valid


def test_id_birth_date_may_not_lie_after_today() -> None:
    number = "44030419900307123X"  # born 1990-03-07

    assert cn_id_valid(number, today=date(1990, 3, 7)) is True
    assert cn_id_valid(number, today=date(1990, 3, 6)) is False


def test_long_text_without_secrets_is_returned_unchanged() -> None:
    text = "DE89 " + "word " * 5000

    result = mask_sensitive(text)

    assert result.text == text
    assert result.findings == ()

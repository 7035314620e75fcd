"""The password policy at its edges, the strength endpoint, and the hasher."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError

from okpay.identity.password_policy import PolicyValidator, password_check
from okpay.identity.tests.fixtures import PASSWORD, browser


def codes(password: str, **kwargs: str) -> list[str]:
    return [r.code for r in password_check(password=password, **kwargs).reasons]


def test_a_strong_password_passes() -> None:
    check = password_check(password=PASSWORD, email="alice@example.com", display_name="Alice")

    assert check.ok is True
    assert check.reasons == ()
    assert check.score >= 3


def test_eleven_characters_are_too_short_twelve_are_enough() -> None:
    assert "too_short" in codes("Zq7#vR2!mK9")  # 11
    assert "too_short" not in codes("Zq7#vR2!mK9w")  # 12


def test_128_characters_are_allowed_129_are_not() -> None:
    base = "Tq8#vL2m" * 16
    assert "too_long" not in codes(base)  # 128
    assert codes(base + "x") == ["too_long"]  # 129


def test_letters_and_digits_are_both_required() -> None:
    assert codes("847261930475839201") == ["needs_letter"]
    assert "needs_digit" in codes("correct-horse-battery-staple")
    assert "needs_letter" not in codes("密码安全长度足够了1234567")


def test_common_passwords_are_refused() -> None:
    assert "too_common" in codes("password1234")


def test_passwords_like_the_email_or_name_are_refused() -> None:
    assert "too_similar" in codes("zhangwei.li2026", email="zhangwei.li@example.com")
    assert "too_similar" in codes("Meiling Chen 1988", display_name="Meiling Chen")
    assert "too_similar" not in codes(PASSWORD, email="zhangwei.li@example.com")


def test_guessable_passwords_are_refused() -> None:
    assert codes("abcdefgh1234") == ["too_guessable"]
    assert codes("iloveyou2024") == ["too_guessable"]


def test_every_reason_has_a_message() -> None:
    check = password_check(password="abc")

    assert [(r.code, r.message) for r in check.reasons] == [
        ("too_short", "Use at least 12 characters."),
        ("needs_digit", "Include at least one digit."),
        ("too_common", "This password is too common: it is on lists attackers try first."),
    ]


def test_django_forms_use_the_same_policy() -> None:
    validator = PolicyValidator()

    with pytest.raises(ValidationError) as caught:
        validator.validate("abcabc1")
    validator.validate(PASSWORD)

    assert [e.code for e in caught.value.error_list] == ["too_short", "too_guessable"]


def test_production_hashes_with_argon2id() -> None:
    from okpay.config import settings as project_settings

    assert (
        project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    )


def test_argon2_hashes_are_argon2id(settings: object) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]  # type: ignore[attr-defined]

    assert make_password(PASSWORD).startswith("argon2$argon2id$")


@pytest.mark.django_db
def test_the_strength_endpoint_answers_the_policy() -> None:
    client = browser()
    client.get("/account/signup/")

    weak = client.post(
        "/account/password/strength/", {"password": "alice2024", "email": "alice@example.com"}
    )
    strong = client.post("/account/password/strength/", {"password": PASSWORD})

    assert weak.json()["ok"] is False
    assert [r["code"] for r in weak.json()["reasons"]] == [
        "too_short",
        "too_similar",
        "too_guessable",
    ]
    assert strong.json()["ok"] is True
    assert strong.json()["reasons"] == []


@pytest.mark.django_db
def test_the_strength_endpoint_needs_a_csrf_token() -> None:
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        "/account/password/strength/", {"password": "x"}
    )

    assert response.status_code == 403

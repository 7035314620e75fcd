"""Accounts: sign-up, e-mail verification, profile and phone numbers, e-mail change."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext

from okpay.errors import InvalidInput
from okpay.identity.client import NO_CLIENT
from okpay.identity.errors import EmailNotVerified, RateLimited
from okpay.identity.models import AuditEvent, EmailToken, User
from okpay.identity.services import (
    email_verification_resend,
    phone_normalize,
    require_verified_email,
)
from okpay.identity.tests.fixtures import (
    PASSWORD,
    Outbox,
    browser,
    kinds,
    make_user,
    sign_in,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2030, 3, 1, 8, 0, tzinfo=UTC)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
SIGNUP = "/account/signup/"


def _form(**overrides: Any) -> dict[str, str]:
    data = {
        "email": "Carol.Wu@Example.com",
        "display_name": "Carol Wu",
        "password": PASSWORD,
        "phone": "138 1234 5678",
        "country": "CN",
        "preferred_language": "zh-hans",
        "time_zone": "Asia/Shanghai",
    }
    data.update(overrides)
    return data


def _signup(outbox: Outbox, **overrides: Any) -> Any:
    with outbox.capture():
        return browser().post(SIGNUP, _form(**overrides))


def test_signup_creates_an_unverified_account_and_sends_the_link(outbox: Outbox) -> None:
    response = _signup(outbox)

    assert response.status_code == 200
    assert "carol.wu@example.com" in response.content.decode().lower()
    user = User.objects.get()
    assert user.email == "carol.wu@example.com"
    assert user.email_verified_at is None
    assert user.phone == "+8613812345678"
    assert (user.country, user.preferred_language, user.time_zone) == (
        "CN",
        "zh-hans",
        "Asia/Shanghai",
    )
    assert user.password.startswith("md5$")  # the test hasher; production uses Argon2id
    assert user.password_changed_at is not None
    assert outbox.messages[0].to == ["carol.wu@example.com"]
    assert outbox.links()[0].startswith("https://okpay.example/account/verify/")
    assert kinds(user) == ["signed_up"]
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["identity.user_signed_up"]


def test_signup_email_is_in_the_readers_language(outbox: Outbox) -> None:
    _signup(outbox)

    message = outbox.messages[0]
    with translation.override("zh-hans"):
        chinese = gettext("Confirm your e-mail address for OKpay")
    assert chinese != "Confirm your e-mail address for OKpay"
    assert message.subject == chinese
    assert message.extra_headers["Content-Language"] == "zh-Hans"
    html, mime = message.alternatives[0]  # type: ignore[attr-defined]
    assert mime == "text/html"
    assert '<html lang="zh-Hans">' in html


def test_signup_with_a_registered_email_answers_the_same(outbox: Outbox) -> None:
    first = _signup(outbox)
    second = _signup(outbox, email="CAROL.WU@example.com", display_name="Someone Else")

    assert CSRF.sub("", first.content.decode()) == CSRF.sub("", second.content.decode())
    assert User.objects.count() == 1
    assert User.objects.get().display_name == "Carol Wu"
    assert len(outbox.messages) == 2
    assert outbox.messages[1].to == ["carol.wu@example.com"]
    user = User.objects.get()
    assert kinds(user) == ["signed_up", "signup_repeated"]
    # the owner's first verification link was replaced by the one in the new e-mail
    assert EmailToken.objects.filter(invalidated_at__isnull=True).count() == 1


def test_emails_are_unique_whatever_their_case(db: None) -> None:
    make_user("dan@example.com")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="DAN@example.com")


def test_signup_shows_every_password_problem_beside_the_field(outbox: Outbox) -> None:
    response = _signup(outbox, password="carolwu")

    html = response.content.decode()
    field = html[html.index('for="id_password"') : html.index('for="id_phone"')]
    assert "Use at least 12 characters." in field
    assert "Include at least one digit." in field
    assert "Too similar to your e-mail address or name" in field
    assert User.objects.count() == 0
    assert outbox.messages == []


@pytest.mark.parametrize(
    ("phone", "country", "expected"),
    [
        ("13812345678", "CN", "+8613812345678"),
        ("+86 138-1234-5678", "", "+8613812345678"),
        ("(415) 555-2671", "US", "+14155552671"),
        ("+44 20 7946 0958", "CN", "+442079460958"),
        ("", "CN", ""),
    ],
)
def test_phone_numbers_are_stored_in_e164(phone: str, country: str, expected: str) -> None:
    assert phone_normalize(phone=phone, country=country) == expected


@pytest.mark.parametrize("phone", ["12345", "+86 138", "not a number"])
def test_invalid_phone_numbers_are_refused(phone: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        phone_normalize(phone=phone, country="CN")

    assert caught.value.code == "phone_invalid"
    assert caught.value.field == "phone"


def test_signup_shows_a_bad_phone_beside_the_field(outbox: Outbox) -> None:
    response = _signup(outbox, phone="12345")

    html = response.content.decode()
    field = html[html.index('for="id_phone"') : html.index('for="id_country"')]
    assert "Enter a valid phone number" in field
    assert User.objects.count() == 0


def test_verification_link_works_once(outbox: Outbox) -> None:
    _signup(outbox)
    url = outbox.links()[0].removeprefix("https://okpay.example")

    page = browser().get(url)
    done = browser().post(url)
    again = browser().post(url)

    assert page.status_code == 200
    assert done.status_code == 200
    user = User.objects.get()
    assert user.email_verified_at is not None
    assert again.status_code == 400
    assert 'data-code="token_invalid"' in again.content.decode()
    assert kinds(user) == ["signed_up", "email_verified"]


def test_verification_link_expires_after_24_hours(outbox: Outbox) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        _signup(outbox)
        url = outbox.links()[0].removeprefix("https://okpay.example")
        clock.shift(timedelta(hours=24) - timedelta(seconds=1))
        open_page = browser().get(url)
        clock.shift(timedelta(seconds=1))
        expired = browser().post(url)

    assert open_page.status_code == 200
    assert 'data-code="token_expired"' in expired.content.decode()
    assert User.objects.get().email_verified_at is None


def test_a_resent_link_replaces_the_older_one(db: None, outbox: Outbox) -> None:
    user = make_user(verified=False)
    with outbox.capture():
        email_verification_resend(user=user, client=NO_CLIENT)
        email_verification_resend(user=user, client=NO_CLIENT)
    older = outbox.links(0)[0].removeprefix("https://okpay.example")
    newer = outbox.links(1)[0].removeprefix("https://okpay.example")

    assert 'data-code="token_invalid"' in browser().post(older).content.decode()
    assert browser().post(newer).status_code == 200


def test_resend_is_limited_to_three_an_hour(db: None, outbox: Outbox) -> None:
    user = make_user(verified=False)
    with time_machine.travel(T0, tick=False) as clock, outbox.capture():
        for _ in range(3):
            email_verification_resend(user=user, client=NO_CLIENT)
        with pytest.raises(RateLimited) as caught:
            email_verification_resend(user=user, client=NO_CLIENT)
        clock.shift(timedelta(hours=1))
        email_verification_resend(user=user, client=NO_CLIENT)

    assert caught.value.retry_after == 3600
    assert len(outbox.messages) == 4


def test_unverified_user_can_sign_in_but_not_move_money(db: None) -> None:
    user = make_user(verified=False)
    client = browser()

    signed_in = sign_in(client)
    page = client.get("/account/")

    assert signed_in.status_code == 302
    assert "Until then you can use" in page.content.decode()
    with pytest.raises(EmailNotVerified) as caught:
        require_verified_email(user=user)
    assert caught.value.code == "email_not_verified"
    assert caught.value.http_status == 403


def test_verified_user_passes_the_money_check(alice: User) -> None:
    assert require_verified_email(user=alice) is None


def test_profile_update_validates_and_logs(alice: User) -> None:
    client = browser()
    sign_in(client)

    bad = client.post(
        "/account/profile/",
        {
            "display_name": "Alice",
            "phone": "999",
            "country": "CN",
            "preferred_language": "en",
            "time_zone": "Asia/Shanghai",
        },
    )
    good = client.post(
        "/account/profile/",
        {
            "display_name": "Alice Z.",
            "phone": "+1 415 555 2671",
            "country": "US",
            "preferred_language": "zh-hans",
            "time_zone": "America/Los_Angeles",
        },
    )

    assert "Enter a valid phone number" in bad.content.decode()
    assert good.status_code == 302
    alice.refresh_from_db()
    assert (alice.display_name, alice.phone, alice.country, alice.time_zone) == (
        "Alice Z.",
        "+14155552671",
        "US",
        "America/Los_Angeles",
    )
    assert good.cookies["django_language"].value == "zh-hans"
    assert kinds(alice)[-1] == "profile_updated"


def test_email_change_needs_step_up_and_a_confirmation_from_the_new_mailbox(
    alice: User, outbox: Outbox
) -> None:
    client = browser()
    sign_in(client)

    first = client.get("/account/email/")
    assert first.status_code == 302
    assert first["Location"].startswith("/account/confirm/?next=%2Faccount%2Femail%2F")
    client.post("/account/confirm/", {"password": PASSWORD, "next": "/account/email/"})
    with outbox.capture():
        sent = client.post("/account/email/", {"new_email": "alice.new@example.com"})
    assert sent.status_code == 200
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"  # nothing changes before the confirmation
    assert outbox.messages[-1].to == ["alice.new@example.com"]
    url = outbox.links()[0].removeprefix("https://okpay.example")

    with outbox.capture():
        done = browser().post(url)

    assert done.status_code == 200
    alice.refresh_from_db()
    assert alice.email == "alice.new@example.com"
    assert outbox.messages[-1].to == ["alice@example.com"]
    assert outbox.subjects()[-1] == "The e-mail address of your OKpay account was changed"
    assert kinds(alice)[-2:] == ["email_change_requested", "email_changed"]


def test_email_change_to_a_taken_address_is_refused(alice: User, bob: User) -> None:
    client = browser()
    sign_in(client)
    client.post("/account/confirm/", {"password": PASSWORD})

    response = client.post("/account/email/", {"new_email": "BOB@example.com"})

    assert "Another account uses this e-mail address" in response.content.decode()
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"

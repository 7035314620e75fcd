"""Password reset ("忘记密码"): no enumeration, single-use expiring links, 2FA, unlocking."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY

from okpay.identity.models import AuditEvent, EmailToken, SecurityEvent, User, UserSession
from okpay.identity.tests.fixtures import (
    NEW_PASSWORD,
    PASSWORD,
    Outbox,
    browser,
    enable_totp,
    kinds,
    make_user,
    sign_in,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2030, 3, 1, 8, 0, tzinfo=UTC)
FORGOT = "/account/password/forgot/"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _request(outbox: Outbox, email: str = "alice@example.com", ip: str = "203.0.113.7") -> str:
    with outbox.capture():
        response = browser(ip=ip).post(FORGOT, {"email": email})
    assert response.status_code == 200
    return response.content.decode()


def _reset_url(outbox: Outbox, index: int = -1) -> str:
    return outbox.links(index)[0].removeprefix("https://okpay.example")


def test_same_page_whether_or_not_the_email_exists(alice: User, outbox: Outbox) -> None:
    known = _request(outbox, "alice@example.com")
    unknown = _request(outbox, "nobody@example.com")

    def normalized(html: str, email: str) -> str:
        return CSRF.sub("", html).replace(email, "X")

    assert normalized(known, "alice@example.com") == normalized(unknown, "nobody@example.com")
    assert outbox.subjects() == ["Reset your OKpay password"]
    assert outbox.messages[0].to == ["alice@example.com"]
    assert [e.details.get("known") for e in SecurityEvent.objects.order_by("id")] == [None, False]


def test_the_link_uses_the_site_url_not_the_host_header(alice: User, outbox: Outbox) -> None:
    with outbox.capture():
        browser(HTTP_HOST="evil.example").post(FORGOT, {"email": "alice@example.com"})

    # evil.example is not an allowed host: Django refuses the request before any e-mail.
    assert outbox.subjects() == []
    with outbox.capture():
        browser(HTTP_HOST="localhost").post(FORGOT, {"email": "alice@example.com"})
    assert outbox.links()[0].startswith("https://okpay.example/account/password/reset/")


def test_reset_request_is_rate_limited_per_email(alice: User, outbox: Outbox) -> None:
    for n in range(3):
        _request(outbox, ip=f"198.51.100.{n}")

    with outbox.capture():
        fourth = browser(ip="198.51.100.9").post(FORGOT, {"email": "ALICE@example.com"})

    assert fourth.status_code == 429
    assert "Too many attempts" in fourth.content.decode()
    assert len(outbox.messages) == 3


def test_reset_request_is_rate_limited_per_ip(alice: User, outbox: Outbox) -> None:
    for n in range(10):
        _request(outbox, email=f"person{n}@example.com")

    with outbox.capture():
        refused = browser().post(FORGOT, {"email": "alice@example.com"})

    assert refused.status_code == 429
    assert outbox.subjects() == []


def test_reset_requests_never_lock_the_account(alice: User, outbox: Outbox) -> None:
    for n in range(3):
        _request(outbox, ip=f"198.51.100.{n}")

    alice.refresh_from_db()
    assert (alice.failed_login_count, alice.locked_until) == (0, None)


def test_reset_sets_the_password_once(alice: User, outbox: Outbox) -> None:
    _request(outbox)
    url = _reset_url(outbox)

    with outbox.capture():
        done = browser().post(url, {"new_password": NEW_PASSWORD})
    again = browser().post(url, {"new_password": "Another-pass-99-word"})

    assert done.status_code == 200
    assert "Your password was changed" in done.content.decode()
    assert again.status_code == 400
    assert 'data-code="token_invalid"' in again.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert outbox.subjects()[-1] == "Your OKpay password was changed"
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["identity.password_reset"]


def test_the_link_expires_after_60_minutes(alice: User, outbox: Outbox) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        _request(outbox)
        url = _reset_url(outbox)
        clock.shift(timedelta(minutes=60) - timedelta(seconds=1))
        still_open = browser().get(url)
        clock.shift(timedelta(seconds=1))
        expired = browser().post(url, {"new_password": NEW_PASSWORD})

    assert still_open.status_code == 200
    assert expired.status_code == 400
    assert 'data-code="token_expired"' in expired.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_a_newer_request_invalidates_the_older_link(alice: User, outbox: Outbox) -> None:
    _request(outbox)
    older = _reset_url(outbox)
    _request(outbox)
    newer = _reset_url(outbox)

    refused = browser().post(older, {"new_password": NEW_PASSWORD})
    accepted = browser().post(newer, {"new_password": NEW_PASSWORD})

    assert 'data-code="token_invalid"' in refused.content.decode()
    assert accepted.status_code == 200


def test_a_password_change_invalidates_open_links(alice: User, outbox: Outbox) -> None:
    _request(outbox)
    url = _reset_url(outbox)
    client = browser()
    sign_in(client)
    with outbox.capture():
        client.post(
            "/account/password/",
            {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        )

    refused = browser().post(url, {"new_password": "Another-pass-99-word"})

    assert 'data-code="token_invalid"' in refused.content.decode()


def test_tokens_are_stored_hashed(alice: User, outbox: Outbox) -> None:
    _request(outbox)
    secret = outbox.link_token()

    token = EmailToken.objects.get()

    assert secret not in token.digest
    assert len(token.digest) == 64


def test_reset_applies_the_password_policy(alice: User, outbox: Outbox) -> None:
    _request(outbox)
    url = _reset_url(outbox)

    response = browser().post(url, {"new_password": "short1"})

    html = response.content.decode()
    assert "Use at least 12 characters." in html
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
    assert EmailToken.objects.get().used_at is None  # the link still works


def test_reset_unlocks_the_account_and_ends_every_session(alice: User, outbox: Outbox) -> None:
    signed_in = browser()
    sign_in(signed_in)
    with outbox.capture():
        for _ in range(5):
            sign_in(browser(), password="Wrong-password-123")
    alice.refresh_from_db()
    assert alice.locked_until is not None
    url = _reset_url(outbox)  # the lockout e-mail carries a reset link

    with outbox.capture():
        browser().post(url, {"new_password": NEW_PASSWORD})

    alice.refresh_from_db()
    assert (alice.failed_login_count, alice.locked_until) == (0, None)
    assert UserSession.objects.get(user=alice).end_reason == "password_reset"
    assert signed_in.get("/account/").status_code == 302
    assert SESSION_KEY not in signed_in.session
    assert kinds(alice)[-2:] == ["account_unlocked", "password_reset_completed"]
    assert sign_in(browser(), password=NEW_PASSWORD).status_code == 302


def test_reset_confirms_an_unverified_address(db: None, outbox: Outbox) -> None:
    user = make_user(verified=False)
    _request(outbox)

    browser().post(_reset_url(outbox), {"new_password": NEW_PASSWORD})

    user.refresh_from_db()
    assert user.email_verified_at is not None


def test_reset_with_2fa_requires_a_code(alice: User, outbox: Outbox) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        totp = enable_totp(alice)
        _request(outbox)
        url = _reset_url(outbox)
        page = browser().get(url)
        without = browser().post(url, {"new_password": NEW_PASSWORD})
        wrong = browser().post(url, {"new_password": NEW_PASSWORD, "code": "000000"})
        clock.shift(timedelta(seconds=30))
        with outbox.capture():
            right = browser().post(url, {"new_password": NEW_PASSWORD, "code": totp.now()})

    assert 'name="code"' in page.content.decode()
    assert "Two-factor authentication is on for this account" in without.content.decode()
    assert "The code is not correct." in wrong.content.decode()
    assert right.status_code == 200
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


def test_reset_with_2fa_accepts_a_recovery_code_once(alice: User, outbox: Outbox) -> None:
    totp = enable_totp(alice)
    code = totp.recovery_codes[0]  # type: ignore[attr-defined]
    _request(outbox)
    browser().post(_reset_url(outbox), {"new_password": NEW_PASSWORD, "code": code})
    _request(outbox, ip="198.51.100.1")

    again = browser().post(
        _reset_url(outbox), {"new_password": "Another-pass-99-word", "code": code}
    )

    assert "The code is not correct." in again.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


def test_unknown_token_shows_the_invalid_page(db: None) -> None:
    response = browser().get("/account/password/reset/not-a-real-token/")

    assert response.status_code == 400
    assert 'data-code="token_invalid"' in response.content.decode()
    assert response["Referrer-Policy"] == "same-origin"

"""Signing in: lockout at its edges, unknown e-mails, throttling, 2FA step, forced password."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from okpay.identity.models import (
    AuditEvent,
    EmailToken,
    SecurityEvent,
    TokenPurpose,
    UnknownEmailLockout,
    User,
    UserSession,
)
from okpay.identity.tests.fixtures import (
    IP,
    NEW_PASSWORD,
    PASSWORD,
    Outbox,
    browser,
    code_at_offset,
    enable_totp,
    kinds,
    make_user,
    sign_in,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2030, 3, 1, 8, 0, tzinfo=UTC)
INVALID = (
    "The e-mail address or password is not correct. Check them and try again, or reset "
    "your password."
)


def _fail(client: Client, email: str = "alice@example.com", times: int = 1) -> Any:
    response = None
    for _ in range(times):
        response = sign_in(client, email=email, password="Wrong-password-123")
    return response


def _error_text(response: Any) -> str:
    html = response.content.decode()
    start = html.index('data-testid="login-error"')
    return html[html.index(">", start) + 1 : html.index("</div>", start)]


def test_successful_sign_in_signs_in_and_logs(alice: User, outbox: Outbox) -> None:
    client = browser()

    with outbox.capture():
        response = sign_in(client)

    assert response.status_code == 302
    assert response["Location"] == "/account/"
    assert client.session[SESSION_KEY] == str(alice.pk)
    assert kinds(alice) == ["login_succeeded"]
    session = UserSession.objects.get(user=alice)
    assert (session.browser, session.os, session.ip) == ("Chrome 126", "Linux", IP)
    assert outbox.subjects() == []  # the first device is not "new"


def test_sign_in_rotates_the_session_key(alice: User) -> None:
    client = browser()
    client.get("/account/login/")
    client.session.save()
    client.cookies["sessionid"] = client.session.session_key
    before = client.cookies["sessionid"].value

    sign_in(client)

    after = client.cookies["sessionid"].value
    assert before and after and before != after
    assert UserSession.objects.get(user=alice).session_key == after


def test_sign_in_is_case_insensitive_on_the_email(alice: User) -> None:
    response = sign_in(browser(), email="  ALICE@Example.COM ")

    assert response.status_code == 302


def test_fourth_failure_does_not_lock_the_fifth_does(alice: User, outbox: Outbox) -> None:
    client = browser()
    with time_machine.travel(T0, tick=False), outbox.capture():
        fourth = _fail(client, times=4)
        alice.refresh_from_db()
        assert alice.failed_login_count == 4
        assert alice.locked_until is None
        assert INVALID in _error_text(fourth)

        fifth = _fail(client)

    alice.refresh_from_db()
    assert alice.failed_login_count == 5
    assert alice.locked_until == T0 + timedelta(minutes=30)
    text = _error_text(fifth)
    # 08:30 UTC is 16:30 in the site's default time zone (Asia/Shanghai).
    assert "this account is locked until 16:30 (UTC+0800)" in text
    assert 'href="/account/password/forgot/"' in text
    assert kinds(alice) == ["login_failed"] * 5 + ["account_locked"]
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["identity.account_locked"]


def test_lockout_emails_the_owner_a_reset_link(alice: User, outbox: Outbox) -> None:
    with outbox.capture():
        _fail(browser(), times=5)

    assert outbox.subjects() == ["Your OKpay account is locked for now"]
    assert outbox.messages[0].to == ["alice@example.com"]
    token = EmailToken.objects.get(user=alice)
    assert token.purpose == TokenPurpose.PASSWORD_RESET
    assert outbox.links()[0].startswith("https://okpay.example/account/password/reset/")
    assert "alice@example.com" not in outbox.links()[0]


def test_locked_account_refuses_the_right_password(alice: User, outbox: Outbox) -> None:
    client = browser()
    with outbox.capture():
        _fail(client, times=5)

    response = sign_in(client)

    assert response.status_code == 200
    assert "this account is locked until" in _error_text(response)
    assert SESSION_KEY not in client.session
    alice.refresh_from_db()
    assert alice.failed_login_count == 5  # a locked account's counter does not move


def test_lock_ends_after_exactly_30_minutes(alice: User, outbox: Outbox) -> None:
    client = browser()
    with time_machine.travel(T0, tick=False) as clock:
        with outbox.capture():
            _fail(client, times=5)
        clock.shift(timedelta(minutes=30) - timedelta(seconds=1))
        still_locked = sign_in(client)
        clock.shift(timedelta(seconds=1))
        unlocked = sign_in(client)

    assert "this account is locked until" in _error_text(still_locked)
    assert unlocked.status_code == 302
    alice.refresh_from_db()
    assert (alice.failed_login_count, alice.locked_until) == (0, None)
    assert kinds(alice)[-3:] == ["login_failed", "account_unlocked", "login_succeeded"]
    assert SecurityEvent.objects.filter(kind="account_unlocked").get().details == {
        "reason": "lock_expired"
    }


def test_after_the_lock_expires_the_count_starts_again(alice: User, outbox: Outbox) -> None:
    client = browser()
    with time_machine.travel(T0, tick=False) as clock:
        with outbox.capture():
            _fail(client, times=5)
        clock.shift(timedelta(minutes=31))
        response = _fail(client)

    alice.refresh_from_db()
    assert alice.failed_login_count == 1
    assert alice.locked_until is None
    assert INVALID in _error_text(response)


def test_successful_sign_in_resets_the_counter(alice: User) -> None:
    client = browser()
    _fail(client, times=4)

    sign_in(client)
    _fail(browser(), times=4)

    alice.refresh_from_db()
    assert alice.failed_login_count == 4
    assert alice.locked_until is None


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(alice: User) -> None:
    known = _fail(browser())
    unknown = _fail(browser(ip="198.51.100.9"), email="nobody@example.com")

    assert known.status_code == unknown.status_code == 200
    assert _error_text(known) == _error_text(unknown)
    assert SecurityEvent.objects.filter(user=None, kind="login_failed").get().details == {
        "reason": "unknown_email",
        "email": "nobody@example.com",
    }


def test_unknown_email_also_locks_at_the_fifth_failure(alice: User, outbox: Outbox) -> None:
    with time_machine.travel(T0, tick=False), outbox.capture():
        known = _fail(browser(), times=5)
        unknown_fourth = _fail(browser(ip="198.51.100.9"), email="nobody@example.com", times=4)
        unknown_fifth = _fail(browser(ip="198.51.100.9"), email="nobody@example.com")

    assert INVALID in _error_text(unknown_fourth)
    assert _error_text(unknown_fifth) == _error_text(known)
    row = UnknownEmailLockout.objects.get()
    assert (row.failed_count, row.locked_until) == (5, T0 + timedelta(minutes=30))
    assert outbox.subjects() == ["Your OKpay account is locked for now"]  # only the real owner


def test_unknown_email_costs_a_password_hash(alice: User, monkeypatch: pytest.MonkeyPatch) -> None:
    from okpay.identity.services import lockout

    calls: list[str] = []
    real = lockout.check_password

    def counting(password: str, encoded: str, *args: Any) -> bool:
        calls.append(password)
        return real(password, encoded, *args)

    monkeypatch.setattr(lockout, "check_password", counting)

    _fail(browser(), email="nobody@example.com")

    assert calls == ["Wrong-password-123"]


def test_unknown_email_and_wrong_password_take_comparable_time(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    make_user()
    _fail(browser(), email="warm-up@example.com")  # builds the dummy hash once

    def median_seconds(email: str) -> float:
        samples = []
        for _ in range(3):
            started = time.perf_counter()
            _fail(browser(), email=email)
            samples.append(time.perf_counter() - started)
        return statistics.median(samples)

    known = median_seconds("alice@example.com")
    unknown = median_seconds("nobody@example.com")

    assert 0.5 < unknown / known < 2.0


def test_per_ip_throttle_refuses_the_21st_attempt_in_a_minute(alice: User) -> None:
    client = browser()
    with time_machine.travel(T0, tick=False) as clock:
        for n in range(20):
            email = f"guess{n}@example.com"
            assert _fail(client, email=email).status_code == 200
        refused = sign_in(client)
        other_ip = sign_in(browser(ip="198.51.100.20"))
        clock.shift(timedelta(minutes=1))
        next_minute = sign_in(client)

    assert refused.status_code == 429
    assert "Too many attempts" in refused.content.decode()
    assert other_ip.status_code == 302
    assert next_minute.status_code == 302
    assert SecurityEvent.objects.filter(kind="login_throttled", user=alice).count() == 1


def test_sign_in_with_2fa_asks_for_the_code(alice: User) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        totp = enable_totp(alice)
        clock.shift(timedelta(seconds=30))
        client = browser()
        first = sign_in(client)
        assert first.status_code == 302
        assert first["Location"] == "/account/login/2fa/?next=%2Faccount%2F"
        assert SESSION_KEY not in client.session
        second = client.post("/account/login/2fa/", {"code": totp.now()})

    assert second.status_code == 302
    assert second["Location"] == "/account/"
    assert client.session[SESSION_KEY] == str(alice.pk)
    assert SecurityEvent.objects.filter(kind="login_succeeded").get().details["method"] == (
        "password+totp"
    )


def test_wrong_2fa_codes_count_towards_the_lockout(alice: User, outbox: Outbox) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        totp = enable_totp(alice)
        clock.shift(timedelta(seconds=30))
        client = browser()
        _fail(client, times=3)
        sign_in(client)
        wrong = f"{(int(totp.now()) + 1) % 1_000_000:06d}"
        fourth = client.post("/account/login/2fa/", {"code": wrong})
        with outbox.capture():
            fifth = client.post("/account/login/2fa/", {"code": wrong})

    assert "The code is not correct." in fourth.content.decode()
    assert "this account is locked until" in fifth.content.decode()
    alice.refresh_from_db()
    assert alice.locked_until is not None
    assert SESSION_KEY not in client.session


def test_a_totp_code_is_accepted_once_at_sign_in(alice: User) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        totp = enable_totp(alice)
        clock.shift(timedelta(seconds=30))
        code = totp.now()
        first = browser()
        sign_in(first)
        first.post("/account/login/2fa/", {"code": code})
        second = browser()
        sign_in(second)
        replay = second.post("/account/login/2fa/", {"code": code})

    assert "This code was already used." in replay.content.decode()
    assert SESSION_KEY not in second.session
    assert SecurityEvent.objects.filter(kind="totp_replayed", user=alice).count() == 1


def test_a_recovery_code_signs_in_once(alice: User) -> None:
    totp = enable_totp(alice)
    recovery = totp.recovery_codes[0]  # type: ignore[attr-defined]

    first = browser()
    sign_in(first)
    ok = first.post("/account/login/2fa/", {"code": recovery.upper()})
    second = browser()
    sign_in(second)
    again = second.post("/account/login/2fa/", {"code": recovery})

    assert ok.status_code == 302
    assert "The code is not correct." in again.content.decode()
    assert SecurityEvent.objects.filter(kind="recovery_code_used").get().details == {"remaining": 9}


def test_the_2fa_step_expires_after_five_minutes(alice: User) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        totp = enable_totp(alice)
        clock.shift(timedelta(seconds=30))
        client = browser()
        sign_in(client)
        clock.shift(timedelta(minutes=5, seconds=1))
        response = client.post("/account/login/2fa/", {"code": code_at_offset(totp, 0)})

    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/?next=")
    assert SESSION_KEY not in client.session


def test_compromised_account_must_set_a_new_password(alice: User, outbox: Outbox) -> None:
    from okpay.identity.client import NO_CLIENT
    from okpay.identity.services import account_mark_compromised

    with outbox.capture():
        account_mark_compromised(user=alice, actor=None, client=NO_CLIENT)
    client = browser()

    first = sign_in(client)
    assert first["Location"] == "/account/login/new-password/?next=%2Faccount%2F"
    assert SESSION_KEY not in client.session
    blocked = client.get("/account/")
    assert blocked.status_code == 302
    same = client.post("/account/login/new-password/", {"new_password": PASSWORD})
    assert "Choose a password you do not use now." in same.content.decode()
    with outbox.capture():
        done = client.post("/account/login/new-password/", {"new_password": NEW_PASSWORD})

    assert done.status_code == 302
    assert client.session[SESSION_KEY] == str(alice.pk)
    alice.refresh_from_db()
    assert alice.must_change_password is False
    assert alice.check_password(NEW_PASSWORD)
    assert outbox.subjects()[-1] == "Your OKpay password was changed"


def test_inactive_user_is_answered_like_an_unknown_email(alice: User) -> None:
    User.objects.filter(pk=alice.pk).update(is_active=False)

    response = sign_in(browser())

    assert INVALID in _error_text(response)
    assert kinds(alice) == []


def test_next_parameter_only_stays_on_this_site(alice: User) -> None:
    inside = browser().post(
        "/account/login/?next=/account/devices/", {"email": alice.email, "password": PASSWORD}
    )
    outside = browser().post(
        "/account/login/?next=https://evil.example/", {"email": alice.email, "password": PASSWORD}
    )

    assert inside["Location"] == "/account/devices/"
    assert outside["Location"] == "/account/"


def test_sign_in_sets_the_preferred_language(db: None) -> None:
    make_user(language="zh-hans")

    response = sign_in(browser())

    assert response.cookies["django_language"].value == "zh-hans"


def test_login_page_in_both_languages(db: None) -> None:
    english = browser(HTTP_ACCEPT_LANGUAGE="en").get("/account/login/")
    chinese = browser(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/account/login/")

    with translation.override("zh-hans"):
        title = gettext("Sign in to OKpay")
    assert title != "Sign in to OKpay"
    assert "Sign in to OKpay" in english.content.decode()
    assert title in chinese.content.decode()
    assert '<html lang="zh-Hans">' in chinese.content.decode()


def test_ip_is_recorded_from_remote_addr_not_forwarded_header(alice: User) -> None:
    client = Client(REMOTE_ADDR=IP, HTTP_X_FORWARDED_FOR="192.0.2.99")

    sign_in(client)

    assert UserSession.objects.get(user=alice).ip == IP


def test_the_security_log_page_explains_failures(alice: User) -> None:
    client = browser()
    _fail(client)
    sign_in(client)

    html = client.get("/account/security-log/").content.decode()

    failed = html[html.index('data-kind="login_failed"') :]
    assert "Sign-in failed" in failed
    assert "(wrong password)" in failed
    assert IP in failed
    assert "Chrome 126 / Linux" in failed

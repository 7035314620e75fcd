"""The password-age reminder, the demo-mailbox hint and the clean-up job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from okpay.identity.models import (
    EmailToken,
    RateLimitCounter,
    StepUpGrant,
    TokenPurpose,
    User,
    UserSession,
)
from okpay.identity.selectors import password_reminder_due
from okpay.identity.services.email_tokens import email_token_issue
from okpay.identity.services.maintenance import identity_state_prune
from okpay.identity.services.ratelimit import rate_limit_hit
from okpay.identity.tests.fixtures import browser, make_user, sign_in

pytestmark = pytest.mark.django_db

T0 = datetime(2030, 3, 1, 8, 0, tzinfo=UTC)
REMINDER = "Your password is"


def test_the_reminder_appears_from_day_180_and_never_blocks(db: None) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        user = make_user()
        clock.shift(timedelta(days=179, hours=23, minutes=50))
        client = browser()
        sign_in(client)
        before = client.get("/account/")
        due_before = password_reminder_due(user=user)
        clock.shift(timedelta(minutes=10))
        after = client.get("/account/")
        due_after = password_reminder_due(user=user)

    assert (due_before, due_after) == (False, True)
    assert REMINDER not in before.content.decode()
    assert "Your password is 180 days old." in after.content.decode()
    assert after.status_code == 200  # a reminder, not a block


def test_the_reminder_age_is_configurable(db: None, settings: Any) -> None:
    settings.OKPAY_PASSWORD_REMINDER_DAYS = 30
    with time_machine.travel(T0, tick=False) as clock:
        user = make_user()
        clock.shift(timedelta(days=30))
        assert password_reminder_due(user=user) is True


def test_a_hash_upgrade_at_sign_in_is_not_a_password_change(db: None, settings: Any) -> None:
    user = make_user()  # hashed with MD5, the test hasher
    changed_at = user.password_changed_at
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]

    sign_in(browser())

    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_sha256$")
    assert user.password_changed_at == changed_at


def test_demo_mode_points_to_the_mailbox(db: None, settings: Any, tmp_path: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    forgot = {"email": "someone@example.com"}

    settings.DEBUG = True
    demo = browser().post("/account/password/forgot/", forgot).content.decode()
    settings.DEBUG = False
    other_ip = browser(ip="198.51.100.3")
    production = other_ip.post("/account/password/forgot/", forgot).content.decode()

    assert 'data-testid="demo-mailbox"' in demo
    assert 'href="/dev/mailbox/"' in demo
    assert 'data-testid="demo-mailbox"' not in production


def test_the_clean_up_job_removes_only_what_can_no_longer_matter(alice: User) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        old_token = email_token_issue(
            user=alice, purpose=TokenPurpose.VERIFY_EMAIL, email=alice.email
        )
        rate_limit_hit(scope="t", key="k", limit=5, window_seconds=60)
        StepUpGrant.objects.create(user=alice, holder="session:x", method="password")
        client = browser()
        sign_in(client)
        clock.shift(timedelta(days=31, hours=1))
        fresh_token = email_token_issue(
            user=alice, purpose=TokenPurpose.PASSWORD_RESET, email=alice.email
        )
        rate_limit_hit(scope="t", key="k", limit=5, window_seconds=60)
        result = identity_state_prune()

    assert result.email_tokens == 1
    assert result.rate_limit_counters == 2  # "t" and the sign-in's per-IP counter
    assert result.step_up_grants == 1
    assert result.sessions_ended == 1
    assert list(EmailToken.objects.values_list("pk", flat=True)) == [fresh_token.token.pk]
    assert not EmailToken.objects.filter(pk=old_token.token.pk).exists()
    assert RateLimitCounter.objects.count() == 1
    assert UserSession.objects.get(user=alice).end_reason == "expired"

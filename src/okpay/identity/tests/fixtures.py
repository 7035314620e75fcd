"""Fixtures and helpers for identity tests. Data is made through the real services."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import pyotp
import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

SITE = "https://okpay.example"
PASSWORD = "Lantern-orbit-7-quiet"
NEW_PASSWORD = "Copper-meadow-42-river"
IP = "203.0.113.7"
UA_CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
UA_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
LINK = re.compile(r"https://okpay\.example/[^\s\"<>]+")


@pytest.fixture(autouse=True)
def identity_settings(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # Argon2 costs ~0.25 s a hash; the tests that need it switch it back on.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SITE_URL = SITE
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.LANGUAGE_CODE = "en"


@dataclass
class Outbox:
    """The sent e-mails, and a way to let the on-commit delivery jobs run."""

    capture_factory: Callable[..., AbstractContextManager[Any]]

    def capture(self) -> AbstractContextManager[Any]:
        return self.capture_factory(execute=True)

    @property
    def messages(self) -> list[mail.EmailMessage]:
        return list(mail.outbox)

    def subjects(self) -> list[str]:
        return [m.subject for m in mail.outbox]

    def links(self, index: int = -1) -> list[str]:
        return LINK.findall(mail.outbox[index].body)

    def link_token(self, index: int = -1) -> str:
        """The token of the first link of the message (the last path segment)."""
        return self.links(index)[0].rstrip("/").rsplit("/", 1)[-1]

    def clear(self) -> None:
        mail.outbox.clear()


@pytest.fixture
def outbox(django_capture_on_commit_callbacks: Callable[..., Any]) -> Iterator[Outbox]:
    mail.outbox.clear()
    yield Outbox(capture_factory=django_capture_on_commit_callbacks)


def make_user(
    email: str = "alice@example.com",
    *,
    password: str = PASSWORD,
    verified: bool = True,
    display_name: str = "Alice Zhang",
    language: str = "en",
    **extra: Any,
) -> Any:
    """A user made the way the sign-up makes one (then verified, unless asked not to)."""
    from okpay.identity.models import User

    user = User.objects.create_user(
        email,
        password,
        display_name=display_name,
        preferred_language=language,
        time_zone="Asia/Shanghai",
        **extra,
    )
    if verified:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    return user


@pytest.fixture
def alice(db: None) -> Any:
    return make_user()


@pytest.fixture
def bob(db: None) -> Any:
    return make_user("bob@example.com", display_name="Bob Li")


def browser(ua: str = UA_CHROME, ip: str = IP, **kwargs: Any) -> Client:
    return Client(HTTP_USER_AGENT=ua, REMOTE_ADDR=ip, **kwargs)


def sign_in(client: Client, email: str = "alice@example.com", password: str = PASSWORD) -> Any:
    return client.post("/account/login/", {"email": email, "password": password})


def enable_totp(user: Any) -> pyotp.TOTP:
    """Turn 2FA on through the services; return the authenticator ("the phone")."""
    from okpay.identity.client import NO_CLIENT
    from okpay.identity.services import totp_enroll_begin, totp_enroll_confirm

    enrolment = totp_enroll_begin(user=user)
    totp = pyotp.TOTP(enrolment.secret)
    codes = totp_enroll_confirm(user=user, code=totp.now(), client=NO_CLIENT)
    totp.recovery_codes = codes  # type: ignore[attr-defined]
    return totp


def code_at_offset(totp: pyotp.TOTP, steps: int) -> str:
    """The code for the time step ``steps`` away from now."""
    now = int(timezone.now().timestamp())
    return totp.at(now + 30 * steps)


def kinds(user: Any) -> list[str]:
    """The user's security log, oldest first, as event kinds."""
    from okpay.identity.models import SecurityEvent

    return list(
        SecurityEvent.objects.filter(user=user).order_by("id").values_list("kind", flat=True)
    )

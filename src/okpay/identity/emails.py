"""The identity e-mails. Each function queues one message in the reader's language.

Call them inside the transaction of the change they report (see ``email_queue``).
"""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse

from okpay.identity.client import ClientInfo
from okpay.identity.models import User
from okpay.identity.services.email_tokens import IssuedEmailToken, site_url
from okpay.notifications.services import email_to_user

T = "identity/email/"


def notify_verify_email(*, user: User, issued: IssuedEmailToken) -> None:
    email_to_user(
        user=user,
        template=T + "verify_email",
        context={"url": issued.url, "expires_at": issued.token.expires_at},
    )


def notify_signup_repeated(*, user: User, issued: IssuedEmailToken | None) -> None:
    """Someone signed up with an address that already has an account."""
    email_to_user(
        user=user,
        template=T + "signup_repeated",
        context={
            "login_url": site_url(reverse("identity:login")),
            "forgot_url": site_url(reverse("identity:password_forgot")),
            "verify_url": issued.url if issued else "",
        },
    )


def notify_lockout(
    *, user: User, locked_until: datetime, issued: IssuedEmailToken, client: ClientInfo
) -> None:
    email_to_user(
        user=user,
        template=T + "lockout",
        context={
            "locked_until": locked_until,
            "reset_url": issued.url,
            "reset_expires_at": issued.token.expires_at,
            "client": client,
        },
    )


def notify_password_reset(*, user: User, issued: IssuedEmailToken, client: ClientInfo) -> None:
    email_to_user(
        user=user,
        template=T + "password_reset",
        context={"url": issued.url, "expires_at": issued.token.expires_at, "client": client},
    )


def notify_password_changed(*, user: User, how: str, client: ClientInfo, when: datetime) -> None:
    """``how``: "changed", "reset" or "forced" (set at sign-in after a compromise)."""
    email_to_user(
        user=user,
        template=T + "password_changed",
        context={
            "how": how,
            "client": client,
            "when": when,
            "forgot_url": site_url(reverse("identity:password_forgot")),
        },
    )


def notify_new_device(*, user: User, client: ClientInfo, when: datetime) -> None:
    email_to_user(
        user=user,
        template=T + "new_device",
        context={
            "client": client,
            "when": when,
            "devices_url": site_url(reverse("identity:devices")),
            "forgot_url": site_url(reverse("identity:password_forgot")),
        },
    )


def notify_two_factor_changed(
    *, user: User, change: str, client: ClientInfo, when: datetime
) -> None:
    """``change``: "enabled", "disabled" or "codes" (new recovery codes)."""
    email_to_user(
        user=user,
        template=T + "two_factor_changed",
        context={
            "change": change,
            "client": client,
            "when": when,
            "security_url": site_url(reverse("identity:two_factor")),
            "forgot_url": site_url(reverse("identity:password_forgot")),
        },
    )


def notify_token_created(
    *, user: User, name: str, prefix: str, expires_at: datetime | None, client: ClientInfo
) -> None:
    email_to_user(
        user=user,
        template=T + "token_created",
        context={
            "name": name,
            "prefix": prefix,
            "expires_at": expires_at,
            "client": client,
            "tokens_url": site_url(reverse("identity:tokens")),
        },
    )


def notify_email_change(*, user: User, issued: IssuedEmailToken) -> None:
    """The confirmation link goes to the new address."""
    email_to_user(
        user=user,
        to=issued.token.email,
        template=T + "email_change",
        context={
            "url": issued.url,
            "new_email": issued.token.email,
            "expires_at": issued.token.expires_at,
        },
    )


def notify_email_changed(*, user: User, old_email: str, new_email: str, when: datetime) -> None:
    """The notice goes to the old address."""
    email_to_user(
        user=user,
        to=old_email,
        template=T + "email_changed",
        context={
            "old_email": old_email,
            "new_email": new_email,
            "when": when,
            "forgot_url": site_url(reverse("identity:password_forgot")),
        },
    )


def notify_compromised(*, user: User, when: datetime) -> None:
    email_to_user(
        user=user,
        template=T + "compromised",
        context={"when": when, "login_url": site_url(reverse("identity:login"))},
    )

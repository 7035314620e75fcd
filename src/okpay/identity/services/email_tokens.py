"""Single-use secrets carried by e-mailed links (verification, reset, e-mail change)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from okpay.identity.crypto import sha256_hex
from okpay.identity.errors import TokenExpired, TokenInvalid
from okpay.identity.models import EmailToken, TokenPurpose, User

TOKEN_BYTES = 32
MAX_SECRET_LENGTH = 100

LINK_URL_NAMES = {
    TokenPurpose.VERIFY_EMAIL: "identity:verify_email",
    TokenPurpose.PASSWORD_RESET: "identity:password_reset",
    TokenPurpose.EMAIL_CHANGE: "identity:email_change_confirm",
}


@dataclass(frozen=True)
class IssuedEmailToken:
    token: EmailToken
    secret: str  # sent once in the e-mail, never stored

    @property
    def url(self) -> str:
        return site_url(
            reverse(LINK_URL_NAMES[TokenPurpose(self.token.purpose)], args=[self.secret])
        )


def site_url(path: str) -> str:
    """An absolute link on the configured site (never the request's Host header)."""
    return f"{settings.SITE_URL}{path}"


def token_lifetime(purpose: TokenPurpose) -> timedelta:
    if purpose == TokenPurpose.PASSWORD_RESET:
        return timedelta(minutes=settings.OKPAY_PASSWORD_RESET_MINUTES)
    return timedelta(hours=settings.OKPAY_EMAIL_VERIFICATION_HOURS)


def email_tokens_invalidate(*, user: User, purpose: TokenPurpose) -> int:
    """Retire every open token of ``user`` for ``purpose``; return how many."""
    return EmailToken.objects.filter(
        user=user, purpose=purpose, used_at__isnull=True, invalidated_at__isnull=True
    ).update(invalidated_at=timezone.now())


def email_token_issue(*, user: User, purpose: TokenPurpose, email: str) -> IssuedEmailToken:
    """A new token for ``user``; older open tokens for the same purpose stop working.

    Call it inside the transaction that sends the e-mail.
    """
    email_tokens_invalidate(user=user, purpose=purpose)
    secret = secrets.token_urlsafe(TOKEN_BYTES)
    now = timezone.now()
    token = EmailToken.objects.create(
        user=user,
        purpose=purpose,
        digest=sha256_hex(secret),
        email=email,
        created_at=now,
        expires_at=now + token_lifetime(purpose),
    )
    return IssuedEmailToken(token=token, secret=secret)


def email_token_check(*, secret: str, purpose: TokenPurpose) -> EmailToken:
    """The open token for ``secret`` (not consumed). Raises TokenInvalid or TokenExpired."""
    if not secret or len(secret) > MAX_SECRET_LENGTH:
        raise TokenInvalid()
    token = (
        EmailToken.objects.select_related("user")
        .filter(digest=sha256_hex(secret), purpose=purpose)
        .first()
    )
    if token is None or token.used_at is not None or token.invalidated_at is not None:
        raise TokenInvalid()
    if token.expires_at <= timezone.now():
        raise TokenExpired()
    if not token.user.is_active:
        raise TokenInvalid()
    return token


def email_token_consume(*, token: EmailToken) -> None:
    """Mark ``token`` used; raise TokenInvalid if another request used it first.

    Call it inside the transaction that applies what the token allows.
    """
    now = timezone.now()
    used = (
        EmailToken.objects.filter(pk=token.pk, used_at__isnull=True, invalidated_at__isnull=True)
        .filter(Q(expires_at__gt=now))
        .update(used_at=now)
    )
    if not used:
        raise TokenInvalid()
    token.used_at = now

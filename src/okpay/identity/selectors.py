"""Reads for identity pages and the API. Nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from okpay.identity.models import (
    ApiToken,
    RecoveryCode,
    SecurityEvent,
    TokenKind,
    TotpDevice,
    User,
    UserSession,
)


def totp_enabled(*, user: User) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def recovery_codes_remaining(*, user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def password_age_days(*, user: User, now: datetime | None = None) -> int:
    changed = user.password_changed_at or user.date_joined
    return max(0, ((now or timezone.now()) - changed).days)


def password_reminder_due(*, user: User, now: datetime | None = None) -> bool:
    """The gentle reminder: the password is older than ``OKPAY_PASSWORD_REMINDER_DAYS``."""
    days = int(settings.OKPAY_PASSWORD_REMINDER_DAYS)
    if days <= 0 or not user.has_usable_password():
        return False
    return password_age_days(user=user, now=now) >= days


@dataclass(frozen=True)
class SecurityOverview:
    email_verified: bool
    totp_enabled: bool
    recovery_codes_left: int
    password_age_days: int
    password_reminder_due: bool
    active_sessions: int
    active_tokens: int


def security_overview(*, user: User) -> SecurityOverview:
    now = timezone.now()
    return SecurityOverview(
        email_verified=user.is_email_verified,
        totp_enabled=totp_enabled(user=user),
        recovery_codes_left=recovery_codes_remaining(user=user),
        password_age_days=password_age_days(user=user, now=now),
        password_reminder_due=password_reminder_due(user=user, now=now),
        active_sessions=len(user_sessions_active(user=user)),
        active_tokens=len([t for t in personal_tokens_for_user(user=user) if t.is_usable(now=now)]),
    )


def _session_exists(session_key: str) -> bool:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    return bool(store().exists(session_key))


def user_sessions_active(*, user: User) -> list[UserSession]:
    """The user's signed-in sessions, most recent first.

    Sessions past the idle or absolute limit, or whose session data is gone (expired or
    signed out elsewhere), are left out even before the clean-up marks them ended.
    """
    now = timezone.now()
    idle = timedelta(minutes=int(settings.OKPAY_SESSION_IDLE_MINUTES))
    absolute = timedelta(hours=int(settings.OKPAY_SESSION_MAX_HOURS))
    rows = UserSession.objects.filter(
        user=user,
        ended_at__isnull=True,
        last_seen_at__gt=now - idle,
        created_at__gt=now - absolute,
    ).order_by("-last_seen_at", "-id")
    return [row for row in rows if _session_exists(row.session_key)]


def personal_tokens_for_user(*, user: User) -> list[ApiToken]:
    return list(
        ApiToken.objects.filter(user=user, kind=TokenKind.PERSONAL).order_by("-created_at", "-id")
    )


def security_events_for_user(*, user: User) -> QuerySet[SecurityEvent]:
    return SecurityEvent.objects.filter(user=user).order_by("-created_at", "-id")

"""Counting failed sign-ins and locking accounts.

The counter lives on the user row and moves only through conditional UPDATEs, so two
failures arriving together are both counted and exactly one of them takes the lock.
Unregistered e-mail addresses get the same treatment in ``UnknownEmailLockout`` so that
"locked" never tells anyone an address is registered.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, get_hasher, make_password
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from okpay.identity.client import ClientInfo
from okpay.identity.crypto import sha256_hex
from okpay.identity.models import SecurityEventKind, UnknownEmailLockout, User
from okpay.identity.services.log import security_event_record
from okpay.identity.services.tokens import audit_record

_dummy_hashes: dict[str, str] = {}


@dataclass(frozen=True)
class FailureCount:
    failures: int
    locked_until: datetime | None
    just_locked: bool


def max_failures() -> int:
    return int(settings.OKPAY_LOGIN_MAX_FAILURES)


def lock_duration() -> timedelta:
    return timedelta(minutes=int(settings.OKPAY_LOGIN_LOCK_MINUTES))


def dummy_password_check(password: str) -> None:
    """Spend the same time as checking a real password (for unknown or locked accounts)."""
    hasher = get_hasher()
    algorithm = str(hasher.algorithm)
    encoded = _dummy_hashes.get(algorithm)
    if encoded is None:
        encoded = _dummy_hashes[algorithm] = make_password(secrets.token_urlsafe(24))
    check_password(password, encoded)


def password_matches(*, user: User, password: str) -> bool:
    """Whether ``password`` is the user's; always costs one password hash."""
    if not password or not user.has_usable_password():
        dummy_password_check(password or "-")
        return False
    return user.check_password(password)


def account_lock_expire(*, user: User, client: ClientInfo) -> bool:
    """Lift the lock of ``user`` if its time is over (and restart the count)."""
    with transaction.atomic():
        lifted = User.objects.filter(pk=user.pk, locked_until__lte=timezone.now()).update(
            locked_until=None, failed_login_count=0
        )
        if lifted:
            security_event_record(
                kind=SecurityEventKind.ACCOUNT_UNLOCKED,
                user=user,
                client=client,
                details={"reason": "lock_expired"},
            )
    if lifted:
        user.locked_until = None
        user.failed_login_count = 0
    return bool(lifted)


def account_failure_register(*, user: User) -> FailureCount:
    """Count one failed sign-in of ``user``; lock at ``OKPAY_LOGIN_MAX_FAILURES``.

    Runs inside the caller's transaction. A locked account's counter does not move.
    """
    now = timezone.now()
    User.objects.filter(pk=user.pk, locked_until__isnull=True).update(
        failed_login_count=F("failed_login_count") + 1
    )
    just_locked = bool(
        User.objects.filter(
            pk=user.pk, locked_until__isnull=True, failed_login_count__gte=max_failures()
        ).update(locked_until=now + lock_duration())
    )
    failures, locked_until = (
        User.objects.filter(pk=user.pk).values_list("failed_login_count", "locked_until").get()
    )
    user.failed_login_count, user.locked_until = failures, locked_until
    return FailureCount(failures=failures, locked_until=locked_until, just_locked=just_locked)


def account_failures_reset(*, user: User) -> None:
    """A successful sign-in: the next failure counts from one again."""
    User.objects.filter(pk=user.pk, failed_login_count__gt=0).update(failed_login_count=0)
    user.failed_login_count = 0


def account_unlock(*, user: User, actor: User | None, reason: str, client: ClientInfo) -> bool:
    """Lift a lock now (operator in the back office). False when it was not locked."""
    with transaction.atomic():
        unlocked = User.objects.filter(pk=user.pk, locked_until__isnull=False).update(
            locked_until=None, failed_login_count=0
        )
        if unlocked:
            security_event_record(
                kind=SecurityEventKind.ACCOUNT_UNLOCKED,
                user=user,
                client=client,
                details={"reason": reason},
            )
            audit_record(
                action="identity.account_unlocked",
                actor=actor,
                object_type="user",
                object_id=str(user.pk),
                data={"reason": reason},
            )
    user.refresh_from_db(fields=["locked_until", "failed_login_count"])
    return bool(unlocked)


def _unknown_digest(email: str) -> str:
    return sha256_hex(f"login:{email}")


def unknown_email_locked_until(*, email: str) -> datetime | None:
    """The running lock of an unregistered address (a finished one is cleared first)."""
    digest = _unknown_digest(email)
    now = timezone.now()
    UnknownEmailLockout.objects.filter(email_digest=digest, locked_until__lte=now).update(
        locked_until=None, failed_count=0, updated_at=now
    )
    row = UnknownEmailLockout.objects.filter(email_digest=digest).first()
    return row.locked_until if row else None


def unknown_email_failure_register(*, email: str) -> FailureCount:
    """``account_failure_register`` for an address that has no account."""
    digest = _unknown_digest(email)
    now = timezone.now()
    rows = UnknownEmailLockout.objects.filter(email_digest=digest)
    for _ in range(3):
        with transaction.atomic():
            if (
                rows.filter(locked_until__isnull=True).update(
                    failed_count=F("failed_count") + 1, updated_at=now
                )
                or rows.exists()
            ):
                break
        try:
            with transaction.atomic():
                UnknownEmailLockout.objects.create(
                    email_digest=digest, failed_count=1, updated_at=now
                )
            break
        except IntegrityError:
            continue
    just_locked = bool(
        rows.filter(locked_until__isnull=True, failed_count__gte=max_failures()).update(
            locked_until=now + lock_duration()
        )
    )
    failures, locked_until = rows.values_list("failed_count", "locked_until").get()
    return FailureCount(failures=failures, locked_until=locked_until, just_locked=just_locked)


def unknown_email_lockouts_prune() -> int:
    """Forget unregistered addresses not tried for a day; return how many rows went."""
    deleted, _ = UnknownEmailLockout.objects.filter(
        updated_at__lt=timezone.now() - max(lock_duration(), timedelta(days=1))
    ).delete()
    return deleted

"""Signing in: password, lockout, second factor and the forced new password.

``login_attempt`` checks the password. Then, depending on the account, the sign-in is
complete, or waits for a TOTP/recovery code (``login_second_factor``), or — for an account
an operator marked compromised — for a new password (``login_new_password``). The waiting
state lives in the (not yet signed-in) session for ``OKPAY_PENDING_LOGIN_SECONDS``.

Answers never tell whether an e-mail address is registered: an unknown address costs the
same password hash, gets the same ``invalid_credentials`` error and, after the same number
of failures, the same ``account_locked`` error as a registered one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from okpay.identity.client import ClientInfo, client_info
from okpay.identity.emails import notify_lockout, notify_password_changed
from okpay.identity.errors import (
    AccountLocked,
    InvalidCredentials,
    LoginExpired,
    RateLimited,
    TotpInvalid,
    TotpReplayed,
)
from okpay.identity.models import (
    SecurityEventKind,
    SessionEndReason,
    TokenPurpose,
    User,
    normalize_email,
)
from okpay.identity.selectors import totp_enabled
from okpay.identity.services.email_tokens import email_token_issue, email_tokens_invalidate
from okpay.identity.services.lockout import (
    FailureCount,
    account_failure_register,
    account_lock_expire,
    dummy_password_check,
    password_matches,
    unknown_email_failure_register,
    unknown_email_locked_until,
)
from okpay.identity.services.log import security_event_record
from okpay.identity.services.passwords import password_policy_enforce
from okpay.identity.services.ratelimit import rate_limit_hit
from okpay.identity.services.sessions import (
    PENDING_LOGIN_KEY,
    session_sign_in,
    sessions_end_all,
)
from okpay.identity.services.tokens import audit_record
from okpay.identity.services.two_factor import second_factor_verify


class LoginStep(StrEnum):
    DONE = "done"
    TOTP = "totp"
    NEW_PASSWORD = "new_password"  # noqa: S105 - a step name, not a password


@dataclass(frozen=True)
class LoginOutcome:
    user: User
    step: LoginStep


def _pending_set(request: HttpRequest, *, user: User, step: LoginStep) -> None:
    request.session[PENDING_LOGIN_KEY] = {
        "user": user.pk,
        "step": step.value,
        "at": timezone.now().timestamp(),
    }


def login_pending(*, request: HttpRequest, step: LoginStep) -> User:
    """The user half-way through signing in at ``step``; LoginExpired when there is none."""
    pending = request.session.get(PENDING_LOGIN_KEY)
    if not isinstance(pending, dict) or pending.get("step") != step.value:
        raise LoginExpired()
    age = timezone.now().timestamp() - float(pending.get("at", 0))
    if not 0 <= age <= int(settings.OKPAY_PENDING_LOGIN_SECONDS):
        request.session.pop(PENDING_LOGIN_KEY, None)
        raise LoginExpired()
    user_id = pending.get("user")
    user = None
    if isinstance(user_id, int):
        user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        request.session.pop(PENDING_LOGIN_KEY, None)
        raise LoginExpired()
    return user


def _lockout_follow_up(*, user: User, count: FailureCount, client: ClientInfo) -> None:
    """Log the lock and e-mail the owner a reset link (in the caller's transaction)."""
    assert count.locked_until is not None
    security_event_record(
        kind=SecurityEventKind.ACCOUNT_LOCKED,
        user=user,
        client=client,
        details={"failures": count.failures, "locked_until": count.locked_until.isoformat()},
    )
    audit_record(
        action="identity.account_locked",
        object_type="user",
        object_id=str(user.pk),
        data={"failures": count.failures, "locked_until": count.locked_until.isoformat()},
    )
    issued = email_token_issue(user=user, purpose=TokenPurpose.PASSWORD_RESET, email=user.email)
    notify_lockout(user=user, locked_until=count.locked_until, issued=issued, client=client)


def _failure(*, user: User, client: ClientInfo, reason: str) -> datetime | None:
    """Count a failed sign-in of ``user``; return the lock end if the account is now locked."""
    with transaction.atomic():
        count = account_failure_register(user=user)
        security_event_record(
            kind=SecurityEventKind.LOGIN_FAILED,
            user=user,
            client=client,
            details={"reason": reason, "failures": count.failures},
        )
        if count.just_locked:
            _lockout_follow_up(user=user, count=count, client=client)
    return count.locked_until


def _unknown_email_attempt(*, email: str, password: str, client: ClientInfo) -> LoginOutcome:
    """Answer exactly like a registered address with a wrong password (always raises)."""
    locked_until = unknown_email_locked_until(email=email)
    dummy_password_check(password)
    with transaction.atomic():
        if locked_until is None:
            count = unknown_email_failure_register(email=email)
            locked_until = count.locked_until
        security_event_record(
            kind=SecurityEventKind.LOGIN_FAILED,
            user=None,
            client=client,
            details={"reason": "unknown_email", "email": email},
        )
    if locked_until is not None:
        raise AccountLocked(locked_until=locked_until)
    raise InvalidCredentials()


def _continue(*, request: HttpRequest, user: User, method: str) -> LoginOutcome:
    if user.must_change_password:
        _pending_set(request, user=user, step=LoginStep.NEW_PASSWORD)
        return LoginOutcome(user=user, step=LoginStep.NEW_PASSWORD)
    session_sign_in(request=request, user=user, method=method)
    return LoginOutcome(user=user, step=LoginStep.DONE)


def login_attempt(*, request: HttpRequest, email: str, password: str) -> LoginOutcome:
    """Check e-mail and password; sign in, or say which step comes next.

    Raises RateLimited (more than ``OKPAY_LOGIN_IP_LIMIT_PER_MINUTE`` attempts from this
    IP address), AccountLocked or InvalidCredentials.
    """
    client = client_info(request)
    email = normalize_email(email or "")[:254]
    user = User.objects.filter(email=email, is_active=True).first() if email else None
    try:
        rate_limit_hit(
            scope="login_ip",
            key=client.ip or "-",
            limit=int(settings.OKPAY_LOGIN_IP_LIMIT_PER_MINUTE),
            window_seconds=60,
        )
    except RateLimited:
        security_event_record(
            kind=SecurityEventKind.LOGIN_THROTTLED,
            user=user,
            client=client,
            details={} if user else {"email": email},
        )
        raise
    request.session.pop(PENDING_LOGIN_KEY, None)
    if user is None:
        return _unknown_email_attempt(email=email, password=password or "", client=client)
    account_lock_expire(user=user, client=client)
    if user.locked_until is not None:
        dummy_password_check(password or "-")
        security_event_record(
            kind=SecurityEventKind.LOGIN_FAILED,
            user=user,
            client=client,
            details={"reason": "locked", "failures": user.failed_login_count},
        )
        raise AccountLocked(locked_until=user.locked_until)
    if not password_matches(user=user, password=password or ""):
        locked_until = _failure(user=user, client=client, reason="wrong_password")
        if locked_until is not None:
            raise AccountLocked(locked_until=locked_until)
        raise InvalidCredentials()
    if totp_enabled(user=user):
        _pending_set(request, user=user, step=LoginStep.TOTP)
        return LoginOutcome(user=user, step=LoginStep.TOTP)
    return _continue(request=request, user=user, method="password")


def login_second_factor(*, request: HttpRequest, code: str) -> LoginOutcome:
    """The second step: a TOTP or recovery code. Wrong codes count towards the lockout."""
    user = login_pending(request=request, step=LoginStep.TOTP)
    client = client_info(request)
    account_lock_expire(user=user, client=client)
    if user.locked_until is not None:
        request.session.pop(PENDING_LOGIN_KEY, None)
        raise AccountLocked(locked_until=user.locked_until)
    try:
        method = second_factor_verify(user=user, code=code, client=client)
    except (TotpInvalid, TotpReplayed) as exc:
        locked_until = _failure(user=user, client=client, reason=exc.code)
        if locked_until is not None:
            request.session.pop(PENDING_LOGIN_KEY, None)
            raise AccountLocked(locked_until=locked_until) from exc
        raise
    return _continue(request=request, user=user, method=f"password+{method}")


def login_new_password(*, request: HttpRequest, new_password: str) -> LoginOutcome:
    """Set the new password an operator required, then sign in."""
    user = login_pending(request=request, step=LoginStep.NEW_PASSWORD)
    client = client_info(request)
    password_policy_enforce(password=new_password, user=user, field="new_password")
    now = timezone.now()
    with transaction.atomic():
        user.set_password(new_password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        email_tokens_invalidate(user=user, purpose=TokenPurpose.PASSWORD_RESET)
        ended = sessions_end_all(user=user, reason=SessionEndReason.PASSWORD_CHANGED)
        security_event_record(
            kind=SecurityEventKind.PASSWORD_CHANGED,
            user=user,
            client=client,
            details={"how": "forced", "sessions_ended": ended},
        )
        audit_record(
            action="identity.password_changed",
            actor=user,
            object_type="user",
            object_id=str(user.pk),
            data={"how": "forced"},
        )
        notify_password_changed(user=user, how="forced", client=client, when=now)
        session_sign_in(request=request, user=user, method="password")
    return LoginOutcome(user=user, step=LoginStep.DONE)

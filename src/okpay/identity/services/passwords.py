"""Changing and resetting passwords."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from okpay.identity.client import ClientInfo
from okpay.identity.emails import notify_password_changed, notify_password_reset
from okpay.identity.errors import PasswordIncorrect, PasswordTooWeak, TotpRequired
from okpay.identity.models import (
    SecurityEventKind,
    SessionEndReason,
    StepUpGrant,
    TokenPurpose,
    User,
    normalize_email,
)
from okpay.identity.password_policy import PasswordCheck, password_check
from okpay.identity.selectors import totp_enabled
from okpay.identity.services.email_tokens import (
    email_token_check,
    email_token_consume,
    email_token_issue,
    email_tokens_invalidate,
)
from okpay.identity.services.lockout import password_matches
from okpay.identity.services.log import security_event_record
from okpay.identity.services.ratelimit import rate_limit_hit
from okpay.identity.services.sessions import session_rekey, sessions_end_all
from okpay.identity.services.step_up import StepUpAction, step_up_require
from okpay.identity.services.tokens import audit_record
from okpay.identity.services.two_factor import second_factor_verify


def password_strength(*, password: str, email: str = "", display_name: str = "") -> PasswordCheck:
    """The policy verdict and zxcvbn score, for the live strength meter."""
    return password_check(password=password[:200], email=email, display_name=display_name)


def password_policy_enforce(
    *,
    password: str,
    user: User | None = None,
    email: str = "",
    display_name: str = "",
    field: str = "password",
) -> None:
    """Raise PasswordTooWeak (with every reason) unless ``password`` meets the policy.

    With ``user``, the current password is also refused as the new one.
    """
    check = password_check(
        password=password,
        email=user.email if user else email,
        display_name=user.display_name if user else display_name,
    )
    reasons = check.reasons_as_dicts()
    if (
        not reasons
        and user is not None
        and user.has_usable_password()
        and user.check_password(password)
    ):
        reasons = [{"code": "reused", "message": gettext("Choose a password you do not use now.")}]
    if reasons:
        raise PasswordTooWeak(reasons=reasons, field=field)


def password_change(
    *,
    request: HttpRequest,
    user: User,
    current_password: str,
    new_password: str,
    holder: str,
    client: ClientInfo,
) -> int:
    """Change the password (current one required); end every other session.

    With 2FA on, a fresh step-up is needed too. Returns how many sessions were ended.
    """
    if totp_enabled(user=user):
        step_up_require(user=user, holder=holder, action=StepUpAction.CHANGE_PASSWORD)
    rate_limit_hit(
        scope="second_factor",
        key=str(user.pk),
        limit=int(settings.OKPAY_SECOND_FACTOR_ATTEMPTS),
        window_seconds=int(settings.OKPAY_SECOND_FACTOR_WINDOW_SECONDS),
        field="current_password",
    )
    if not password_matches(user=user, password=current_password):
        security_event_record(
            kind=SecurityEventKind.STEP_UP_FAILED,
            user=user,
            client=client,
            details={"action": "change_password", "with": "password"},
        )
        raise PasswordIncorrect(field="current_password")
    password_policy_enforce(password=new_password, user=user, field="new_password")
    now = timezone.now()
    with transaction.atomic():
        user.set_password(new_password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        email_tokens_invalidate(user=user, purpose=TokenPurpose.PASSWORD_RESET)
        keep = request.session.session_key if request.user == user else None
        ended = sessions_end_all(
            user=user, reason=SessionEndReason.PASSWORD_CHANGED, keep_session_key=keep
        )
        security_event_record(
            kind=SecurityEventKind.PASSWORD_CHANGED,
            user=user,
            client=client,
            details={"how": "changed", "sessions_ended": ended},
        )
        audit_record(
            action="identity.password_changed",
            actor=user,
            object_type="user",
            object_id=str(user.pk),
            data={"how": "changed"},
        )
        notify_password_changed(user=user, how="changed", client=client, when=now)
        if keep:
            session_rekey(request=request, user=user)
    return ended


def password_reset_request(*, email: str, client: ClientInfo) -> None:
    """Send a reset link if ``email`` has an account. The caller's answer never says which.

    Rate-limited per address and per IP address; never locks an account.
    """
    email = normalize_email(email or "")[:254]
    rate_limit_hit(
        scope="reset_ip",
        key=client.ip or "-",
        limit=int(settings.OKPAY_RESET_PER_IP_PER_HOUR),
        window_seconds=3600,
        field="email",
    )
    rate_limit_hit(
        scope="reset_email",
        key=email,
        limit=int(settings.OKPAY_RESET_PER_EMAIL_PER_HOUR),
        window_seconds=3600,
        field="email",
    )
    user = User.objects.filter(email=email, is_active=True).first() if email else None
    with transaction.atomic():
        if user is None:
            security_event_record(
                kind=SecurityEventKind.PASSWORD_RESET_REQUESTED,
                user=None,
                client=client,
                details={"email": email, "known": False},
            )
            return
        issued = email_token_issue(user=user, purpose=TokenPurpose.PASSWORD_RESET, email=user.email)
        security_event_record(
            kind=SecurityEventKind.PASSWORD_RESET_REQUESTED,
            user=user,
            client=client,
            details={"expires_at": issued.token.expires_at.isoformat()},
        )
        notify_password_reset(user=user, issued=issued, client=client)


@dataclass(frozen=True)
class ResetLink:
    email: str
    needs_code: bool


def password_reset_check(*, secret: str) -> ResetLink:
    """Whether a reset link still works (and if it will ask for a 2FA code)."""
    token = email_token_check(secret=secret, purpose=TokenPurpose.PASSWORD_RESET)
    return ResetLink(email=token.user.email, needs_code=totp_enabled(user=token.user))


def password_reset_complete(
    *, secret: str, new_password: str, code: str, client: ClientInfo
) -> User:
    """Set a new password from a reset link: unlocks, ends every session, e-mails a notice.

    With 2FA on, a TOTP or recovery code is required (a reset never bypasses 2FA).
    """
    token = email_token_check(secret=secret, purpose=TokenPurpose.PASSWORD_RESET)
    user = token.user
    password_policy_enforce(password=new_password, user=user, field="new_password")
    if totp_enabled(user=user):
        if not (code or "").strip():
            raise TotpRequired(field="code")
        rate_limit_hit(
            scope="reset_code",
            key=token.digest,
            limit=int(settings.OKPAY_SECOND_FACTOR_ATTEMPTS),
            window_seconds=int(settings.OKPAY_SECOND_FACTOR_WINDOW_SECONDS),
            field="code",
        )
        second_factor_verify(user=user, code=code, client=client)
    now = timezone.now()
    with transaction.atomic():
        email_token_consume(token=token)
        user.refresh_from_db()
        was_locked = user.locked_until is not None
        user.set_password(new_password)
        user.must_change_password = False
        user.failed_login_count = 0
        user.locked_until = None
        fields = ["password", "must_change_password", "failed_login_count", "locked_until"]
        if user.email_verified_at is None and token.email == user.email:
            user.email_verified_at = now  # the link proved the address
            fields.append("email_verified_at")
        user.save(update_fields=fields)
        email_tokens_invalidate(user=user, purpose=TokenPurpose.PASSWORD_RESET)
        ended = sessions_end_all(user=user, reason=SessionEndReason.PASSWORD_RESET)
        StepUpGrant.objects.filter(user=user).delete()
        if was_locked:
            security_event_record(
                kind=SecurityEventKind.ACCOUNT_UNLOCKED,
                user=user,
                client=client,
                details={"reason": "password_reset"},
            )
        security_event_record(
            kind=SecurityEventKind.PASSWORD_RESET_COMPLETED,
            user=user,
            client=client,
            details={"sessions_ended": ended},
        )
        audit_record(
            action="identity.password_reset",
            actor=user,
            object_type="user",
            object_id=str(user.pk),
            data={"unlocked": was_locked, "sessions_ended": ended},
        )
        notify_password_changed(user=user, how="reset", client=client, when=now)
    return user

"""Accounts: sign-up, e-mail verification and change, profile, operator actions."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from functools import cache

import phonenumbers
from babel import Locale
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from okpay.errors import InvalidInput
from okpay.identity.client import ClientInfo
from okpay.identity.crypto import sha256_hex
from okpay.identity.emails import (
    notify_compromised,
    notify_email_change,
    notify_email_changed,
    notify_signup_repeated,
    notify_verify_email,
)
from okpay.identity.errors import EmailAlreadyVerified, EmailNotVerified, EmailTaken, TokenInvalid
from okpay.identity.models import (
    ApiToken,
    SecurityEventKind,
    SessionEndReason,
    StepUpGrant,
    TokenKind,
    TokenPurpose,
    UnknownEmailLockout,
    User,
    normalize_email,
)
from okpay.identity.services.email_tokens import (
    email_token_check,
    email_token_consume,
    email_token_issue,
    email_tokens_invalidate,
)
from okpay.identity.services.log import security_event_record
from okpay.identity.services.passwords import password_policy_enforce
from okpay.identity.services.ratelimit import rate_limit_hit
from okpay.identity.services.sessions import sessions_end_all
from okpay.identity.services.step_up import StepUpAction, step_up_require
from okpay.identity.services.tokens import audit_record, token_revoke

LANGUAGES = ("zh-hans", "en")
MAX_DISPLAY_NAME = 100


@cache
def country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes (babel's territory list, two letters only)."""
    codes = (str(code) for code in Locale("en").territories)
    return frozenset(code for code in codes if len(code) == 2 and code.isalpha())


@cache
def time_zones() -> tuple[str, ...]:
    return tuple(sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC"))


@dataclass(frozen=True)
class Profile:
    display_name: str
    phone: str
    country: str
    preferred_language: str
    time_zone: str


def email_validate(email: str, *, field: str = "email") -> str:
    email = normalize_email(email or "")
    try:
        validate_email(email)
    except ValidationError as exc:
        raise InvalidInput(
            _("Enter a valid e-mail address, such as name@example.com."),
            field=field,
            code="email_invalid",
        ) from exc
    return email


def phone_normalize(*, phone: str, country: str) -> str:
    """``phone`` in E.164 (``+8613812345678``); "" when empty. InvalidInput if not valid.

    A number without ``+`` is read as a national number of ``country`` (CN if none).
    """
    phone = (phone or "").strip()
    if not phone:
        return ""
    region = (country or "CN").upper()
    try:
        parsed = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput(
            _("Enter a valid phone number, for example +86 138 1234 5678."),
            field="phone",
            code="phone_invalid",
        ) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidInput(
            _("Enter a valid phone number, for example +86 138 1234 5678."),
            field="phone",
            code="phone_invalid",
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def profile_validate(
    *,
    display_name: str,
    phone: str,
    country: str,
    preferred_language: str,
    time_zone: str,
) -> Profile:
    display_name = " ".join((display_name or "").split())
    if not display_name:
        raise InvalidInput(_("Enter the name to show on your account."), field="display_name")
    if len(display_name) > MAX_DISPLAY_NAME:
        raise InvalidInput(_("Use at most 100 characters for your name."), field="display_name")
    country = (country or "").strip().upper()
    if country and country not in country_codes():
        raise InvalidInput(
            _("Choose a country from the list."), field="country", code="country_invalid"
        )
    language = (preferred_language or "").strip().lower()
    if language not in LANGUAGES:
        raise InvalidInput(_("Choose 简体中文 or English."), field="preferred_language")
    time_zone = (time_zone or "").strip() or settings.TIME_ZONE
    if time_zone not in time_zones():
        raise InvalidInput(_("Choose a time zone from the list."), field="time_zone")
    return Profile(
        display_name=display_name,
        phone=phone_normalize(phone=phone, country=country),
        country=country,
        preferred_language=language,
        time_zone=time_zone,
    )


def require_verified_email(*, user: User) -> None:
    """Raise EmailNotVerified unless ``user`` confirmed the e-mail address.

    Money-moving services call this first: unverified accounts may sign in but not pay.
    """
    if user.email_verified_at is None:
        raise EmailNotVerified()


def account_signup(
    *,
    email: str,
    password: str,
    display_name: str,
    client: ClientInfo,
    phone: str = "",
    country: str = "",
    preferred_language: str = "zh-hans",
    time_zone: str = "",
) -> User | None:
    """Create an account and e-mail a verification link (valid 24 hours).

    When the address already has an account, nothing is created: its owner gets an e-mail
    instead, and None is returned. Callers answer both cases the same way.
    """
    rate_limit_hit(
        scope="signup_ip",
        key=client.ip or "-",
        limit=int(settings.OKPAY_SIGNUP_PER_IP_PER_HOUR),
        window_seconds=3600,
        field="email",
    )
    email = email_validate(email)
    profile = profile_validate(
        display_name=display_name,
        phone=phone,
        country=country,
        preferred_language=preferred_language,
        time_zone=time_zone,
    )
    password_policy_enforce(password=password, email=email, display_name=profile.display_name)
    existing = User.objects.filter(email=email).first()
    if existing is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email,
                    password,
                    display_name=profile.display_name,
                    phone=profile.phone,
                    country=profile.country,
                    preferred_language=profile.preferred_language,
                    time_zone=profile.time_zone,
                )
                UnknownEmailLockout.objects.filter(
                    email_digest=sha256_hex(f"login:{email}")
                ).delete()
                issued = email_token_issue(
                    user=user, purpose=TokenPurpose.VERIFY_EMAIL, email=email
                )
                security_event_record(kind=SecurityEventKind.SIGNED_UP, user=user, client=client)
                audit_record(
                    action="identity.user_signed_up",
                    actor=user,
                    object_type="user",
                    object_id=str(user.pk),
                )
                notify_verify_email(user=user, issued=issued)
            return user
        except IntegrityError:
            existing = User.objects.filter(email=email).first()
            if existing is None:
                raise
    else:
        make_password(password)  # the same work as creating an account
    with transaction.atomic():
        issued_again = None
        if existing.is_active and existing.email_verified_at is None:
            issued_again = email_token_issue(
                user=existing, purpose=TokenPurpose.VERIFY_EMAIL, email=existing.email
            )
        security_event_record(kind=SecurityEventKind.SIGNUP_REPEATED, user=existing, client=client)
        if existing.is_active:
            notify_signup_repeated(user=existing, issued=issued_again)
    return None


def email_verification_resend(*, user: User, client: ClientInfo) -> None:
    """A new verification link (the older one stops working); rate-limited."""
    if user.email_verified_at is not None:
        raise EmailAlreadyVerified()
    rate_limit_hit(
        scope="verify_resend",
        key=str(user.pk),
        limit=int(settings.OKPAY_VERIFY_RESEND_PER_HOUR),
        window_seconds=3600,
    )
    with transaction.atomic():
        issued = email_token_issue(user=user, purpose=TokenPurpose.VERIFY_EMAIL, email=user.email)
        security_event_record(
            kind=SecurityEventKind.EMAIL_VERIFICATION_SENT, user=user, client=client
        )
        notify_verify_email(user=user, issued=issued)


def email_verify(*, secret: str, client: ClientInfo) -> User:
    """Confirm the address with the link's token (single use, 24 hours)."""
    token = email_token_check(secret=secret, purpose=TokenPurpose.VERIFY_EMAIL)
    user = token.user
    if token.email != user.email:
        raise TokenInvalid()
    with transaction.atomic():
        email_token_consume(token=token)
        if user.email_verified_at is None:
            user.email_verified_at = timezone.now()
            user.save(update_fields=["email_verified_at"])
        security_event_record(kind=SecurityEventKind.EMAIL_VERIFIED, user=user, client=client)
        audit_record(
            action="identity.email_verified",
            actor=user,
            object_type="user",
            object_id=str(user.pk),
            data={"email": user.email},
        )
    return user


def email_change_request(*, user: User, new_email: str, holder: str, client: ClientInfo) -> None:
    """Send a confirmation link to the new address (needs a fresh step-up)."""
    new_email = email_validate(new_email, field="new_email")
    if new_email == user.email:
        raise InvalidInput(_("This is already your e-mail address."), field="new_email")
    step_up_require(user=user, holder=holder, action=StepUpAction.CHANGE_EMAIL)
    rate_limit_hit(
        scope="email_change", key=str(user.pk), limit=5, window_seconds=3600, field="new_email"
    )
    if User.objects.filter(email=new_email).exists():
        raise EmailTaken(field="new_email")
    with transaction.atomic():
        issued = email_token_issue(user=user, purpose=TokenPurpose.EMAIL_CHANGE, email=new_email)
        security_event_record(
            kind=SecurityEventKind.EMAIL_CHANGE_REQUESTED,
            user=user,
            client=client,
            details={"new_email": new_email},
        )
        notify_email_change(user=user, issued=issued)


def email_change_confirm(*, secret: str, client: ClientInfo) -> User:
    """Switch to the new address from the link sent to it; the old address is told."""
    token = email_token_check(secret=secret, purpose=TokenPurpose.EMAIL_CHANGE)
    user = token.user
    new_email = token.email
    now = timezone.now()
    try:
        with transaction.atomic():
            email_token_consume(token=token)
            old_email = user.email
            user.email = new_email
            user.email_verified_at = now
            user.save(update_fields=["email", "email_verified_at"])
            email_tokens_invalidate(user=user, purpose=TokenPurpose.PASSWORD_RESET)
            email_tokens_invalidate(user=user, purpose=TokenPurpose.VERIFY_EMAIL)
            security_event_record(
                kind=SecurityEventKind.EMAIL_CHANGED,
                user=user,
                client=client,
                details={"old_email": old_email, "new_email": new_email},
            )
            audit_record(
                action="identity.email_changed",
                actor=user,
                object_type="user",
                object_id=str(user.pk),
                data={"old_email": old_email, "new_email": new_email},
            )
            notify_email_changed(user=user, old_email=old_email, new_email=new_email, when=now)
    except IntegrityError as exc:
        raise EmailTaken(field="new_email") from exc
    return user


def profile_update(
    *,
    user: User,
    display_name: str,
    phone: str,
    country: str,
    preferred_language: str,
    time_zone: str,
    client: ClientInfo,
) -> User:
    profile = profile_validate(
        display_name=display_name,
        phone=phone,
        country=country,
        preferred_language=preferred_language,
        time_zone=time_zone,
    )
    changed = [
        name
        for name in ("display_name", "phone", "country", "preferred_language", "time_zone")
        if getattr(user, name) != getattr(profile, name)
    ]
    if not changed:
        return user
    with transaction.atomic():
        for name in changed:
            setattr(user, name, getattr(profile, name))
        user.save(update_fields=changed)
        security_event_record(
            kind=SecurityEventKind.PROFILE_UPDATED,
            user=user,
            client=client,
            details={"fields": changed},
        )
    return user


def account_mark_compromised(*, user: User, actor: User | None, client: ClientInfo) -> None:
    """Operator action: end every session, revoke personal tokens, require a new password."""
    now = timezone.now()
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(must_change_password=True)
        user.must_change_password = True
        ended = sessions_end_all(user=user, reason=SessionEndReason.COMPROMISED)
        StepUpGrant.objects.filter(user=user).delete()
        revoked = 0
        for token in ApiToken.objects.filter(
            user=user, kind=TokenKind.PERSONAL, revoked_at__isnull=True
        ):
            token_revoke(token=token, actor=actor)
            revoked += 1
        security_event_record(
            kind=SecurityEventKind.MARKED_COMPROMISED,
            user=user,
            client=client,
            details={"sessions_ended": ended, "tokens_revoked": revoked},
        )
        audit_record(
            action="identity.account_marked_compromised",
            actor=actor,
            object_type="user",
            object_id=str(user.pk),
            data={"sessions_ended": ended, "tokens_revoked": revoked},
        )
        notify_compromised(user=user, when=now)

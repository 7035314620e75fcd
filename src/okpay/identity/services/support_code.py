"""Support verification codes: how an agent confirms who is on the phone or in the chat.

* The signed-in customer asks for a code (6 digits, valid 10 minutes) and reads it to the
  agent. A new code replaces the older unused ones; at most 5 codes an hour per customer.
* The agent (role agent, supervisor or operator) enters the customer's e-mail address (or
  account number) and the code. A code works once: the ``used_at IS NULL`` UPDATE lets
  exactly one of two racing verifications through.
* 5 wrong codes for one customer within 10 minutes block further tries for the rest of the
  window (``rate_limited``); each attempt reserves a slot first and a correct code gives
  it back, so racing guesses cannot exceed the limit.
* Only a keyed digest (HMAC with the server's key and the customer's id) is stored: a
  stolen table does not reveal the codes.
* Every code shown, confirmed or refused writes the customer's security log (without the
  agent's address or device); every verification attempt writes an audit row with the
  agent as actor.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import phonenumbers
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from okpay.errors import InvalidInput, PermissionDenied
from okpay.identity.client import ClientInfo
from okpay.identity.crypto import keyed_digest, keyed_digests
from okpay.identity.errors import SupportCodeExpired, SupportCodeInvalid
from okpay.identity.models import (
    SUPPORT_STAFF_ROLES,
    SecurityEventKind,
    SupportChannel,
    SupportVerificationCode,
    User,
    normalize_email,
)
from okpay.identity.services.log import security_event_record
from okpay.identity.services.ratelimit import rate_limit_hit, rate_limit_release
from okpay.identity.services.tokens import audit_record

CODE_LIFETIME = timedelta(minutes=10)
CODE_DIGITS = 6
DIGEST_PURPOSE = "support-code"
ISSUE_SCOPE = "support_code_issue"
ISSUE_LIMIT = 5
ISSUE_WINDOW_SECONDS = 3600
VERIFY_SCOPE = "support_code_verify"
VERIFY_FAILURE_LIMIT = 5
VERIFY_WINDOW_SECONDS = 600
_CODE = re.compile(r"^\d{6}$")
_CODE_SEPARATORS = re.compile(r"[\s\-]")


@dataclass(frozen=True)
class IssuedSupportCode:
    code: str  # shown to the customer once, never stored
    expires_at: datetime

    @property
    def grouped(self) -> str:
        """``123 456``: easier to read out."""
        return f"{self.code[:3]} {self.code[3:]}"


@dataclass(frozen=True)
class VerifiedCustomer:
    """What the agent sees once the code matched: enough to greet, never the full data."""

    user_id: int
    display_name: str
    email_masked: str
    phone_masked: str
    verified_at: datetime
    channel: SupportChannel


def is_support_staff(user: Any) -> bool:
    """An active, signed-in agent, supervisor or operator (anonymous visitors are not)."""
    return (
        isinstance(user, User)
        and user.is_authenticated
        and user.is_active
        and user.role in SUPPORT_STAFF_ROLES
    )


def _digest(user_id: int, code: str) -> str:
    return keyed_digest(f"{user_id}:{code}", purpose=DIGEST_PURPOSE)


def mask_email(email: str) -> str:
    """``alice@example.com`` → ``a***e@example.com``."""
    local, _at, domain = email.partition("@")
    shown = local[:1] + "***" if len(local) <= 2 else f"{local[0]}***{local[-1]}"
    return f"{shown}@{domain}" if domain else shown


def mask_phone(phone: str) -> str:
    """``+8613812345678`` → ``+86 *******5678``; "" when there is no phone."""
    if not phone:
        return ""
    try:
        parsed = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return "*" * max(0, len(phone) - 4) + phone[-4:]
    national = str(parsed.national_number)
    return f"+{parsed.country_code} " + "*" * max(0, len(national) - 4) + national[-4:]


def support_code_issue(*, user: User, client: ClientInfo | None = None) -> IssuedSupportCode:
    """A new code for ``user``; older unused codes stop working. ``rate_limited`` after 5
    codes within the hour."""
    rate_limit_hit(
        scope=ISSUE_SCOPE, key=str(user.pk), limit=ISSUE_LIMIT, window_seconds=ISSUE_WINDOW_SECONDS
    )
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    now = timezone.now()
    expires_at = now + CODE_LIFETIME
    with transaction.atomic():
        SupportVerificationCode.objects.filter(
            user=user, used_at__isnull=True, invalidated_at__isnull=True
        ).update(invalidated_at=now)
        row = SupportVerificationCode.objects.create(
            user=user, digest=_digest(user.pk, code), created_at=now, expires_at=expires_at
        )
        security_event_record(
            kind=SecurityEventKind.SUPPORT_CODE_ISSUED,
            user=user,
            client=client,
            details={"expires_at": expires_at.isoformat()},
        )
        audit_record(
            action="support_code.issued",
            actor=user,
            object_type="support_code",
            object_id=str(row.pk),
            data={"expires_at": expires_at.isoformat()},
        )
    return IssuedSupportCode(code=code, expires_at=expires_at)


def _find_customer(value: str) -> User | None:
    value = value.strip()
    users = User.objects.filter(is_active=True)
    if value.isdigit():
        return users.filter(pk=int(value)).first()
    if "@" in value:
        return users.filter(email__iexact=normalize_email(value)).first()
    return None


def _channel(value: str) -> SupportChannel:
    try:
        return SupportChannel(value)
    except ValueError:
        raise InvalidInput(
            _("Choose where you are talking to the customer: phone or live chat."),
            field="channel",
        ) from None


def _refuse(
    *,
    agent: User,
    customer: User | None,
    channel: SupportChannel,
    reason: str,
) -> None:
    with transaction.atomic():
        if customer is not None:
            security_event_record(
                kind=SecurityEventKind.SUPPORT_CODE_FAILED,
                user=customer,
                details={"reason": reason, "channel": channel.value},
            )
        audit_record(
            action="support_code.verify_failed",
            actor=agent,
            object_type="user",
            object_id=str(customer.pk) if customer is not None else "",
            data={"reason": reason, "channel": channel.value},
        )


def support_code_verify(
    *,
    agent: User,
    customer_email_or_id: str,
    code: str,
    channel: str,
) -> VerifiedCustomer:
    """Confirm that the caller is the customer: the code they read out must be their
    current one. Errors: ``permission_denied`` (not support staff), ``invalid_input``
    (channel), ``rate_limited``, ``support_code_expired``, ``support_code_invalid``."""
    if not is_support_staff(agent):
        raise PermissionDenied(_("Only OKpay support staff can verify customers."))
    chosen = _channel(channel)
    customer = _find_customer(customer_email_or_id)
    limit_key = (
        str(customer.pk)
        if customer is not None
        else "unknown:" + normalize_email(customer_email_or_id)[:200]
    )
    rate_limit_hit(
        scope=VERIFY_SCOPE,
        key=limit_key,
        limit=VERIFY_FAILURE_LIMIT,
        window_seconds=VERIFY_WINDOW_SECONDS,
        field="code",
    )
    entered = _CODE_SEPARATORS.sub("", code)
    now = timezone.now()
    row = None
    if customer is not None and _CODE.match(entered):
        row = (
            SupportVerificationCode.objects.filter(
                user=customer,
                digest__in=keyed_digests(f"{customer.pk}:{entered}", purpose=DIGEST_PURPOSE),
                used_at__isnull=True,
                invalidated_at__isnull=True,
            )
            .order_by("-created_at")
            .first()
        )
    if row is not None and row.expires_at <= now:
        _refuse(agent=agent, customer=customer, channel=chosen, reason="support_code_expired")
        raise SupportCodeExpired(field="code")
    if row is None or customer is None:
        _refuse(agent=agent, customer=customer, channel=chosen, reason="support_code_invalid")
        raise SupportCodeInvalid(field="code")

    with transaction.atomic():
        used = SupportVerificationCode.objects.filter(
            pk=row.pk, used_at__isnull=True, invalidated_at__isnull=True, expires_at__gt=now
        ).update(used_at=now, verified_by=agent, channel=chosen.value)
        if used:
            security_event_record(
                kind=SecurityEventKind.SUPPORT_CODE_VERIFIED,
                user=customer,
                details={"channel": chosen.value},
            )
            audit_record(
                action="support_code.verified",
                actor=agent,
                object_type="user",
                object_id=str(customer.pk),
                data={"support_code": row.pk, "channel": chosen.value},
            )
    if not used:  # another verification took it a moment ago
        _refuse(agent=agent, customer=customer, channel=chosen, reason="support_code_invalid")
        raise SupportCodeInvalid(field="code")
    rate_limit_release(scope=VERIFY_SCOPE, key=limit_key, window_seconds=VERIFY_WINDOW_SECONDS)
    return VerifiedCustomer(
        user_id=customer.pk,
        display_name=customer.display_name,
        email_masked=mask_email(customer.email),
        phone_masked=mask_phone(customer.phone),
        verified_at=now,
        channel=chosen,
    )

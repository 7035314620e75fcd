"""Two-factor authentication: TOTP (RFC 6238) with recovery codes.

* Codes are 6 digits, 30-second steps, accepted one step early or late (±1).
* Each time step is accepted once: the device remembers the last accepted step and a code
  for that step or an earlier one is refused as a replay (and logged).
* The secret is sealed (encrypted and authenticated, see ``okpay.identity.crypto``) and
  shown only while the enrolment is unconfirmed.
* 10 recovery codes, shown once, stored as keyed digests, each usable once.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

import pyotp
import segno
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from okpay.identity.client import ClientInfo
from okpay.identity.crypto import keyed_digest, keyed_digests, seal, unseal
from okpay.identity.emails import notify_two_factor_changed
from okpay.identity.errors import (
    PasswordIncorrect,
    TotpAlreadyEnabled,
    TotpEnrolmentMissing,
    TotpInvalid,
    TotpNotEnabled,
    TotpReplayed,
)
from okpay.identity.models import RecoveryCode, SecurityEventKind, StepUpGrant, TotpDevice, User
from okpay.identity.selectors import totp_enabled
from okpay.identity.services.lockout import password_matches
from okpay.identity.services.log import security_event_record
from okpay.identity.services.ratelimit import rate_limit_hit
from okpay.identity.services.tokens import audit_record

ISSUER = "OKpay"
SECRET_PURPOSE = "totp-secret"  # noqa: S105 - a key-derivation label
RECOVERY_PURPOSE = "recovery-code"
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
RECOVERY_HALF = 5
PENDING_ENROLMENT_REUSE = timedelta(hours=1)
TOTP_CODE = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class TotpEnrolment:
    secret: str
    uri: str
    qr_svg: str

    @property
    def key_groups(self) -> str:
        """The manual key in groups of four, easier to type."""
        return " ".join(self.secret[i : i + 4] for i in range(0, len(self.secret), 4))


def _enrolment(*, user: User, secret: str) -> TotpEnrolment:
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    qr = segno.make(uri, error="m")
    svg = qr.svg_inline(
        scale=5, dark="#172033", light="#ffffff", title=f"{ISSUER}: {quote(user.email)}"
    )
    return TotpEnrolment(secret=secret, uri=uri, qr_svg=svg)


def _second_factor_throttle(*, user: User, field: str = "code") -> None:
    rate_limit_hit(
        scope="second_factor",
        key=str(user.pk),
        limit=int(settings.OKPAY_SECOND_FACTOR_ATTEMPTS),
        window_seconds=int(settings.OKPAY_SECOND_FACTOR_WINDOW_SECONDS),
        field=field,
    )


def _totp_accept(*, device: TotpDevice, code: str, field: str) -> int:
    """The time step ``code`` belongs to, now marked used. Raises TotpInvalid/TotpReplayed."""
    if not TOTP_CODE.match(code):
        raise TotpInvalid(field=field)
    totp = pyotp.TOTP(unseal(device.secret, purpose=SECRET_PURPOSE))
    current = totp.timecode(int(timezone.now().timestamp()))
    matched: int | None = None
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            matched = step
    if matched is None:
        raise TotpInvalid(field=field)
    if device.last_used_step is not None and matched <= device.last_used_step:
        raise TotpReplayed(field=field)
    accepted = (
        TotpDevice.objects.filter(pk=device.pk)
        .filter(Q(last_used_step__isnull=True) | Q(last_used_step__lt=matched))
        .update(last_used_step=matched)
    )
    if not accepted:
        raise TotpReplayed(field=field)
    device.last_used_step = matched
    return matched


def normalize_recovery_code(code: str) -> str:
    return re.sub(r"[^a-z0-9]", "", code.strip().lower())


def _new_recovery_code() -> str:
    chars = [secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_HALF * 2)]
    return "".join(chars[:RECOVERY_HALF]) + "-" + "".join(chars[RECOVERY_HALF:])


def _recovery_codes_replace(*, user: User) -> list[str]:
    """Delete every recovery code of ``user`` and make 10 new ones (inside a transaction)."""
    RecoveryCode.objects.filter(user=user).delete()
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    now = timezone.now()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(
            user=user,
            digest=keyed_digest(normalize_recovery_code(code), purpose=RECOVERY_PURPOSE),
            created_at=now,
        )
        for code in codes
    )
    return codes


def second_factor_verify(*, user: User, code: str, client: ClientInfo, field: str = "code") -> str:
    """Check a TOTP code or a recovery code of ``user``; return "totp" or "recovery_code".

    Wrong and replayed codes are logged and raise TotpInvalid / TotpReplayed.
    """
    code = (code or "").strip().replace(" ", "")
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        raise TotpNotEnabled(field=field)
    if TOTP_CODE.match(code):
        try:
            _totp_accept(device=device, code=code, field=field)
        except TotpReplayed:
            security_event_record(kind=SecurityEventKind.TOTP_REPLAYED, user=user, client=client)
            raise
        except TotpInvalid:
            security_event_record(
                kind=SecurityEventKind.TOTP_FAILED,
                user=user,
                client=client,
                details={"with": "totp"},
            )
            raise
        return "totp"
    normalized = normalize_recovery_code(code)
    with transaction.atomic():
        used = 0
        if len(normalized) == RECOVERY_HALF * 2:
            used = RecoveryCode.objects.filter(
                user=user,
                digest__in=keyed_digests(normalized, purpose=RECOVERY_PURPOSE),
                used_at__isnull=True,
            ).update(used_at=timezone.now())
        if used:
            left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
            security_event_record(
                kind=SecurityEventKind.RECOVERY_CODE_USED,
                user=user,
                client=client,
                details={"remaining": left},
            )
            return "recovery_code"
        security_event_record(
            kind=SecurityEventKind.TOTP_FAILED,
            user=user,
            client=client,
            details={"with": "recovery_code"},
        )
    raise TotpInvalid(field=field)


def totp_enrolment_pending(*, user: User) -> TotpEnrolment | None:
    """The unconfirmed enrolment of ``user`` (to show the same QR code again), if any."""
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=True).first()
    if device is None or device.created_at < timezone.now() - PENDING_ENROLMENT_REUSE:
        return None
    return _enrolment(user=user, secret=unseal(device.secret, purpose=SECRET_PURPOSE))


def totp_enroll_begin(*, user: User) -> TotpEnrolment:
    """Start (or show again) the set-up: a new secret, its QR code and manual key."""
    if totp_enabled(user=user):
        raise TotpAlreadyEnabled()
    pending = totp_enrolment_pending(user=user)
    if pending is not None:
        return pending
    secret = pyotp.random_base32()
    with transaction.atomic():
        TotpDevice.objects.filter(user=user, confirmed_at__isnull=True).delete()
        TotpDevice.objects.create(
            user=user, secret=seal(secret, purpose=SECRET_PURPOSE), created_at=timezone.now()
        )
    return _enrolment(user=user, secret=secret)


def totp_enroll_confirm(*, user: User, code: str, client: ClientInfo) -> list[str]:
    """Turn 2FA on with a first code; return the 10 recovery codes (shown once)."""
    if totp_enabled(user=user):
        raise TotpAlreadyEnabled()
    _second_factor_throttle(user=user)
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=True).first()
    if device is None:
        raise TotpEnrolmentMissing()
    step = _totp_accept(device=device, code=(code or "").strip().replace(" ", ""), field="code")
    now = timezone.now()
    with transaction.atomic():
        confirmed = TotpDevice.objects.filter(pk=device.pk, confirmed_at__isnull=True).update(
            confirmed_at=now, last_used_step=step
        )
        if not confirmed:
            raise TotpAlreadyEnabled()
        codes = _recovery_codes_replace(user=user)
        security_event_record(kind=SecurityEventKind.TOTP_ENABLED, user=user, client=client)
        audit_record(
            action="identity.totp_enabled", actor=user, object_type="user", object_id=str(user.pk)
        )
        notify_two_factor_changed(user=user, change="enabled", client=client, when=now)
    return codes


def totp_disable(*, user: User, password: str, code: str, client: ClientInfo) -> None:
    """Turn 2FA off: needs the password and a current code (or a recovery code)."""
    if not totp_enabled(user=user):
        raise TotpNotEnabled()
    _second_factor_throttle(user=user, field="password")
    if not password_matches(user=user, password=password):
        security_event_record(
            kind=SecurityEventKind.STEP_UP_FAILED,
            user=user,
            client=client,
            details={"action": "disable_2fa", "with": "password"},
        )
        raise PasswordIncorrect(field="password")
    second_factor_verify(user=user, code=code, client=client)
    now = timezone.now()
    with transaction.atomic():
        TotpDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        StepUpGrant.objects.filter(user=user).delete()
        security_event_record(kind=SecurityEventKind.TOTP_DISABLED, user=user, client=client)
        audit_record(
            action="identity.totp_disabled", actor=user, object_type="user", object_id=str(user.pk)
        )
        notify_two_factor_changed(user=user, change="disabled", client=client, when=now)


def recovery_codes_regenerate(*, user: User, holder: str, client: ClientInfo) -> list[str]:
    """Replace every recovery code (needs a fresh step-up); return the new ones."""
    # step_up needs second_factor_verify from this module, so it is imported here.
    from okpay.identity.services.step_up import StepUpAction, step_up_require

    if not totp_enabled(user=user):
        raise TotpNotEnabled()
    step_up_require(user=user, holder=holder, action=StepUpAction.REGENERATE_RECOVERY_CODES)
    now = timezone.now()
    with transaction.atomic():
        codes = _recovery_codes_replace(user=user)
        security_event_record(
            kind=SecurityEventKind.RECOVERY_CODES_REGENERATED, user=user, client=client
        )
        audit_record(
            action="identity.recovery_codes_regenerated",
            actor=user,
            object_type="user",
            object_id=str(user.pk),
        )
        notify_two_factor_changed(user=user, change="codes", client=client, when=now)
    return codes

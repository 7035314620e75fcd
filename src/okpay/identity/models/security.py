"""Sign-in security state: e-mailed tokens, 2FA, sessions, devices, throttles and the log."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from okpay.identity.models.users import User


class TokenPurpose(models.TextChoices):
    VERIFY_EMAIL = "verify_email", _("E-mail verification")
    PASSWORD_RESET = "password_reset", _("Password reset")
    EMAIL_CHANGE = "email_change", _("E-mail change")


class EmailToken(models.Model):
    """A single-use secret sent in a link. Only its SHA-256 digest is stored.

    A token is usable while ``used_at`` and ``invalidated_at`` are empty and ``expires_at``
    lies ahead. Issuing a new token for the same purpose invalidates the older ones.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_tokens")
    purpose = models.CharField(_("purpose"), max_length=20, choices=TokenPurpose.choices)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    email = models.EmailField(_("sent to"), max_length=254)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    invalidated_at = models.DateTimeField(_("invalidated"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mailed token")
        verbose_name_plural = _("e-mailed tokens")
        indexes: ClassVar = [
            models.Index(fields=["user", "purpose"], name="identity_emailtoken_user")
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(purpose__in=[p.value for p in TokenPurpose]),
                name="identity_emailtoken_purpose_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} for {self.email}"


class TotpDevice(models.Model):
    """A user's authenticator app (RFC 6238). One per user.

    ``secret`` is sealed with ``okpay.identity.crypto`` (encrypted and authenticated with a
    key derived from the server's secret), never stored or shown in the clear after the
    user confirmed the enrolment. ``last_used_step`` is the 30-second time step of the last
    accepted code: a code for that step or an earlier one is refused as a replay.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret = models.TextField(editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("enabled"), null=True, blank=True)
    last_used_step = models.BigIntegerField(_("last used time step"), null=True, blank=True)

    class Meta:
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")

    def __str__(self) -> str:
        return f"TOTP for {self.user}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class RecoveryCode(models.Model):
    """A single-use 2FA recovery code; only a keyed digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"recovery code #{self.pk} of {self.user}"


class SessionEndReason(models.TextChoices):
    SIGNED_OUT = "signed_out", _("Signed out")
    ENDED_BY_USER = "ended_by_user", _("Ended from the devices page")
    IDLE = "idle", _("No activity for too long")
    EXPIRED = "expired", _("Reached the maximum session length")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PASSWORD_RESET = "password_reset", _("Password reset")
    COMPROMISED = "compromised", _("Account marked compromised")
    GONE = "gone", _("Session no longer exists")


class UserSession(models.Model):
    """One signed-in browser or app session, shown on the devices page."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="user_sessions")
    session_key = models.CharField(max_length=40, unique=True, editable=False)
    created_at = models.DateTimeField(_("signed in"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    end_reason = models.CharField(
        _("end reason"), max_length=20, choices=SessionEndReason.choices, blank=True
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=512, blank=True)
    browser = models.CharField(_("browser"), max_length=64, blank=True)
    os = models.CharField(_("operating system"), max_length=64, blank=True)
    device_fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        indexes: ClassVar = [
            models.Index(fields=["user", "ended_at"], name="identity_usersession_active"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.browser} on {self.os}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class KnownDevice(models.Model):
    """A browser + operating system + network prefix this user has signed in from."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="known_devices")
    fingerprint = models.CharField(max_length=64, editable=False)
    label = models.CharField(_("device"), max_length=160, blank=True)
    first_seen_at = models.DateTimeField(_("first seen"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        verbose_name = _("known device")
        verbose_name_plural = _("known devices")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["user", "fingerprint"], name="identity_knowndevice_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.label}"


class StepUpGrant(models.Model):
    """A recent re-authentication of one session or API token ("holder")."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    holder = models.CharField(max_length=80)
    method = models.CharField(max_length=16)
    verified_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("step-up confirmation")
        verbose_name_plural = _("step-up confirmations")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["user", "holder"], name="identity_stepup_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.holder} {self.verified_at:%H:%M:%S}"


class RateLimitCounter(models.Model):
    """Hits of one key in one fixed window; raised with a conditional UPDATE."""

    scope = models.CharField(max_length=32)
    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("rate-limit counter")
        verbose_name_plural = _("rate-limit counters")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["scope", "key", "window_start"], name="identity_ratelimit_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key[:8]} {self.window_start:%Y-%m-%d %H:%M} = {self.count}"


class UnknownEmailLockout(models.Model):
    """Failed sign-ins for an e-mail address that has no account.

    Kept exactly like an account's counter so that an unregistered address also answers
    "locked" after the same number of failures: the answers never tell who is registered.
    """

    email_digest = models.CharField(max_length=64, unique=True)
    failed_count = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("unknown e-mail lockout")
        verbose_name_plural = _("unknown e-mail lockouts")

    def __str__(self) -> str:
        return f"{self.email_digest[:12]}… {self.failed_count}"


class SecurityEventKind(models.TextChoices):
    SIGNED_UP = "signed_up", _("Account created")
    SIGNUP_REPEATED = "signup_repeated", _("Sign-up tried with this e-mail")
    EMAIL_VERIFICATION_SENT = "email_verification_sent", _("Verification e-mail sent")
    EMAIL_VERIFIED = "email_verified", _("E-mail address verified")
    EMAIL_CHANGE_REQUESTED = "email_change_requested", _("E-mail change requested")
    EMAIL_CHANGED = "email_changed", _("E-mail address changed")
    PROFILE_UPDATED = "profile_updated", _("Profile updated")
    LOGIN_SUCCEEDED = "login_succeeded", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Sign-in failed")
    LOGIN_THROTTLED = "login_throttled", _("Sign-in throttled")
    NEW_DEVICE = "new_device", _("Sign-in from a new device")
    ACCOUNT_LOCKED = "account_locked", _("Account locked")
    ACCOUNT_UNLOCKED = "account_unlocked", _("Account unlocked")
    MARKED_COMPROMISED = "marked_compromised", _("Account marked compromised")
    PASSWORD_RESET_REQUESTED = "password_reset_requested", _("Password reset requested")
    PASSWORD_RESET_COMPLETED = "password_reset_completed", _("Password reset")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    TOTP_ENABLED = "totp_enabled", _("Two-factor authentication turned on")
    TOTP_DISABLED = "totp_disabled", _("Two-factor authentication turned off")
    TOTP_FAILED = "totp_failed", _("Wrong two-factor code")
    TOTP_REPLAYED = "totp_replayed", _("Two-factor code used twice")
    RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
    RECOVERY_CODES_REGENERATED = "recovery_codes_regenerated", _("New recovery codes made")
    STEP_UP_PASSED = "step_up_passed", _("Identity confirmed")
    STEP_UP_FAILED = "step_up_failed", _("Identity confirmation failed")
    TOKEN_CREATED = "token_created", _("API token created")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    SESSION_ENDED = "session_ended", _("Session ended")
    SUPPORT_CODE_ISSUED = "support_code_issued", _("Support verification code shown")
    SUPPORT_CODE_VERIFIED = "support_code_verified", _("Identity confirmed to OKpay support")
    SUPPORT_CODE_FAILED = "support_code_failed", _("Wrong support verification code entered")


class SecurityEvent(models.Model):
    """One line of a user's security log, written in the transaction of the change."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="security_events"
    )
    kind = models.CharField(_("event"), max_length=40, choices=SecurityEventKind.choices)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("device"), max_length=160, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ("-created_at", "-id")
        indexes: ClassVar = [
            models.Index(fields=["user", "-created_at"], name="identity_secevent_user"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.kind} {self.user or '-'}"

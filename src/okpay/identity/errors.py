"""Failures of sign-up, sign-in and account security, each with a stable ``code``.

Pages show ``message`` beside ``field``; the API answers ``{"error": {...}}`` with the
``details`` listed here (e.g. ``locked_until`` or the password ``reasons``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from okpay.errors import OkpayError


class InvalidCredentials(OkpayError):
    code = "invalid_credentials"
    http_status = 401
    default_message = _(
        "The e-mail address or password is not correct. Check them and try again, "
        "or reset your password."
    )


class AccountLocked(OkpayError):
    """Too many failed sign-ins. ``locked_until`` is an ISO 8601 time in the details."""

    code = "account_locked"
    http_status = 423

    def __init__(self, *, locked_until: datetime) -> None:
        local = timezone.localtime(locked_until)
        message = gettext(
            "Too many failed sign-ins: this account is locked until %(time)s (%(zone)s). "
            "Try again after that time, or reset your password with “Forgot password”."
        ) % {"time": local.strftime("%H:%M"), "zone": local.strftime("UTC%z")}
        super().__init__(message, locked_until=locked_until.isoformat())
        self.locked_until = locked_until


class RateLimited(OkpayError):
    code = "rate_limited"
    http_status = 429
    retryable = True

    def __init__(self, *, retry_after: int, field: str | None = None) -> None:
        retry_after = max(1, retry_after)
        if retry_after >= 120:
            message = gettext(
                "Too many attempts. Nothing was changed; please wait %(minutes)d minutes "
                "and try again."
            ) % {"minutes": (retry_after + 59) // 60}
        else:
            message = gettext(
                "Too many attempts. Nothing was changed; please wait %(seconds)d seconds "
                "and try again."
            ) % {"seconds": retry_after}
        super().__init__(message, field=field, retry_after=retry_after)
        self.retry_after = retry_after


class TokenInvalid(OkpayError):
    code = "token_invalid"
    http_status = 400
    default_message = _(
        "This link is not valid: it was already used, or a newer link replaced it. "
        "Request a new one."
    )


class TokenExpired(OkpayError):
    code = "token_expired"
    http_status = 400
    default_message = _("This link has expired. Request a new one.")


class TotpInvalid(OkpayError):
    code = "totp_invalid"
    http_status = 400
    default_message = _(
        "The code is not correct. Enter the current 6-digit code from your authenticator "
        "app, or one of your recovery codes."
    )


class TotpReplayed(OkpayError):
    code = "totp_replayed"
    http_status = 400
    default_message = _(
        "This code was already used. Wait for the next code in your authenticator app "
        "and enter that one."
    )


class TotpRequired(OkpayError):
    code = "totp_required"
    http_status = 400
    default_message = _(
        "Two-factor authentication is on for this account: enter a code from your "
        "authenticator app or a recovery code."
    )


class TotpAlreadyEnabled(OkpayError):
    code = "totp_already_enabled"
    http_status = 409
    default_message = _("Two-factor authentication is already on.")


class TotpNotEnabled(OkpayError):
    code = "totp_not_enabled"
    http_status = 409
    default_message = _("Two-factor authentication is not on for this account.")


class TotpEnrolmentMissing(OkpayError):
    code = "totp_enrolment_missing"
    http_status = 409
    default_message = _("Start the set-up again: scan the new QR code, then enter a code.")


class StepUpRequired(OkpayError):
    """The action needs a fresh confirmation (``method``: ``totp`` or ``password``)."""

    code = "step_up_required"
    http_status = 403

    def __init__(self, *, action: str, method: str) -> None:
        if method == "totp":
            message = gettext(
                "For your security, confirm it is you with a code from your authenticator "
                "app, then try again."
            )
        else:
            message = gettext(
                "For your security, confirm it is you with your password, then try again."
            )
        super().__init__(message, action=action, method=method)
        self.action = action
        self.method = method


class EmailNotVerified(OkpayError):
    code = "email_not_verified"
    http_status = 403
    default_message = _(
        "Confirm your e-mail address before moving money: open the link we sent you, "
        "or send a new one from your account page."
    )


class EmailAlreadyVerified(OkpayError):
    code = "email_already_verified"
    http_status = 409
    default_message = _("Your e-mail address is already confirmed.")


class EmailTaken(OkpayError):
    code = "email_taken"
    http_status = 409
    default_message = _("Another account uses this e-mail address. Choose a different one.")


class PasswordIncorrect(OkpayError):
    code = "password_incorrect"
    http_status = 400
    default_message = _("The password is not correct.")


class LoginExpired(OkpayError):
    code = "login_expired"
    http_status = 400
    default_message = _("The sign-in took too long. Please sign in again.")


class PasswordTooWeak(OkpayError):
    """The new password breaks the policy; ``reasons`` lists every rule it breaks."""

    code = "password_too_weak"
    http_status = 400

    def __init__(self, *, reasons: list[dict[str, Any]], field: str = "password") -> None:
        message = " ".join(str(r["message"]) for r in reasons)
        super().__init__(message, field=field, reasons=reasons)
        self.reasons = reasons


class TooManyTokens(OkpayError):
    code = "too_many_tokens"
    http_status = 409
    default_message = _("You have reached the limit of active API tokens. Revoke one first.")


class JsonRequired(OkpayError):
    code = "json_required"
    http_status = 415
    default_message = _("Send the request body as JSON with Content-Type: application/json.")


class SupportCodeInvalid(OkpayError):
    code = "support_code_invalid"
    http_status = 400
    default_message = _(
        "This code does not match the customer, or it was already used or replaced by a newer "
        "one. Check the e-mail address and the code, or ask the customer for a new code."
    )


class SupportCodeExpired(OkpayError):
    code = "support_code_expired"
    http_status = 400
    default_message = _(
        "This code has expired (codes are valid for 10 minutes). Ask the customer to open "
        "“Support verification code” in their account for a new one."
    )

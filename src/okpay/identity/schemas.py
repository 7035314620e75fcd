"""Request and response bodies of the customer auth API (/api/v1/auth)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field


class StrictIn(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetailOut(Schema):
    code: str = Field(description="Stable machine-readable code, e.g. invalid_credentials.")
    message: str = Field(description="What happened and what to do next, in the reader's language.")
    field: str | None = Field(description="The input at fault, if any.")
    details: dict[str, Any] | None = Field(
        None,
        description=(
            "Extra facts: locked_until (account_locked), retry_after seconds (rate_limited), "
            "reasons (password_too_weak), action and method (step_up_required)."
        ),
    )


class ErrorOut(Schema):
    error: ErrorDetailOut


class StatusOut(Schema):
    status: str


class SignupIn(StrictIn):
    email: str = Field(max_length=254)
    password: str = Field(max_length=200)
    display_name: str = Field(max_length=100)
    phone: str = Field("", max_length=32, description="Optional; stored in E.164.")
    country: str = Field("", max_length=2, description="ISO 3166-1 alpha-2, optional.")
    preferred_language: str = Field("zh-hans", description="zh-hans or en.")
    time_zone: str = Field("Asia/Shanghai", max_length=64, description="IANA time zone.")


class LoginIn(StrictIn):
    email: str = Field(max_length=254)
    password: str = Field(max_length=200)


class CodeIn(StrictIn):
    code: str = Field(max_length=32, description="A 6-digit TOTP code or a recovery code.")


class NewPasswordIn(StrictIn):
    new_password: str = Field(max_length=200)


class MeOut(Schema):
    id: int
    email: str
    email_verified: bool
    display_name: str
    phone: str
    country: str
    preferred_language: str
    time_zone: str
    role: str
    two_factor_enabled: bool
    password_changed_at: datetime | None
    password_reminder_due: bool


class LoginOut(Schema):
    status: str = Field(description="signed_in, totp_required or new_password_required.")
    user: MeOut | None = None
    csrf_token: str | None = Field(
        None, description="Send it as X-CSRFToken with session-authenticated writes."
    )


class ProfileIn(StrictIn):
    display_name: str = Field(max_length=100)
    phone: str = Field("", max_length=32)
    country: str = Field("", max_length=2)
    preferred_language: str
    time_zone: str = Field(max_length=64)


class TokenIn(StrictIn):
    token: str = Field(max_length=100, description="The token from the e-mailed link.")


class EmailIn(StrictIn):
    email: str = Field(max_length=254)


class EmailChangeIn(StrictIn):
    new_email: str = Field(max_length=254)


class PasswordResetIn(StrictIn):
    token: str = Field(max_length=100)
    new_password: str = Field(max_length=200)
    code: str = Field("", max_length=32, description="Required when 2FA is on.")


class PasswordChangeIn(StrictIn):
    current_password: str = Field(max_length=200)
    new_password: str = Field(max_length=200)


class PasswordCheckIn(StrictIn):
    password: str = Field(max_length=200)
    email: str = Field("", max_length=254)
    display_name: str = Field("", max_length=100)


class PasswordReasonOut(Schema):
    code: str
    message: str


class PasswordCheckOut(Schema):
    score: int = Field(description="zxcvbn score 0–4; 3 or more is required.")
    ok: bool
    reasons: list[PasswordReasonOut]


class SessionsEndedOut(Schema):
    sessions_ended: int


class TwoFactorOut(Schema):
    enabled: bool
    recovery_codes_left: int


class EnrolmentOut(Schema):
    secret: str = Field(description="Base32 key, shown only until the enrolment is confirmed.")
    otpauth_uri: str
    qr_svg: str


class RecoveryCodesOut(Schema):
    recovery_codes: list[str] = Field(description="Shown once; each works once.")


class TwoFactorDisableIn(StrictIn):
    password: str = Field(max_length=200)
    code: str = Field(max_length=32)


class StepUpIn(StrictIn):
    code: str = Field("", max_length=32, description="When 2FA is on.")
    password: str = Field("", max_length=200, description="When 2FA is off.")
    action: str = Field("", max_length=40, description="What the confirmation is for (logged).")


class StepUpOut(Schema):
    method: str
    valid_until: datetime


class SessionOut(Schema):
    id: int
    browser: str
    os: str
    ip: str | None
    created_at: datetime
    last_seen_at: datetime
    current: bool


class EndedOut(Schema):
    ended: int


class ApiTokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiTokenCreateIn(StrictIn):
    name: str = Field(max_length=100)
    expires_in_days: int = Field(90, description="7, 30, 90 or 365.")


class ApiTokenCreatedOut(ApiTokenOut):
    secret: str = Field(description="Shown only in this answer; only a digest is stored.")


class SecurityEventOut(Schema):
    id: int
    kind: str
    label: str
    ip: str | None
    device: str
    details: dict[str, Any]
    created_at: datetime


class SupportCodeOut(Schema):
    code: str = Field(description="6 digits to read to the support agent; shown only now.")
    expires_at: datetime = Field(description="The code stops working at this time (10 minutes).")


class SupportCodeVerifyIn(StrictIn):
    customer: str = Field(
        max_length=254, description="The customer's e-mail address or account number."
    )
    code: str = Field(max_length=32, description="The 6 digits the customer read out.")
    channel: Literal["phone", "chat"] = Field(description="Where the agent talks to them.")


class VerifiedCustomerOut(Schema):
    user_id: int
    display_name: str
    email_masked: str = Field(description="e.g. a***e@example.com")
    phone_masked: str = Field(description='e.g. "+86 *******5678"; empty when none is set.')
    verified_at: datetime
    channel: str

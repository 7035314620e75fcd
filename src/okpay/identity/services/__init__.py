"""Writes for identity. Every public service is importable from here.

Modules: ``tokens`` (API tokens, audit rows), ``accounts`` (sign-up, e-mail, profile,
operator actions), ``login``, ``lockout``, ``passwords``, ``two_factor``, ``step_up``,
``sessions``, ``personal_tokens``, ``email_tokens``, ``ratelimit``, ``log``, ``maintenance``,
``support_code``.
"""

from okpay.identity.services.accounts import (
    account_mark_compromised,
    account_signup,
    email_change_confirm,
    email_change_request,
    email_verification_resend,
    email_verify,
    phone_normalize,
    profile_update,
    require_verified_email,
)
from okpay.identity.services.lockout import account_unlock
from okpay.identity.services.log import security_event_record
from okpay.identity.services.login import (
    LoginOutcome,
    LoginStep,
    login_attempt,
    login_new_password,
    login_pending,
    login_second_factor,
)
from okpay.identity.services.passwords import (
    password_change,
    password_policy_enforce,
    password_reset_check,
    password_reset_complete,
    password_reset_request,
    password_strength,
)
from okpay.identity.services.personal_tokens import personal_token_create, personal_token_revoke
from okpay.identity.services.ratelimit import rate_limit_hit
from okpay.identity.services.sessions import (
    session_check,
    session_end,
    session_sign_in,
    session_sign_out,
    sessions_end_others,
)
from okpay.identity.services.step_up import (
    StepUpAction,
    step_up_holder_for_session,
    step_up_holder_for_token,
    step_up_require,
    step_up_require_for_transfer,
    step_up_required,
    step_up_verify,
    transfer_requires_step_up,
)
from okpay.identity.services.support_code import (
    IssuedSupportCode,
    VerifiedCustomer,
    is_support_staff,
    support_code_issue,
    support_code_verify,
)
from okpay.identity.services.tokens import (
    TOKEN_PREFIXES,
    IssuedToken,
    audit_record,
    token_authenticate,
    token_create,
    token_digest,
    token_revoke,
)
from okpay.identity.services.two_factor import (
    recovery_codes_regenerate,
    second_factor_verify,
    totp_disable,
    totp_enroll_begin,
    totp_enroll_confirm,
    totp_enrolment_pending,
)

__all__ = [
    "TOKEN_PREFIXES",
    "IssuedSupportCode",
    "IssuedToken",
    "LoginOutcome",
    "LoginStep",
    "StepUpAction",
    "VerifiedCustomer",
    "account_mark_compromised",
    "account_signup",
    "account_unlock",
    "audit_record",
    "email_change_confirm",
    "email_change_request",
    "email_verification_resend",
    "email_verify",
    "is_support_staff",
    "login_attempt",
    "login_new_password",
    "login_pending",
    "login_second_factor",
    "password_change",
    "password_policy_enforce",
    "password_reset_check",
    "password_reset_complete",
    "password_reset_request",
    "password_strength",
    "personal_token_create",
    "personal_token_revoke",
    "phone_normalize",
    "profile_update",
    "rate_limit_hit",
    "recovery_codes_regenerate",
    "require_verified_email",
    "second_factor_verify",
    "security_event_record",
    "session_check",
    "session_end",
    "session_sign_in",
    "session_sign_out",
    "sessions_end_others",
    "step_up_holder_for_session",
    "step_up_holder_for_token",
    "step_up_require",
    "step_up_require_for_transfer",
    "step_up_required",
    "step_up_verify",
    "support_code_issue",
    "support_code_verify",
    "token_authenticate",
    "token_create",
    "token_digest",
    "token_revoke",
    "totp_disable",
    "totp_enroll_begin",
    "totp_enroll_confirm",
    "totp_enrolment_pending",
    "transfer_requires_step_up",
]

"""The customer auth API, mounted at /api/v1/auth (sign-up, sign-in, 2FA, sessions, tokens,
support verification codes).

Every page flow is here too, for the mobile app. Signing in creates a normal session
(cookie ``sessionid``); session-authenticated writes send the CSRF token (``csrf_token``
in the sign-in answer, or the ``csrftoken`` cookie) as ``X-CSRFToken``. Personal API tokens
(``Authorization: Bearer okp_pt_...``) work on every authenticated endpoint. Endpoints
that work without being signed in accept only ``application/json`` bodies, which a
cross-site form cannot send.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.middleware.csrf import get_token
from ninja import Query, Router, Status
from ninja.security import SessionAuth

from okpay.errors import Unauthenticated
from okpay.identity import selectors, services
from okpay.identity.auth import ApiTokenAuth
from okpay.identity.client import client_info
from okpay.identity.errors import JsonRequired
from okpay.identity.models import (
    ApiToken,
    SecurityEvent,
    SecurityEventKind,
    TokenKind,
    User,
    UserSession,
)
from okpay.identity.schemas import (
    ApiTokenCreatedOut,
    ApiTokenCreateIn,
    ApiTokenOut,
    CodeIn,
    EmailChangeIn,
    EmailIn,
    EndedOut,
    EnrolmentOut,
    ErrorOut,
    LoginIn,
    LoginOut,
    MeOut,
    NewPasswordIn,
    PasswordChangeIn,
    PasswordCheckIn,
    PasswordCheckOut,
    PasswordResetIn,
    ProfileIn,
    RecoveryCodesOut,
    SecurityEventOut,
    SessionOut,
    SessionsEndedOut,
    SignupIn,
    StatusOut,
    StepUpIn,
    StepUpOut,
    SupportCodeOut,
    SupportCodeVerifyIn,
    TokenIn,
    TwoFactorDisableIn,
    TwoFactorOut,
    VerifiedCustomerOut,
)
from okpay.identity.services import LoginStep
from okpay.identity.services.step_up import step_up_method, step_up_window


class PersonalTokenAuth(ApiTokenAuth):
    """Customers: a personal token of an active user (any role)."""

    def allows(self, token: ApiToken) -> bool:
        return token.kind == TokenKind.PERSONAL and token.user is not None


# The bearer token is tried first: a request without a session cookie then never meets the
# session's CSRF check.
CUSTOMER_AUTH = [PersonalTokenAuth(), SessionAuth()]

router = Router(tags=["auth"])

E400 = {400: ErrorOut, 415: ErrorOut, 429: ErrorOut}
AUTHED = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 429: ErrorOut}


def _require_json(request: HttpRequest) -> None:
    content_type = request.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if content_type != "application/json":
        raise JsonRequired()


def api_user(request: HttpRequest) -> User:
    """The user an API request acts for: the owner of the bearer token or the session's."""
    auth = request.auth  # type: ignore[attr-defined]
    if isinstance(auth, ApiToken) and auth.user is not None:
        return auth.user
    if isinstance(auth, User):
        return auth
    raise Unauthenticated()


def _holder(request: HttpRequest) -> str:
    auth = request.auth  # type: ignore[attr-defined]
    if isinstance(auth, ApiToken):
        return services.step_up_holder_for_token(auth)
    return services.step_up_holder_for_session(request.session.session_key)


def _session_key(request: HttpRequest) -> str | None:
    return None if isinstance(request.auth, ApiToken) else request.session.session_key  # type: ignore[attr-defined]


def _me(user: User) -> MeOut:
    return MeOut(
        id=user.pk,
        email=user.email,
        email_verified=user.email_verified_at is not None,
        display_name=user.display_name,
        phone=user.phone,
        country=user.country,
        preferred_language=user.preferred_language,
        time_zone=user.time_zone,
        role=user.role,
        two_factor_enabled=selectors.totp_enabled(user=user),
        password_changed_at=user.password_changed_at,
        password_reminder_due=selectors.password_reminder_due(user=user),
    )


def _login_out(request: HttpRequest, outcome: services.LoginOutcome) -> LoginOut:
    if outcome.step == LoginStep.TOTP:
        return LoginOut(status="totp_required", user=None, csrf_token=None)
    if outcome.step == LoginStep.NEW_PASSWORD:
        return LoginOut(status="new_password_required", user=None, csrf_token=None)
    return LoginOut(status="signed_in", user=_me(outcome.user), csrf_token=get_token(request))


def _token_out(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
        "last_used_at": token.last_used_at,
    }


# --- Sign-up and sign-in ---------------------------------------------------------------------


@router.post(
    "/signup",
    response={202: StatusOut, **E400},
    summary="Open an account",
    operation_id="auth_signup",
)
def signup(request: HttpRequest, payload: SignupIn) -> Status[dict[str, str]]:
    """Create an account and e-mail a verification link (valid 24 h).

    The answer is the same when the address already has an account (its owner gets an
    e-mail instead), so it never tells who is registered. Sign in afterwards.
    """
    _require_json(request)
    services.account_signup(
        email=payload.email,
        password=payload.password,
        display_name=payload.display_name,
        phone=payload.phone,
        country=payload.country,
        preferred_language=payload.preferred_language,
        time_zone=payload.time_zone,
        client=client_info(request),
    )
    return Status(202, {"status": "verification_sent"})


@router.post(
    "/login",
    response={200: LoginOut, 401: ErrorOut, 423: ErrorOut, **E400},
    summary="Sign in with e-mail and password",
    operation_id="auth_login",
)
def login(request: HttpRequest, payload: LoginIn) -> LoginOut:
    """Wrong password and unknown e-mail both answer 401 ``invalid_credentials``. The 5th
    consecutive failure locks the account for 30 minutes: 423 ``account_locked`` with
    ``details.locked_until``. ``totp_required``: send the code to ``/login/totp``."""
    _require_json(request)
    outcome = services.login_attempt(
        request=request, email=payload.email, password=payload.password
    )
    return _login_out(request, outcome)


@router.post(
    "/login/totp",
    response={200: LoginOut, 423: ErrorOut, **E400},
    summary="Second sign-in step: TOTP or recovery code",
    operation_id="auth_login_totp",
)
def login_totp(request: HttpRequest, payload: CodeIn) -> LoginOut:
    _require_json(request)
    return _login_out(request, services.login_second_factor(request=request, code=payload.code))


@router.post(
    "/login/new-password",
    response={200: LoginOut, **E400},
    summary="Set the new password an operator required, then sign in",
    operation_id="auth_login_new_password",
)
def login_new_password(request: HttpRequest, payload: NewPasswordIn) -> LoginOut:
    _require_json(request)
    return _login_out(
        request, services.login_new_password(request=request, new_password=payload.new_password)
    )


@router.post(
    "/logout",
    auth=[SessionAuth()],
    response={204: None, 401: ErrorOut, 403: ErrorOut},
    summary="Sign out this session",
    operation_id="auth_logout",
)
def logout(request: HttpRequest) -> Status[None]:
    services.session_sign_out(request=request)
    return Status(204, None)


# --- The signed-in user ------------------------------------------------------------------------


@router.get("/me", auth=CUSTOMER_AUTH, response={200: MeOut, 401: ErrorOut}, operation_id="auth_me")
def me(request: HttpRequest) -> MeOut:
    return _me(api_user(request))


@router.patch(
    "/me",
    auth=CUSTOMER_AUTH,
    response={200: MeOut, **AUTHED},
    summary="Update the profile",
    operation_id="auth_me_update",
)
def me_update(request: HttpRequest, payload: ProfileIn) -> MeOut:
    user = services.profile_update(
        user=api_user(request),
        display_name=payload.display_name,
        phone=payload.phone,
        country=payload.country,
        preferred_language=payload.preferred_language,
        time_zone=payload.time_zone,
        client=client_info(request),
    )
    return _me(user)


# --- E-mail ------------------------------------------------------------------------------------


@router.post(
    "/email/verify",
    response={200: StatusOut, **E400},
    summary="Confirm the e-mail address with the token from the link",
    operation_id="auth_email_verify",
)
def email_verify(request: HttpRequest, payload: TokenIn) -> dict[str, str]:
    _require_json(request)
    services.email_verify(secret=payload.token, client=client_info(request))
    return {"status": "verified"}


@router.post(
    "/email/verify/resend",
    auth=CUSTOMER_AUTH,
    response={202: StatusOut, 409: ErrorOut, **AUTHED},
    summary="Send a new verification link (rate-limited)",
    operation_id="auth_email_verify_resend",
)
def email_verify_resend(request: HttpRequest) -> Status[dict[str, str]]:
    services.email_verification_resend(user=api_user(request), client=client_info(request))
    return Status(202, {"status": "verification_sent"})


@router.post(
    "/email/change",
    auth=CUSTOMER_AUTH,
    response={202: StatusOut, 409: ErrorOut, **AUTHED},
    summary="Change the e-mail address (step-up; confirmed from the new mailbox)",
    operation_id="auth_email_change",
)
def email_change(request: HttpRequest, payload: EmailChangeIn) -> Status[dict[str, str]]:
    services.email_change_request(
        user=api_user(request),
        new_email=payload.new_email,
        holder=_holder(request),
        client=client_info(request),
    )
    return Status(202, {"status": "confirmation_sent"})


@router.post(
    "/email/change/confirm",
    response={200: StatusOut, 409: ErrorOut, **E400},
    summary="Confirm the new e-mail address with the token from the link",
    operation_id="auth_email_change_confirm",
)
def email_change_confirm(request: HttpRequest, payload: TokenIn) -> dict[str, str]:
    _require_json(request)
    services.email_change_confirm(secret=payload.token, client=client_info(request))
    return {"status": "changed"}


# --- Passwords -----------------------------------------------------------------------------------


@router.post(
    "/password/forgot",
    response={202: StatusOut, **E400},
    summary="Request a password reset link",
    operation_id="auth_password_forgot",
)
def password_forgot(request: HttpRequest, payload: EmailIn) -> Status[dict[str, str]]:
    """Always the same answer, whether or not the address has an account."""
    _require_json(request)
    services.password_reset_request(email=payload.email, client=client_info(request))
    return Status(202, {"status": "sent_if_registered"})


@router.post(
    "/password/reset",
    response={200: StatusOut, **E400},
    summary="Set a new password with the token from the link",
    operation_id="auth_password_reset",
)
def password_reset(request: HttpRequest, payload: PasswordResetIn) -> dict[str, str]:
    """With 2FA on, ``code`` (TOTP or recovery code) is required. Unlocks the account and
    ends every session."""
    _require_json(request)
    services.password_reset_complete(
        secret=payload.token,
        new_password=payload.new_password,
        code=payload.code,
        client=client_info(request),
    )
    return {"status": "password_changed"}


@router.post(
    "/password/change",
    auth=CUSTOMER_AUTH,
    response={200: SessionsEndedOut, **AUTHED},
    summary="Change the password (current password required; step-up when 2FA is on)",
    operation_id="auth_password_change",
)
def password_change(request: HttpRequest, payload: PasswordChangeIn) -> dict[str, int]:
    ended = services.password_change(
        request=request,
        user=api_user(request),
        current_password=payload.current_password,
        new_password=payload.new_password,
        holder=_holder(request),
        client=client_info(request),
    )
    return {"sessions_ended": ended}


@router.post(
    "/password/check",
    response={200: PasswordCheckOut, **E400},
    summary="Check a password against the policy (strength meter)",
    operation_id="auth_password_check",
)
def password_check(request: HttpRequest, payload: PasswordCheckIn) -> dict[str, Any]:
    _require_json(request)
    services.rate_limit_hit(
        scope="strength_ip", key=client_info(request).ip or "-", limit=120, window_seconds=60
    )
    check = services.password_strength(
        password=payload.password, email=payload.email, display_name=payload.display_name
    )
    return {"score": check.score, "ok": check.ok, "reasons": check.reasons_as_dicts()}


# --- Two-factor authentication and step-up -----------------------------------------------------


@router.get(
    "/2fa", auth=CUSTOMER_AUTH, response={200: TwoFactorOut, 401: ErrorOut}, operation_id="auth_2fa"
)
def two_factor(request: HttpRequest) -> dict[str, Any]:
    user = api_user(request)
    return {
        "enabled": selectors.totp_enabled(user=user),
        "recovery_codes_left": selectors.recovery_codes_remaining(user=user),
    }


@router.post(
    "/2fa/enrol",
    auth=CUSTOMER_AUTH,
    response={200: EnrolmentOut, 409: ErrorOut, **AUTHED},
    summary="Start 2FA set-up: secret, otpauth URI and QR code",
    operation_id="auth_2fa_enrol",
)
def two_factor_enrol(request: HttpRequest) -> dict[str, str]:
    enrolment = services.totp_enroll_begin(user=api_user(request))
    return {"secret": enrolment.secret, "otpauth_uri": enrolment.uri, "qr_svg": enrolment.qr_svg}


@router.post(
    "/2fa/confirm",
    auth=CUSTOMER_AUTH,
    response={200: RecoveryCodesOut, 409: ErrorOut, **AUTHED},
    summary="Turn 2FA on with a first code; returns 10 recovery codes",
    operation_id="auth_2fa_confirm",
)
def two_factor_confirm(request: HttpRequest, payload: CodeIn) -> dict[str, list[str]]:
    codes = services.totp_enroll_confirm(
        user=api_user(request), code=payload.code, client=client_info(request)
    )
    return {"recovery_codes": codes}


@router.post(
    "/2fa/disable",
    auth=CUSTOMER_AUTH,
    response={204: None, 409: ErrorOut, **AUTHED},
    summary="Turn 2FA off (password and code)",
    operation_id="auth_2fa_disable",
)
def two_factor_disable(request: HttpRequest, payload: TwoFactorDisableIn) -> Status[None]:
    services.totp_disable(
        user=api_user(request),
        password=payload.password,
        code=payload.code,
        client=client_info(request),
    )
    return Status(204, None)


@router.post(
    "/2fa/recovery-codes",
    auth=CUSTOMER_AUTH,
    response={200: RecoveryCodesOut, 409: ErrorOut, **AUTHED},
    summary="Replace the recovery codes (step-up)",
    operation_id="auth_2fa_recovery_codes",
)
def recovery_codes(request: HttpRequest) -> dict[str, list[str]]:
    codes = services.recovery_codes_regenerate(
        user=api_user(request), holder=_holder(request), client=client_info(request)
    )
    return {"recovery_codes": codes}


@router.post(
    "/step-up",
    auth=CUSTOMER_AUTH,
    response={200: StepUpOut, **AUTHED},
    summary="Confirm it is you for the next 5 minutes",
    operation_id="auth_step_up",
)
def step_up(request: HttpRequest, payload: StepUpIn) -> dict[str, Any]:
    """Answer to ``403 step_up_required``: send ``code`` (2FA on) or ``password`` (2FA off),
    then repeat the refused request."""
    user = api_user(request)
    grant = services.step_up_verify(
        user=user,
        holder=_holder(request),
        client=client_info(request),
        code=payload.code,
        password=payload.password,
        action=payload.action,
    )
    return {
        "method": step_up_method(user=user),
        "valid_until": grant.verified_at + step_up_window(),
    }


# --- Sessions, tokens, log ----------------------------------------------------------------------


@router.get(
    "/sessions",
    auth=CUSTOMER_AUTH,
    response={200: list[SessionOut], 401: ErrorOut},
    operation_id="auth_sessions",
)
def sessions(request: HttpRequest) -> list[dict[str, Any]]:
    current = _session_key(request)
    rows: list[UserSession] = selectors.user_sessions_active(user=api_user(request))
    return [
        {
            "id": row.pk,
            "browser": row.browser,
            "os": row.os,
            "ip": row.ip,
            "created_at": row.created_at,
            "last_seen_at": row.last_seen_at,
            "current": row.session_key == current,
        }
        for row in rows
    ]


@router.delete(
    "/sessions/{int:session_id}",
    auth=CUSTOMER_AUTH,
    response={204: None, 404: ErrorOut, **AUTHED},
    summary="End one of your sessions",
    operation_id="auth_session_end",
)
def session_end(request: HttpRequest, session_id: int) -> Status[None]:
    services.session_end(user=api_user(request), session_id=session_id, client=client_info(request))
    return Status(204, None)


@router.post(
    "/sessions/end-others",
    auth=CUSTOMER_AUTH,
    response={200: EndedOut, **AUTHED},
    summary="End every session except this one",
    operation_id="auth_sessions_end_others",
)
def sessions_end_others(request: HttpRequest) -> dict[str, int]:
    ended = services.sessions_end_others(
        user=api_user(request),
        current_session_key=_session_key(request),
        client=client_info(request),
    )
    return {"ended": ended}


@router.get(
    "/tokens",
    auth=CUSTOMER_AUTH,
    response={200: list[ApiTokenOut], 401: ErrorOut},
    operation_id="auth_tokens",
)
def tokens(request: HttpRequest) -> list[dict[str, Any]]:
    return [_token_out(t) for t in selectors.personal_tokens_for_user(user=api_user(request))]


@router.post(
    "/tokens",
    auth=CUSTOMER_AUTH,
    response={201: ApiTokenCreatedOut, 409: ErrorOut, **AUTHED},
    summary="Create a personal API token (step-up; the secret is shown once)",
    operation_id="auth_token_create",
)
def token_create(request: HttpRequest, payload: ApiTokenCreateIn) -> Status[dict[str, Any]]:
    issued = services.personal_token_create(
        user=api_user(request),
        name=payload.name,
        expires_in_days=payload.expires_in_days,
        holder=_holder(request),
        client=client_info(request),
    )
    return Status(201, {**_token_out(issued.token), "secret": issued.secret})


@router.delete(
    "/tokens/{int:token_id}",
    auth=CUSTOMER_AUTH,
    response={204: None, 404: ErrorOut, **AUTHED},
    summary="Revoke one of your personal API tokens",
    operation_id="auth_token_revoke",
)
def token_revoke(request: HttpRequest, token_id: int) -> Status[None]:
    services.personal_token_revoke(
        user=api_user(request), token_id=token_id, client=client_info(request)
    )
    return Status(204, None)


@router.get(
    "/security-log",
    auth=CUSTOMER_AUTH,
    response={200: list[SecurityEventOut], 401: ErrorOut},
    summary="Your security log, newest first",
    operation_id="auth_security_log",
)
def security_log(
    request: HttpRequest,
    limit: int = Query(50, ge=1, le=200),
    before: int | None = Query(None, ge=1),
) -> list[dict[str, Any]]:
    """Page backwards with ``before`` = the smallest ``id`` of the previous page."""
    events = selectors.security_events_for_user(user=api_user(request))
    if before is not None:
        events = events.filter(id__lt=before)
    labels = dict(SecurityEventKind.choices)
    rows: list[SecurityEvent] = list(events[:limit])
    return [
        {
            "id": e.pk,
            "kind": e.kind,
            "label": str(labels.get(e.kind, e.kind)),
            "ip": e.ip,
            "device": e.user_agent,
            "details": e.details,
            "created_at": e.created_at,
        }
        for e in rows
    ]


# --- Support verification codes --------------------------------------------------------------


@router.post(
    "/support-code",
    auth=CUSTOMER_AUTH,
    response={201: SupportCodeOut, **AUTHED},
    summary="Get a one-time code to read to OKpay support (valid 10 minutes)",
    operation_id="auth_support_code",
)
def support_code(request: HttpRequest) -> Status[dict[str, Any]]:
    """A new code replaces the previous one; at most 5 codes an hour (429 ``rate_limited``).
    OKpay staff ask for this code, never for your password or 2FA codes."""
    issued = services.support_code_issue(user=api_user(request), client=client_info(request))
    return Status(201, {"code": issued.code, "expires_at": issued.expires_at})


@router.post(
    "/support-code/verify",
    auth=CUSTOMER_AUTH,
    response={200: VerifiedCustomerOut, **AUTHED},
    summary="Support staff: confirm a caller with the code they read out",
    operation_id="auth_support_code_verify",
)
def support_code_verify(request: HttpRequest, payload: SupportCodeVerifyIn) -> dict[str, Any]:
    """For agents, supervisors and operators (others: 403 ``permission_denied``). Each code
    works once. Errors: ``support_code_invalid``, ``support_code_expired``, and
    ``rate_limited`` after 5 wrong codes for one customer within 10 minutes."""
    verified = services.support_code_verify(
        agent=api_user(request),
        customer_email_or_id=payload.customer,
        code=payload.code,
        channel=payload.channel,
    )
    return {
        "user_id": verified.user_id,
        "display_name": verified.display_name,
        "email_masked": verified.email_masked,
        "phone_masked": verified.phone_masked,
        "verified_at": verified.verified_at,
        "channel": verified.channel.value,
    }

"""Step-up: risky actions need a fresh confirmation of who is at the keyboard.

A confirmation (TOTP or recovery code when 2FA is on, else the password) is remembered for
``OKPAY_STEP_UP_SECONDS`` (5 minutes) for one *holder*: a signed-in session
(``session:<key>``) or an API token (``token:<id>``). Other apps call::

    step_up_require(user=user, holder=holder, action=StepUpAction.ADD_PAYEE)

which raises ``StepUpRequired`` (code ``step_up_required``, details ``action`` and
``method``); pages then send the user to the confirmation page, the API client calls
``POST /api/v1/auth/step-up`` and repeats the request.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from okpay.identity.client import ClientInfo
from okpay.identity.errors import PasswordIncorrect, StepUpRequired
from okpay.identity.models import ApiToken, SecurityEventKind, StepUpGrant, User
from okpay.identity.selectors import totp_enabled
from okpay.identity.services.lockout import password_matches
from okpay.identity.services.log import security_event_record
from okpay.identity.services.ratelimit import rate_limit_hit
from okpay.identity.services.two_factor import second_factor_verify


class StepUpAction(StrEnum):
    CHANGE_EMAIL = "change_email"
    CHANGE_PASSWORD = "change_password"  # noqa: S105 - an action name
    DISABLE_TWO_FACTOR = "disable_2fa"
    REGENERATE_RECOVERY_CODES = "regenerate_recovery_codes"
    CREATE_API_TOKEN = "create_api_token"  # noqa: S105 - an action name
    ADD_PAYEE = "add_payee"
    LARGE_TRANSFER = "large_transfer"


def step_up_holder_for_session(session_key: str | None) -> str:
    return f"session:{session_key or '-'}"


def step_up_holder_for_token(token: ApiToken) -> str:
    return f"token:{token.pk}"


def step_up_method(*, user: User) -> str:
    """How ``user`` confirms: "totp" when 2FA is on, else "password"."""
    return "totp" if totp_enabled(user=user) else "password"


def step_up_window() -> timedelta:
    return timedelta(seconds=int(settings.OKPAY_STEP_UP_SECONDS))


def step_up_required(*, user: User, holder: str, action: StepUpAction) -> bool:
    """True when ``action`` needs a confirmation now (none within the last 5 minutes).

    A password confirmation does not count once 2FA is on.
    """
    grant = StepUpGrant.objects.filter(
        user=user, holder=holder, verified_at__gt=timezone.now() - step_up_window()
    ).first()
    if grant is None:
        return True
    return grant.method == "password" and step_up_method(user=user) == "totp"


def step_up_require(*, user: User, holder: str, action: StepUpAction) -> None:
    """Raise ``StepUpRequired`` unless ``holder`` confirmed within the last 5 minutes."""
    if step_up_required(user=user, holder=holder, action=action):
        raise StepUpRequired(action=action.value, method=step_up_method(user=user))


def transfer_requires_step_up(*, amount_minor: int, currency: str) -> bool:
    """Whether a transfer of ``amount_minor`` needs step-up.

    ``OKPAY_STEP_UP_TRANSFER_THRESHOLDS`` maps a currency to the smallest amount (minor
    units) that needs it; ``"*"`` covers the others. No entry at all: always.
    """
    thresholds: dict[str, int] = settings.OKPAY_STEP_UP_TRANSFER_THRESHOLDS
    threshold = thresholds.get(currency.upper(), thresholds.get("*"))
    if threshold is None:
        return True
    return amount_minor >= threshold


def step_up_require_for_transfer(
    *, user: User, holder: str, amount_minor: int, currency: str
) -> None:
    if transfer_requires_step_up(amount_minor=amount_minor, currency=currency):
        step_up_require(user=user, holder=holder, action=StepUpAction.LARGE_TRANSFER)


def step_up_verify(
    *,
    user: User,
    holder: str,
    client: ClientInfo,
    code: str = "",
    password: str = "",
    action: str = "",
) -> StepUpGrant:
    """Confirm the user (code when 2FA is on, else password); remember it for ``holder``."""
    method = step_up_method(user=user)
    field = "code" if method == "totp" else "password"
    rate_limit_hit(
        scope="second_factor",
        key=str(user.pk),
        limit=int(settings.OKPAY_SECOND_FACTOR_ATTEMPTS),
        window_seconds=int(settings.OKPAY_SECOND_FACTOR_WINDOW_SECONDS),
        field=field,
    )
    if method == "totp":
        used = second_factor_verify(user=user, code=code, client=client)
    else:
        if not password_matches(user=user, password=password):
            security_event_record(
                kind=SecurityEventKind.STEP_UP_FAILED,
                user=user,
                client=client,
                details={"action": action, "with": "password"},
            )
            raise PasswordIncorrect(field="password")
        used = "password"
    with transaction.atomic():
        grant, _ = StepUpGrant.objects.update_or_create(
            user=user,
            holder=holder,
            defaults={
                "verified_at": timezone.now(),
                "method": "password" if used == "password" else "totp",
            },
        )
        security_event_record(
            kind=SecurityEventKind.STEP_UP_PASSED,
            user=user,
            client=client,
            details={"action": action, "with": used},
        )
    return grant

"""Personal API tokens: a user creates, lists and revokes their own."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from okpay.errors import InvalidInput, NotFound
from okpay.identity.client import ClientInfo
from okpay.identity.emails import notify_token_created
from okpay.identity.errors import TooManyTokens
from okpay.identity.models import ApiToken, SecurityEventKind, TokenKind, User
from okpay.identity.services.log import security_event_record
from okpay.identity.services.step_up import StepUpAction, step_up_require
from okpay.identity.services.tokens import IssuedToken, token_create, token_revoke

EXPIRY_CHOICES_DAYS = (7, 30, 90, 365)
MAX_NAME = 100


def personal_token_create(
    *, user: User, name: str, expires_in_days: int, holder: str, client: ClientInfo
) -> IssuedToken:
    """A new personal token (needs a fresh step-up); the secret is in the result only."""
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput(
            _("Give the token a name, such as the app that will use it."), field="name"
        )
    if len(name) > MAX_NAME:
        raise InvalidInput(_("Use at most 100 characters for the name."), field="name")
    if expires_in_days not in EXPIRY_CHOICES_DAYS:
        raise InvalidInput(
            _("Choose when the token expires: 7, 30, 90 or 365 days."), field="expires_in_days"
        )
    step_up_require(user=user, holder=holder, action=StepUpAction.CREATE_API_TOKEN)
    now = timezone.now()
    active = ApiToken.objects.filter(
        user=user, kind=TokenKind.PERSONAL, revoked_at__isnull=True
    ).filter(expires_at__gt=now)
    if active.count() >= int(settings.OKPAY_MAX_PERSONAL_TOKENS):
        raise TooManyTokens()
    with transaction.atomic():
        issued = token_create(
            name=name,
            kind=TokenKind.PERSONAL,
            user=user,
            expires_at=now + timedelta(days=expires_in_days),
            actor=user,
        )
        security_event_record(
            kind=SecurityEventKind.TOKEN_CREATED,
            user=user,
            client=client,
            details={"token": issued.token.pk, "name": name, "prefix": issued.token.prefix},
        )
        notify_token_created(
            user=user,
            name=name,
            prefix=issued.token.prefix,
            expires_at=issued.token.expires_at,
            client=client,
        )
    return issued


def personal_token_revoke(*, user: User, token_id: int, client: ClientInfo) -> ApiToken:
    """Revoke one of the user's own tokens; another user's (or unknown) is NotFound."""
    token = ApiToken.objects.filter(
        pk=token_id, user=user, kind=TokenKind.PERSONAL, revoked_at__isnull=True
    ).first()
    if token is None:
        raise NotFound()
    with transaction.atomic():
        token = token_revoke(token=token, actor=user)
        security_event_record(
            kind=SecurityEventKind.TOKEN_REVOKED,
            user=user,
            client=client,
            details={"token": token.pk, "name": token.name, "prefix": token.prefix},
        )
    return token

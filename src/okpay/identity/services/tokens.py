"""API tokens and audit rows."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from okpay.identity.crypto import sha256_hex
from okpay.identity.models import ApiToken, AuditEvent, TokenKind, User

TOKEN_PREFIXES = {TokenKind.OPERATOR: "okp_op_", TokenKind.PERSONAL: "okp_pt_"}


def token_digest(secret: str) -> str:
    """Tokens carry 256 random bits, so a fast digest is enough to store them safely."""
    return sha256_hex(secret)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once, never stored


def audit_record(
    *,
    action: str,
    actor: User | None = None,
    actor_token: ApiToken | None = None,
    object_type: str = "",
    object_id: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit row. Call it inside the transaction that makes the change."""
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_token=actor_token,
        object_type=object_type,
        object_id=object_id,
        data=data or {},
    )


def token_create(
    *,
    name: str,
    kind: TokenKind,
    user: User | None = None,
    expires_at: datetime | None = None,
    actor: User | None = None,
) -> IssuedToken:
    name = name.strip()
    if not name:
        raise ValueError("A token needs a name.")
    secret = TOKEN_PREFIXES[kind] + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            name=name,
            kind=kind,
            user=user,
            prefix=secret[: len(TOKEN_PREFIXES[kind]) + 4],
            digest=token_digest(secret),
            expires_at=expires_at,
        )
        audit_record(
            action="api_token.created",
            actor=actor,
            object_type="api_token",
            object_id=str(token.pk),
            data={"name": name, "kind": kind.value, "prefix": token.prefix},
        )
    return IssuedToken(token=token, secret=secret)


def token_revoke(*, token: ApiToken, actor: User | None = None) -> ApiToken:
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if updated:
            audit_record(
                action="api_token.revoked",
                actor=actor,
                object_type="api_token",
                object_id=str(token.pk),
                data={"name": token.name, "prefix": token.prefix},
            )
    token.refresh_from_db()
    return token


def token_authenticate(*, secret: str) -> ApiToken | None:
    """The usable token for ``secret``, or None. Marks it used (at most once a minute)."""
    if not secret or len(secret) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(digest=token_digest(secret)).first()
    now = timezone.now()
    if token is None or not token.is_usable(now=now):
        return None
    if token.user is not None and not token.user.is_active:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token

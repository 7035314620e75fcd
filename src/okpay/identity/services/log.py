"""The security log: one row per security-relevant event, in the change's transaction."""

from __future__ import annotations

from typing import Any

from okpay.identity.client import ClientInfo
from okpay.identity.models import SecurityEvent, SecurityEventKind, User


def security_event_record(
    *,
    kind: SecurityEventKind,
    user: User | None,
    client: ClientInfo | None = None,
    details: dict[str, Any] | None = None,
) -> SecurityEvent:
    """Write one log row. Call it inside the transaction that makes the change."""
    return SecurityEvent.objects.create(
        user=user,
        kind=kind,
        ip=client.ip if client else None,
        user_agent=client.summary if client else "",
        details=details or {},
    )

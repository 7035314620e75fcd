"""Clean-up of expired security state (run by the ``prune_identity_state`` job)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from okpay.identity.models import EmailToken, SessionEndReason, StepUpGrant, UserSession
from okpay.identity.services.lockout import unknown_email_lockouts_prune
from okpay.identity.services.ratelimit import rate_limits_prune

KEEP_TOKENS_FOR = timedelta(days=30)
KEEP_GRANTS_FOR = timedelta(hours=1)


@dataclass(frozen=True)
class PruneResult:
    rate_limit_counters: int
    unknown_email_lockouts: int
    email_tokens: int
    step_up_grants: int
    sessions_ended: int


def identity_state_prune() -> PruneResult:
    """Delete what can no longer matter and close sessions whose limits have passed."""
    now = timezone.now()
    idle = timedelta(minutes=int(settings.OKPAY_SESSION_IDLE_MINUTES))
    absolute = timedelta(hours=int(settings.OKPAY_SESSION_MAX_HOURS))
    with transaction.atomic():
        tokens, _ = EmailToken.objects.filter(expires_at__lt=now - KEEP_TOKENS_FOR).delete()
        grants, _ = StepUpGrant.objects.filter(verified_at__lt=now - KEEP_GRANTS_FOR).delete()
        stale = UserSession.objects.filter(ended_at__isnull=True).filter(
            Q(last_seen_at__lte=now - idle) | Q(created_at__lte=now - absolute)
        )
        ended = stale.update(ended_at=now, end_reason=SessionEndReason.EXPIRED)
    return PruneResult(
        rate_limit_counters=rate_limits_prune(),
        unknown_email_lockouts=unknown_email_lockouts_prune(),
        email_tokens=tokens,
        step_up_grants=grants,
        sessions_ended=ended,
    )

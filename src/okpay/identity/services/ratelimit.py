"""Fixed-window rate limits kept in the database, so every process sees the same counts.

A hit is one conditional ``UPDATE ... SET count = count + 1 WHERE count < limit``: two
requests racing for the last slot cannot both get it. Keys are stored as SHA-256 digests,
so the table holds no e-mail or IP address in the clear.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from okpay.identity.crypto import sha256_hex
from okpay.identity.errors import RateLimited
from okpay.identity.models import RateLimitCounter

KEEP_COUNTERS_FOR = timedelta(days=2)


def _window_start(now: datetime, window_seconds: int) -> datetime:
    epoch = int(now.timestamp()) // window_seconds * window_seconds
    return datetime.fromtimestamp(epoch, tz=UTC)


def rate_limit_hit(
    *,
    scope: str,
    key: str,
    limit: int,
    window_seconds: int,
    field: str | None = None,
) -> int:
    """Count one hit of ``key``; return the hits so far in this window (1 .. limit).

    Raises ``RateLimited`` (and counts nothing) when the window is already full.
    """
    now = timezone.now()
    start = _window_start(now, window_seconds)
    digest = sha256_hex(key)
    rows = RateLimitCounter.objects.filter(scope=scope, key=digest, window_start=start)
    for _ in range(3):
        with transaction.atomic():
            if rows.filter(count__lt=limit).update(count=F("count") + 1):
                return rows.values_list("count", flat=True).get()
            # Only a full counter refuses: one that another request opened after our
            # UPDATE ran is counted on in the next round.
            if rows.filter(count__gte=limit).exists():
                retry_after = int((start + timedelta(seconds=window_seconds) - now).total_seconds())
                raise RateLimited(retry_after=retry_after, field=field)
        # First hit of this window: open the counter at 0 (INSERT ... ON CONFLICT DO NOTHING,
        # so racing first hits neither fail nor double-count) and count on it.
        RateLimitCounter.objects.bulk_create(
            [RateLimitCounter(scope=scope, key=digest, window_start=start, count=0)],
            ignore_conflicts=True,
        )
    raise RateLimited(retry_after=1, field=field)


def rate_limit_release(*, scope: str, key: str, window_seconds: int) -> None:
    """Give one hit of the current window back: the attempt it counted turned out fine.

    Call it right after the ``rate_limit_hit`` that reserved the attempt; a counter never
    goes below zero.
    """
    start = _window_start(timezone.now(), window_seconds)
    RateLimitCounter.objects.filter(
        scope=scope, key=sha256_hex(key), window_start=start, count__gt=0
    ).update(count=F("count") - 1)


def rate_limits_prune() -> int:
    """Delete counters of windows long past; return how many were deleted."""
    deleted, _ = RateLimitCounter.objects.filter(
        window_start__lt=timezone.now() - KEEP_COUNTERS_FOR
    ).delete()
    return deleted

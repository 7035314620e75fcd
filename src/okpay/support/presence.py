"""Which agents are online: agents with the agent socket (console or inbox) open.

Every agent socket reports itself when it connects and then every ``HEARTBEAT_SECONDS``;
an agent counts as online until ``ONLINE_TTL_SECONDS`` after the last report. A socket
that closes reports once more, so an agent moving from one agent page to another (the
socket closes and opens again) never looks offline in between.

With ``REDIS_URL`` the reports live in a Redis sorted set shared by every web process
(member ``<user id>:<channel name>``, score = time of the report); without it, in this
process's memory, which is all there is when the in-memory channel layer is used.
"""

from __future__ import annotations

import logging
import threading
import time
from functools import lru_cache
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 30
ONLINE_TTL_SECONDS = 75

_memory: dict[str, float] = {}
_memory_lock = threading.Lock()


@lru_cache(maxsize=4)
def _client(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def _key() -> str:
    layer: dict[str, Any] = settings.CHANNEL_LAYERS.get("default", {})
    prefix = layer.get("CONFIG", {}).get("prefix", "okpay")
    return f"{prefix}:support:agents-online"


def _redis_url() -> str:
    return str(getattr(settings, "REDIS_URL", "") or "")


def agent_seen(*, user_id: int, channel_name: str, now: float | None = None) -> None:
    """Record that the agent socket ``channel_name`` of ``user_id`` is (or just was) open."""
    at = time.time() if now is None else now
    member = f"{user_id}:{channel_name}"
    url = _redis_url()
    if url:
        import redis

        pipe = _client(url).pipeline()
        pipe.zadd(_key(), {member: at})
        pipe.zremrangebyscore(_key(), 0, at - ONLINE_TTL_SECONDS)
        pipe.expire(_key(), ONLINE_TTL_SECONDS * 4)
        try:
            pipe.execute()
        except redis.RedisError:
            logger.warning("could not record agent presence", exc_info=True)
        return
    with _memory_lock:
        _memory[member] = at
        for stale in [m for m, seen in _memory.items() if seen < at - ONLINE_TTL_SECONDS]:
            del _memory[stale]


def agents_online(*, now: float | None = None) -> set[int]:
    """The ids of the agents seen within the last ``ONLINE_TTL_SECONDS``.

    When Redis cannot be reached nobody counts as online: a new chat then becomes a ticket
    at once instead of waiting for an agent who may never see it.
    """
    at = time.time() if now is None else now
    since = at - ONLINE_TTL_SECONDS
    url = _redis_url()
    if url:
        import redis

        try:
            members = _client(url).zrangebyscore(_key(), since, "+inf")
        except redis.RedisError:
            logger.warning("could not read agent presence", exc_info=True)
            return set()
        names = [m.decode() if isinstance(m, bytes) else str(m) for m in members]
    else:
        with _memory_lock:
            names = [m for m, seen in _memory.items() if seen >= since]
    return {int(name.split(":", 1)[0]) for name in names}


def presence_reset() -> None:
    """Forget every report (tests)."""
    url = _redis_url()
    if url:
        _client(url).delete(_key())
    with _memory_lock:
        _memory.clear()

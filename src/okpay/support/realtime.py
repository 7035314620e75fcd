"""Pushes to WebSocket clients through the channel layer, sent only after the commit.

Groups:
- ``AGENTS_GROUP``: every connected agent console and inbox. Events tell them that the
  queue changed (a new chat, a callback request, a chat accepted or ended, a ticket about to
  breach its SLA, a customer typing).
- ``chat_group(public_id)``: both sides of one chat.

Every group message has the channel-layer type ``okpay.event`` and carries ``event``, a
JSON-ready dict with at least ``"type"`` (e.g. ``"chat.message"``); consumers forward it to
their client unchanged. Publishing never fails the caller: a push is a hint, the database
is the record (pages reload what they show from it).
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

AGENTS_GROUP = "support.agents"
LAYER_MESSAGE_TYPE = "okpay.event"


def chat_group(public_id: str) -> str:
    return f"support.chat.{public_id}"


def _send(group: str, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, {"type": LAYER_MESSAGE_TYPE, "event": event})
    except (OSError, ConnectionError, TimeoutError):
        logger.warning("could not publish %s to %s", event.get("type"), group, exc_info=True)


def publish(group: str, event: dict[str, Any]) -> None:
    """Send ``event`` to ``group`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: _send(group, event))


def publish_to_agents(event_type: str, **data: Any) -> None:
    publish(AGENTS_GROUP, {"type": event_type, **data})


async def apublish(group: str, event: dict[str, Any]) -> None:
    """From async code (consumers) that has nothing to commit: send now."""
    layer = get_channel_layer()
    if layer is not None:
        await layer.group_send(group, {"type": LAYER_MESSAGE_TYPE, "event": event})

"""Shared helpers for the callback tests: windows in the customer's time, requests made
through the service, and a recorder for the pushes to agents."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from okpay.support.models import CallbackRequest
from okpay.support.services.callbacks import callback_request

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOTE_WITH_CARD = "Card 4111 1111 1111 1111 was charged twice"
NOTE_MASKED = "Card **** **** **** 1111 was charged twice"


def at(days: int, hhmm: str) -> datetime:
    """``hhmm`` in Shanghai, ``days`` days from today (Shanghai): always in the future for
    days >= 1, and inside the phone line's shipped hours (08:00–22:00) when asked so."""
    day = (timezone.now().astimezone(SHANGHAI) + timedelta(days=days)).date()
    hour, minute = (int(part) for part in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def ask(
    user: Any,
    *,
    topic: str = "payment_failed",
    days: int = 1,
    start: str = "10:00",
    end: str = "11:00",
    **extra: Any,
) -> CallbackRequest:
    values: dict[str, Any] = {"phone": "+86 138 0013 8000", "note": ""}
    values.update(extra)
    return callback_request(
        requester=user,
        topic=topic,
        window_start=at(days, start),
        window_end=at(days, end),
        **values,
    )


@pytest.fixture
def pushes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """The pushes to agents, as (event type, data) in the order they were published."""
    sent: list[tuple[str, dict[str, Any]]] = []

    def record(event_type: str, **data: Any) -> None:
        sent.append((event_type, data))

    monkeypatch.setattr("okpay.support.services.callbacks.publish_to_agents", record)
    return sent

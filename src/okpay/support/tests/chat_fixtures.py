"""Shared helpers for the live-chat tests: opening hours, agents online, chats, sockets."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client

from okpay.support import presence
from okpay.support.models import ChannelKind, ChatSession, OfficialChannel

# 10:00 on a Tuesday in Shanghai: inside the shipped web-chat hours (every day 08:00–22:00).
OPEN_AT = datetime(2025, 3, 4, 2, 0, tzinfo=UTC)
# 23:30 in Shanghai: closed.
CLOSED_AT = datetime(2025, 3, 4, 15, 30, tzinfo=UTC)


@pytest.fixture
def chat_settings(ticket_settings: Any) -> Iterator[Any]:
    """In-memory channel layer and presence, fresh for each test; 5-minute queue timeout."""
    from channels.layers import channel_layers

    ticket_settings.REDIS_URL = ""
    ticket_settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    }
    ticket_settings.OKPAY_CHAT_QUEUE_TIMEOUT_MINUTES = 5
    channel_layers.backends = {}
    presence.presence_reset()
    yield ticket_settings
    presence.presence_reset()
    channel_layers.backends = {}


def web_chat_hours(text: str, *, time_zone: str = "Asia/Shanghai") -> OfficialChannel:
    """The web-chat channel with these (English) opening hours (made if missing)."""
    channel, _created = OfficialChannel.objects.update_or_create(
        kind=ChannelKind.WEB_CHAT,
        platform="",
        value="https://okpay.example/help/chat/",
        defaults={
            "name_zh": "在线客服",
            "name_en": "Web chat",
            "hours_zh": text,
            "hours_en": text,
            "time_zone": time_zone,
            "response_zh": "通常 2 分钟内接入",
            "response_en": "Usually within 2 minutes",
            "best_for_zh": "操作指导",
            "best_for_en": "How-to questions",
            "active": True,
        },
    )
    return channel


def agent_online(agent: Any, at: datetime | None = None) -> None:
    presence.agent_seen(
        user_id=agent.pk,
        channel_name=f"test.{agent.pk}",
        now=at.timestamp() if at is not None else None,
    )


def start(
    customer: Any, *, at: datetime = OPEN_AT, body: str = "My top-up is late", **kw: Any
) -> ChatSession:
    from okpay.support.services.chat import chat_start

    return chat_start(
        customer=customer,
        topic=kw.pop("topic", "topup_delayed"),
        body=body,
        language=kw.pop("language", "en"),
        now=at,
        **kw,
    )


def bearer(user: Any) -> dict[str, Any]:
    """Headers with a personal API token of ``user`` (made once per user object)."""
    from okpay.identity.client import NO_CLIENT
    from okpay.identity.services import personal_token_create, step_up_verify
    from okpay.identity.tests.fixtures import PASSWORD

    if not hasattr(user, "_chat_test_token"):
        holder = "session:chat-api-tests"
        step_up_verify(user=user, holder=holder, client=NO_CLIENT, password=PASSWORD)
        user._chat_test_token = personal_token_create(
            user=user, name="chat tests", expires_in_days=30, holder=holder, client=NO_CLIENT
        )
    return {"HTTP_AUTHORIZATION": f"Bearer {user._chat_test_token.secret}"}


# --- Sockets ------------------------------------------------------------------------------------


def session_cookie(user: Any) -> str:
    """A signed-in session of ``user`` (its session record made by a first page view)."""
    client = Client()
    client.force_login(user)
    assert client.get("/").status_code == 200
    return client.cookies["sessionid"].value


async def open_socket(
    path: str, cookie: str | None = None, *, origin: bytes = b"http://testserver"
) -> tuple[WebsocketCommunicator, bool]:
    from okpay.config.asgi import application

    headers = [(b"origin", origin)]
    if cookie:
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _code = await communicator.connect(timeout=10)
    return communicator, connected


async def receive_until(
    communicator: WebsocketCommunicator,
    match: Callable[[dict[str, Any]], bool],
    *,
    timeout: float = 5.0,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The first event ``match`` accepts, and the events received before it."""
    skipped: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        left = deadline - loop.time()
        if left <= 0:
            raise AssertionError(f"no matching event; received {skipped!r}")
        event = await communicator.receive_json_from(timeout=left)
        if match(event):
            return event, skipped
        skipped.append(event)


def of_type(kind: str, **fields: Any) -> Callable[[dict[str, Any]], bool]:
    def match(event: dict[str, Any]) -> bool:
        return event.get("type") == kind and all(event.get(k) == v for k, v in fields.items())

    return match

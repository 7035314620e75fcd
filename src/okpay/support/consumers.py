"""WebSocket consumers of the live chat: the customer's chat socket and the agents' socket.

Both sockets speak JSON. Append ``?lang=en`` (or ``zh-hans``) to get texts and error
messages in that language. A refused action answers
``{"type": "error", "action": ..., "code", "message", "field"}`` (the API's codes).

``ws/support/chat/`` — a signed-in customer (not staff; anything else is refused at the
handshake). On connect the server sends ``chat.state`` for the customer's open chat
(``{"chat": {...}, "messages": [...]}``, history from the database, so a reconnect keeps
the conversation) or ``chat.hello`` (``available``, ``reason``, ``hours``) when there is
none. The client sends ``{"action": ...}``:

- ``start`` ``topic``, ``body``, ``transaction`` (optional reference) → ``chat.state``
- ``send`` ``body``; ``typing``; ``read`` ``message_id``; ``end``
- ``resume`` ``chat`` → ``chat.state`` of one of the customer's chats (e.g. after it ended)

and receives, for its chat: ``chat.message`` (``message``: id, sender customer/agent/system,
author, body, created_at), ``chat.queue`` (``position``), ``chat.accepted``
(``agent_name``), ``chat.requeued``, ``chat.typing`` (``sender``), ``chat.read``
(``reader``, ``message_id``), ``chat.verified``, ``chat.ended`` (``ticket``,
``ticket_url``), ``chat.missed`` (``reason``, ``ticket``, ``ticket_url``, ``ticket_due``).

``ws/support/agent/`` — agents, supervisors and operators (customers are refused). Every
``okpay.event`` sent to ``AGENTS_GROUP`` is forwarded unchanged, so any agent page (the
chat console, the inbox) can listen and refresh. Chat events on that group, each with
``chat`` = the chat's public id:

- ``chat.queued`` (``topic``): a chat started waiting or was passed back to the queue
- ``chat.accepted`` (``agent``: user id): an agent took a chat
- ``chat.ended``: a chat ended
- ``chat.missed`` (``ticket``): a waiting chat became a ticket
- ``chat.typing``: the customer is typing (at most every 5 s per chat)
- ``chat.message`` (``sender``): a new message, without its text (for unread badges)

Other parts of the desk publish their own events on the same group. An agent page may
also send ``{"action": "watch", "chat": id, "after": last message id}`` to receive that
chat's events (as the customer does, plus ``chat.state`` with the messages after
``after``), and ``send`` / ``typing`` / ``read`` with ``chat``. An agent socket counts the
agent as online (``okpay.support.presence``) — without one, new chats become tickets.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from okpay.errors import InvalidInput, OkpayError
from okpay.identity.models import User, UserSession
from okpay.identity.services import is_support_staff
from okpay.support import presence
from okpay.support.errors_chat import ChatNotFound
from okpay.support.models import ChatSession, ChatStatus
from okpay.support.realtime import AGENTS_GROUP, apublish, chat_group
from okpay.support.selectors_chat import (
    chat_counts,
    chat_data,
    chat_for_customer,
    chat_for_staff,
    chat_messages,
    chat_open_for_customer,
    message_data,
)
from okpay.support.services.chat import (
    chat_end,
    chat_expire_check,
    chat_message_send,
    chat_read,
    chat_start,
)
from okpay.support.services.chat_hours import chat_availability

logger = logging.getLogger(__name__)

T = TypeVar("T")

MAX_FRAME_CHARS = 16_000
TYPING_EVERY_SECONDS = 1.5
AGENTS_TYPING_EVERY_SECONDS = 5.0
WAIT_CHECK_SECONDS = 20.0
LANGUAGES = ("zh-hans", "en")


def _language(scope: dict[str, Any]) -> str:
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    wanted = (query.get("lang") or [""])[0].lower()
    return wanted if wanted in LANGUAGES else settings.LANGUAGE_CODE


def _session_touch(scope: dict[str, Any]) -> bool:
    """Whether the signed-in session still holds (not ended by a sign-out elsewhere or a
    removed device, not idle); a live one counts this socket's activity as activity."""
    session = scope.get("session")
    key = getattr(session, "session_key", None)
    if not key:
        return False
    row = UserSession.objects.filter(session_key=key).first()
    if row is None:
        return True  # adopted by the session middleware on the next page view
    now = timezone.now()
    idle = timedelta(minutes=int(settings.OKPAY_SESSION_IDLE_MINUTES))
    if row.ended_at is not None or now - row.last_seen_at >= idle:
        return False
    UserSession.objects.filter(pk=row.pk, ended_at__isnull=True).update(last_seen_at=now)
    return True


def _signed_in(scope: dict[str, Any]) -> User | None:
    user = scope.get("user")
    if isinstance(user, User) and user.is_authenticated and user.is_active:
        return user
    return None


class _ChatSocket(AsyncJsonWebsocketConsumer):
    """What both sockets share: language, JSON frames, errors, forwarding ``okpay.event``."""

    lang: str
    user: User
    _touched = 0.0

    async def _session_holds(self) -> bool:
        """Check the session now and then (``OKPAY_SESSION_TOUCH_SECONDS``); close the
        socket when it has ended."""
        now = time.monotonic()
        if self._touched and now - self._touched < settings.OKPAY_SESSION_TOUCH_SECONDS:
            return True
        self._touched = now
        if await database_sync_to_async(_session_touch)(self.scope):
            return True
        await self.close(code=4401)
        return False

    async def okpay_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None or len(text_data) > MAX_FRAME_CHARS:
            await self._error(InvalidInput(), action="")
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self._error(InvalidInput(_("Send a JSON object.")), action="")
            return
        if not isinstance(content, dict):
            await self._error(InvalidInput(_("Send a JSON object.")), action="")
            return
        if not await self._session_holds():
            return
        action = str(content.get("action", ""))
        handler = self.actions().get(action)
        if handler is None:
            await self._error(InvalidInput(_("Unknown action."), field="action"), action=action)
            return
        try:
            await handler(content)
        except OkpayError as exc:
            await self._error(exc, action=action)

    def actions(self) -> dict[str, Callable[[dict[str, Any]], Any]]:
        raise NotImplementedError

    async def _error(self, exc: OkpayError, *, action: str) -> None:
        with translation.override(self.lang):
            body = exc.as_dict()
        await self.send_json({"type": "error", "action": action, **body})

    async def _db(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` (database work) in a worker thread, in the socket's language."""
        lang = self.lang

        def run() -> T:
            with translation.override(lang):
                return fn()

        return await database_sync_to_async(run)()

    async def _join(self, public_id: str) -> None:
        group = chat_group(public_id)
        if group not in self.groups:
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups.append(group)

    @staticmethod
    def _text(content: dict[str, Any], key: str) -> str:
        value = content.get(key, "")
        if not isinstance(value, str):
            raise InvalidInput(field=key)
        return value

    @staticmethod
    def _int(content: dict[str, Any], key: str) -> int:
        value = content.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput(field=key)
        return value


def _state(chat: ChatSession, *, after_id: int = 0) -> dict[str, Any]:
    return {
        "type": "chat.state",
        "chat": chat_data(chat),
        "messages": [
            message_data(m, chat=chat) for m in chat_messages(chat=chat, after_id=after_id)
        ],
    }


class CustomerChatConsumer(_ChatSocket):
    """``ws/support/chat/``: one customer's conversation (see the module docstring)."""

    chat_id: str | None = None
    _last_typing = 0.0
    _last_agents_typing = 0.0
    _watcher: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        self.lang = _language(self.scope)
        user = _signed_in(self.scope)
        if user is None or is_support_staff(user):
            await self.close()
            return
        if not await self._session_holds():
            return
        self.user = user
        await self.accept()
        found = await self._db(lambda: chat_open_for_customer(user=user))
        if found is not None:
            chat = await self._db(lambda: chat_expire_check(chat=found))
            await self._follow(chat)
        else:
            await self.send_json(await self._db(self._hello))
        self._watcher = asyncio.create_task(self._watch_waiting())

    async def disconnect(self, code: int) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher

    def _hello(self) -> dict[str, Any]:
        availability = chat_availability(now=timezone.now(), language=self.lang)
        return {
            "type": "chat.hello",
            "available": availability.open,
            "reason": availability.reason.value if availability.reason else None,
            "hours": availability.hours,
        }

    async def _follow(self, chat: ChatSession) -> None:
        self.chat_id = chat.public_id
        await self._join(chat.public_id)
        await self.send_json(await self._db(lambda: _state(chat)))

    async def _watch_waiting(self) -> None:
        """While the chat waits, check now and then that it can still be answered (the
        periodic job does it too, but may run in a process this socket cannot hear)."""
        while True:
            await asyncio.sleep(WAIT_CHECK_SECONDS)
            public_id = self.chat_id
            if public_id is None:
                continue
            try:
                await self._db(functools.partial(self._check_waiting, public_id))
            except (DatabaseError, OkpayError):  # keep the socket; the periodic job retries
                logger.warning("waiting chat check failed for %s", public_id, exc_info=True)

    def _check_waiting(self, public_id: str) -> None:
        chat = ChatSession.objects.filter(public_id=public_id, status=ChatStatus.QUEUED).first()
        if chat is not None:
            chat_expire_check(chat=chat)

    def actions(self) -> dict[str, Callable[[dict[str, Any]], Any]]:
        return {
            "start": self.start,
            "send": self.send_message,
            "typing": self.typing,
            "read": self.read,
            "end": self.end,
            "resume": self.resume,
        }

    async def _current(self) -> ChatSession:
        public_id = self.chat_id
        if public_id is None:
            raise ChatNotFound(field="chat")
        return await self._db(lambda: chat_for_customer(user=self.user, public_id=public_id))

    async def start(self, content: dict[str, Any]) -> None:
        topic = self._text(content, "topic")
        body = self._text(content, "body")
        reference = self._text(content, "transaction")
        chat = await self._db(
            lambda: chat_start(
                customer=self.user,
                topic=topic,
                body=body,
                transaction_reference=reference,
                language=self.lang,
            )
        )
        await self._follow(chat)

    async def resume(self, content: dict[str, Any]) -> None:
        public_id = self._text(content, "chat")
        chat = await self._db(lambda: chat_for_customer(user=self.user, public_id=public_id))
        await self._follow(chat)

    async def send_message(self, content: dict[str, Any]) -> None:
        body = self._text(content, "body")
        chat = await self._current()
        await self._db(lambda: chat_message_send(chat=chat, author=self.user, body=body))

    async def typing(self, content: dict[str, Any]) -> None:
        public_id = self.chat_id
        if public_id is None:
            return
        now = time.monotonic()
        if now - self._last_typing >= TYPING_EVERY_SECONDS:
            self._last_typing = now
            await apublish(
                chat_group(public_id),
                {"type": "chat.typing", "chat": public_id, "sender": "customer"},
            )
        if now - self._last_agents_typing >= AGENTS_TYPING_EVERY_SECONDS:
            self._last_agents_typing = now
            await apublish(AGENTS_GROUP, {"type": "chat.typing", "chat": public_id})

    async def read(self, content: dict[str, Any]) -> None:
        message_id = self._int(content, "message_id")
        chat = await self._current()
        await self._db(lambda: chat_read(chat=chat, reader=self.user, message_id=message_id))

    async def end(self, content: dict[str, Any]) -> None:
        chat = await self._current()
        await self._db(lambda: chat_end(chat=chat, by=self.user))


class AgentConsumer(_ChatSocket):
    """``ws/support/agent/``: every agent page (see the module docstring)."""

    _heartbeat: asyncio.Task[None] | None = None
    _last_typing: dict[str, float]

    async def connect(self) -> None:
        self.lang = _language(self.scope)
        user = _signed_in(self.scope)
        if user is None or not is_support_staff(user):
            await self.close()
            return
        if not await self._session_holds():
            return
        self.user = user
        self._last_typing = {}
        await self.channel_layer.group_add(AGENTS_GROUP, self.channel_name)
        self.groups.append(AGENTS_GROUP)
        await self.accept()
        await self._seen()
        self._heartbeat = asyncio.create_task(self._beat())
        counts = await self._db(lambda: chat_counts(agent=user))
        await self.send_json(
            {
                "type": "chat.counts",
                "queued": counts.queued,
                "active": counts.active,
                "mine": counts.mine,
                "agents_online": counts.agents_online,
            }
        )

    async def disconnect(self, code: int) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
            await self._seen()  # the grace period starts now

    async def _seen(self) -> None:
        user_id, channel = self.user.pk, self.channel_name
        await database_sync_to_async(presence.agent_seen)(user_id=user_id, channel_name=channel)

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(presence.HEARTBEAT_SECONDS)
            await self._seen()

    def actions(self) -> dict[str, Callable[[dict[str, Any]], Any]]:
        return {
            "watch": self.watch,
            "send": self.send_message,
            "typing": self.typing,
            "read": self.read,
        }

    async def _chat(self, content: dict[str, Any]) -> ChatSession:
        public_id = self._text(content, "chat")
        return await self._db(lambda: chat_for_staff(user=self.user, public_id=public_id))

    async def watch(self, content: dict[str, Any]) -> None:
        chat = await self._chat(content)
        after = content.get("after", 0)
        after_id = after if isinstance(after, int) and not isinstance(after, bool) else 0
        await self._join(chat.public_id)
        await self.send_json(await self._db(lambda: _state(chat, after_id=after_id)))

    async def send_message(self, content: dict[str, Any]) -> None:
        body = self._text(content, "body")
        chat = await self._chat(content)
        await self._db(lambda: chat_message_send(chat=chat, author=self.user, body=body))

    async def typing(self, content: dict[str, Any]) -> None:
        public_id = self._text(content, "chat")
        now = time.monotonic()
        if now - self._last_typing.get(public_id, 0.0) < TYPING_EVERY_SECONDS:
            return
        chat = await self._chat(content)
        if chat.agent_id != self.user.pk or chat.status != ChatStatus.ACTIVE:
            return
        self._last_typing[public_id] = now
        await apublish(
            chat_group(public_id), {"type": "chat.typing", "chat": public_id, "sender": "agent"}
        )

    async def read(self, content: dict[str, Any]) -> None:
        message_id = self._int(content, "message_id")
        chat = await self._chat(content)
        await self._db(lambda: chat_read(chat=chat, reader=self.user, message_id=message_id))


class RefusedConsumer(AsyncJsonWebsocketConsumer):
    """Any other WebSocket address: refused at the handshake."""

    async def connect(self) -> None:
        await self.close()

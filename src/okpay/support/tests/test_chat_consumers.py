"""The chat sockets over the real ASGI application (origin check, session auth, routing).

Customer and agent talk through ``ws/support/chat/`` and ``ws/support/agent/``: queue
position, accept, messages both ways, typing, read marks, reconnect, chat → ticket, and
the sockets refusing whoever must not be there.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from okpay.support.models import ChatMessage, ChatSession, Ticket
from okpay.support.services.chat import chat_accept, chat_start
from okpay.support.tests.chat_fixtures import (
    chat_settings,
    of_type,
    open_socket,
    receive_until,
    session_cookie,
    web_chat_hours,
)
from okpay.support.tests.tickets_fixtures import people, ticket_settings

__all__ = ["chat_settings", "people", "ticket_settings"]

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

CHAT = "/ws/support/chat/?lang=en"
AGENT = "/ws/support/agent/?lang=en"


@pytest.fixture
def desk(people: dict[str, Any], chat_settings: Any) -> dict[str, Any]:
    """People with session cookies; chat open around the clock."""
    web_chat_hours("Every day 00:00–24:00")
    return {**people, "cookies": {name: session_cookie(user) for name, user in people.items()}}


def _state(event: dict[str, Any]) -> dict[str, Any]:
    return event["chat"]


@database_sync_to_async
def _db(fn: Any) -> Any:
    return fn()


async def test_queue_accept_messages_typing_and_read_marks(desk: dict[str, Any]) -> None:
    cookies = desk["cookies"]
    agent, connected = await open_socket(AGENT, cookies["agent"])
    assert connected
    counts, _ = await receive_until(agent, of_type("chat.counts"))
    assert (counts["queued"], counts["agents_online"]) == (0, 1)

    # The customer sees that chat is open and starts a chat: first in the queue.
    alice, connected = await open_socket(CHAT, cookies["owner"])
    assert connected
    hello = await alice.receive_json_from(timeout=5)
    assert hello == {
        "type": "chat.hello",
        "available": True,
        "reason": None,
        "hours": "Every day 00:00–24:00",
    }
    await alice.send_json_to({"action": "start", "topic": "fees", "body": "Why a fee?"})
    state, _ = await receive_until(alice, of_type("chat.state"))
    chat_id = _state(state)["id"]
    assert (_state(state)["status"], _state(state)["queue_position"]) == ("queued", 1)
    assert [(m["sender"], m["body"]) for m in state["messages"]] == [("customer", "Why a fee?")]
    queued, _ = await receive_until(agent, of_type("chat.queued", chat=chat_id))
    assert queued["topic"] == "fees"

    # A second customer queues behind her.
    bob, connected = await open_socket(CHAT, cookies["other"])
    assert connected
    await bob.receive_json_from(timeout=5)
    await bob.send_json_to({"action": "start", "topic": "other", "body": "Hello"})
    bob_state, _ = await receive_until(bob, of_type("chat.state"))
    bob_chat = _state(bob_state)["id"]
    assert _state(bob_state)["queue_position"] == 2

    # The agent accepts Alice's chat: she is told, Bob moves up.
    chat = await _db(lambda: ChatSession.objects.get(public_id=chat_id))
    await _db(lambda: chat_accept(chat=chat, agent=desk["agent"]))
    accepted, _ = await receive_until(alice, of_type("chat.accepted", chat=chat_id))
    assert accepted["agent_name"] == "Agent Wu"
    moved, _ = await receive_until(bob, of_type("chat.queue", chat=bob_chat))
    assert moved["position"] == 1

    # The agent watches the chat and writes; Alice reads it live.
    await agent.send_json_to({"action": "watch", "chat": chat_id, "after": 0})
    watched, _ = await receive_until(agent, of_type("chat.state"))
    assert [m["sender"] for m in watched["messages"]] == ["customer", "system"]
    await agent.send_json_to({"action": "typing", "chat": chat_id})
    typing, _ = await receive_until(alice, of_type("chat.typing", chat=chat_id))
    assert typing["sender"] == "agent"
    await agent.send_json_to({"action": "send", "chat": chat_id, "body": "It is the FX fee."})
    answer, _ = await receive_until(
        alice, lambda e: e.get("type") == "chat.message" and e["message"]["sender"] == "agent"
    )
    assert (answer["message"]["author"], answer["message"]["body"]) == (
        "Agent Wu",
        "It is the FX fee.",
    )

    # Alice types, reads and answers; the agent sees all of it.
    await alice.send_json_to({"action": "typing"})
    typing, _ = await receive_until(agent, of_type("chat.typing", chat=chat_id, sender="customer"))
    await alice.send_json_to({"action": "read", "message_id": answer["message"]["id"]})
    read, _ = await receive_until(agent, of_type("chat.read", chat=chat_id, reader="customer"))
    assert read["message_id"] == answer["message"]["id"]
    await alice.send_json_to({"action": "send", "body": "My card is 4111 1111 1111 1111"})
    reply, _ = await receive_until(
        agent,
        lambda e: (
            e.get("type") == "chat.message"
            and "message" in e
            and e["message"]["sender"] == "customer"
        ),
    )
    assert reply["message"]["body"] == "My card is **** **** **** 1111"

    stored = await _db(
        lambda: list(ChatMessage.objects.filter(session=chat).values_list("body", flat=True))
    )
    assert "4111 1111 1111 1111" not in " ".join(stored)
    chat = await _db(lambda: ChatSession.objects.get(pk=chat.pk))
    assert chat.customer_read_id == reply["message"]["id"]

    for socket in (alice, bob, agent):
        await socket.disconnect()


async def test_a_reconnecting_customer_gets_the_conversation_from_the_database(
    desk: dict[str, Any],
) -> None:
    agent, _ = await open_socket(AGENT, desk["cookies"]["agent"])
    alice, _ = await open_socket(CHAT, desk["cookies"]["owner"])
    await alice.receive_json_from(timeout=5)
    await alice.send_json_to({"action": "start", "topic": "fees", "body": "First"})
    await receive_until(alice, of_type("chat.state"))
    await alice.send_json_to({"action": "send", "body": "Second"})
    await receive_until(alice, of_type("chat.message"))
    await alice.disconnect()

    again, connected = await open_socket(CHAT, desk["cookies"]["owner"])

    assert connected
    state = await again.receive_json_from(timeout=5)
    assert state["type"] == "chat.state"
    assert [m["body"] for m in state["messages"]] == ["First", "Second"]
    assert state["chat"]["status"] == "queued"
    await again.disconnect()
    await agent.disconnect()


async def test_ending_from_the_socket_saves_the_transcript(desk: dict[str, Any]) -> None:
    agent, _ = await open_socket(AGENT, desk["cookies"]["agent"])
    alice, _ = await open_socket(CHAT, desk["cookies"]["owner"])
    await alice.receive_json_from(timeout=5)
    await alice.send_json_to({"action": "start", "topic": "account", "body": "Hi"})
    state, _ = await receive_until(alice, of_type("chat.state"))

    await alice.send_json_to({"action": "end"})

    ended, _ = await receive_until(alice, of_type("chat.ended"))
    ticket = await _db(lambda: Ticket.objects.get(requester=desk["owner"]))
    assert (ended["chat"], ended["by"], ended["ticket"]) == (
        state["chat"]["id"],
        "customer",
        ticket.number,
    )
    assert ended["ticket_url"] == f"/support/tickets/{ticket.number}/"
    await receive_until(agent, of_type("chat.ended", chat=state["chat"]["id"]))
    await alice.disconnect()
    await agent.disconnect()


async def test_with_no_agent_online_a_started_chat_becomes_a_ticket(desk: dict[str, Any]) -> None:
    alice, _ = await open_socket(CHAT, desk["cookies"]["owner"])
    hello = await alice.receive_json_from(timeout=5)
    assert (hello["available"], hello["reason"]) == (False, "no_agents")

    await alice.send_json_to({"action": "start", "topic": "fees", "body": "Anyone there?"})

    state, _ = await receive_until(alice, of_type("chat.state"))
    ticket = await _db(lambda: Ticket.objects.get(requester=desk["owner"]))
    assert (state["chat"]["status"], state["chat"]["ticket"]) == ("missed", ticket.number)
    assert state["chat"]["ticket_due"] == ticket.first_response_due.isoformat()
    assert state["messages"][-1]["sender"] == "system"
    assert state["messages"][-1]["body"].startswith("No agent is available right now.")
    assert ticket.via == "chat"
    await alice.disconnect()


async def test_outside_opening_hours_the_customer_is_told_and_gets_a_ticket(
    desk: dict[str, Any],
) -> None:
    agent, _ = await open_socket(AGENT, desk["cookies"]["agent"])
    now = timezone.now().astimezone(timezone.get_default_timezone())
    opens = (now + timedelta(hours=2)).strftime("%H:00")
    closes = (now + timedelta(hours=3)).strftime("%H:00")
    await _db(lambda: web_chat_hours(f"Every day {opens}–{closes}", time_zone="Asia/Shanghai"))
    alice, _ = await open_socket(CHAT, desk["cookies"]["owner"])

    hello = await alice.receive_json_from(timeout=5)
    await alice.send_json_to({"action": "start", "topic": "fees", "body": "Hello?"})

    assert (hello["available"], hello["reason"]) == (False, "closed")
    state, _ = await receive_until(alice, of_type("chat.state"))
    assert state["chat"]["status"] == "missed"
    assert state["messages"][-1]["body"].startswith(
        f"Live chat is closed now (opening hours: Every day {opens}–{closes})."
    )
    missed, _ = await receive_until(agent, of_type("chat.missed", chat=state["chat"]["id"]))
    assert missed["ticket"] == state["chat"]["ticket"]
    await alice.disconnect()
    await agent.disconnect()


async def test_a_chat_left_waiting_too_long_becomes_a_ticket_when_the_customer_returns(
    desk: dict[str, Any],
) -> None:
    agent, _ = await open_socket(AGENT, desk["cookies"]["agent"])
    started = timezone.now() - timedelta(minutes=6)
    chat = await _db(
        lambda: chat_start(
            customer=desk["owner"], topic="fees", body="Still here", language="en", now=started
        )
    )
    assert chat.status == "queued"

    alice, _ = await open_socket(CHAT, desk["cookies"]["owner"])

    state = await alice.receive_json_from(timeout=5)
    assert (state["type"], state["chat"]["id"], state["chat"]["status"]) == (
        "chat.state",
        chat.public_id,
        "missed",
    )
    assert state["messages"][-1]["body"].startswith(
        "No agent could take your chat within 5 minutes."
    )
    await alice.disconnect()
    await agent.disconnect()


async def test_sockets_refuse_whoever_must_not_be_there(desk: dict[str, Any]) -> None:
    cookies = desk["cookies"]
    cases = [
        (CHAT, None, b"http://testserver"),  # anonymous
        (CHAT, cookies["agent"], b"http://testserver"),  # staff on the customer socket
        (AGENT, None, b"http://testserver"),  # anonymous
        (AGENT, cookies["owner"], b"http://testserver"),  # a customer on the agent socket
        (CHAT, cookies["owner"], b"https://evil.example"),  # another site's page
        ("/ws/support/nothing/", cookies["owner"], b"http://testserver"),  # no such socket
    ]
    for path, cookie, origin in cases:
        socket, connected = await open_socket(path, cookie, origin=origin)
        assert not connected, (path, origin)
        await socket.wait()


async def test_a_socket_closes_once_its_session_was_ended_elsewhere(
    desk: dict[str, Any], settings: Any
) -> None:
    from okpay.identity.client import NO_CLIENT
    from okpay.identity.models import UserSession
    from okpay.identity.services.sessions import session_end

    settings.OKPAY_SESSION_TOUCH_SECONDS = 0
    cookie = desk["cookies"]["owner"]
    alice, connected = await open_socket(CHAT, cookie)
    assert connected
    await alice.receive_json_from(timeout=5)
    row = await _db(lambda: UserSession.objects.get(session_key=cookie))

    await _db(lambda: session_end(user=desk["owner"], session_id=row.pk, client=NO_CLIENT))
    await alice.send_json_to({"action": "start", "topic": "fees", "body": "Hello"})

    closed = await alice.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 4401}
    assert await _db(lambda: ChatSession.objects.count()) == 0
    _refused, connected = await open_socket(CHAT, cookie)
    assert not connected


async def test_other_customers_chats_stay_out_of_reach(desk: dict[str, Any]) -> None:
    agent, _ = await open_socket(AGENT, desk["cookies"]["agent"])
    alice, _ = await open_socket(CHAT, desk["cookies"]["owner"])
    await alice.receive_json_from(timeout=5)
    await alice.send_json_to({"action": "start", "topic": "fees", "body": "Private"})
    state, _ = await receive_until(alice, of_type("chat.state"))
    bob, _ = await open_socket(CHAT, desk["cookies"]["other"])
    await bob.receive_json_from(timeout=5)

    await bob.send_json_to({"action": "resume", "chat": state["chat"]["id"]})
    refused = await bob.receive_json_from(timeout=5)
    await bob.send_json_to({"action": "send", "body": "Hi"})
    no_chat = await bob.receive_json_from(timeout=5)

    assert (refused["type"], refused["code"], refused["action"]) == (
        "error",
        "chat_not_found",
        "resume",
    )
    assert no_chat["code"] == "chat_not_found"
    assert await bob.receive_nothing(timeout=0.3)
    count = await _db(lambda: ChatMessage.objects.count())
    assert count == 1
    for socket in (alice, bob, agent):
        await socket.disconnect()


async def test_bad_frames_get_an_error_and_keep_the_socket(desk: dict[str, Any]) -> None:
    alice, _ = await open_socket(CHAT, desk["cookies"]["owner"])
    await alice.receive_json_from(timeout=5)

    await alice.send_to(text_data="not json")
    not_json = await alice.receive_json_from(timeout=5)
    await alice.send_json_to({"action": "dance"})
    unknown = await alice.receive_json_from(timeout=5)
    await alice.send_json_to({"action": "start", "topic": "fees", "body": 42})
    wrong_type = await alice.receive_json_from(timeout=5)
    await alice.send_json_to({"action": "start", "topic": "fees", "body": ""})
    empty = await alice.receive_json_from(timeout=5)

    assert (not_json["code"], unknown["code"], unknown["field"]) == (
        "invalid_input",
        "invalid_input",
        "action",
    )
    assert (wrong_type["code"], wrong_type["field"]) == ("invalid_input", "body")
    assert (empty["code"], empty["field"], empty["message"]) == (
        "message_empty",
        "body",
        "Write a message first.",
    )
    assert await _db(lambda: ChatSession.objects.count()) == 0
    await alice.disconnect()

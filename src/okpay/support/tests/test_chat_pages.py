"""Live-chat pages: the widget on customer pages, the chat page, and the agent console
(permission matrix, accept, send, verify, end, pass back — the forms work without JS)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from okpay.identity.models import AuditEvent
from okpay.identity.services.support_code import support_code_issue
from okpay.support.models import ChatMessage, ChatSession
from okpay.support.services.chat import chat_accept
from okpay.support.tests.chat_fixtures import agent_online, chat_settings, web_chat_hours
from okpay.support.tests.tickets_fixtures import client_for, people, ticket_settings

__all__ = ["chat_settings", "people", "ticket_settings"]

pytestmark = pytest.mark.django_db

CONSOLE = "/support/agent/chats/"


@pytest.fixture
def desk(people: dict[str, Any], chat_settings: Any) -> dict[str, Any]:
    web_chat_hours("Every day 00:00–24:00")
    agent_online(people["agent"])
    return people


def _start(user: Any, body: str = "My top-up is late") -> ChatSession:
    from okpay.support.services.chat import chat_start

    return chat_start(customer=user, topic="topup_delayed", body=body, language="en")


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- The widget -----------------------------------------------------------------------------


def test_signed_in_customers_get_the_chat_widget_on_customer_pages(desk: dict[str, Any]) -> None:
    page = _text(client_for(desk["owner"]).get("/help/"))

    assert 'data-chat-widget data-lang="en" data-ws="/ws/support/chat/?lang=en"' in page
    assert 'data-articles="/api/v1/support/articles"' in page
    assert '<option value="topup_delayed">Top-up delayed</option>' in page
    assert 'id="chat-widget-texts"' in page
    assert "/static/support/chat-widget.js" in page


def test_guests_are_asked_to_sign_in_or_open_a_ticket(desk: dict[str, Any]) -> None:
    page = _text(Client().get("/help/"))

    assert "data-chat-widget" in page and "data-ws=" not in page
    assert 'href="/account/login/?next=%2Fhelp%2F">Sign in to chat</a>' in page
    assert 'href="/support/tickets/new/">Open a ticket</a>' in page


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("agent", "/help/"),
        ("supervisor", "/"),
        (None, "/account/login/"),
        (None, "/account/signup/"),
        (None, "/account/password/forgot/"),
        ("agent", CONSOLE),
    ],
)
def test_no_widget_for_staff_on_agent_pages_or_on_sign_in_pages(
    desk: dict[str, Any], who: str | None, path: str
) -> None:
    response = client_for(desk[who] if who else None).get(path)

    assert response.status_code == 200
    assert "data-chat-widget" not in response.content.decode()


def test_the_chat_page_shows_the_chat_in_its_content(desk: dict[str, Any]) -> None:
    customer = _text(client_for(desk["owner"]).get("/help/chat/"))
    guest = _text(Client().get("/help/chat/"))
    staff = _text(client_for(desk["agent"]).get("/help/chat/"))

    assert "Opening hours: Every day 00:00–24:00." in customer
    assert customer.count("data-chat-widget") == 1 and "data-inline" in customer
    assert "data-chat-launcher" not in customer
    assert "Sign in to chat" in guest
    assert "data-chat-widget" not in staff and f'href="{CONSOLE}"' in staff


# --- The agent console ----------------------------------------------------------------------


def test_only_support_staff_reach_the_console(desk: dict[str, Any]) -> None:
    chat = _start(desk["owner"])
    pages = [CONSOLE, f"{CONSOLE}{chat.public_id}/"]

    anonymous = [Client().get(p) for p in pages]
    customer = [client_for(desk["owner"]).get(p) for p in pages]
    agent = [client_for(desk["agent"]).get(p) for p in pages]
    supervisor = [client_for(desk["supervisor"]).get(p) for p in pages]

    assert [r.status_code for r in anonymous] == [302, 302]
    assert all(r["Location"].startswith("/account/login/") for r in anonymous)
    assert [r.status_code for r in customer] == [404, 404]
    assert [r.status_code for r in agent + supervisor] == [200] * 4
    assert client_for(desk["agent"]).get(f"{CONSOLE}ch_0000000000000000/").status_code == 404


def test_the_console_lists_the_queue_and_my_chats(desk: dict[str, Any]) -> None:
    waiting = _start(desk["owner"], body="Where is my top-up?")
    mine = _start(desk["other"], body="Fee question")
    chat_accept(chat=mine, agent=desk["agent"])
    ChatMessage.objects.create(session=mine, sender="customer", author=desk["other"], body="Hi?")

    page = _text(client_for(desk["agent"]).get(CONSOLE))

    assert f'<tr data-chat="{waiting.public_id}" class="state-waiting">' in page
    assert "Where is my top-up?" in page
    assert f'action="/support/agent/chats/{waiting.public_id}/accept/"' in page
    assert f'<tr data-chat="{mine.public_id}">' in page
    assert '<span class="state-badge state-waiting">2</span>' in page
    assert 'data-ws="/ws/support/agent/?lang=en"' in page


def test_the_chat_page_shows_the_conversation_and_masked_context_and_logs_the_view(
    desk: dict[str, Any],
) -> None:
    desk["owner"].phone = "+8613812345678"
    desk["owner"].save(update_fields=["phone"])
    chat = _start(desk["owner"], body="Card 4111 1111 1111 1111 failed")
    chat_accept(chat=chat, agent=desk["agent"])

    page = _text(client_for(desk["agent"]).get(f"{CONSOLE}{chat.public_id}/"))

    assert "Card **** **** **** 1111 failed" in page
    assert "4111 1111 1111 1111" not in page
    assert "a***e@example.com" in page and "+86 *******5678" in page
    assert "alice@example.com" not in page
    assert "Never ask a customer for their password, 2FA code or full card number." in page
    assert f'action="/support/agent/chats/{chat.public_id}/verify/"' in page
    assert (
        AuditEvent.objects.filter(
            action="support.customer_data_view", actor=desk["agent"], object_id=chat.public_id
        ).count()
        == 1
    )


def test_accept_send_and_end_through_the_forms(desk: dict[str, Any]) -> None:
    chat = _start(desk["owner"])
    agent = client_for(desk["agent"])

    accepted = agent.post(f"{CONSOLE}{chat.public_id}/accept/")
    sent = agent.post(f"{CONSOLE}{chat.public_id}/send/", {"body": "Checking now."})
    ended = agent.post(f"{CONSOLE}{chat.public_id}/end/", follow=True)

    assert accepted["Location"] == f"{CONSOLE}{chat.public_id}/"
    assert sent["Location"] == f"{CONSOLE}{chat.public_id}/"
    chat.refresh_from_db()
    assert chat.status == "ended" and chat.ticket is not None
    assert ("agent", "Checking now.") in list(
        ChatMessage.objects.filter(session=chat).values_list("sender", "body")
    )
    assert f"Chat ended. The transcript is in ticket {chat.ticket.number}." in _text(ended)


def test_a_chat_another_agent_took_cannot_be_accepted_again(desk: dict[str, Any]) -> None:
    chat = _start(desk["owner"])
    chat_accept(chat=chat, agent=desk["supervisor"])

    response = client_for(desk["agent"]).post(f"{CONSOLE}{chat.public_id}/accept/", follow=True)

    assert response.redirect_chain == [(CONSOLE, 302)]
    assert "This chat is no longer waiting" in _text(response)
    chat.refresh_from_db()
    assert chat.agent_id == desk["supervisor"].pk


def test_forms_need_the_csrf_token(desk: dict[str, Any]) -> None:
    chat = _start(desk["owner"])
    client = Client(enforce_csrf_checks=True)
    client.force_login(desk["agent"])

    response = client.post(f"{CONSOLE}{chat.public_id}/accept/")

    assert response.status_code == 403
    chat.refresh_from_db()
    assert chat.status == "queued"


def test_an_empty_message_shows_the_error_beside_the_field(desk: dict[str, Any]) -> None:
    chat = _start(desk["owner"])
    chat_accept(chat=chat, agent=desk["agent"])
    before = ChatMessage.objects.count()

    response = client_for(desk["agent"]).post(f"{CONSOLE}{chat.public_id}/send/", {"body": " "})

    assert response.status_code == 400
    assert '<p class="field-error" id="c-body-error">Write a message first.</p>' in _text(response)
    assert ChatMessage.objects.count() == before


def test_verifying_the_customer_with_their_code(desk: dict[str, Any]) -> None:
    chat = _start(desk["owner"])
    chat_accept(chat=chat, agent=desk["agent"])
    agent = client_for(desk["agent"])
    issued = support_code_issue(user=desk["owner"])
    wrong = f"{(int(issued.code) + 1) % 1_000_000:06d}"

    refused = agent.post(f"{CONSOLE}{chat.public_id}/verify/", {"code": wrong})
    chat.refresh_from_db()
    assert refused.status_code == 400
    assert 'id="c-code-error"' in _text(refused)
    assert chat.customer_verified_at is None

    verified = agent.post(f"{CONSOLE}{chat.public_id}/verify/", {"code": issued.code}, follow=True)
    chat.refresh_from_db()
    assert chat.customer_verified_at is not None
    assert "Identity verified." in _text(verified)
    assert ChatMessage.objects.filter(
        session=chat,
        sender="system",
        body="Identity verified: the agent checked your support verification code.",
    ).exists()


def test_passing_a_chat_back_to_the_queue(desk: dict[str, Any]) -> None:
    chat = _start(desk["owner"])
    chat_accept(chat=chat, agent=desk["agent"])

    response = client_for(desk["agent"]).post(f"{CONSOLE}{chat.public_id}/transfer/")

    assert response["Location"] == CONSOLE
    chat.refresh_from_db()
    assert (chat.status, chat.agent_id) == ("queued", None)

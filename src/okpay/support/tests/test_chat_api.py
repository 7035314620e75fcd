"""The live-chat API: permission matrix, each endpoint's happy path, bad input, error shape."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from okpay.identity.models import AuditEvent
from okpay.support.models import ChatMessage, ChatSession
from okpay.support.tests.chat_fixtures import agent_online, bearer, chat_settings, web_chat_hours
from okpay.support.tests.tickets_fixtures import people, ticket_settings

__all__ = ["chat_settings", "people", "ticket_settings"]

pytestmark = pytest.mark.django_db

BASE = "/api/v1/chats"


@pytest.fixture
def desk(people: dict[str, Any], chat_settings: Any) -> dict[str, Any]:
    web_chat_hours("Every day 00:00–24:00")
    agent_online(people["agent"])
    return people


def get(user: Any, path: str) -> Any:
    return Client().get(path, **bearer(user))


def post(user: Any, path: str, body: dict[str, Any] | None = None) -> Any:
    return Client().post(path, body or {}, content_type="application/json", **bearer(user))


def _start(user: Any, body: str = "Why was I charged a fee?") -> dict[str, Any]:
    response = post(user, BASE, {"topic": "fees", "body": body})
    assert response.status_code == 201, response.content
    return dict(response.json())


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", BASE),
        ("get", f"{BASE}/current"),
        ("get", f"{BASE}/queue"),
        ("get", f"{BASE}/ch_0000000000000000"),
        ("get", f"{BASE}/ch_0000000000000000/messages"),
        ("post", f"{BASE}/ch_0000000000000000/messages"),
        ("post", f"{BASE}/ch_0000000000000000/read"),
        ("post", f"{BASE}/ch_0000000000000000/end"),
        ("post", f"{BASE}/ch_0000000000000000/accept"),
    ],
)
def test_anonymous_requests_get_401(desk: dict[str, Any], method: str, path: str) -> None:
    response = getattr(Client(), method)(path, content_type="application/json")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_a_customer_starts_polls_writes_and_ends_a_chat(desk: dict[str, Any]) -> None:
    started = _start(desk["owner"])
    chat_id = started["chat"]["id"]
    assert (started["chat"]["status"], started["chat"]["queue_position"]) == ("queued", 1)
    assert [(m["sender"], m["body"]) for m in started["messages"]] == [
        ("customer", "Why was I charged a fee?")
    ]

    current = get(desk["owner"], f"{BASE}/current").json()
    sent = post(desk["owner"], f"{BASE}/{chat_id}/messages", {"body": "PIN: 4096"})
    first_id = started["messages"][0]["id"]
    newer = get(desk["owner"], f"{BASE}/{chat_id}/messages?after={first_id}").json()
    ended = post(desk["owner"], f"{BASE}/{chat_id}/end")

    assert current["chat"]["id"] == chat_id
    assert sent.status_code == 201
    assert (sent.json()["sender"], sent.json()["body"]) == ("customer", "PIN: ******")
    assert [m["body"] for m in newer["data"]] == ["PIN: ******"]
    assert ended.status_code == 200
    assert ended.json()["status"] == "ended"
    assert ended.json()["ticket"].startswith("T-")
    assert get(desk["owner"], f"{BASE}/current").json()["error"]["code"] == "chat_not_found"


def test_a_second_open_chat_is_refused_with_the_open_ones_id(desk: dict[str, Any]) -> None:
    chat_id = _start(desk["owner"])["chat"]["id"]

    response = post(desk["owner"], BASE, {"topic": "fees", "body": "Again"})

    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "chat_already_open",
        "message": "You already have an open chat. Continue it or end it first.",
        "field": None,
        "details": {"chat": chat_id},
    }
    assert ChatSession.objects.count() == 1


def test_without_an_agent_online_the_chat_comes_back_as_a_ticket(
    people: dict[str, Any], chat_settings: Any
) -> None:
    web_chat_hours("Every day 00:00–24:00")

    started = _start(people["owner"])

    chat = started["chat"]
    assert (chat["status"], chat["queue_position"]) == ("missed", None)
    assert chat["ticket"].startswith("T-") and chat["ticket_due"] is not None
    assert chat["ticket_url"] == f"/support/tickets/{chat['ticket']}/"


def test_another_customer_gets_404_for_every_chat_endpoint(desk: dict[str, Any]) -> None:
    chat_id = _start(desk["owner"])["chat"]["id"]
    base = f"{BASE}/{chat_id}"
    before = list(ChatMessage.objects.values_list("id", "body"))

    answers = [
        get(desk["other"], base),
        get(desk["other"], f"{base}/messages"),
        post(desk["other"], f"{base}/messages", {"body": "Hi"}),
        post(desk["other"], f"{base}/read", {"message_id": 1}),
        post(desk["other"], f"{base}/end"),
    ]

    assert [(a.status_code, a.json()["error"]["code"]) for a in answers] == [
        (404, "chat_not_found")
    ] * 5
    assert list(ChatMessage.objects.values_list("id", "body")) == before
    assert ChatSession.objects.get(public_id=chat_id).status == "queued"


def test_customers_cannot_see_the_queue_or_accept(desk: dict[str, Any]) -> None:
    chat_id = _start(desk["owner"])["chat"]["id"]

    queue = get(desk["other"], f"{BASE}/queue")
    accept = post(desk["owner"], f"{BASE}/{chat_id}/accept")

    assert (queue.status_code, queue.json()["error"]["code"]) == (403, "chat_staff_only")
    assert (accept.status_code, accept.json()["error"]["code"]) == (403, "chat_staff_only")
    assert ChatSession.objects.get(public_id=chat_id).status == "queued"


def test_agents_see_the_queue_accept_once_and_write(desk: dict[str, Any]) -> None:
    chat_id = _start(desk["owner"], body="Card 4111111111111111 declined")["chat"]["id"]

    queue = get(desk["agent"], f"{BASE}/queue").json()
    accepted = post(desk["agent"], f"{BASE}/{chat_id}/accept")
    too_late = post(desk["supervisor"], f"{BASE}/{chat_id}/accept")
    sent = post(desk["agent"], f"{BASE}/{chat_id}/messages", {"body": "Let me look."})
    not_in_chat = post(desk["supervisor"], f"{BASE}/{chat_id}/messages", {"body": "Hello"})
    viewed = get(desk["supervisor"], f"{BASE}/{chat_id}")

    assert [(r["chat"]["id"], r["customer"], r["preview"]) for r in queue["data"]] == [
        (chat_id, "Alice Zhang", "Card ************1111 declined")
    ]
    assert accepted.status_code == 200
    assert (accepted.json()["status"], accepted.json()["agent_name"]) == ("active", "Agent Wu")
    assert (too_late.status_code, too_late.json()["error"]["code"]) == (409, "chat_already_taken")
    assert (sent.status_code, sent.json()["author"]) == (201, "Agent Wu")
    assert (not_in_chat.status_code, not_in_chat.json()["error"]["code"]) == (
        403,
        "chat_not_yours",
    )
    assert viewed.status_code == 200
    assert [m["sender"] for m in viewed.json()["messages"]] == ["customer", "system", "agent"]
    assert AuditEvent.objects.filter(
        action="support.customer_data_view", actor=desk["supervisor"], object_id=chat_id
    ).exists()
    assert ChatSession.objects.get(public_id=chat_id).agent_id == desk["agent"].pk


def test_staff_cannot_start_a_chat(desk: dict[str, Any]) -> None:
    response = post(desk["agent"], BASE, {"topic": "fees", "body": "Test"})

    assert (response.status_code, response.json()["error"]["code"]) == (
        403,
        "chat_for_customers",
    )
    assert ChatSession.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"topic": "fees", "body": "  "}, "message_empty", "body"),
        ({"topic": "fees", "body": "x" * 2001}, "invalid_request", "body"),
        ({"topic": "lottery", "body": "Hi"}, "invalid_request", "topic"),
        ({"topic": "fees", "body": "Hi", "priority": "urgent"}, "invalid_request", "priority"),
        (
            {"topic": "fees", "body": "Hi", "transaction": "OK0000000000XX"},
            "not_found",
            "transaction",
        ),
    ],
)
def test_bad_input_gets_the_error_shape_and_changes_nothing(
    desk: dict[str, Any], body: dict[str, Any], code: str, field: str
) -> None:
    response = post(desk["owner"], BASE, body)

    assert response.status_code in (400, 404)
    error = response.json()["error"]
    assert (error["code"], error["field"]) == (code, field)
    assert ChatSession.objects.count() == 0


def test_read_marks_move_forward_through_the_api(desk: dict[str, Any]) -> None:
    chat_id = _start(desk["owner"])["chat"]["id"]
    post(desk["agent"], f"{BASE}/{chat_id}/accept")
    answer = post(desk["agent"], f"{BASE}/{chat_id}/messages", {"body": "Hello"}).json()

    marked = post(desk["owner"], f"{BASE}/{chat_id}/read", {"message_id": answer["id"]})

    assert marked.status_code == 200
    assert marked.json()["customer_read_id"] == answer["id"]

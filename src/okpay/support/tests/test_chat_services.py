"""Live-chat services: start, queue, accept, messages, read marks, end, hand back, expiry,
verification — and what each refused action leaves unchanged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from okpay.errors import NotFound
from okpay.identity.errors import SupportCodeInvalid
from okpay.identity.models import AuditEvent
from okpay.identity.services.support_code import support_code_issue
from okpay.support.errors_chat import (
    ChatAlreadyOpen,
    ChatAlreadyTaken,
    ChatForCustomers,
    ChatMessageTooLong,
    ChatNotActive,
    ChatNotFound,
    ChatNotOpen,
    ChatNotYours,
    ChatStaffOnly,
    ChatTopicInvalid,
)
from okpay.support.errors_tickets import MessageEmpty
from okpay.support.models import (
    ChatMessage,
    ChatSession,
    Ticket,
    TicketEvent,
    TicketMessage,
)
from okpay.support.selectors_chat import (
    chat_counts,
    chat_queue,
    chat_queue_position,
    chats_active_for_agent,
)
from okpay.support.services.chat import (
    chat_accept,
    chat_end,
    chat_expire_check,
    chat_message_send,
    chat_read,
    chat_to_ticket,
    chat_transfer,
    chat_verify_customer,
    chats_expire_waiting,
)
from okpay.support.services.tickets import ticket_create
from okpay.support.tests.chat_fixtures import (
    CLOSED_AT,
    OPEN_AT,
    agent_online,
    chat_settings,
    start,
    web_chat_hours,
)
from okpay.support.tests.tickets_fixtures import failed_payment, people, ticket_settings

__all__ = ["chat_settings", "people", "ticket_settings"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(people: dict[str, Any], chat_settings: Any) -> dict[str, Any]:
    """The people, with the agent online at ``OPEN_AT``."""
    agent_online(people["agent"], OPEN_AT)
    return people


def _bodies(chat: ChatSession) -> list[tuple[str, str]]:
    return list(ChatMessage.objects.filter(session=chat).values_list("sender", "body"))


# --- Start ----------------------------------------------------------------------------------


def test_a_chat_started_in_opening_hours_with_an_agent_online_waits_in_the_queue(
    desk: dict[str, Any],
) -> None:
    chat = start(desk["owner"], body="My card top-up has not arrived")

    assert chat.status == "queued"
    assert chat.public_id.startswith("ch_") and len(chat.public_id) == 19
    assert (chat.topic, chat.language, chat.agent_id, chat.ticket_id) == (
        "topup_delayed",
        "en",
        None,
        None,
    )
    assert _bodies(chat) == [("customer", "My card top-up has not arrived")]
    assert chat.customer_read_id == ChatMessage.objects.get(session=chat).pk
    assert chat_queue_position(chat=chat) == 1
    assert (
        AuditEvent.objects.filter(
            action="support.chat_start", actor=desk["owner"], object_id=chat.public_id
        ).count()
        == 1
    )


def test_messages_are_masked_before_they_are_stored(desk: dict[str, Any]) -> None:
    chat = start(desk["owner"], body="Card 4111 1111 1111 1111, password: Hunter-22x")

    assert _bodies(chat) == [("customer", "Card **** **** **** 1111, password: ******")]


def test_outside_opening_hours_the_chat_becomes_a_ticket_at_once(desk: dict[str, Any]) -> None:
    agent_online(desk["agent"], CLOSED_AT)

    chat = start(desk["owner"], at=CLOSED_AT, body="Where is my money?")

    assert (chat.status, chat.ended_at) == ("missed", CLOSED_AT)
    ticket = Ticket.objects.get(pk=chat.ticket_id)
    assert (ticket.via, ticket.category, ticket.requester_id, ticket.status) == (
        "chat",
        "topup_delayed",
        desk["owner"].pk,
        "new",
    )
    assert ticket.subject == "Live chat: Top-up delayed"
    assert list(TicketMessage.objects.filter(ticket=ticket).values_list("body", flat=True)) == [
        "Where is my money?"
    ]
    event = TicketEvent.objects.get(ticket=ticket, kind="chat")
    assert event.data == {"chat": chat.public_id, "status": "missed", "messages": 1}
    assert ticket.first_response_due is not None
    due = ticket.first_response_due.astimezone(ZoneInfo("Asia/Shanghai"))
    assert ChatMessage.objects.get(session=chat, sender="system").body == (
        "Live chat is closed now (opening hours: Every day 08:00–22:00). "
        f"We saved your message as ticket {ticket.number}. "
        f"We will answer by e-mail by {due:%Y-%m-%d %H:%M} (Asia/Shanghai)."
    )
    assert chat_counts().queued == 0


def test_system_lines_are_written_in_the_chats_language(desk: dict[str, Any]) -> None:
    agent_online(desk["agent"], CLOSED_AT)

    chat = start(desk["owner"], at=CLOSED_AT, language="zh-hans")

    ticket = Ticket.objects.get(pk=chat.ticket_id)
    assert ticket.first_response_due is not None
    due = ticket.first_response_due.astimezone(ZoneInfo("Asia/Shanghai"))
    assert ChatMessage.objects.get(session=chat, sender="system").body == (
        "在线客服当前不在服务时间（服务时间：每天 08:00–22:00）。"
        f"我们已将您的留言生成工单 {ticket.number}。"
        f"我们将在 {due:%Y-%m-%d %H:%M} (Asia/Shanghai) 前通过邮件回复您。"
    )


def test_with_no_agent_online_the_chat_becomes_a_ticket(
    people: dict[str, Any], chat_settings: Any
) -> None:
    chat = start(people["owner"])

    assert chat.status == "missed"
    assert chat.ticket is not None and chat.ticket.via == "chat"
    assert ChatMessage.objects.get(session=chat, sender="system").body.startswith(
        "No agent is available right now."
    )


def test_an_agent_last_seen_longer_ago_than_the_grace_period_is_offline(
    people: dict[str, Any], chat_settings: Any
) -> None:
    agent_online(people["agent"], OPEN_AT - timedelta(seconds=76))

    assert start(people["owner"]).status == "missed"


def test_a_customer_has_one_open_chat_at_a_time(desk: dict[str, Any]) -> None:
    first = start(desk["owner"])

    with pytest.raises(ChatAlreadyOpen) as error:
        start(desk["owner"], body="Hello again")

    assert error.value.details == {"chat": first.public_id}
    assert ChatSession.objects.filter(customer=desk["owner"]).count() == 1
    assert ChatMessage.objects.count() == 1


def test_staff_cannot_start_a_chat(desk: dict[str, Any]) -> None:
    with pytest.raises(ChatForCustomers):
        start(desk["agent"])

    assert ChatSession.objects.count() == 0


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"body": "   "}, MessageEmpty, "body"),
        ({"body": "x" * 2001}, ChatMessageTooLong, "body"),
        ({"topic": "lottery"}, ChatTopicInvalid, "topic"),
        ({"transaction_reference": "OK0000000000XX"}, NotFound, "transaction"),
    ],
)
def test_bad_start_input_is_refused_and_nothing_is_stored(
    desk: dict[str, Any], kwargs: dict[str, Any], error: type[Exception], field: str
) -> None:
    with pytest.raises(error) as raised:
        start(desk["owner"], **kwargs)

    assert raised.value.field == field  # type: ignore[attr-defined]
    assert (ChatSession.objects.count(), ChatMessage.objects.count()) == (0, 0)


def test_another_customers_transaction_cannot_be_linked(
    desk: dict[str, Any], settings: Any
) -> None:
    txn = failed_payment(desk["other"], settings)

    with pytest.raises(NotFound) as raised:
        start(desk["owner"], transaction_reference=txn.reference)

    assert raised.value.field == "transaction"
    assert ChatSession.objects.count() == 0


# --- Accept -------------------------------------------------------------------------------------


def test_accepting_takes_the_chat_and_a_second_agent_is_refused(desk: dict[str, Any]) -> None:
    chat = start(desk["owner"])
    later = OPEN_AT + timedelta(minutes=1)

    chat_accept(chat=chat, agent=desk["agent"], now=later)
    with pytest.raises(ChatAlreadyTaken):
        chat_accept(chat=chat, agent=desk["supervisor"], now=later)

    chat.refresh_from_db()
    assert (chat.status, chat.agent_id, chat.accepted_at) == ("active", desk["agent"].pk, later)
    assert _bodies(chat)[-1] == ("system", "Agent Wu joined the chat.")
    assert AuditEvent.objects.filter(action="support.chat_accept").count() == 1
    assert chat_queue_position(chat=chat) is None


def test_a_customer_cannot_accept_a_chat(desk: dict[str, Any]) -> None:
    chat = start(desk["owner"])

    with pytest.raises(ChatStaffOnly):
        chat_accept(chat=chat, agent=desk["other"])

    chat.refresh_from_db()
    assert (chat.status, chat.agent_id) == ("queued", None)


def test_the_queue_lists_waiting_chats_in_order_with_their_first_message(
    desk: dict[str, Any],
) -> None:
    first = start(desk["owner"], body="First in line")
    second = start(desk["other"], at=OPEN_AT + timedelta(minutes=1), body="Second")

    rows = chat_queue(now=OPEN_AT + timedelta(minutes=3))

    assert [(r.chat.pk, r.position, r.waiting_minutes, r.preview) for r in rows] == [
        (first.pk, 1, 3, "First in line"),
        (second.pk, 2, 2, "Second"),
    ]
    assert [r.customer for r in rows] == ["Alice Zhang", "Bob Li"]
    chat_accept(chat=first, agent=desk["agent"])
    assert chat_queue_position(chat=second) == 1
    counts = chat_counts(agent=desk["agent"])
    assert (counts.queued, counts.active, counts.mine) == (1, 1, 1)


# --- Messages and read marks ----------------------------------------------------------------


def test_messages_both_ways_move_the_read_marks(desk: dict[str, Any]) -> None:
    chat = start(desk["owner"])
    chat_accept(chat=chat, agent=desk["agent"])

    answer = chat_message_send(chat=chat, author=desk["agent"], body="Let me check that.")
    chat.refresh_from_db()
    assert chat.agent_read_id == answer.pk
    assert [r.unread for r in chats_active_for_agent(agent=desk["agent"])] == [0]

    reply = chat_message_send(chat=chat, author=desk["owner"], body="Thanks!")
    assert [r.unread for r in chats_active_for_agent(agent=desk["agent"])] == [1]
    assert chat_read(chat=chat, reader=desk["agent"], message_id=reply.pk) == reply.pk
    assert chat_read(chat=chat, reader=desk["agent"], message_id=answer.pk) == reply.pk

    chat.refresh_from_db()
    assert (chat.customer_read_id, chat.agent_read_id) == (reply.pk, reply.pk)
    assert (answer.sender, reply.sender) == ("agent", "customer")
    assert [r.unread for r in chats_active_for_agent(agent=desk["agent"])] == [0]


def test_only_the_chats_agent_and_customer_write_to_it(desk: dict[str, Any]) -> None:
    chat = start(desk["owner"])
    with pytest.raises(ChatNotActive):
        chat_message_send(chat=chat, author=desk["agent"], body="Too early")
    chat_accept(chat=chat, agent=desk["agent"])
    before = _bodies(chat)

    with pytest.raises(ChatNotYours):
        chat_message_send(chat=chat, author=desk["supervisor"], body="Not my chat")
    with pytest.raises(ChatNotFound):
        chat_message_send(chat=chat, author=desk["other"], body="Hi")
    with pytest.raises(ChatNotFound):
        chat_read(chat=chat, reader=desk["other"], message_id=10_000)

    assert _bodies(chat) == before


def test_an_ended_chat_takes_no_more_messages(desk: dict[str, Any]) -> None:
    chat = start(desk["owner"])
    chat_end(chat=chat, by=desk["owner"])
    before = _bodies(chat)

    with pytest.raises(ChatNotOpen):
        chat_message_send(chat=chat, author=desk["owner"], body="One more thing")
    with pytest.raises(ChatNotOpen):
        chat_end(chat=chat, by=desk["owner"])

    assert _bodies(chat) == before


# --- End and transcript --------------------------------------------------------------------


def test_ending_saves_the_transcript_in_a_solved_ticket_of_the_agent(
    desk: dict[str, Any],
) -> None:
    chat = start(desk["owner"], body="My top-up is late")
    chat_accept(chat=chat, agent=desk["agent"], now=OPEN_AT + timedelta(minutes=1))
    chat_message_send(
        chat=chat,
        author=desk["agent"],
        body="It arrives today.",
        now=OPEN_AT + timedelta(minutes=2),
    )

    ended = chat_end(chat=chat, by=desk["owner"], now=OPEN_AT + timedelta(minutes=3))

    assert (ended.status, ended.ended_at) == ("ended", OPEN_AT + timedelta(minutes=3))
    ticket = Ticket.objects.get(pk=ended.ticket_id)
    assert (ticket.via, ticket.status, ticket.assignee_id, ticket.category) == (
        "chat",
        "solved",
        desk["agent"].pk,
        "topup_delayed",
    )
    transcript = TicketMessage.objects.filter(ticket=ticket).first()
    assert transcript is not None
    assert transcript.body.splitlines() == [
        f"Live chat {chat.public_id}, started 2025-03-04 10:00 (Asia/Shanghai)",
        "Topic: Top-up delayed",
        "",
        "[10:00] Alice Zhang: My top-up is late",
        "[10:01] OKpay: Agent Wu joined the chat.",
        "[10:02] Agent Wu: It arrives today.",
        "[10:03] OKpay: Alice Zhang ended the chat.",
    ]
    event = TicketEvent.objects.get(ticket=ticket, kind="chat")
    assert (event.actor_id, event.data["status"]) == (desk["owner"].pk, "ended")
    assert _bodies(ended)[-1] == ("system", f"The conversation is saved in ticket {ticket.number}.")


def test_ending_a_waiting_chat_leaves_an_open_ticket_to_follow_up(desk: dict[str, Any]) -> None:
    chat = start(desk["owner"])

    ended = chat_end(chat=chat, by=desk["owner"])

    ticket = Ticket.objects.get(pk=ended.ticket_id)
    assert (ticket.status, ticket.assignee_id, ticket.via) == ("new", None, "chat")
    assert chat_queue() == []


def test_a_chat_about_a_transaction_with_an_open_ticket_continues_that_ticket(
    desk: dict[str, Any], settings: Any
) -> None:
    txn = failed_payment(desk["owner"], settings)
    ticket = ticket_create(
        requester=desk["owner"],
        subject="Failed top-up",
        body="It failed",
        category="payment_failed",
        transactions=[txn],
    )
    chat = start(desk["owner"], topic="payment_failed", transaction_reference=txn.reference)
    assert chat.ticket_id == ticket.pk
    chat_accept(chat=chat, agent=desk["agent"])

    chat_end(chat=chat, by=desk["agent"])

    assert Ticket.objects.filter(requester=desk["owner"]).count() == 1
    bodies = list(TicketMessage.objects.filter(ticket=ticket).values_list("via", "body"))
    assert len(bodies) == 2 and bodies[1][0] == "chat"
    assert bodies[1][1].startswith(f"Live chat {chat.public_id}")
    assert f"Transaction: {txn.reference}" in bodies[1][1]


def test_only_the_chats_agent_or_a_supervisor_ends_it(desk: dict[str, Any]) -> None:
    from okpay.identity.tests.fixtures import make_user

    colleague = make_user("wang@okpay.example", display_name="Agent Wang", role="agent")
    chat = start(desk["owner"])
    chat_accept(chat=chat, agent=desk["agent"])

    with pytest.raises(ChatNotYours):
        chat_end(chat=chat, by=colleague)
    chat.refresh_from_db()
    assert (chat.status, chat.ticket_id) == ("active", None)

    chat_end(chat=chat, by=desk["supervisor"])
    chat.refresh_from_db()
    assert chat.status == "ended"


# --- Back to the queue, expiry ---------------------------------------------------------------


def test_a_chat_passed_back_keeps_its_place_and_waits_anew(desk: dict[str, Any]) -> None:
    first = start(desk["owner"], at=OPEN_AT)
    second = start(desk["other"], at=OPEN_AT + timedelta(minutes=1))
    chat_accept(chat=first, agent=desk["agent"], now=OPEN_AT + timedelta(minutes=2))

    chat_transfer(chat=first, agent=desk["agent"], now=OPEN_AT + timedelta(minutes=10))

    first.refresh_from_db()
    assert (first.status, first.agent_id, first.accepted_at) == ("queued", None, None)
    assert [r.chat.pk for r in chat_queue(now=OPEN_AT + timedelta(minutes=10))] == [
        first.pk,
        second.pk,
    ]
    assert chats_expire_waiting(now=OPEN_AT + timedelta(minutes=11)) == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("queued", "missed")


def test_only_the_chats_agent_or_a_supervisor_passes_it_back(desk: dict[str, Any]) -> None:
    from okpay.identity.tests.fixtures import make_user

    colleague = make_user("wang@okpay.example", display_name="Agent Wang", role="agent")
    chat = start(desk["owner"])
    with pytest.raises(ChatNotActive):
        chat_transfer(chat=chat, agent=desk["agent"])
    chat_accept(chat=chat, agent=desk["agent"])

    with pytest.raises(ChatNotYours):
        chat_transfer(chat=chat, agent=colleague)

    chat.refresh_from_db()
    assert (chat.status, chat.agent_id) == ("active", desk["agent"].pk)


def test_chats_waiting_longer_than_the_timeout_become_tickets_once(desk: dict[str, Any]) -> None:
    chat = start(desk["owner"])

    assert chats_expire_waiting(now=OPEN_AT + timedelta(minutes=4, seconds=59)) == 0
    assert chats_expire_waiting(now=OPEN_AT + timedelta(minutes=5, seconds=1)) == 1
    assert chats_expire_waiting(now=OPEN_AT + timedelta(minutes=6)) == 0

    chat.refresh_from_db()
    assert chat.status == "missed"
    assert Ticket.objects.filter(requester=desk["owner"], via="chat").count() == 1
    assert ChatMessage.objects.get(session=chat, sender="system").body.startswith(
        "No agent could take your chat within 5 minutes."
    )
    assert chat_to_ticket(chat=chat, reason="timeout") is None


def test_at_closing_time_every_waiting_chat_becomes_a_ticket(desk: dict[str, Any]) -> None:
    before_closing = datetime(2025, 3, 4, 13, 58, tzinfo=UTC)  # 21:58 in Shanghai
    agent_online(desk["agent"], before_closing)
    chat = start(desk["owner"], at=before_closing)

    assert chats_expire_waiting(now=before_closing + timedelta(minutes=2, seconds=30)) == 1

    chat.refresh_from_db()
    assert chat.status == "missed"
    assert ChatMessage.objects.get(session=chat, sender="system").body.startswith(
        "Live chat is closed now"
    )


def test_a_waiting_chat_becomes_a_ticket_when_no_agent_is_left(desk: dict[str, Any]) -> None:
    chat = start(desk["owner"])

    assert chat_expire_check(chat=chat, now=OPEN_AT + timedelta(seconds=30)).status == "queued"
    assert chat_expire_check(chat=chat, now=OPEN_AT + timedelta(seconds=90)).status == "missed"

    assert ChatMessage.objects.get(session=chat, sender="system").body.startswith(
        "No agent is available right now."
    )


def test_an_accepted_chat_is_not_expired(desk: dict[str, Any]) -> None:
    chat = start(desk["owner"])
    chat_accept(chat=chat, agent=desk["agent"])

    assert chats_expire_waiting(now=OPEN_AT + timedelta(hours=1)) == 0
    chat.refresh_from_db()
    assert chat.status == "active"


# --- Verification ---------------------------------------------------------------------------


def test_the_agent_verifies_the_customer_with_their_support_code(desk: dict[str, Any]) -> None:
    chat = start(desk["owner"])
    chat_accept(chat=chat, agent=desk["agent"])
    issued = support_code_issue(user=desk["owner"])

    chat_verify_customer(chat=chat, agent=desk["agent"], code=issued.grouped, now=OPEN_AT)

    chat.refresh_from_db()
    assert chat.customer_verified_at == OPEN_AT
    assert _bodies(chat)[-1] == (
        "system",
        "Identity verified: the agent checked your support verification code.",
    )
    assert AuditEvent.objects.filter(action="support.chat_customer_verified").count() == 1


def test_a_wrong_code_verifies_nothing(desk: dict[str, Any]) -> None:
    chat = start(desk["owner"])
    chat_accept(chat=chat, agent=desk["agent"])
    issued = support_code_issue(user=desk["owner"])
    wrong = f"{(int(issued.code) + 1) % 1_000_000:06d}"
    before = _bodies(chat)

    with pytest.raises(SupportCodeInvalid):
        chat_verify_customer(chat=chat, agent=desk["agent"], code=wrong)

    chat.refresh_from_db()
    assert chat.customer_verified_at is None
    assert _bodies(chat) == before


def test_only_the_agent_in_the_chat_verifies(desk: dict[str, Any]) -> None:
    chat = start(desk["owner"])
    chat_accept(chat=chat, agent=desk["agent"])
    issued = support_code_issue(user=desk["owner"])

    with pytest.raises(ChatNotYours):
        chat_verify_customer(chat=chat, agent=desk["supervisor"], code=issued.code)

    chat.refresh_from_db()
    assert chat.customer_verified_at is None


def test_the_worker_runs_the_queue_timeout_every_minute(desk: dict[str, Any]) -> None:
    from okpay.support.tasks import support_chats_expire
    from okpay.web.management.commands.worker import periodic_jobs

    web_chat_hours("24/7")
    started = timezone.now() - timedelta(minutes=6)
    agent_online(desk["agent"], started)
    chat = start(desk["owner"], at=started)
    assert chat.status == "queued"

    assert (support_chats_expire, 60.0) in periodic_jobs()
    assert support_chats_expire.call() == 1
    chat.refresh_from_db()
    assert chat.status == "missed"

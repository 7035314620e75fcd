"""Accepting on PostgreSQL with real threads: of agents accepting one chat at once, one wins."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from okpay.identity.models import AuditEvent, Role
from okpay.identity.tests.fixtures import make_user
from okpay.support.errors_chat import ChatAlreadyTaken
from okpay.support.models import ChatMessage, ChatSession
from okpay.support.services.chat import chat_accept
from okpay.support.tests.chat_fixtures import agent_online, chat_settings, start, web_chat_hours
from okpay.support.tests.tickets_fixtures import ticket_settings

__all__ = ["chat_settings", "ticket_settings"]

AGENTS = 4


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_agents_accepting_one_chat_at_once_exactly_one_wins(chat_settings: Any) -> None:
    web_chat_hours("Every day 00:00–24:00")
    customer = make_user("race@example.com")
    agents = [
        make_user(f"agent{i}@okpay.example", display_name=f"Agent {i}", role=Role.AGENT)
        for i in range(AGENTS)
    ]
    agent_online(agents[0])
    chat = start(customer, at=timezone.now())
    assert chat.status == "queued"
    barrier = threading.Barrier(AGENTS)
    results: list[object] = [None] * AGENTS

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = chat_accept(
                chat=ChatSession.objects.get(pk=chat.pk), agent=agents[index]
            )
        except ChatAlreadyTaken as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(AGENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    winners = [r for r in results if isinstance(r, ChatSession)]
    assert len(winners) == 1
    assert sum(isinstance(r, ChatAlreadyTaken) for r in results) == AGENTS - 1
    chat.refresh_from_db()
    assert (chat.status, chat.agent_id) == ("active", winners[0].agent_id)
    assert AuditEvent.objects.filter(action="support.chat_accept").count() == 1
    joined = ChatMessage.objects.filter(session=chat, sender="system")
    assert [m.body for m in joined] == [f"{winners[0].agent.display_name} joined the chat."]

"""The one inbox (tickets, chats, callbacks) and the supervisor board."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from okpay.support.models import Ticket
from okpay.support.selectors_inbox import (
    UnifiedFilters,
    agents_load,
    queue_lengths,
    unified_inbox,
)
from okpay.support.selectors_tickets import InboxFilters, inbox
from okpay.support.services.callbacks import callback_claim
from okpay.support.services.tickets import ticket_create, ticket_update
from okpay.support.tests.callbacks_fixtures import ask
from okpay.support.tests.tickets_fixtures import client_for, people, ticket_settings

__all__ = ["people", "ticket_settings"]

pytestmark = pytest.mark.django_db


def _desk(people: dict[str, Any]) -> dict[str, Any]:
    """A late ticket, an on-time high-priority ticket, an urgent and a normal callback."""
    late = ticket_create(requester=people["owner"], subject="Late one", body="Where is it?")
    Ticket.objects.filter(pk=late.pk).update(first_response_due=timezone.now() - timedelta(hours=1))
    high = ticket_create(requester=people["other"], subject="High one", body="Please help.")
    ticket_update(ticket=high, actor=people["agent"], priority="high")
    urgent = ask(people["owner"], topic="security", days=2)
    normal = ask(people["other"], topic="fees", days=1)
    return {"late": late, "high": high, "urgent": urgent, "normal": normal}


def test_inbox_orders_all_kinds_by_lateness_then_urgency(people: dict[str, Any]) -> None:
    desk = _desk(people)

    items = unified_inbox(user=people["agent"], filters=UnifiedFilters(), now=timezone.now())

    assert [(i.kind, i.reference, i.state) for i in items] == [
        ("ticket", desk["late"].number, "breached"),
        ("callback", desk["urgent"].number, "ok"),
        ("ticket", desk["high"].number, "ok"),
        ("callback", desk["normal"].number, "ok"),
    ]


def test_kind_and_ticket_only_filters(people: dict[str, Any]) -> None:
    desk = _desk(people)
    now = timezone.now()

    callbacks = unified_inbox(
        user=people["agent"], filters=UnifiedFilters(kind="callback"), now=now
    )
    by_priority = unified_inbox(
        user=people["agent"],
        filters=UnifiedFilters(tickets=InboxFilters(priority="high")),
        now=now,
    )

    assert [i.reference for i in callbacks] == [desk["urgent"].number, desk["normal"].number]
    assert [i.reference for i in by_priority] == [desk["high"].number]


def test_claimed_callback_is_live_and_counts_in_the_agents_load(people: dict[str, Any]) -> None:
    desk = _desk(people)
    callback_claim(callback=desk["normal"], agent=people["agent"])
    ticket_update(ticket=desk["late"], actor=people["agent"], assignee=people["agent"])
    now = timezone.now()

    mine = unified_inbox(
        user=people["agent"],
        filters=UnifiedFilters(tickets=InboxFilters(assignee="me")),
        now=now,
    )
    loads = {load.agent.email: load for load in agents_load(now=now)}
    queues = queue_lengths(now=now)

    assert [(i.reference, i.state) for i in mine] == [
        (desk["late"].number, "breached"),
        (desk["normal"].number, "live"),
    ]
    agent = loads["agent@okpay.example"]
    assert (agent.tickets, agent.tickets_late, agent.chats, agent.callbacks) == (1, 1, 0, 1)
    assert loads["lead@okpay.example"].total == 0
    assert (queues.callbacks_waiting, queues.callbacks_urgent) == (1, 1)
    assert (queues.tickets_unassigned, queues.chats_waiting) == (1, 0)


@pytest.mark.parametrize(
    ("who", "inbox_status", "board_status"),
    [("other", 404, 404), ("owner", 404, 404), ("agent", 200, 404), ("supervisor", 200, 200)],
)
def test_inbox_and_board_permissions(
    people: dict[str, Any], who: str, inbox_status: int, board_status: int
) -> None:
    client = client_for(people[who])

    assert client.get("/support/agent/").status_code == inbox_status
    assert client.get("/support/agent/board/").status_code == board_status


def test_anonymous_is_sent_to_sign_in(people: dict[str, Any]) -> None:
    client = client_for(None)

    assert client.get("/support/agent/").status_code == 302
    assert client.get("/support/agent/board/").status_code == 302


def test_partial_inbox_renders_only_the_rows(people: dict[str, Any]) -> None:
    desk = _desk(people)
    client = client_for(people["agent"])

    full = client.get("/support/agent/").content.decode()
    rows = client.get("/support/agent/?partial=1&kind=callback").content.decode()

    assert "<html" in full and 'id="inbox-rows"' in full and "agent-inbox.js" in full
    assert "<html" not in rows
    assert rows.count('class="inbox-row') == 2
    assert f'data-ref="{desk["urgent"].number}"' in rows
    assert desk["late"].number not in rows


def test_board_shows_queues_and_load(people: dict[str, Any]) -> None:
    desk = _desk(people)
    callback_claim(callback=desk["urgent"], agent=people["agent"])

    page = client_for(people["supervisor"]).get("/support/agent/board/").content.decode()

    assert "Agents&#x27; load" in page or "Agents' load" in page
    assert "agent@okpay.example" in page
    assert 'class="sla-count">1<' in page  # the late ticket


# --- the JSON API of the inbox ---------------------------------------------------------------


def test_inbox_api_lists_the_same_order_as_the_page(people: dict[str, Any]) -> None:
    desk = _desk(people)

    answer = client_for(people["agent"]).get("/api/v1/inbox")

    assert answer.status_code == 200
    assert [(i["kind"], i["reference"], i["state"]) for i in answer.json()["data"]] == [
        ("ticket", desk["late"].number, "breached"),
        ("callback", desk["urgent"].number, "ok"),
        ("ticket", desk["high"].number, "ok"),
        ("callback", desk["normal"].number, "ok"),
    ]
    only_callbacks = client_for(people["agent"]).get("/api/v1/inbox?kind=callback").json()
    assert [i["kind"] for i in only_callbacks["data"]] == ["callback", "callback"]


@pytest.mark.parametrize(
    ("who", "inbox", "queues", "load"),
    [
        ("anonymous", 401, 401, 401),
        ("owner", 403, 403, 403),
        ("agent", 200, 200, 403),
        ("supervisor", 200, 200, 200),
    ],
)
def test_inbox_api_permissions(
    people: dict[str, Any], who: str, inbox: int, queues: int, load: int
) -> None:
    client = client_for(None if who == "anonymous" else people[who])

    answers = [client.get(f"/api/v1/inbox{path}") for path in ("", "/queues", "/load")]

    assert [a.status_code for a in answers] == [inbox, queues, load]
    for answer in answers:
        if answer.status_code != 200:
            assert answer.json()["error"]["code"] in ("unauthenticated", "permission_denied")


def test_inbox_api_load_counts_claimed_callbacks(people: dict[str, Any]) -> None:
    desk = _desk(people)
    callback_claim(callback=desk["urgent"], agent=people["agent"])

    body = client_for(people["supervisor"]).get("/api/v1/inbox/load").json()

    agent = next(a for a in body["agents"] if a["email"] == "agent@okpay.example")
    assert (agent["callbacks"], agent["total"]) == (1, 1)
    assert (body["queues"]["callbacks_waiting"], body["queues"]["tickets_unassigned"]) == (1, 2)


def test_ticket_inbox_sorts_before_it_cuts(people: dict[str, Any]) -> None:
    desk = _desk(people)  # "late" is the older ticket, "high" the newer one

    [first] = inbox(user=people["agent"], filters=InboxFilters(), now=timezone.now(), limit=1)
    [late] = inbox(
        user=people["agent"], filters=InboxFilters(sla="breached"), now=timezone.now(), limit=1
    )

    assert first.ticket.pk == desk["late"].pk
    assert (late.ticket.pk, late.sla) == (desk["late"].pk, "breached")

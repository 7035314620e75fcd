"""The agent workspace and the permission matrix for tickets and attachments."""

from __future__ import annotations

from typing import Any

import pytest

from okpay.identity.models import AuditEvent
from okpay.support.models import CannedReply, Ticket, TicketAttachment
from okpay.support.services.tickets import UploadedFile, ticket_create, ticket_reply
from okpay.support.tests.tickets_fixtures import (
    PNG,
    client_for,
    failed_payment,
    people,
    ticket_settings,
)

__all__ = ["people", "ticket_settings"]

pytestmark = pytest.mark.django_db

WHO = ["anonymous", "other", "owner", "agent", "supervisor"]


def _ticket(people: dict[str, Any]) -> Ticket:
    return ticket_create(
        requester=people["owner"],
        subject="Transfer stuck",
        body="Please check.",
        category="international_transfer",
        uploads=[UploadedFile(filename="screen.png", content=PNG)],
    )


def _client(people: dict[str, Any], who: str) -> Any:
    return client_for(None if who == "anonymous" else people[who])


@pytest.mark.parametrize(
    ("who", "customer_page", "agent_page"),
    [
        ("anonymous", 404, 302),
        ("other", 404, 404),
        ("owner", 200, 404),
        ("agent", 404, 200),
        ("supervisor", 404, 200),
    ],
)
def test_ticket_pages_permission_matrix(
    people: dict[str, Any], who: str, customer_page: int, agent_page: int
) -> None:
    ticket = _ticket(people)
    client = _client(people, who)

    assert client.get(f"/support/tickets/{ticket.number}/").status_code == customer_page
    assert client.get(f"/support/agent/tickets/{ticket.number}/").status_code == agent_page


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 404), ("other", 404), ("owner", 200), ("agent", 200), ("supervisor", 200)],
)
def test_attachment_permission_matrix(people: dict[str, Any], who: str, status: int) -> None:
    ticket = _ticket(people)
    attachment = TicketAttachment.objects.get(ticket=ticket)

    answer = _client(people, who).get(f"/support/tickets/{ticket.number}/files/{attachment.pk}/")

    assert answer.status_code == status
    if status == 200:
        assert b"".join(answer.streaming_content) == PNG
        assert answer["Content-Type"] == "image/png"
        assert answer["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("who", "status"), [("other", 404), ("owner", 404), ("agent", 200)])
def test_inbox_is_for_staff_only(people: dict[str, Any], who: str, status: int) -> None:
    ticket = _ticket(people)
    answer = _client(people, who).get("/support/agent/")
    assert answer.status_code == status
    if status == 200:
        assert ticket.number in answer.content.decode()


def test_customer_sees_only_their_tickets_in_the_list(people: dict[str, Any]) -> None:
    ticket = _ticket(people)
    assert ticket.number in client_for(people["owner"]).get("/support/tickets/").content.decode()
    assert (
        ticket.number not in client_for(people["other"]).get("/support/tickets/").content.decode()
    )


def test_agent_view_of_customer_data_is_audited(people: dict[str, Any]) -> None:
    ticket = _ticket(people)
    client_for(people["agent"]).get(f"/support/agent/tickets/{ticket.number}/")
    row = AuditEvent.objects.get(action="support.customer_data_view")
    assert (row.actor, row.object_id, row.data) == (
        people["agent"],
        ticket.number,
        {"what": "ticket_and_context", "customer": "alice@example.com"},
    )


def test_inbox_filters(people: dict[str, Any]) -> None:
    transfer = _ticket(people)
    fees = ticket_create(requester=people["other"], subject="Fee?", body="?", category="fees")
    client = client_for(people["agent"])
    client.post(f"/support/agent/tickets/{fees.number}/update/", {"assignee": "me"})

    by_category = client.get("/support/agent/?category=fees").content.decode()
    mine = client.get("/support/agent/?assignee=me").content.decode()
    unassigned = client.get("/support/agent/?assignee=none").content.decode()
    breached = client.get("/support/agent/?sla=breached").content.decode()

    assert fees.number in by_category and transfer.number not in by_category
    assert fees.number in mine and transfer.number not in mine
    assert transfer.number in unassigned and fees.number not in unassigned
    assert transfer.number not in breached and fees.number not in breached


def test_agent_reply_note_assignment_and_canned_reply_on_pages(people: dict[str, Any]) -> None:
    CannedReply.objects.create(
        title="Transfer checking",
        body_zh="我们正在核查。",
        body_en="We are checking with the bank.",
    )
    ticket = _ticket(people)
    client = client_for(people["agent"])

    page = client.get(f"/support/agent/tickets/{ticket.number}/").content.decode()
    client.post(
        f"/support/agent/tickets/{ticket.number}/reply/", {"body": "Note", "kind": "internal"}
    )
    client.post(
        f"/support/agent/tickets/{ticket.number}/reply/", {"body": "Hello", "kind": "public"}
    )
    client.post(
        f"/support/agent/tickets/{ticket.number}/update/",
        {"assignee": str(people["agent"].pk), "priority": "high", "status": "on_hold"},
    )

    assert "We are checking with the bank." in page
    assert "alice@example.com" in page
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.priority, ticket.status) == (people["agent"], "high", "on_hold")
    assert list(ticket.messages.values_list("kind", "body")) == [
        ("public", "Please check."),
        ("internal", "Note"),
        ("public", "Hello"),
    ]
    customer_page = client_for(people["owner"]).get(f"/support/tickets/{ticket.number}/")
    assert "Hello" in customer_page.content.decode()
    assert "Note" not in customer_page.content.decode().replace("notice", "")


def test_customer_cannot_use_agent_actions(people: dict[str, Any]) -> None:
    ticket = _ticket(people)
    owner = client_for(people["owner"])
    reply = owner.post(
        f"/support/agent/tickets/{ticket.number}/reply/", {"body": "x", "kind": "internal"}
    )
    update = owner.post(f"/support/agent/tickets/{ticket.number}/update/", {"status": "closed"})
    assert (reply.status_code, update.status_code) == (404, 404)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.messages.count()) == ("new", 1)


def test_agent_context_masks_account_numbers(people: dict[str, Any]) -> None:
    from okpay.support.selectors_tickets import mask_account

    assert mask_account("GB33 BUKB 2020 1555 5555 55") == "•••• 5555"
    assert mask_account("123") == "•••"


def test_merge_on_the_page(people: dict[str, Any]) -> None:
    first = _ticket(people)
    second = ticket_create(requester=people["owner"], subject="Again", body="dup")
    client = client_for(people["agent"])
    answer = client.post(f"/support/agent/tickets/{second.number}/merge/", {"target": first.number})
    second.refresh_from_db()
    assert answer.status_code == 302
    assert second.merged_into_id == first.pk
    ticket_reply(ticket=first, author=people["owner"], body="more info")
    assert first.messages.count() == 3


def test_sla_board_counts(people: dict[str, Any]) -> None:
    _ticket(people)
    page = client_for(people["supervisor"]).get("/support/agent/board/")
    assert page.status_code == 200
    assert 'class="sla-count">1<' in page.content.decode()


def test_agent_links_a_transaction_of_the_requester_from_the_page(
    people: dict[str, Any], settings: Any
) -> None:
    ticket = _ticket(people)
    own = failed_payment(people["owner"], settings)
    others = failed_payment(people["other"], settings)
    agent = client_for(people["agent"])

    refused = agent.post(
        f"/support/agent/tickets/{ticket.number}/link/", {"reference": others.reference}
    )
    assert refused.status_code == 302
    assert list(ticket.transactions.all()) == []

    linked = agent.post(
        f"/support/agent/tickets/{ticket.number}/link/", {"reference": own.reference}
    )
    assert linked.status_code == 302
    assert list(ticket.transactions.all()) == [own]
    assert ticket.events.filter(kind="transaction_linked").count() == 1

    by_owner = client_for(people["owner"]).post(
        f"/support/agent/tickets/{ticket.number}/link/", {"reference": own.reference}
    )
    assert by_owner.status_code == 404

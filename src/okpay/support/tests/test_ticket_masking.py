"""Card numbers, ID numbers and codes are masked before a ticket message is stored."""

from __future__ import annotations

from typing import Any

from okpay.support.models import TicketMessage
from okpay.support.services.tickets import ticket_create, ticket_reply
from okpay.support.tests.tickets_fixtures import people, ticket_settings

__all__ = ["people", "ticket_settings"]

CARD = "4111 1111 1111 1111"
BODY = f"My card {CARD} was charged twice, 验证码 482913, order 20261129001"


def test_a_new_ticket_is_stored_masked(people: dict[str, Any]) -> None:
    # when
    ticket = ticket_create(
        requester=people["owner"], subject=f"Card {CARD}", body=BODY, category="payment_failed"
    )

    # then
    stored = TicketMessage.objects.get(ticket=ticket).body
    assert CARD not in stored
    assert "**** **** **** 1111" in stored
    assert "482913" not in stored
    assert "20261129001" in stored  # an order number is not a secret
    ticket.refresh_from_db()
    assert CARD not in ticket.subject


def test_a_reply_is_stored_masked(people: dict[str, Any]) -> None:
    # given
    ticket = ticket_create(requester=people["owner"], subject="Help", body="Top-up missing")

    # when
    message = ticket_reply(
        ticket=ticket, author=people["owner"], body=f"password: Secret-99 {CARD}"
    )

    # then
    message.refresh_from_db()
    assert "Secret-99" not in message.body
    assert CARD not in message.body

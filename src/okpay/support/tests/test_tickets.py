"""Tickets through the services and the customer pages: create, reply, notes, CSAT, merge."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

from okpay.identity.models import AuditEvent
from okpay.support.errors_tickets import (
    AttachmentTypeNotAllowed,
    MergeInvalid,
    RatingInvalid,
    RatingNotAllowed,
    TicketClosed,
)
from okpay.support.models import Ticket, TicketAttachment, TicketEvent, TicketMessage
from okpay.support.services.tickets import (
    UploadedFile,
    attachment_type,
    ticket_create,
    ticket_merge,
    ticket_rate,
    ticket_reply,
    ticket_update,
)
from okpay.support.tests.tickets_fixtures import (
    PDF,
    PNG,
    client_for,
    failed_payment,
    people,
    ticket_settings,
)

__all__ = ["people", "ticket_settings"]

pytestmark = pytest.mark.django_db


def _open(owner: Any, **extra: Any) -> Ticket:
    with_defaults: dict[str, Any] = {
        "subject": "Card top-up missing",
        "body": "My top-up has not arrived.",
        "category": "topup_delayed",
    }
    with_defaults.update(extra)
    return ticket_create(requester=owner, **with_defaults)


def test_web_ticket_gets_a_number_sla_and_an_acknowledgement(
    people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ticket = _open(people["owner"])

    assert re.fullmatch(r"T-\d{6}", ticket.number)
    assert (ticket.status, ticket.team, ticket.requester_email) == (
        "new",
        "payments",
        "alice@example.com",
    )
    assert ticket.first_response_due is not None and ticket.resolution_due is not None
    assert ticket.first_response_due < ticket.resolution_due
    assert len(mail.outbox) == 1
    ack = mail.outbox[0]
    assert ack.subject.startswith(f"[{ticket.number}]")
    assert "24–48 hours" in ack.body
    assert "never ask for your password" in ack.body
    assert ack.extra_headers["Message-ID"] == ticket.email_message_id
    assert ack.extra_headers["Reply-To"] == "support@okpay.example"
    assert list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True)) == [
        "created"
    ]
    assert AuditEvent.objects.filter(
        action="support.ticket_create", object_id=ticket.number, actor=people["owner"]
    ).exists()


def test_agent_reply_is_emailed_with_threading_headers_and_waits_for_customer(
    people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    ticket = _open(people["owner"])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        reply = ticket_reply(ticket=ticket, author=people["agent"], body="We are on it.")

    ticket.refresh_from_db()
    assert (ticket.status, ticket.first_responded_at) == ("pending_customer", reply.created_at)
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.subject == f"Re: [{ticket.number}] Card top-up missing"
    assert "We are on it." in sent.body
    assert sent.extra_headers["Message-ID"] == reply.email_message_id
    assert sent.extra_headers["In-Reply-To"] == ticket.email_message_id
    assert sent.extra_headers["References"] == ticket.email_message_id
    assert "Message-ID: " + reply.email_message_id in sent.message().as_string()


def test_internal_note_is_not_emailed_and_not_shown_to_the_customer(
    people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    ticket = _open(people["owner"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ticket_reply(
            ticket=ticket,
            author=people["agent"],
            body="Customer sounds upset; check rail logs.",
            internal=True,
            uploads=[UploadedFile(filename="log.pdf", content=PDF)],
        )
    note_file = TicketAttachment.objects.get(ticket=ticket)

    page = client_for(people["owner"]).get(f"/support/tickets/{ticket.number}/")
    download = client_for(people["owner"]).get(
        f"/support/tickets/{ticket.number}/files/{note_file.pk}/"
    )

    assert mail.outbox == []
    assert page.status_code == 200
    assert "check rail logs" not in page.content.decode()
    assert "log.pdf" not in page.content.decode()
    assert download.status_code == 404
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_customer_cannot_write_an_internal_note(people: dict[str, Any]) -> None:
    ticket = _open(people["owner"])
    with pytest.raises(PermissionError):
        ticket_reply(ticket=ticket, author=people["owner"], body="secret", internal=True)
    assert TicketMessage.objects.filter(ticket=ticket).count() == 1


def test_customer_reply_reopens_a_solved_ticket(people: dict[str, Any]) -> None:
    ticket = _open(people["owner"])
    ticket_update(ticket=ticket, actor=people["agent"], status="solved")

    ticket_reply(ticket=ticket, author=people["owner"], body="Still not there.")

    ticket.refresh_from_db()
    assert (ticket.status, ticket.solved_at) == ("open", None)
    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", "data"))
    assert kinds[-1] == ("status", {"from": "solved", "to": "open"})


def test_closed_ticket_takes_no_reply(people: dict[str, Any]) -> None:
    ticket = _open(people["owner"])
    ticket_update(ticket=ticket, actor=people["agent"], status="closed")
    with pytest.raises(TicketClosed):
        ticket_reply(ticket=ticket, author=people["owner"], body="hello?")
    assert TicketMessage.objects.filter(ticket=ticket).count() == 1


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0rest", "image/jpeg"),
        (b"GIF89a....", "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (PDF, "application/pdf"),
        (b"MZ\x90\x00 executable", None),
        (b"<html><script>", None),
    ],
)
def test_attachment_type_comes_from_the_content(content: bytes, expected: str | None) -> None:
    assert attachment_type(content) == expected


def test_a_file_named_png_that_is_not_an_image_is_refused_and_nothing_is_stored(
    people: dict[str, Any], ticket_settings: Any
) -> None:
    with pytest.raises(AttachmentTypeNotAllowed):
        _open(
            people["owner"],
            uploads=[UploadedFile(filename="photo.png", content=b"#!/bin/sh\nrm -rf /\n")],
        )
    assert Ticket.objects.count() == 0
    folder = ticket_settings.OKPAY_SUPPORT_ATTACHMENT_DIR
    assert not folder.exists() or not any(p.is_file() for p in folder.rglob("*"))


def test_attachment_over_10_mb_is_refused(people: dict[str, Any]) -> None:
    big = PNG + b"\x00" * (10 * 1024 * 1024)
    from okpay.support.errors_tickets import AttachmentTooLarge

    with pytest.raises(AttachmentTooLarge):
        _open(people["owner"], uploads=[UploadedFile(filename="big.png", content=big)])
    assert Ticket.objects.count() == 0


def test_csat_only_after_solved_once_and_in_range(people: dict[str, Any]) -> None:
    ticket = _open(people["owner"])
    with pytest.raises(RatingNotAllowed):
        ticket_rate(ticket=ticket, user=people["owner"], rating=5)
    ticket_update(ticket=ticket, actor=people["agent"], status="solved")
    with pytest.raises(RatingInvalid):
        ticket_rate(ticket=ticket, user=people["owner"], rating=6)

    rated = ticket_rate(ticket=ticket, user=people["owner"], rating=4, comment=" Quick, thanks ")

    assert (rated.csat_rating, rated.csat_comment) == (4, "Quick, thanks")
    with pytest.raises(RatingNotAllowed):
        ticket_rate(ticket=ticket, user=people["owner"], rating=1)
    ticket.refresh_from_db()
    assert ticket.csat_rating == 4


def test_csat_through_the_page(people: dict[str, Any]) -> None:
    ticket = _open(people["owner"])
    ticket_reply(ticket=ticket, author=people["agent"], body="Done.", status="solved")
    client = client_for(people["owner"])

    page = client.get(f"/support/tickets/{ticket.number}/")
    answer = client.post(
        f"/support/tickets/{ticket.number}/rate/", {"rating": "5", "comment": "great"}
    )

    assert "How did we do?" in page.content.decode()
    assert answer.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.csat_rating, ticket.csat_comment) == (5, "great")
    other = client_for(people["other"]).post(
        f"/support/tickets/{ticket.number}/rate/", {"rating": "1"}
    )
    assert other.status_code == 404


def test_merge_moves_messages_and_closes_the_duplicate(people: dict[str, Any]) -> None:
    first = _open(people["owner"])
    duplicate = _open(people["owner"], subject="Top-up again", body="Same problem, second mail.")

    merged = ticket_merge(source=duplicate, target=first, actor=people["agent"])

    duplicate.refresh_from_db()
    assert merged.pk == first.pk
    assert (duplicate.status, duplicate.merged_into_id) == ("closed", first.pk)
    assert list(first.messages.values_list("body", flat=True)) == [
        "My top-up has not arrived.",
        "Same problem, second mail.",
    ]
    assert TicketEvent.objects.filter(ticket=first, kind="merged").get().data == {
        "from": duplicate.number
    }
    # The customer's old link leads to the surviving ticket.
    page = client_for(people["owner"]).get(f"/support/tickets/{duplicate.number}/")
    assert page.status_code == 302 and page["Location"].endswith(f"/{first.number}/")


def test_merge_refuses_tickets_of_another_customer(people: dict[str, Any]) -> None:
    mine = _open(people["owner"])
    theirs = _open(people["other"])
    with pytest.raises(MergeInvalid):
        ticket_merge(source=theirs, target=mine, actor=people["agent"])
    theirs.refresh_from_db()
    assert (theirs.merged_into_id, theirs.status) == (None, "new")


def test_customer_creates_a_ticket_with_a_file_on_the_page(people: dict[str, Any]) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(people["owner"])
    answer = client.post(
        "/support/tickets/new/",
        {
            "category": "fees",
            "subject": "Fee question",
            "body": "Why was I charged 3 USD?",
            "attachments": [SimpleUploadedFile("receipt.pdf", PDF, "application/pdf")],
        },
    )

    ticket = Ticket.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/support/tickets/{ticket.number}/"
    attachment = ticket.attachments.get()
    assert (attachment.filename, attachment.content_type, attachment.size) == (
        "receipt.pdf",
        "application/pdf",
        len(PDF),
    )
    listing = client.get("/support/tickets/").content.decode()
    assert ticket.number in listing


def test_guest_ticket_waits_for_the_email_link(
    people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(None)
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            "/support/tickets/new/",
            {
                "email": "guest@example.net",
                "name": "Guest",
                "category": "account",
                "subject": "Cannot sign up",
                "body": "The code never arrives.",
            },
        )
    ticket = Ticket.objects.get()
    assert sent.status_code == 200
    assert (ticket.confirmed_at, ticket.first_response_due) == (None, None)
    link = re.search(
        r"https://okpay\.example(/support/tickets/confirm/[^\s]+/)", mail.outbox[0].body
    )
    assert link is not None
    assert client.get(f"/support/tickets/{ticket.number}/").status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.get(link.group(1))

    ticket.refresh_from_db()
    assert confirmed.status_code == 302
    assert ticket.confirmed_at is not None and ticket.first_response_due is not None
    assert client.get(f"/support/tickets/{ticket.number}/").status_code == 200
    assert client_for(None).get(f"/support/tickets/{ticket.number}/").status_code == 404
    assert mail.outbox[-1].subject.startswith(f"[{ticket.number}]")
    assert client.get("/support/tickets/confirm/forged-token/").status_code == 400


def test_get_help_with_a_failed_payment_prefills_and_links(
    people: dict[str, Any], settings: Any
) -> None:
    txn = failed_payment(people["owner"], settings)
    client = client_for(people["owner"])

    page = client.get(f"/support/tickets/new/?transaction={txn.reference}")

    html = page.content.decode()
    assert page.status_code == 200
    assert "Get help with this payment" in html
    assert "rail_rejected" in html
    assert f"Reference: {txn.reference}" in html
    assert "Status: Failed" in html
    assert "Failure code: rail_rejected" in html
    assert 'value="payment_failed" selected' in html

    answer = client.post(
        f"/support/tickets/new/?transaction={txn.reference}",
        {
            "category": "payment_failed",
            "subject": f"Help with transaction {txn.reference}",
            "body": f"Reference: {txn.reference}\nIt failed.",
        },
    )
    ticket = Ticket.objects.get()
    assert answer.status_code == 302
    assert list(ticket.transactions.values_list("reference", flat=True)) == [txn.reference]
    assert TicketEvent.objects.filter(ticket=ticket, kind="transaction_linked").exists()


def test_get_help_for_someone_elses_transaction_is_404(
    people: dict[str, Any], settings: Any
) -> None:
    txn = failed_payment(people["owner"], settings)
    answer = client_for(people["other"]).get(f"/support/tickets/new/?transaction={txn.reference}")
    assert answer.status_code == 404
    assert Ticket.objects.count() == 0

"""E-mail in: the ingest service, and real SMTP sessions with `okpay smtpd`'s server."""

from __future__ import annotations

import smtplib
import socket
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from django.core import mail

from okpay.support.models import Ticket, TicketAttachment, TicketMessage
from okpay.support.services.email_in import (
    EmailRefused,
    email_ticket_ingest,
    sender_authenticated,
)
from okpay.support.services.tickets import ticket_reply, ticket_update
from okpay.support.tests.tickets_fixtures import PDF, PNG, SUPPORT, people, ticket_settings

__all__ = ["people", "ticket_settings"]


def _mail(
    *,
    sender: str = "Carol Wu <carol@example.org>",
    subject: str = "Withdrawal not received",
    body: str = "I withdrew 100 USD on Monday and it never arrived.",
    message_id: str = "<first@mail.example.org>",
    in_reply_to: str = "",
    files: tuple[tuple[str, bytes, str], ...] = (),
    auth: tuple[str, ...] = (),
) -> bytes:
    msg = EmailMessage()
    for result in auth:  # Authentication-Results headers, as the MX puts them on top
        msg["Authentication-Results"] = result
    msg["From"] = sender
    msg["To"] = SUPPORT
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    msg.set_content(body)
    for name, content, ctype in files:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes(policy=policy.SMTP)  # CRLF line ends, as on the wire


def _ingest(raw: bytes) -> Any:
    return email_ticket_ingest(raw=raw, envelope_from="carol@example.org", recipients=[SUPPORT])


@pytest.mark.django_db
def test_new_mail_opens_a_ticket_and_acknowledges_it(
    ticket_settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        result = _ingest(_mail(files=(("slip.pdf", PDF, "application/pdf"),)))

    ticket = result.ticket
    assert result.created
    assert (ticket.via, ticket.requester, ticket.requester_email, ticket.subject) == (
        "email",
        None,
        "carol@example.org",
        "Withdrawal not received",
    )
    assert ticket.confirmed_at is not None and ticket.first_response_due is not None
    assert result.message.email_message_id == "<first@mail.example.org>"
    assert list(ticket.attachments.values_list("filename", "content_type")) == [
        ("slip.pdf", "application/pdf")
    ]
    ack = mail.outbox[-1]
    assert ack.to == ["carol@example.org"]
    assert ticket.number in ack.subject
    # A sender without an account gets the default language, Chinese.
    assert "我们会在 24–48 小时内回复邮件。" in ack.body
    assert "OKpay 工作人员绝不会向您索要密码" in ack.body
    assert ack.extra_headers["In-Reply-To"] == "<first@mail.example.org>"


@pytest.mark.django_db
def test_reply_by_header_or_subject_number_is_appended_and_reopens(
    people: dict[str, Any],
) -> None:
    ticket = _ingest(_mail()).ticket
    agent_reply = ticket_reply(ticket=ticket, author=people["agent"], body="Which bank?")
    ticket_update(ticket=ticket, actor=people["agent"], status="solved")

    by_header = _ingest(
        _mail(
            body="Bank of China.\n\nOn Monday OKpay wrote:\n> Which bank?",
            message_id="<second@mail.example.org>",
            in_reply_to=agent_reply.email_message_id,
        )
    )
    by_subject = _ingest(
        _mail(subject=f"Re: [{ticket.number}] more", body="Also: ref 123.", message_id="<third@x>")
    )

    ticket.refresh_from_db()
    assert (by_header.created, by_subject.created) == (False, False)
    assert by_header.ticket.pk == by_subject.ticket.pk == ticket.pk
    assert ticket.status == "open"
    assert list(ticket.messages.filter(via="email").values_list("body", flat=True)) == [
        "I withdrew 100 USD on Monday and it never arrived.",
        "Bank of China.",
        "Also: ref 123.",
    ]


@pytest.mark.django_db
def test_the_same_message_twice_is_stored_once(ticket_settings: Any) -> None:
    first = _ingest(_mail())
    again = _ingest(_mail())
    assert (again.created, again.ticket.pk) == (False, first.ticket.pk)
    assert TicketMessage.objects.count() == 1


@pytest.mark.django_db
def test_a_stranger_quoting_the_number_gets_a_new_ticket(ticket_settings: Any) -> None:
    ticket = _ingest(_mail()).ticket
    other = email_ticket_ingest(
        raw=_mail(
            sender="mallory@evil.example", subject=f"Re: {ticket.number}", message_id="<m@e>"
        ),
        envelope_from="mallory@evil.example",
        recipients=[SUPPORT],
    )
    assert other.created and other.ticket.pk != ticket.pk
    assert ticket.messages.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("raw", "code", "text"),
    [
        (b"this is not an e-mail at all", 550, "From header is missing"),
        (
            _mail(files=(("virus.exe", b"MZ\x90\x00", "application/octet-stream"),)),
            554,
            "not an image",
        ),
        (
            _mail(files=(("big.png", PNG + b"\x00" * (10 * 1024 * 1024), "image/png"),)),
            552,
            "larger than 10 MB",
        ),
    ],
)
def test_refused_mail_stores_nothing(
    ticket_settings: Any, raw: bytes, code: int, text: str
) -> None:
    with pytest.raises(EmailRefused) as refused:
        _ingest(raw)
    assert refused.value.smtp_code == code
    assert text in refused.value.text
    assert (Ticket.objects.count(), TicketMessage.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_mail_for_another_address_is_refused(ticket_settings: Any) -> None:
    with pytest.raises(EmailRefused) as refused:
        email_ticket_ingest(raw=_mail(), envelope_from="a@b.c", recipients=["ceo@okpay.example"])
    assert refused.value.smtp_code == 550
    assert Ticket.objects.count() == 0


# --- sender authentication -------------------------------------------------------------

ALICE = "Alice Zhang <alice@example.com>"
DKIM_PASS = "mx.okpay.example; dkim=pass header.d=example.com header.s=s1; spf=none"


def _parsed(*auth: str) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(_mail(sender=ALICE, auth=auth))
    assert isinstance(message, EmailMessage)
    return message


@pytest.mark.parametrize(
    ("headers", "trusted"),
    [
        ((DKIM_PASS,), True),
        (("mx.okpay.example; spf=pass smtp.mailfrom=alice@example.com",), True),
        (("mx.okpay.example; spf=pass smtp.mailfrom=example.com",), True),
        (("MX.OKPAY.EXAMPLE 1; dkim=pass (good signature) header.i=@example.com",), True),
        (('mx.okpay.example; dkim=pass header.d="EXAMPLE.COM"',), True),
        (("mx.okpay.example (our MX; trusted); dkim=pass header.d=example.com",), True),
        (("mx.okpay.example; dkim=fail header.d=example.com; spf=softfail",), False),
        (("mx.okpay.example; dkim=pass header.d=evil.example",), False),
        (("mx.okpay.example; dkim=pass header.d=mail.example.com",), False),
        (("mx.okpay.example; dmarc=pass header.from=example.com",), False),
        (("mx.okpay.example; spf=pass smtp.helo=example.com",), False),
        (("evil.example; dkim=pass header.d=example.com",), False),
        (("evil.example; dkim=pass header.d=example.com", "mx.okpay.example; dkim=none"), False),
        (("mx.okpay.example; none",), False),
        ((), False),
    ],
)
def test_only_our_mx_vouches_for_a_sender(
    ticket_settings: Any, headers: tuple[str, ...], trusted: bool
) -> None:
    assert sender_authenticated(_parsed(*headers), "alice@example.com") is trusted


def test_the_trusted_authserv_id_is_a_setting(ticket_settings: Any) -> None:
    ticket_settings.OKPAY_SUPPORT_AUTHSERV_ID = "mx2.okpay.example"

    assert sender_authenticated(_parsed(DKIM_PASS), "alice@example.com") is False
    assert sender_authenticated(
        _parsed("mx2.okpay.example; dkim=pass header.d=example.com"), "alice@example.com"
    )


@pytest.mark.django_db
def test_authenticated_mail_from_an_account_opens_the_accounts_ticket(
    people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        result = email_ticket_ingest(
            raw=_mail(sender=ALICE, auth=(DKIM_PASS,)),
            envelope_from="alice@example.com",
            recipients=[SUPPORT],
        )

    ticket = result.ticket
    assert (ticket.requester, ticket.confirmed_at is not None) == (people["owner"], True)
    assert result.message.author == people["owner"]
    assert mail.outbox[-1].subject.startswith(f"[{ticket.number}]")  # the acknowledgement


@pytest.mark.django_db
@pytest.mark.parametrize(
    "auth",
    [
        (),
        ("evil.example; dkim=pass header.d=example.com",),
        ("mx.okpay.example; dkim=pass header.d=evil.example; spf=fail",),
    ],
)
def test_unauthenticated_mail_from_an_account_is_a_guest_ticket_to_confirm(
    people: dict[str, Any], django_capture_on_commit_callbacks: Any, auth: tuple[str, ...]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        result = email_ticket_ingest(
            raw=_mail(sender=ALICE, auth=auth),
            envelope_from="alice@example.com",
            recipients=[SUPPORT],
        )

    ticket = result.ticket
    assert (ticket.requester, ticket.requester_email, ticket.confirmed_at) == (
        None,
        "alice@example.com",
        None,
    )
    assert (ticket.first_response_due, result.message.author) == (None, None)
    assert mail.outbox[-1].to == ["alice@example.com"]
    assert "/support/tickets/confirm/" in mail.outbox[-1].body
    assert not Ticket.objects.filter(requester=people["owner"]).exists()


@pytest.mark.django_db
def test_a_reply_to_an_accounts_ticket_needs_authentication(people: dict[str, Any]) -> None:
    ticket = email_ticket_ingest(
        raw=_mail(sender=ALICE, auth=(DKIM_PASS,)),
        envelope_from="alice@example.com",
        recipients=[SUPPORT],
    ).ticket
    subject = f"Re: [{ticket.number}] Withdrawal not received"

    forged = email_ticket_ingest(
        raw=_mail(sender=ALICE, subject=subject, body="Send it to IBAN X.", message_id="<f@x>"),
        envelope_from="alice@example.com",
        recipients=[SUPPORT],
    )
    genuine = email_ticket_ingest(
        raw=_mail(
            sender=ALICE,
            subject=subject,
            body="Any news?",
            message_id="<g@x>",
            auth=("mx.okpay.example; spf=pass smtp.mailfrom=alice@example.com",),
        ),
        envelope_from="alice@example.com",
        recipients=[SUPPORT],
    )

    assert forged.created and forged.ticket.pk != ticket.pk
    assert (forged.ticket.requester, forged.ticket.confirmed_at) == (None, None)
    assert (genuine.created, genuine.ticket.pk) == (False, ticket.pk)
    assert list(ticket.messages.values_list("body", flat=True)) == [
        "I withdrew 100 USD on Monday and it never arrived.",
        "Any news?",
    ]


@pytest.mark.django_db
def test_a_threaded_reply_joins_the_accounts_ticket_without_authentication(
    people: dict[str, Any],
) -> None:
    ticket = email_ticket_ingest(
        raw=_mail(sender=ALICE, auth=(DKIM_PASS,)),
        envelope_from="alice@example.com",
        recipients=[SUPPORT],
    ).ticket

    reply = email_ticket_ingest(
        raw=_mail(
            sender=ALICE,
            subject="Re: Withdrawal not received",
            body="Here is the bank's answer.",
            message_id="<second@mail.example.org>",
            in_reply_to="<first@mail.example.org>",
        ),
        envelope_from="alice@example.com",
        recipients=[SUPPORT],
    )

    assert (reply.created, reply.ticket.pk) == (False, ticket.pk)
    assert ticket.messages.count() == 2


# --- real SMTP ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server(ticket_settings: Any) -> Iterator[int]:
    from okpay.support.management.commands.smtpd import build_controller

    port = _free_port()
    controller = build_controller(host="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def _send(port: int, raw: bytes, rcpt: str = SUPPORT) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.sendmail("carol@example.org", [rcpt], raw)


@pytest.mark.django_db(transaction=True)
def test_smtp_new_reply_and_attachment(smtp_server: int) -> None:
    _send(smtp_server, _mail(files=(("photo.png", PNG, "image/png"),)))
    ticket = Ticket.objects.get()
    _send(
        smtp_server,
        _mail(
            body="Any news?",
            message_id="<reply@mail.example.org>",
            in_reply_to="<first@mail.example.org>",
        ),
    )

    assert ticket.via == "email"
    assert list(ticket.messages.values_list("body", flat=True)) == [
        "I withdrew 100 USD on Monday and it never arrived.",
        "Any news?",
    ]
    assert TicketAttachment.objects.get().filename == "photo.png"


@pytest.mark.django_db(transaction=True)
def test_smtp_refuses_malformed_oversized_and_other_recipients(
    smtp_server: int, ticket_settings: Any
) -> None:
    with pytest.raises(smtplib.SMTPDataError) as malformed:
        _send(smtp_server, b"garbage without headers\r\n")
    with pytest.raises(smtplib.SMTPDataError) as big_file:
        _send(
            smtp_server,
            _mail(files=(("big.pdf", PDF + b"0" * (10 * 1024 * 1024), "application/pdf"),)),
        )
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        _send(smtp_server, _mail(), rcpt="ceo@okpay.example")
    ticket_settings.OKPAY_SUPPORT_MAX_MESSAGE_BYTES = 25 * 1024 * 1024
    huge = _mail(files=(("a.pdf", PDF + b"0" * (26 * 1024 * 1024), "application/pdf"),))
    with pytest.raises(smtplib.SMTPSenderRefused) as oversized:  # refused at SIZE=
        _send(smtp_server, huge)

    assert malformed.value.smtp_code == 550
    assert b"Malformed" in malformed.value.smtp_error
    assert big_file.value.smtp_code == 552
    assert b"larger than 10 MB" in big_file.value.smtp_error
    assert oversized.value.smtp_code == 552
    assert (Ticket.objects.count(), TicketMessage.objects.count()) == (0, 0)


@pytest.mark.django_db(transaction=True)
def test_smtp_mail_from_an_account_is_attached_only_when_our_mx_vouches(
    smtp_server: int, people: dict[str, Any]
) -> None:
    _send(smtp_server, _mail(sender=ALICE, message_id="<plain@example.com>"))
    _send(smtp_server, _mail(sender=ALICE, message_id="<signed@example.com>", auth=(DKIM_PASS,)))

    plain = TicketMessage.objects.get(email_message_id="<plain@example.com>").ticket
    signed = TicketMessage.objects.get(email_message_id="<signed@example.com>").ticket
    assert (plain.requester, plain.confirmed_at) == (None, None)
    assert signed.requester == people["owner"]
    assert signed.confirmed_at is not None

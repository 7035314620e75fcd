"""E-mail in: one received message becomes a new ticket or a reply to an existing one.

``email_ticket_ingest`` parses and checks the whole message before it writes anything, and
writes in one transaction: a refused message leaves nothing behind. The SMTP handler turns
``EmailRefused`` into a 5xx answer with its text.

A From address is easy to forge. Mail from the address of an OKpay account is attached to
that account (a new ticket of the account, or a reply to one of its tickets) only when our
MX vouches for the sender: an ``Authentication-Results`` header with our authserv-id
(``OKPAY_SUPPORT_AUTHSERV_ID``) that reports ``dkim=pass`` or ``spf=pass`` for the sender's
domain. Otherwise the message opens a guest ticket for that address, which waits for the
confirmation link like a guest's web ticket.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from django.conf import settings
from django.db import transaction

from okpay.identity.models import User
from okpay.support.errors_tickets import AttachmentTooLarge, AttachmentTypeNotAllowed
from okpay.support.models import Ticket, TicketMessage, TicketStatus, Via
from okpay.support.services.tickets import (
    UploadedFile,
    attachment_check,
    ticket_create,
    ticket_reply,
)

NUMBER_IN_SUBJECT = re.compile(r"\bT-(\d{6,})\b", re.IGNORECASE)
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
COMMENT = re.compile(r"\([^()]*\)")


class EmailRefused(Exception):
    """A message the desk will not take; ``smtp_code`` and ``text`` go back to the sender."""

    def __init__(self, smtp_code: int, text: str) -> None:
        self.smtp_code = smtp_code
        self.text = text
        super().__init__(f"{smtp_code} {text}")

    @property
    def smtp_reply(self) -> str:
        return f"{self.smtp_code} {self.text}"


@dataclass(frozen=True)
class IngestResult:
    ticket: Ticket
    message: TicketMessage
    created: bool


def _support_address() -> str:
    return settings.OKPAY_SUPPORT_EMAIL.lower()


def _parse(raw: bytes) -> EmailMessage:
    if len(raw) > settings.OKPAY_SUPPORT_MAX_MESSAGE_BYTES:
        raise EmailRefused(552, "5.3.4 Message too big: the limit is 25 MB.")
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:  # the parser is lenient; anything it raises means broken input
        raise EmailRefused(550, "5.6.0 Malformed message: it could not be read.") from exc
    assert isinstance(message, EmailMessage)
    if not message.keys() or "from" not in message:
        raise EmailRefused(550, "5.6.0 Malformed message: the From header is missing.")
    return message


def _body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        text = str(part.get_content())
    except (LookupError, ValueError) as exc:
        raise EmailRefused(550, "5.6.0 Malformed message: the text could not be decoded.") from exc
    if part.get_content_type() == "text/html":
        text = re.sub(r"<[^>]+>", " ", text)
    return _strip_quoted(text).strip()


def _strip_quoted(text: str) -> str:
    """Drop the quoted earlier messages that mail programs add below a reply."""
    kept: list[str] = []
    for line in text.splitlines():
        if re.match(r"^On .+ wrote:$|^在.+写道：?$|^-----Original Message-----", line.strip()):
            break
        if line.startswith(">"):
            continue
        kept.append(line)
    return "\n".join(kept)


def _attachments(message: EmailMessage) -> list[UploadedFile]:
    uploads: list[UploadedFile] = []
    for part in message.iter_attachments():
        content = part.get_payload(decode=True)
        if not isinstance(content, bytes):
            continue
        name = part.get_filename() or "attachment"
        upload = UploadedFile(filename=name, content=content)
        try:
            attachment_check(upload=upload)
        except AttachmentTooLarge as exc:
            raise EmailRefused(
                552, f"5.3.4 Attachment {name!r} is larger than 10 MB; send a smaller file."
            ) from exc
        except AttachmentTypeNotAllowed as exc:
            raise EmailRefused(
                554, f"5.6.1 Attachment {name!r} is not an image or a PDF; only those are accepted."
            ) from exc
        uploads.append(upload)
    return uploads


def _authenticated_domains(message: EmailMessage) -> set[str]:
    """The domains that our MX's ``Authentication-Results`` headers (RFC 8601) report
    ``dkim=pass`` (``header.d``, or the domain of ``header.i``) or ``spf=pass``
    (the domain of ``smtp.mailfrom``) for; headers of any other authserv-id are ignored."""
    trusted = settings.OKPAY_SUPPORT_AUTHSERV_ID.strip().lower()
    domains: set[str] = set()
    for header in message.get_all("authentication-results") or []:
        text = " ".join(str(header).split())
        while COMMENT.search(text):
            text = COMMENT.sub(" ", text)
        authserv, *results = text.split(";")
        words = authserv.split()
        if not words or words[0].lower() != trusted:
            continue
        for result in results:
            tokens = result.split()
            if not tokens:
                continue
            method, _sep, outcome = tokens[0].lower().partition("=")
            if outcome != "pass":
                continue
            props: dict[str, str] = {}
            for token in tokens[1:]:
                key, sep, value = token.partition("=")
                if sep:
                    props[key.lower()] = value.strip('"').lower()
            method = method.split("/", 1)[0]
            if method == "dkim":
                domain = props.get("header.d") or props.get("header.i", "").rpartition("@")[2]
            elif method == "spf":
                domain = props.get("smtp.mailfrom", "").rpartition("@")[2]
            else:
                continue
            if domain:
                domains.add(domain.rstrip("."))
    return domains


def sender_authenticated(message: EmailMessage, sender: str) -> bool:
    """Whether our MX vouches (DKIM or SPF pass) for the domain of ``sender``."""
    domain = sender.rpartition("@")[2].lower()
    return bool(domain) and domain in _authenticated_domains(message)


def _referenced_ids(message: EmailMessage) -> list[str]:
    found: list[str] = []
    for header in ("in-reply-to", "references"):
        found += MESSAGE_ID.findall(str(message.get(header, "")))
    return found


def _find_ticket(
    message: EmailMessage, sender: str, subject: str, *, authenticated: bool
) -> Ticket | None:
    """The ticket this message answers: by threading headers, else by number in the subject.

    Only the ticket's requester can add to it; any other mail opens a new ticket. A reply
    that names one of the thread's Message-IDs (random ids only the thread's mailboxes have
    seen) is the requester's answer even when our MX cannot vouch for the sender; a ticket
    of an account found only by the number in the subject takes mail our MX authenticated.
    """
    ids = _referenced_ids(message)
    ticket: Ticket | None = None
    by_thread = False
    if ids:
        ticket = Ticket.objects.filter(email_message_id__in=ids).first()
        if ticket is None:
            hit = (
                TicketMessage.objects.filter(email_message_id__in=ids)
                .select_related("ticket")
                .first()
            )
            ticket = hit.ticket if hit else None
        by_thread = ticket is not None
    if ticket is None:
        match = NUMBER_IN_SUBJECT.search(subject)
        if match:
            ticket = Ticket.objects.filter(number=f"T-{int(match.group(1)):06d}").first()
    if ticket is None or ticket.requester_email != sender:
        return None
    while ticket.merged_into_id is not None and ticket.merged_into is not None:
        ticket = ticket.merged_into
    if ticket.status == TicketStatus.CLOSED:
        return None
    if ticket.requester_id is not None and not (authenticated or by_thread):
        return None
    return ticket


def email_ticket_ingest(
    *, raw: bytes, envelope_from: str, recipients: Sequence[str]
) -> IngestResult:
    """Turn one message for the support address into a ticket or a reply; all or nothing."""
    if _support_address() not in {r.strip().lower() for r in recipients}:
        raise EmailRefused(550, "5.1.1 This server accepts mail for the support address only.")
    message = _parse(raw)
    _name, sender = parseaddr(str(message.get("from", "")))
    sender = sender.strip().lower()
    if not sender or "@" not in sender:
        sender = envelope_from.strip().lower()
    if not sender or "@" not in sender:
        raise EmailRefused(550, "5.1.7 Malformed message: no sender address.")
    subject = " ".join(str(message.get("subject", "")).split())
    body = _body_text(message)
    uploads = _attachments(message)
    if not body and not uploads:
        raise EmailRefused(550, "5.6.0 The message is empty: write what you need help with.")
    message_id = (MESSAGE_ID.findall(str(message.get("message-id", ""))) or [""])[0]
    if message_id and TicketMessage.objects.filter(email_message_id=message_id).exists():
        existing = TicketMessage.objects.select_related("ticket").get(email_message_id=message_id)
        return IngestResult(ticket=existing.ticket, message=existing, created=False)
    name = getaddresses([str(message.get("from", ""))])[0][0][:100]
    account = User.objects.filter(email__iexact=sender, is_active=True).first()
    authenticated = sender_authenticated(message, sender)
    # Forged mail must not speak for an account: without our MX's word it is a guest's.
    user = account if authenticated else None
    with transaction.atomic():
        ticket = _find_ticket(message, sender, subject, authenticated=authenticated)
        if ticket is not None:
            reply = ticket_reply(
                ticket=ticket,
                author=user,
                author_email=sender,
                body=body or "(attachments)",
                via=Via.EMAIL,
                uploads=uploads,
                email_message_id=message_id,
            )
            ticket.refresh_from_db()
            return IngestResult(ticket=ticket, message=reply, created=False)
        created = ticket_create(
            requester=user,
            email=sender,
            name=name,
            subject=subject,
            body=body or "(attachments)",
            via=Via.EMAIL,
            uploads=uploads,
            email_message_id=message_id,
            # A guest ticket for an account's address waits for the confirmation link.
            confirmed=account is None or user is not None,
            language=account.preferred_language if account else "zh-hans",
        )
        first = created.messages.get()
        return IngestResult(ticket=created, message=first, created=True)

"""Ticket writes: create, reply, note, change, rate, merge, link transactions.

Every service is one transaction that also writes the ticket's history (``TicketEvent``)
and an audit row with the acting user. E-mails go through the notifications outbox, so
they leave only when the change commits; replies carry threading headers.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import make_msgid
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from okpay.identity.models import User
from okpay.identity.services import audit_record, is_support_staff
from okpay.notifications.services import email_queue
from okpay.support.errors_tickets import (
    AttachmentTooLarge,
    AttachmentTypeNotAllowed,
    GuestLinkInvalid,
    MergeInvalid,
    MessageEmpty,
    RatingInvalid,
    RatingNotAllowed,
    TicketClosed,
    TransactionNotLinkable,
)
from okpay.support.masking import mask_sensitive
from okpay.support.models import (
    ACTIVE_STATUSES,
    MessageKind,
    Ticket,
    TicketAttachment,
    TicketCategory,
    TicketEvent,
    TicketEventKind,
    TicketMessage,
    TicketPriority,
    TicketStatus,
    TicketTeam,
    Via,
)
from okpay.support.models.tickets import attachment_storage
from okpay.support.services.sla import PAUSED_STATUSES, sla_apply, sla_pause, sla_resume
from okpay.wallets.models import Transaction

GUEST_SALT = "okpay.support.guest-ticket"
GUEST_LINK_MAX_AGE = 7 * 24 * 3600
# The guest links in a "solved, please rate" e-mail stay valid longer than a confirmation.
RATING_LINK_MAX_AGE = 30 * 24 * 3600
RATING_LINK_PURPOSE = "rate"
MAX_BODY = 20_000

MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"%PDF-", 0, "application/pdf"),
)


@dataclass(frozen=True)
class UploadedFile:
    filename: str
    content: bytes


def attachment_type(content: bytes) -> str | None:
    """The content type told by the file's first bytes, or None when it is not accepted."""
    for magic, offset, content_type in MAGIC:
        if content[offset : offset + len(magic)] == magic:
            return content_type
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def attachment_check(*, upload: UploadedFile) -> str:
    """Raise unless ``upload`` is an accepted image or PDF within the size limit."""
    if len(upload.content) > settings.OKPAY_SUPPORT_MAX_ATTACHMENT_BYTES:
        raise AttachmentTooLarge(field="attachments", filename=upload.filename)
    content_type = attachment_type(upload.content)
    if content_type is None:
        raise AttachmentTypeNotAllowed(field="attachments", filename=upload.filename)
    return content_type


def _clean_filename(name: str) -> str:
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip().replace("\x00", "")
    return (name or "attachment")[:200]


def _store_attachments(
    *,
    ticket: Ticket,
    message: TicketMessage,
    uploads: Sequence[UploadedFile],
    uploaded_by: User | None,
    now: datetime,
    written: list[str],
) -> list[TicketAttachment]:
    """Save the files (already checked); their storage names are appended to ``written`` so
    that the caller can remove them when its transaction rolls back."""
    stored: list[TicketAttachment] = []
    for upload in uploads:
        content_type = attachment_check(upload=upload)
        attachment = TicketAttachment(
            ticket=ticket,
            message=message,
            filename=_clean_filename(upload.filename),
            content_type=content_type,
            size=len(upload.content),
            sha256=hashlib.sha256(upload.content).hexdigest(),
            uploaded_by=uploaded_by,
            created_at=now,
        )
        attachment.file.save(uuid.uuid4().hex, ContentFile(upload.content), save=False)
        written.append(attachment.file.name)
        attachment.save()
        stored.append(attachment)
        TicketEvent.objects.create(
            ticket=ticket,
            actor=uploaded_by,
            kind=TicketEventKind.ATTACHMENT,
            data={"filename": attachment.filename, "size": attachment.size},
            created_at=now,
        )
    return stored


def _remove_files(names: Sequence[str]) -> None:
    """Remove files written by a transaction that rolled back."""
    storage = attachment_storage()
    for name in names:
        storage.delete(name)


def _message_id() -> str:
    domain = settings.OKPAY_SUPPORT_EMAIL.rsplit("@", 1)[-1]
    return make_msgid(idstring="ticket", domain=domain)


def _ticket_url(ticket: Ticket) -> str:
    return f"{settings.SITE_URL}/support/tickets/{ticket.number}/"


def _email_to_requester(
    *,
    ticket: Ticket,
    template: str,
    context: dict[str, Any],
    message_id: str,
    in_reply_to: str = "",
    references: Sequence[str] = (),
    language: str = "",
) -> None:
    """Queue an e-mail to the requester: in ``language`` when given, else in the user's
    preferred language (a guest's: the ticket's)."""
    headers = {"Message-ID": message_id, "Reply-To": settings.OKPAY_SUPPORT_EMAIL}
    if in_reply_to:
        headers["In-Reply-To"] = in_reply_to
    refs = [r for r in references if r]
    if refs:
        headers["References"] = " ".join(dict.fromkeys(refs))
    user = ticket.requester
    email_queue(
        to=ticket.requester_email,
        template=template,
        context={"ticket": ticket, "ticket_url": _ticket_url(ticket), **context},
        language=language or (user.preferred_language if user else ticket.language),
        user=user,
        time_zone=user.time_zone if user else settings.OKPAY_SLA_TIME_ZONE,
        headers=headers,
    )


def _thread_ids(ticket: Ticket) -> list[str]:
    ids = [ticket.email_message_id]
    ids += list(
        ticket.messages.exclude(email_message_id="")
        .filter(kind=MessageKind.PUBLIC)
        .order_by("created_at", "id")
        .values_list("email_message_id", flat=True)
    )
    return [i for i in ids if i]


def guest_link_token(ticket: Ticket, *, purpose: str = "") -> str:
    """A signed link token that lets a guest reach ``ticket`` in this browser. A token with
    the rating purpose stays valid for ``RATING_LINK_MAX_AGE``, others for 7 days."""
    data: dict[str, Any] = {"t": ticket.pk, "e": ticket.requester_email}
    if purpose:
        data["p"] = purpose
    return signing.dumps(data, salt=GUEST_SALT)


def _guest_link_data(token: str) -> dict[str, Any]:
    try:
        data = signing.loads(token, salt=GUEST_SALT, max_age=GUEST_LINK_MAX_AGE)
    except signing.SignatureExpired:
        try:
            data = signing.loads(token, salt=GUEST_SALT, max_age=RATING_LINK_MAX_AGE)
        except signing.BadSignature as exc:
            raise GuestLinkInvalid() from exc
        if not isinstance(data, dict) or data.get("p") != RATING_LINK_PURPOSE:
            raise GuestLinkInvalid() from None
    except signing.BadSignature as exc:
        raise GuestLinkInvalid() from exc
    if not isinstance(data, dict):
        raise GuestLinkInvalid()
    return data


def rating_links(ticket: Ticket) -> list[tuple[int, str]]:
    """(rating, address) for 1–5: each opens the ticket's rating form with that rating
    chosen. A guest's link is signed (it also opens the ticket in that browser); a user's
    goes through sign-in."""
    if ticket.requester_id is None:
        token = guest_link_token(ticket, purpose=RATING_LINK_PURPOSE)
        base = settings.SITE_URL + reverse("support:ticket_confirm", args=[token])
        return [(n, f"{base}?{urlencode({'rating': n})}") for n in range(1, 6)]
    login = settings.SITE_URL + reverse("identity:login")
    page = reverse("support:ticket", args=[ticket.number])
    return [(n, f"{login}?{urlencode({'next': f'{page}?rating={n}#rate'})}") for n in range(1, 6)]


def ticket_create(
    *,
    requester: User | None,
    email: str = "",
    name: str = "",
    subject: str,
    body: str,
    category: str = TicketCategory.OTHER,
    via: str = Via.WEB,
    language: str = "zh-hans",
    transactions: Sequence[Transaction] = (),
    uploads: Sequence[UploadedFile] = (),
    email_message_id: str = "",
    confirmed: bool | None = None,
    acknowledge: bool = True,
    now: datetime | None = None,
) -> Ticket:
    """Open a ticket. A guest's web ticket waits for the e-mail confirmation link.
    ``acknowledge=False`` skips the "we received your request" e-mail, for tickets that
    record a conversation the customer already had (a callback, a chat transcript).

    Signed-in users and mail senders are confirmed at once and get the acknowledgement
    with the ticket number and the expected response time.
    """
    now = now or timezone.now()
    body = body.strip()
    subject = " ".join(subject.split())[:200]
    if not body:
        raise MessageEmpty(field="body")
    if len(body) > MAX_BODY:
        body = body[:MAX_BODY]
    if category not in TicketCategory.values:
        category = TicketCategory.OTHER
    for upload in uploads:
        attachment_check(upload=upload)
    for txn in transactions:
        if requester is None or txn.user_id != requester.pk:
            raise ValueError("only the requester's own transactions can be linked")
    is_confirmed = confirmed if confirmed is not None else requester is not None
    written: list[str] = []
    try:
        with transaction.atomic():
            ticket = Ticket.objects.create(
                requester=requester,
                requester_email=requester.email if requester else email.strip().lower(),
                requester_name=(requester.display_name if requester else name)[:100],
                language=requester.preferred_language if requester else language,
                confirmed_at=now if is_confirmed else None,
                subject=mask_sensitive(subject).text or str(TicketCategory(category).label),
                category=category,
                priority=(
                    TicketPriority.HIGH
                    if category == TicketCategory.SECURITY
                    else TicketPriority.NORMAL
                ),
                team=_team_for(category),
                via=via,
                created_at=now,
                updated_at=now,
            )
            ticket.number = f"T-{ticket.pk:06d}"
            ticket.email_message_id = _message_id()
            if is_confirmed:
                sla_apply(ticket=ticket, start=now)
            ticket.save()
            message = TicketMessage.objects.create(
                ticket=ticket,
                kind=MessageKind.PUBLIC,
                author=requester,
                author_email=ticket.requester_email,
                body=mask_sensitive(body).text,
                via=via,
                email_message_id=email_message_id,
                created_at=now,
            )
            TicketEvent.objects.create(
                ticket=ticket,
                actor=requester,
                kind=TicketEventKind.CREATED,
                data={"via": via, "category": category},
                created_at=now,
            )
            for txn in transactions:
                ticket.transactions.add(txn)
                TicketEvent.objects.create(
                    ticket=ticket,
                    actor=requester,
                    kind=TicketEventKind.TRANSACTION_LINKED,
                    data={"reference": txn.reference},
                    created_at=now,
                )
            _store_attachments(
                ticket=ticket,
                message=message,
                uploads=uploads,
                uploaded_by=requester,
                now=now,
                written=written,
            )
            audit_record(
                action="support.ticket_create",
                actor=requester,
                object_type="ticket",
                object_id=ticket.number,
                data={"via": via},
            )
            if is_confirmed and acknowledge:
                _send_acknowledgement(ticket=ticket, in_reply_to=email_message_id)
            else:
                _email_to_requester(
                    ticket=ticket,
                    template="support/tickets/email/confirm",
                    context={
                        "confirm_url": (
                            f"{settings.SITE_URL}/support/tickets/confirm/"
                            f"{guest_link_token(ticket)}/"
                        )
                    },
                    message_id=ticket.email_message_id,
                )
    except BaseException:
        _remove_files(written)
        raise
    return ticket


def _team_for(category: str) -> str:
    if category == TicketCategory.SECURITY:
        return TicketTeam.SECURITY
    if category in (
        TicketCategory.PAYMENT_FAILED,
        TicketCategory.TOPUP_DELAYED,
        TicketCategory.INTERNATIONAL_TRANSFER,
        TicketCategory.FEES,
    ):
        return TicketTeam.PAYMENTS
    return TicketTeam.GENERAL


def _send_acknowledgement(*, ticket: Ticket, in_reply_to: str = "") -> None:
    _email_to_requester(
        ticket=ticket,
        template="support/tickets/email/ack",
        context={"due": ticket.first_response_due},
        message_id=ticket.email_message_id,
        in_reply_to=in_reply_to,
        references=[in_reply_to],
    )


def ticket_guest_confirm(*, token: str, now: datetime | None = None) -> Ticket:
    """Confirm a guest's e-mail address from the link; the SLA starts now. Idempotent."""
    now = now or timezone.now()
    data = _guest_link_data(token)
    ticket_id, email = data.get("t"), data.get("e")
    if not isinstance(ticket_id, int) or not isinstance(email, str):
        raise GuestLinkInvalid()
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update().filter(pk=ticket_id, requester_email=email).first()
        )
        if ticket is None:
            raise GuestLinkInvalid()
        if ticket.confirmed_at is None:
            ticket.confirmed_at = now
            sla_apply(ticket=ticket, start=now)
            ticket.updated_at = now
            ticket.save()
            TicketEvent.objects.create(
                ticket=ticket, kind=TicketEventKind.CONFIRMED, data={}, created_at=now
            )
            ticket.email_message_id = _message_id()
            ticket.save(update_fields=["email_message_id"])
            _send_acknowledgement(ticket=ticket)
    return ticket


def ticket_reply(
    *,
    ticket: Ticket,
    author: User | None,
    body: str,
    internal: bool = False,
    author_email: str = "",
    via: str = Via.WEB,
    uploads: Sequence[UploadedFile] = (),
    email_message_id: str = "",
    status: str | None = None,
    now: datetime | None = None,
) -> TicketMessage:
    """Add a public reply or (staff only) an internal note.

    A customer's reply reopens a solved or waiting ticket; a closed ticket takes no more
    replies. A staff reply goes to the customer by e-mail, threaded, and moves the ticket
    to ``status`` (default: waiting for the customer).
    """
    now = now or timezone.now()
    body = body.strip()[:MAX_BODY]
    if not body and not uploads:
        raise MessageEmpty(field="body")
    from_staff = is_support_staff(author)
    if internal and not from_staff:
        raise PermissionError("only staff write internal notes")
    for upload in uploads:
        attachment_check(upload=upload)
    written: list[str] = []
    try:
        with transaction.atomic():
            locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
            if locked.status == TicketStatus.CLOSED or locked.merged_into_id is not None:
                raise TicketClosed()
            message = TicketMessage.objects.create(
                ticket=locked,
                kind=MessageKind.INTERNAL if internal else MessageKind.PUBLIC,
                author=author,
                author_email=author.email if author else author_email.lower(),
                from_staff=from_staff,
                body=mask_sensitive(body).text,
                via=via,
                email_message_id=email_message_id,
                created_at=now,
            )
            TicketEvent.objects.create(
                ticket=locked,
                actor=author,
                kind=TicketEventKind.NOTE if internal else TicketEventKind.REPLIED,
                data={"message": message.pk, "via": via},
                created_at=now,
            )
            _store_attachments(
                ticket=locked,
                message=message,
                uploads=uploads,
                uploaded_by=author,
                now=now,
                written=written,
            )
            changes: dict[str, Any] = {}
            if not internal and from_staff:
                if locked.first_responded_at is None:
                    locked.first_responded_at = now
                    changes["first_responded_at"] = now
                message.email_message_id = _message_id()
                message.save(update_fields=["email_message_id"])
                thread = _thread_ids(locked)
                _email_to_requester(
                    ticket=locked,
                    template="support/tickets/email/reply",
                    context={"message": message},
                    message_id=message.email_message_id,
                    in_reply_to=thread[-2] if len(thread) > 1 else thread[0],
                    references=thread[:-1],
                )
                new_status = status or TicketStatus.PENDING_CUSTOMER
                _set_status(ticket=locked, status=new_status, actor=author, now=now)
            elif not internal:
                if locked.status in (
                    TicketStatus.SOLVED,
                    TicketStatus.PENDING_CUSTOMER,
                    TicketStatus.ON_HOLD,
                ):
                    _set_status(ticket=locked, status=TicketStatus.OPEN, actor=author, now=now)
            elif status:
                _set_status(ticket=locked, status=status, actor=author, now=now)
            locked.updated_at = now
            locked.save()
            audit_record(
                action="support.ticket_note" if internal else "support.ticket_reply",
                actor=author,
                object_type="ticket",
                object_id=locked.number,
                data={"message": message.pk, "via": via},
            )
    except BaseException:
        _remove_files(written)
        raise
    ticket.refresh_from_db()
    return message


def _set_status(*, ticket: Ticket, status: str, actor: User | None, now: datetime) -> None:
    """Change the status in memory and write the event; the caller saves (lock held).

    Entering "waiting for the customer" or "on hold" pauses the SLA timers and leaving
    them resumes the timers, with the due times moved later by the paused business time.
    Becoming solved asks the requester for a rating (once per solve).
    """
    if status not in TicketStatus.values:
        raise ValueError(f"unknown status {status!r}")
    if status == ticket.status:
        return
    TicketEvent.objects.create(
        ticket=ticket,
        actor=actor,
        kind=TicketEventKind.STATUS,
        data={"from": ticket.status, "to": status},
        created_at=now,
    )
    if status not in PAUSED_STATUSES:
        sla_resume(ticket=ticket, actor=actor, now=now)
    ticket.status = status
    if status in PAUSED_STATUSES:
        sla_pause(ticket=ticket, actor=actor, now=now)
    if status == TicketStatus.SOLVED:
        ticket.solved_at = now
        _request_rating(ticket=ticket, actor=actor, now=now)
    elif status == TicketStatus.CLOSED:
        ticket.closed_at = now
        ticket.solved_at = ticket.solved_at or now
    elif status in ACTIVE_STATUSES:
        ticket.solved_at = None


def _request_rating(*, ticket: Ticket, actor: User | None, now: datetime) -> None:
    """E-mail the requester the "solved, please rate" message with a link per rating, in
    the ticket's language; it leaves after the commit. Not for a merged duplicate, nor for
    a guest who never confirmed the address."""
    if ticket.confirmed_at is None or ticket.merged_into_id is not None:
        return
    _email_to_requester(
        ticket=ticket,
        template="support/tickets/email/rating_request",
        context={"rating_links": rating_links(ticket)},
        message_id=_message_id(),
        in_reply_to=ticket.email_message_id,
        references=[ticket.email_message_id],
        language=ticket.language,
    )
    TicketEvent.objects.create(
        ticket=ticket,
        actor=actor,
        kind=TicketEventKind.RATING_REQUESTED,
        data={"to": ticket.requester_email, "language": ticket.language},
        created_at=now,
    )


_UNSET: Any = object()


def ticket_update(
    *,
    ticket: Ticket,
    actor: User,
    status: str | None = None,
    priority: str | None = None,
    category: str | None = None,
    team: str | None = None,
    assignee: User | None = _UNSET,
    now: datetime | None = None,
) -> Ticket:
    """Staff changes to the ticket's fields; one event per changed field."""
    now = now or timezone.now()
    if not is_support_staff(actor):
        raise PermissionError("only staff change tickets")
    if assignee is not _UNSET and assignee is not None and not is_support_staff(assignee):
        raise ValueError("tickets are assigned to staff only")
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if status:
            _set_status(ticket=locked, status=status, actor=actor, now=now)
        for field, value, kind, choices in (
            ("priority", priority, TicketEventKind.PRIORITY, TicketPriority.values),
            ("category", category, TicketEventKind.CATEGORY, TicketCategory.values),
            ("team", team, TicketEventKind.TEAM, TicketTeam.values),
        ):
            if value and value != getattr(locked, field):
                if value not in choices:
                    raise ValueError(f"unknown {field} {value!r}")
                TicketEvent.objects.create(
                    ticket=locked,
                    actor=actor,
                    kind=kind,
                    data={"from": getattr(locked, field), "to": value},
                    created_at=now,
                )
                setattr(locked, field, value)
        if assignee is not _UNSET and assignee != locked.assignee:
            TicketEvent.objects.create(
                ticket=locked,
                actor=actor,
                kind=TicketEventKind.ASSIGNED,
                data={
                    "from": locked.assignee.email if locked.assignee else "",
                    "to": assignee.email if assignee else "",
                },
                created_at=now,
            )
            locked.assignee = assignee
        locked.updated_at = now
        locked.save()
        audit_record(
            action="support.ticket_update",
            actor=actor,
            object_type="ticket",
            object_id=locked.number,
            data={
                k: v
                for k, v in {
                    "status": status,
                    "priority": priority,
                    "category": category,
                    "team": team,
                }.items()
                if v
            },
        )
    return locked


def ticket_rate(
    *,
    ticket: Ticket,
    user: User | None,
    rating: int,
    comment: str = "",
    now: datetime | None = None,
) -> Ticket:
    """The customer's satisfaction rating (1–5) of a solved ticket; once."""
    now = now or timezone.now()
    if not 1 <= rating <= 5:
        raise RatingInvalid(field="rating")
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if not locked.can_rate:
            raise RatingNotAllowed()
        locked.csat_rating = rating
        locked.csat_comment = comment.strip()[:2000]
        locked.csat_at = now
        locked.save(update_fields=["csat_rating", "csat_comment", "csat_at"])
        TicketEvent.objects.create(
            ticket=locked,
            actor=user,
            kind=TicketEventKind.RATED,
            data={"rating": rating},
            created_at=now,
        )
        audit_record(
            action="support.ticket_rate",
            actor=user,
            object_type="ticket",
            object_id=locked.number,
            data={"rating": rating},
        )
    return locked


def ticket_merge(
    *, source: Ticket, target: Ticket, actor: User, now: datetime | None = None
) -> Ticket:
    """Merge the duplicate ``source`` into ``target``: its messages, attachments and linked
    transactions move over, and ``source`` is closed with a pointer to ``target``."""
    now = now or timezone.now()
    if not is_support_staff(actor):
        raise PermissionError("only staff merge tickets")
    with transaction.atomic():
        first, second = sorted([source.pk, target.pk])
        locked = {
            t.pk: t
            for t in Ticket.objects.select_for_update()
            .filter(pk__in=[first, second])
            .order_by("pk")
        }
        src, dst = locked.get(source.pk), locked.get(target.pk)
        if (
            src is None
            or dst is None
            or src.pk == dst.pk
            or src.merged_into_id is not None
            or dst.merged_into_id is not None
            or dst.status == TicketStatus.CLOSED
            or src.requester_email != dst.requester_email
        ):
            raise MergeInvalid(field="target")
        TicketMessage.objects.filter(ticket=src).update(ticket=dst)
        TicketAttachment.objects.filter(ticket=src).update(ticket=dst)
        for txn in src.transactions.all():
            dst.transactions.add(txn)
        src.merged_into = dst
        _set_status(ticket=src, status=TicketStatus.CLOSED, actor=actor, now=now)
        src.updated_at = now
        src.save()
        if dst.first_responded_at is None and src.first_responded_at is not None:
            dst.first_responded_at = src.first_responded_at
        dst.updated_at = now
        dst.save()
        TicketEvent.objects.create(
            ticket=src,
            actor=actor,
            kind=TicketEventKind.MERGED,
            data={"into": dst.number},
            created_at=now,
        )
        TicketEvent.objects.create(
            ticket=dst,
            actor=actor,
            kind=TicketEventKind.MERGED,
            data={"from": src.number},
            created_at=now,
        )
        audit_record(
            action="support.ticket_merge",
            actor=actor,
            object_type="ticket",
            object_id=dst.number,
            data={"from": src.number},
        )
    return dst


def ticket_transaction_link(
    *, ticket: Ticket, actor: User, reference: str, now: datetime | None = None
) -> Ticket:
    """Link one of the requester's transactions to the ticket (staff). Linking it again
    changes nothing. A guest's ticket has no transactions to link."""
    now = now or timezone.now()
    if not is_support_staff(actor):
        raise PermissionError("only staff link transactions")
    reference = reference.strip()
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        txn = (
            Transaction.objects.filter(user_id=locked.requester_id, reference=reference).first()
            if locked.requester_id is not None and reference
            else None
        )
        if txn is None:
            raise TransactionNotLinkable(field="reference")
        if locked.transactions.filter(pk=txn.pk).exists():
            return locked
        locked.transactions.add(txn)
        TicketEvent.objects.create(
            ticket=locked,
            actor=actor,
            kind=TicketEventKind.TRANSACTION_LINKED,
            data={"reference": txn.reference},
            created_at=now,
        )
        locked.updated_at = now
        locked.save(update_fields=["updated_at"])
        audit_record(
            action="support.ticket_link_transaction",
            actor=actor,
            object_type="ticket",
            object_id=locked.number,
            data={"reference": txn.reference},
        )
    return locked


def customer_data_view_record(
    *, viewer: User, object_type: str, object_id: str, customer_email: str, what: str
) -> None:
    """Log that a member of staff looked at a customer's data (a ticket, chat or callback
    and the account context shown beside it): one audit action for every desk page."""
    audit_record(
        action="support.customer_data_view",
        actor=viewer,
        object_type=object_type,
        object_id=object_id,
        data={"what": what, "customer": customer_email},
    )


def ticket_view_record(*, ticket: Ticket, viewer: User, what: str = "ticket") -> None:
    """Log that a member of staff looked at a customer's ticket and account context."""
    customer_data_view_record(
        viewer=viewer,
        object_type="ticket",
        object_id=ticket.number,
        customer_email=ticket.requester_email,
        what=what,
    )

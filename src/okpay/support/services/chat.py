"""Live-chat writes: start, accept, send, read, end, hand back, verify, and chat → ticket.

Life of a chat: a signed-in customer starts it with a topic, an optional transaction of
theirs and a first message. Inside opening hours and with an agent online it waits in the
queue (``queued``) until an agent accepts it (``active``): two agents accepting at once
race on a conditional UPDATE and exactly one wins. Either side may end it (``ended``); the
agent may also pass it back to the queue. A chat nobody can take becomes a ticket
(``missed``) — at once when it starts outside opening hours or with no agent online,
later when no agent accepted it within ``OKPAY_CHAT_QUEUE_TIMEOUT_MINUTES`` (the
``support_chats_expire`` job every minute, and a check whenever the customer's socket
connects) — and the customer is told the ticket number and when to expect the answer.

Every chat that closes leaves its conversation in a ticket: a chat about a transaction
that already has an open ticket of the customer adds to that ticket; any other chat opens
a ticket ``via=chat`` (assigned to the agent and marked solved when an agent handled it).
The ticket's history gets a ``chat`` event.

Message bodies are masked (``okpay.support.masking``) before they are stored or sent to
anyone. System lines (agent joined, identity verified, ...) are written in the chat's
language, as the customer read them. Pushes to the sockets (``okpay.support.realtime``)
leave only after the commit; every change also writes an audit row with the acting user.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from okpay.errors import NotFound
from okpay.identity.models import Role, User
from okpay.identity.services import audit_record, is_support_staff
from okpay.identity.services.support_code import support_code_verify
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
from okpay.support.errors_tickets import MessageEmpty, TicketClosed
from okpay.support.masking import mask_sensitive
from okpay.support.models import (
    ACTIVE_STATUSES,
    OPEN_CHAT_STATUSES,
    ChatMessage,
    ChatSender,
    ChatSession,
    ChatStatus,
    Ticket,
    TicketCategory,
    TicketEvent,
    TicketEventKind,
    TicketStatus,
    Via,
)
from okpay.support.realtime import chat_group, publish, publish_to_agents
from okpay.support.selectors_chat import (
    agent_name,
    chat_customer_lines,
    chat_data,
    chat_queue_ids,
    chat_transcript,
    chat_waiting_since,
    chats_waiting_since,
    customer_name,
    message_data,
    ticket_due,
    ticket_url,
)
from okpay.support.services.chat_hours import (
    Unavailable,
    chat_availability,
    chat_hours,
    chat_hours_text,
)
from okpay.support.services.tickets import (
    customer_data_view_record,
    ticket_create,
    ticket_reply,
    ticket_update,
)
from okpay.wallets.models import Transaction
from okpay.wallets.selectors import transaction_get

MAX_MESSAGE_CHARS = 2000
LANGUAGES = ("zh-hans", "en")
SUPERVISING_ROLES = (Role.SUPERVISOR, Role.OPERATOR)


# --- Helpers ----------------------------------------------------------------------------------


def _new_public_id() -> str:
    return "ch_" + secrets.token_hex(8)


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise MessageEmpty(field="body")
    if len(body) > MAX_MESSAGE_CHARS:
        raise ChatMessageTooLong(field="body")
    return body


def _side(chat: ChatSession, user: User) -> ChatSender:
    """Which side ``user`` is on; others get "not found" (customers) or "not yours"."""
    if user.pk == chat.customer_id:
        return ChatSender.CUSTOMER
    if not is_support_staff(user):
        raise ChatNotFound(field="chat")
    return ChatSender.AGENT


def _may_manage(chat: ChatSession, user: User) -> bool:
    """The chat's agent, or a supervisor or operator, may end it or pass it back."""
    return chat.agent_id == user.pk or user.role in SUPERVISING_ROLES


def _publish_message(chat: ChatSession, message: ChatMessage) -> None:
    publish(
        chat_group(chat.public_id),
        {
            "type": "chat.message",
            "chat": chat.public_id,
            "message": message_data(message, chat=chat),
        },
    )
    publish_to_agents("chat.message", chat=chat.public_id, sender=message.sender)


def _system_message(chat: ChatSession, body: str, now: datetime) -> ChatMessage:
    message = ChatMessage.objects.create(
        session=chat, sender=ChatSender.SYSTEM, author=None, body=body, created_at=now
    )
    _publish_message(chat, message)
    return message


def _publish_queue_positions() -> None:
    """Tell every waiting customer their place in the queue (after the commit)."""
    for position, public_id in enumerate(chat_queue_ids(), start=1):
        publish(
            chat_group(public_id), {"type": "chat.queue", "chat": public_id, "position": position}
        )


def _format_due(due: datetime, user: User) -> str:
    try:
        zone = ZoneInfo(user.time_zone)
    except (ValueError, KeyError):
        zone = ZoneInfo(settings.TIME_ZONE)
    return f"{due.astimezone(zone):%Y-%m-%d %H:%M} ({zone.key})"


def _open_ticket_about(customer: User, txn: Transaction | None) -> Ticket | None:
    """The customer's open ticket about ``txn``, which a chat about it continues."""
    if txn is None:
        return None
    return (
        Ticket.objects.filter(
            requester=customer,
            transactions=txn,
            status__in=ACTIVE_STATUSES,
            merged_into__isnull=True,
        )
        .order_by("-updated_at")
        .first()
    )


def _save_to_ticket(*, chat: ChatSession, body: str, now: datetime) -> tuple[Ticket, bool]:
    """Add ``body`` to the chat's ticket, or open one ``via=chat``; (ticket, created)."""
    ticket = chat.ticket
    while ticket is not None and ticket.merged_into is not None:
        ticket = ticket.merged_into  # the duplicate was merged: continue the one it went into
    if ticket is not None:
        try:
            ticket_reply(ticket=ticket, author=chat.customer, body=body, via=Via.CHAT, now=now)
        except TicketClosed:
            pass
        else:
            if chat.ticket_id != ticket.pk:
                chat.ticket = ticket
                chat.save(update_fields=["ticket"])
            return ticket, False
    subject = _("Live chat: %(topic)s") % {"topic": TicketCategory(chat.topic).label}
    ticket = ticket_create(
        requester=chat.customer,
        subject=subject,
        body=body,
        category=chat.topic,
        via=Via.CHAT,
        transactions=[chat.transaction] if chat.transaction else [],
        # A chat nobody took is a request that waits for us: acknowledge it like any ticket.
        # The transcript of a chat an agent answered records a conversation that happened.
        acknowledge=chat.agent_id is None,
        now=now,
    )
    chat.ticket = ticket
    chat.save(update_fields=["ticket"])
    return ticket, True


def _chat_event(*, ticket: Ticket, chat: ChatSession, actor: User | None, now: datetime) -> None:
    TicketEvent.objects.create(
        ticket=ticket,
        actor=actor,
        kind=TicketEventKind.CHAT,
        data={
            "chat": chat.public_id,
            "status": chat.status,
            "messages": chat.messages.count(),
        },
        created_at=now,
    )


# --- Start --------------------------------------------------------------------------------------


def chat_start(
    *,
    customer: User,
    topic: str,
    body: str,
    transaction_reference: str = "",
    language: str = "zh-hans",
    now: datetime | None = None,
) -> ChatSession:
    """Start a chat with its first message. Returns it waiting in the queue, or — outside
    opening hours or with no agent online — already turned into a ticket (``missed``)."""
    now = now or timezone.now()
    if not customer.is_authenticated or is_support_staff(customer):
        raise ChatForCustomers()
    if topic not in TicketCategory.values:
        raise ChatTopicInvalid(field="topic")
    body = _clean_body(body)
    txn: Transaction | None = None
    if transaction_reference.strip():
        try:
            txn = transaction_get(user=customer, reference=transaction_reference.strip())
        except NotFound as exc:
            raise NotFound(exc.message, field="transaction") from exc
    language = language if language in LANGUAGES else settings.LANGUAGE_CODE
    open_chat = ChatSession.objects.filter(customer=customer, status__in=OPEN_CHAT_STATUSES).first()
    if open_chat is not None:
        raise ChatAlreadyOpen(chat=open_chat.public_id)
    availability = chat_availability(now=now, language=language)
    try:
        with transaction.atomic():
            chat = ChatSession.objects.create(
                public_id=_new_public_id(),
                customer=customer,
                topic=topic,
                language=language,
                transaction=txn,
                ticket=_open_ticket_about(customer, txn),
                created_at=now,
            )
            message = ChatMessage.objects.create(
                session=chat,
                sender=ChatSender.CUSTOMER,
                author=customer,
                body=mask_sensitive(body).text,
                created_at=now,
            )
            chat.customer_read_id = message.pk
            chat.save(update_fields=["customer_read_id"])
            audit_record(
                action="support.chat_start",
                actor=customer,
                object_type="chat",
                object_id=chat.public_id,
                data={"topic": topic, "transaction": txn.reference if txn else ""},
            )
            if availability.reason is not None:
                chat_to_ticket(chat=chat, reason=availability.reason, now=now)
            else:
                publish_to_agents("chat.queued", chat=chat.public_id, topic=topic)
                _publish_queue_positions()
    except IntegrityError as exc:  # a second tab started a chat in the same moment
        open_chat = ChatSession.objects.filter(
            customer=customer, status__in=OPEN_CHAT_STATUSES
        ).first()
        if open_chat is None:
            raise
        raise ChatAlreadyOpen(chat=open_chat.public_id) from exc
    chat.refresh_from_db()
    return chat


# --- Chat → ticket --------------------------------------------------------------------------


def _missed_notice(*, reason: str, ticket: Ticket, chat: ChatSession, hours: str) -> str:
    if reason == Unavailable.CLOSED:
        first = (
            _("Live chat is closed now (opening hours: %(hours)s).") % {"hours": hours}
            if hours
            else _("Live chat is closed now.")
        )
    elif reason == Unavailable.NO_AGENTS:
        first = _("No agent is available right now.")
    else:
        first = _("No agent could take your chat within %(minutes)s minutes.") % {
            "minutes": settings.OKPAY_CHAT_QUEUE_TIMEOUT_MINUTES
        }
    due = ticket_due(ticket)
    second = _("We saved your message as ticket %(number)s.") % {"number": ticket.number}
    third = (
        _("We will answer by e-mail by %(due)s.") % {"due": _format_due(due, chat.customer)}
        if due is not None
        else _("We will answer by e-mail.")
    )
    separator = "" if (translation.get_language() or "").startswith("zh") else " "
    return separator.join((first, second, third))


def chat_to_ticket(*, chat: ChatSession, reason: str, now: datetime | None = None) -> Ticket | None:
    """Turn a waiting chat nobody could take into a ticket (``missed``): the customer's
    messages become the ticket's first message (or a reply on the open ticket the chat
    continues). None when the chat was no longer waiting (accepted or ended meanwhile)."""
    now = now or timezone.now()
    with transaction.atomic():
        moved = ChatSession.objects.filter(pk=chat.pk, status=ChatStatus.QUEUED).update(
            status=ChatStatus.MISSED, ended_at=now
        )
        if not moved:
            return None
        chat.refresh_from_db()
        with translation.override(chat.language):
            ticket, _created = _save_to_ticket(
                chat=chat, body=chat_customer_lines(chat=chat), now=now
            )
            notice = _missed_notice(
                reason=reason,
                ticket=ticket,
                chat=chat,
                hours=chat_hours_text(chat.language),
            )
            _chat_event(ticket=ticket, chat=chat, actor=None, now=now)
            _system_message(chat, notice, now)
            data = chat_data(chat)
        audit_record(
            action="support.chat_missed",
            actor=None,
            object_type="chat",
            object_id=chat.public_id,
            data={"reason": str(reason), "ticket": ticket.number},
        )
        publish(
            chat_group(chat.public_id),
            {
                "type": "chat.missed",
                "chat": chat.public_id,
                "reason": str(reason),
                "ticket": ticket.number,
                "ticket_url": ticket_url(ticket),
                "ticket_due": data["ticket_due"],
            },
        )
        publish_to_agents("chat.missed", chat=chat.public_id, ticket=ticket.number)
        _publish_queue_positions()
    return ticket


def _timeout() -> timedelta:
    return timedelta(minutes=settings.OKPAY_CHAT_QUEUE_TIMEOUT_MINUTES)


def chats_expire_waiting(*, now: datetime | None = None) -> int:
    """Turn into tickets the waiting chats that can no longer be answered: all of them when
    chat has closed for the day, else those waiting longer than the queue timeout. Safe to
    run any number of times (and beside agents accepting: the conditional UPDATE decides).
    """
    now = now or timezone.now()
    if not chat_hours().is_open(now):
        waiting = chats_waiting_since(before=now + timedelta(seconds=1))
        reason = Unavailable.CLOSED
    else:
        waiting = chats_waiting_since(before=now - _timeout())
        reason = Unavailable.TIMEOUT
    return sum(
        1 for chat in waiting if chat_to_ticket(chat=chat, reason=reason, now=now) is not None
    )


def chat_expire_check(*, chat: ChatSession, now: datetime | None = None) -> ChatSession:
    """Check one waiting chat (when its customer connects, and while they wait): closed
    for the day, no agent online any more, or waited too long → ticket."""
    now = now or timezone.now()
    if chat.status != ChatStatus.QUEUED:
        return chat
    availability = chat_availability(now=now, language=chat.language)
    reason: str | None = availability.reason
    if reason is None and chat_waiting_since(chat=chat) < now - _timeout():
        reason = Unavailable.TIMEOUT
    if reason is not None:
        chat_to_ticket(chat=chat, reason=reason, now=now)
        chat.refresh_from_db()
    return chat


# --- Agents take, hand back, verify -------------------------------------------------------------


def chat_accept(*, chat: ChatSession, agent: User, now: datetime | None = None) -> ChatSession:
    """The agent takes a waiting chat. Of two agents accepting at once exactly one wins (the
    conditional UPDATE); the other gets ``chat_already_taken`` and nothing changes."""
    now = now or timezone.now()
    if not is_support_staff(agent):
        raise ChatStaffOnly()
    with transaction.atomic():
        taken = ChatSession.objects.filter(pk=chat.pk, status=ChatStatus.QUEUED).update(
            status=ChatStatus.ACTIVE, agent=agent, accepted_at=now
        )
        if not taken:
            raise ChatAlreadyTaken()
        chat.refresh_from_db()
        name = agent_name(agent)
        with translation.override(chat.language):
            _system_message(chat, _("%(name)s joined the chat.") % {"name": name}, now)
        audit_record(
            action="support.chat_accept",
            actor=agent,
            object_type="chat",
            object_id=chat.public_id,
            data={"customer": chat.customer.email},
        )
        publish(
            chat_group(chat.public_id),
            {"type": "chat.accepted", "chat": chat.public_id, "agent_name": name},
        )
        publish_to_agents("chat.accepted", chat=chat.public_id, agent=agent.pk)
        _publish_queue_positions()
    return chat


def chat_transfer(*, chat: ChatSession, agent: User, now: datetime | None = None) -> ChatSession:
    """Pass a running chat back to the queue for another agent; it keeps its place."""
    now = now or timezone.now()
    if not is_support_staff(agent):
        raise ChatStaffOnly()
    with transaction.atomic():
        locked = ChatSession.objects.select_for_update().get(pk=chat.pk)
        if locked.status != ChatStatus.ACTIVE:
            raise ChatNotActive()
        if not _may_manage(locked, agent):
            raise ChatNotYours()
        previous = locked.agent
        locked.status = ChatStatus.QUEUED
        locked.agent = None
        locked.accepted_at = None
        locked.save(update_fields=["status", "agent", "accepted_at"])
        with translation.override(locked.language):
            _system_message(
                locked,
                _("%(name)s passed your chat on. The next free agent will join you shortly.")
                % {"name": agent_name(previous)},
                now,
            )
        audit_record(
            action="support.chat_transfer",
            actor=agent,
            object_type="chat",
            object_id=locked.public_id,
            data={"from": previous.email if previous else ""},
        )
        publish(chat_group(locked.public_id), {"type": "chat.requeued", "chat": locked.public_id})
        publish_to_agents("chat.queued", chat=locked.public_id, topic=locked.topic)
        _publish_queue_positions()
    return locked


def chat_verify_customer(
    *, chat: ChatSession, agent: User, code: str, now: datetime | None = None
) -> ChatSession:
    """Check the support verification code the customer gave in the chat; on success the
    chat records it and both sides get a system line. Errors as ``support_code_verify``."""
    now = now or timezone.now()
    if not is_support_staff(agent):
        raise ChatStaffOnly()
    if chat.status != ChatStatus.ACTIVE:
        raise ChatNotActive()
    if chat.agent_id != agent.pk:
        raise ChatNotYours()
    support_code_verify(
        agent=agent, customer_email_or_id=str(chat.customer_id), code=code, channel="chat"
    )
    with transaction.atomic():
        ChatSession.objects.filter(pk=chat.pk).update(customer_verified_at=now)
        chat.refresh_from_db()
        with translation.override(chat.language):
            _system_message(
                chat,
                _("Identity verified: the agent checked your support verification code."),
                now,
            )
        audit_record(
            action="support.chat_customer_verified",
            actor=agent,
            object_type="chat",
            object_id=chat.public_id,
            data={"customer": chat.customer_id},
        )
        publish(chat_group(chat.public_id), {"type": "chat.verified", "chat": chat.public_id})
    return chat


# --- Messages and read state ------------------------------------------------------------------


def _mark_read(chat: ChatSession, side: ChatSender, message_id: int) -> bool:
    """Move the side's read mark forward (never back); publish it. Lock not needed."""
    field = "customer_read_id" if side == ChatSender.CUSTOMER else "agent_read_id"
    moved = ChatSession.objects.filter(pk=chat.pk, **{f"{field}__lt": message_id}).update(
        **{field: message_id}
    )
    if moved:
        setattr(chat, field, message_id)
        publish(
            chat_group(chat.public_id),
            {
                "type": "chat.read",
                "chat": chat.public_id,
                "reader": side.value,
                "message_id": message_id,
            },
        )
    return bool(moved)


def chat_message_send(
    *, chat: ChatSession, author: User, body: str, now: datetime | None = None
) -> ChatMessage:
    """A message from the customer (while the chat waits or runs) or from the chat's agent
    (while it runs), masked before it is stored; the sender has read up to it."""
    now = now or timezone.now()
    side = _side(chat, author)
    body = _clean_body(body)
    with transaction.atomic():
        locked = ChatSession.objects.select_for_update().get(pk=chat.pk)
        if not locked.is_open:
            raise ChatNotOpen()
        if side == ChatSender.AGENT:
            if locked.status != ChatStatus.ACTIVE:
                raise ChatNotActive()
            if locked.agent_id != author.pk:
                raise ChatNotYours()
        message = ChatMessage.objects.create(
            session=locked,
            sender=side,
            author=author,
            body=mask_sensitive(body).text,
            created_at=now,
        )
        _publish_message(locked, message)
        _mark_read(locked, side, message.pk)
    return message


def chat_read(*, chat: ChatSession, reader: User, message_id: int) -> int:
    """``reader`` has seen the conversation up to ``message_id``; returns their read mark."""
    side = _side(chat, reader)
    if side == ChatSender.AGENT and chat.agent_id != reader.pk:
        raise ChatNotYours()
    last = (
        ChatMessage.objects.filter(session=chat, pk__lte=message_id)
        .order_by("-id")
        .values_list("pk", flat=True)
        .first()
    )
    if last is not None:
        _mark_read(chat, side, last)
    chat.refresh_from_db(fields=["customer_read_id", "agent_read_id"])
    return chat.customer_read_id if side == ChatSender.CUSTOMER else chat.agent_read_id


# --- End ----------------------------------------------------------------------------------------


def chat_end(*, chat: ChatSession, by: User, now: datetime | None = None) -> ChatSession:
    """End an open chat (the customer, its agent, or a supervisor) and save the transcript
    to its ticket."""
    now = now or timezone.now()
    side = _side(chat, by)
    with transaction.atomic():
        locked = ChatSession.objects.select_for_update().get(pk=chat.pk)
        if not locked.is_open:
            raise ChatNotOpen()
        if side == ChatSender.AGENT and not _may_manage(locked, by):
            raise ChatNotYours()
        was_waiting = locked.status == ChatStatus.QUEUED
        locked.status = ChatStatus.ENDED
        locked.ended_at = now
        locked.save(update_fields=["status", "ended_at"])
        with translation.override(locked.language):
            who = customer_name(locked.customer) if side == ChatSender.CUSTOMER else agent_name(by)
            _system_message(locked, _("%(name)s ended the chat.") % {"name": who}, now)
            ticket, created = _save_to_ticket(
                chat=locked, body=chat_transcript(chat=locked), now=now
            )
            if created and locked.agent is not None and is_support_staff(locked.agent):
                ticket_update(
                    ticket=ticket,
                    actor=locked.agent,
                    assignee=locked.agent,
                    status=TicketStatus.SOLVED,
                    now=now,
                )
            _chat_event(ticket=ticket, chat=locked, actor=by, now=now)
            _system_message(
                locked,
                _("The conversation is saved in ticket %(number)s.") % {"number": ticket.number},
                now,
            )
        audit_record(
            action="support.chat_end",
            actor=by,
            object_type="chat",
            object_id=locked.public_id,
            data={"by": side.value, "ticket": ticket.number},
        )
        publish(
            chat_group(locked.public_id),
            {
                "type": "chat.ended",
                "chat": locked.public_id,
                "by": side.value,
                "ticket": ticket.number,
                "ticket_url": ticket_url(ticket),
            },
        )
        publish_to_agents("chat.ended", chat=locked.public_id)
        if was_waiting:
            _publish_queue_positions()
    return locked


def chat_view_record(*, chat: ChatSession, viewer: User) -> None:
    """Log that a member of staff looked at a chat and the customer's account context."""
    customer_data_view_record(
        viewer=viewer,
        object_type="chat",
        object_id=chat.public_id,
        customer_email=chat.customer.email,
        what="chat_and_context",
    )

"""Live-chat reads with their access rules, and the JSON shapes sent to chat clients.

A customer reaches only their own chats (anything else is ``chat_not_found``, never
"forbidden"); agents, supervisors and operators reach every chat. What the agent sees of
the customer is masked: e-mail, phone and account numbers keep only a few characters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from okpay.identity.models import User
from okpay.identity.services.support_code import is_support_staff, mask_email, mask_phone
from okpay.support.errors_chat import ChatNotFound
from okpay.support.models import (
    ACTIVE_STATUSES,
    OPEN_CHAT_STATUSES,
    ChatMessage,
    ChatSender,
    ChatSession,
    ChatStatus,
    Ticket,
    TicketCategory,
)
from okpay.support.presence import agents_online
from okpay.support.selectors_tickets import TransactionLine, transaction_line
from okpay.support.services.sla import sla_current_target
from okpay.wallets.models import Transaction

PREVIEW_CHARS = 140


# --- Names ------------------------------------------------------------------------------------


def agent_name(user: User | None) -> str:
    """How an agent is named to customers: the display name, never the e-mail address."""
    if user is not None and user.display_name:
        return user.display_name
    return _("OKpay agent")


def customer_name(user: User) -> str:
    """How a customer is named to agents: the display name, else the masked e-mail."""
    return user.display_name or mask_email(user.email)


def _zone(user: User) -> ZoneInfo:
    try:
        return ZoneInfo(user.time_zone or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


# --- Access ---------------------------------------------------------------------------------


def chat_for_customer(*, user: User | None, public_id: str) -> ChatSession:
    """The chat ``public_id`` if ``user`` started it."""
    if user is None or not user.is_authenticated:
        raise ChatNotFound(field="chat")
    chat = (
        ChatSession.objects.filter(public_id=public_id, customer=user)
        .select_related("agent", "ticket", "transaction", "customer")
        .first()
    )
    if chat is None:
        raise ChatNotFound(field="chat")
    return chat


def chat_for_staff(*, user: User | None, public_id: str) -> ChatSession:
    if not is_support_staff(user):
        raise ChatNotFound(field="chat")
    chat = (
        ChatSession.objects.filter(public_id=public_id)
        .select_related("agent", "ticket", "transaction", "customer")
        .first()
    )
    if chat is None:
        raise ChatNotFound(field="chat")
    return chat


def chat_open_for_customer(*, user: User) -> ChatSession | None:
    """The customer's waiting or running chat (there is at most one)."""
    return (
        ChatSession.objects.filter(customer=user, status__in=OPEN_CHAT_STATUSES)
        .select_related("agent", "ticket", "transaction")
        .first()
    )


def chat_messages(*, chat: ChatSession, after_id: int = 0, limit: int = 500) -> list[ChatMessage]:
    """The conversation in order (the ``limit`` messages after ``after_id``)."""
    return list(
        ChatMessage.objects.filter(session=chat, pk__gt=after_id)
        .select_related("author")
        .order_by("id")[:limit]
    )


# --- The queue ------------------------------------------------------------------------------


def _with_queued_since(rows: QuerySet[ChatSession]) -> QuerySet[ChatSession]:
    """Annotate ``queued_since``: when the chat (last) joined the queue.

    A chat joins the queue when it starts; a transfer back to the queue posts a system
    message, and no other system message is posted while a chat waits, so the latest
    system message (if any) tells when a returned chat started waiting again.
    """
    return rows.annotate(
        last_system=Max("messages__created_at", filter=Q(messages__sender=ChatSender.SYSTEM)),
        queued_since=Coalesce("last_system", "created_at"),
    )


def chats_waiting_since(*, before: datetime) -> list[ChatSession]:
    """Waiting chats that joined the queue before ``before`` (the queue-timeout sweep)."""
    rows = _with_queued_since(ChatSession.objects.filter(status=ChatStatus.QUEUED))
    return list(rows.filter(Q(queued_since__lt=before)).order_by("created_at", "id"))


def chat_waiting_since(*, chat: ChatSession) -> datetime:
    row = _with_queued_since(ChatSession.objects.filter(pk=chat.pk)).first()
    return row.queued_since if row else chat.created_at  # type: ignore[attr-defined]


@dataclass(frozen=True)
class QueuedChat:
    chat: ChatSession
    customer: str  # the customer's display name or masked e-mail
    position: int
    waiting_since: datetime
    waiting_seconds: int
    preview: str  # the customer's first message (masked), shortened

    @property
    def waiting_minutes(self) -> int:
        return self.waiting_seconds // 60


def chat_queue(*, now: datetime | None = None) -> list[QueuedChat]:
    """Waiting chats, longest-started first (a chat returned to the queue keeps its place)."""
    now = now or timezone.now()
    first_message = (
        ChatMessage.objects.filter(session=OuterRef("pk"), sender=ChatSender.CUSTOMER)
        .order_by("id")
        .values("body")[:1]
    )
    rows = (
        _with_queued_since(ChatSession.objects.filter(status=ChatStatus.QUEUED))
        .annotate(first_body=Subquery(first_message))
        .select_related("customer", "transaction")
        .order_by("created_at", "id")
    )
    result = []
    for position, chat in enumerate(rows, start=1):
        since: datetime = chat.queued_since  # type: ignore[attr-defined]
        body: str = chat.first_body or ""
        result.append(
            QueuedChat(
                chat=chat,
                customer=customer_name(chat.customer),
                position=position,
                waiting_since=since,
                waiting_seconds=max(0, int((now - since).total_seconds())),
                preview=body if len(body) <= PREVIEW_CHARS else body[: PREVIEW_CHARS - 1] + "…",
            )
        )
    return result


def chat_queue_position(*, chat: ChatSession) -> int | None:
    """1 for the next chat to be taken; None when the chat is not waiting."""
    if chat.status != ChatStatus.QUEUED:
        return None
    ahead = ChatSession.objects.filter(status=ChatStatus.QUEUED).filter(
        Q(created_at__lt=chat.created_at) | Q(created_at=chat.created_at, pk__lt=chat.pk)
    )
    return ahead.count() + 1


def chat_queue_ids() -> list[str]:
    """Public ids of the waiting chats in queue order."""
    return list(
        ChatSession.objects.filter(status=ChatStatus.QUEUED)
        .order_by("created_at", "id")
        .values_list("public_id", flat=True)
    )


@dataclass(frozen=True)
class ChatCounts:
    queued: int
    active: int
    mine: int  # active chats of the asking agent (0 without one)
    agents_online: int


def chat_counts(*, agent: User | None = None) -> ChatCounts:
    """How many chats wait and run, for the agents' navigation and inbox."""
    counts: dict[str, Any] = {
        "queued": Count("id", filter=Q(status=ChatStatus.QUEUED)),
        "active": Count("id", filter=Q(status=ChatStatus.ACTIVE)),
    }
    if agent is not None:
        counts["mine"] = Count("id", filter=Q(status=ChatStatus.ACTIVE, agent=agent))
    rows = ChatSession.objects.filter(status__in=OPEN_CHAT_STATUSES).aggregate(**counts)
    return ChatCounts(
        queued=rows["queued"],
        active=rows["active"],
        mine=rows.get("mine", 0),
        agents_online=len(agents_online()),
    )


@dataclass(frozen=True)
class AgentChat:
    chat: ChatSession
    customer: str  # the customer's display name or masked e-mail
    unread: int  # customer messages after the agent's read mark


def chats_active_for_agent(*, agent: User) -> list[AgentChat]:
    """The chats ``agent`` is in now, oldest first, with their unread counts."""
    rows = (
        ChatSession.objects.filter(status=ChatStatus.ACTIVE, agent=agent)
        .annotate(
            unread=Count(
                "messages",
                filter=Q(messages__sender=ChatSender.CUSTOMER)
                & Q(messages__pk__gt=F("agent_read_id")),
            )
        )
        .select_related("customer", "transaction")
        .order_by("accepted_at", "id")
    )
    return [AgentChat(chat=c, customer=customer_name(c.customer), unread=c.unread) for c in rows]


def chats_recent_for_agent(*, agent: User, limit: int = 10) -> list[AgentChat]:
    """The last chats ``agent`` was in that ended (for looking back at a transcript)."""
    rows = (
        ChatSession.objects.filter(agent=agent, status=ChatStatus.ENDED)
        .select_related("customer", "ticket")
        .order_by("-ended_at", "-id")[:limit]
    )
    return [AgentChat(chat=c, customer=customer_name(c.customer), unread=0) for c in rows]


# --- The customer's context for the agent --------------------------------------------------


@dataclass(frozen=True)
class ChatCustomerContext:
    name: str
    email_masked: str
    phone_masked: str
    country: str
    joined: datetime
    email_verified: bool
    verified_at: datetime | None  # support verification code checked in this chat
    linked: list[TransactionLine]  # the chat's transaction (none or one)
    recent: list[TransactionLine]
    open_tickets: list[Ticket]
    earlier_chats: int


def chat_customer_context(*, chat: ChatSession) -> ChatCustomerContext:
    """What an agent sees beside a chat; e-mail, phone and account numbers are masked."""
    user = chat.customer
    recent = Transaction.objects.filter(user=user).order_by("-created_at", "-id")[:10]
    return ChatCustomerContext(
        name=customer_name(user),
        email_masked=mask_email(user.email),
        phone_masked=mask_phone(user.phone),
        country=user.country,
        joined=user.date_joined,
        email_verified=user.email_verified_at is not None,
        verified_at=chat.customer_verified_at,
        linked=[transaction_line(chat.transaction)] if chat.transaction else [],
        recent=[transaction_line(t) for t in recent],
        open_tickets=list(
            Ticket.objects.filter(
                requester=user, status__in=ACTIVE_STATUSES, merged_into__isnull=True
            ).order_by("-updated_at")[:20]
        ),
        earlier_chats=ChatSession.objects.filter(customer=user).exclude(pk=chat.pk).count(),
    )


# --- Transcript -----------------------------------------------------------------------------


def _speaker(message: ChatMessage, chat: ChatSession) -> str:
    if message.sender == ChatSender.CUSTOMER:
        return customer_name(chat.customer)
    if message.sender == ChatSender.AGENT:
        return agent_name(message.author)
    return "OKpay"


def chat_transcript(*, chat: ChatSession) -> str:
    """The conversation as plain text, times in the customer's time zone (active language)."""
    zone = _zone(chat.customer)
    lines = [
        _("Live chat %(id)s, started %(time)s (%(zone)s)")
        % {
            "id": chat.public_id,
            "time": chat.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            "zone": zone.key,
        },
        _("Topic: %(topic)s") % {"topic": TicketCategory(chat.topic).label},
    ]
    if chat.transaction is not None:
        lines.append(_("Transaction: %(reference)s") % {"reference": chat.transaction.reference})
    lines.append("")
    for message in chat_messages(chat=chat, limit=10_000):
        time = message.created_at.astimezone(zone).strftime("%H:%M")
        lines.append(f"[{time}] {_speaker(message, chat)}: {message.body}")
    return "\n".join(lines)


def chat_customer_lines(*, chat: ChatSession) -> str:
    """What the customer wrote, message by message (the first message of a missed chat's
    ticket)."""
    bodies = ChatMessage.objects.filter(session=chat, sender=ChatSender.CUSTOMER).order_by("id")
    return "\n\n".join(bodies.values_list("body", flat=True))


# --- JSON shapes for sockets and the API ----------------------------------------------------


def message_data(message: ChatMessage, *, chat: ChatSession | None = None) -> dict[str, Any]:
    """One message as chat clients receive it."""
    if message.sender == ChatSender.AGENT:
        author = agent_name(message.author)
    elif message.sender == ChatSender.CUSTOMER and chat is not None:
        author = customer_name(chat.customer)
    elif message.sender == ChatSender.CUSTOMER and message.author is not None:
        author = customer_name(message.author)
    else:
        author = "OKpay"
    return {
        "id": message.pk,
        "sender": message.sender,
        "author": author,
        "body": message.body,
        "created_at": message.created_at.isoformat(),
    }


def ticket_url(ticket: Ticket) -> str:
    return reverse("support:ticket", args=[ticket.number])


def ticket_due(ticket: Ticket) -> datetime | None:
    """When the customer can expect the (next) answer on ``ticket``."""
    current = sla_current_target(ticket)
    return current[1] if current else None


def chat_data(chat: ChatSession) -> dict[str, Any]:
    """The chat's state as chat clients receive it (texts in the active language)."""
    ticket = chat.ticket
    due = ticket_due(ticket) if ticket is not None else None
    return {
        "id": chat.public_id,
        "status": chat.status,
        "topic": chat.topic,
        "topic_label": str(TicketCategory(chat.topic).label),
        "transaction": chat.transaction.reference if chat.transaction else None,
        "agent_name": agent_name(chat.agent) if chat.agent_id else None,
        "queue_position": chat_queue_position(chat=chat),
        "customer_read_id": chat.customer_read_id,
        "agent_read_id": chat.agent_read_id,
        "verified": chat.customer_verified_at is not None,
        "ticket": ticket.number if ticket else None,
        "ticket_url": ticket_url(ticket) if ticket else None,
        "ticket_due": due.isoformat() if due else None,
        "created_at": chat.created_at.isoformat(),
        "ended_at": chat.ended_at.isoformat() if chat.ended_at else None,
    }

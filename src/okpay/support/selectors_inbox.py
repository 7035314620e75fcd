"""The one inbox: tickets, live chats and callback requests in a single queue for agents,
and the supervisor's view of who carries what.

Everything waiting for the desk is ranked by the same two questions — how late is it, and
how much is at stake — so an agent works from the top:

1. *late*: a customer waiting in the chat queue, a ticket past its SLA target, a callback
   whose window has passed;
2. *due now*: a ticket within the warning hours of its target, a callback whose window is
   open;
3. *on time*, then 4. nothing due (paused tickets, chats in progress).

Within a rank the more urgent item comes first (ticket priority, callback urgency), then the
one that is due (or has waited) longest.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from okpay.identity.models import Role, User
from okpay.support.models import (
    ACTIVE_STATUSES,
    PRIORITY_ORDER,
    CallbackRequest,
    CallbackStatus,
    CallbackUrgency,
    ChatSession,
    ChatStatus,
    Ticket,
    TicketCategory,
)
from okpay.support.selectors_callbacks import (
    WindowState,
    callback_counts,
    callback_queue,
    window_state,
)
from okpay.support.selectors_chat import chat_counts, chat_queue
from okpay.support.selectors_tickets import InboxFilters, assignee_q, inbox, staff_members
from okpay.support.services.sla import SlaState


class Kind:
    TICKET = "ticket"
    CHAT = "chat"
    CALLBACK = "callback"
    ALL = (TICKET, CHAT, CALLBACK)


# Inbox states, shared by the three kinds (CSS classes use the same names).
LATE = "breached"
DUE_NOW = "at_risk"
ON_TIME = "ok"
WAITING = "waiting"  # a customer is in the chat queue right now
LIVE = "live"  # a chat in progress
PAUSED = "paused"
NOTHING_DUE = "none"

_RANK = {WAITING: 0, LATE: 0, DUE_NOW: 1, ON_TIME: 2, LIVE: 3, PAUSED: 3, NOTHING_DUE: 3}
# Urgency on one scale for all kinds: 0 low … 3 urgent.
_CALLBACK_URGENCY = {
    CallbackUrgency.NORMAL: 1,
    CallbackUrgency.LARGE_AMOUNT: 2,
    CallbackUrgency.URGENT: 3,
}


@dataclass(frozen=True)
class UnifiedFilters:
    kind: str = ""  # "", "ticket", "chat" or "callback"
    tickets: InboxFilters = field(default_factory=InboxFilters)

    @property
    def ticket_only(self) -> bool:
        """Filters that only tickets have (status, priority, SLA, search) hide the others."""
        t = self.tickets
        return bool(t.status or t.priority or t.sla or t.q)


@dataclass(frozen=True)
class InboxItem:
    kind: str
    reference: str
    title: str
    customer: str
    status: str
    urgency: int
    urgency_label: str
    state: str
    due: datetime | None
    since: datetime
    assignee: str
    url: str

    def sort_key(self) -> tuple[int, int, datetime]:
        return (_RANK.get(self.state, 3), -self.urgency, self.due or self.since)


def _ticket_items(*, user: User, filters: InboxFilters, now: datetime) -> list[InboxItem]:
    items = []
    for row in inbox(user=user, filters=filters, now=now):
        t = row.ticket
        due = t.resolution_due if t.first_responded_at else t.first_response_due
        state = str(row.sla)
        items.append(
            InboxItem(
                kind=Kind.TICKET,
                reference=t.number,
                title=t.subject,
                customer=t.requester_email,
                status=t.get_status_display(),
                urgency=PRIORITY_ORDER.index(t.priority),
                urgency_label=t.get_priority_display(),
                state=state if state in _RANK else NOTHING_DUE,
                due=due,
                since=t.created_at,
                assignee=t.assignee.email if t.assignee else "",
                url=reverse("support:agent_ticket", args=[t.number]),
            )
        )
    return items


def _chat_item(
    chat: ChatSession, *, waiting_since: datetime | None, timeout: timedelta
) -> InboxItem:
    queued = waiting_since is not None
    return InboxItem(
        kind=Kind.CHAT,
        reference=chat.public_id,
        title=str(TicketCategory(chat.topic).label),
        customer=chat.customer.email,
        status=chat.get_status_display(),
        urgency=3 if queued else 2,
        urgency_label=_("Live"),
        state=WAITING if queued else LIVE,
        # A waiting chat becomes a ticket when the queue timeout runs out.
        due=waiting_since + timeout if waiting_since is not None else None,
        since=waiting_since or chat.created_at,
        assignee=chat.agent.email if chat.agent else "",
        url=reverse("support:agent_chat", args=[chat.public_id]),
    )


def _chat_items(*, user: User, filters: UnifiedFilters, now: datetime) -> list[InboxItem]:
    """Waiting chats (since they last joined the queue, as the queue timeout counts) and
    chats in progress."""
    assignee, category = filters.tickets.assignee, filters.tickets.category
    timeout = timedelta(minutes=settings.OKPAY_CHAT_QUEUE_TIMEOUT_MINUTES)
    items = []
    if assignee in ("", "none"):  # a waiting chat has no agent yet
        for queued in chat_queue(now=now):
            if not category or queued.chat.topic == category:
                items.append(
                    _chat_item(queued.chat, waiting_since=queued.waiting_since, timeout=timeout)
                )
    active = ChatSession.objects.filter(
        assignee_q(assignee, user=user, field="agent"), status=ChatStatus.ACTIVE
    ).select_related("customer", "agent")
    if category:
        active = active.filter(topic=category)
    items += [_chat_item(chat, waiting_since=None, timeout=timeout) for chat in active]
    return items


_WINDOW_TO_STATE = {
    WindowState.OVERDUE: LATE,
    WindowState.DUE: DUE_NOW,
    WindowState.UPCOMING: ON_TIME,
}


def _callback_items(*, user: User, filters: UnifiedFilters, now: datetime) -> list[InboxItem]:
    rows = callback_queue(
        include_claimed=True,
        where=assignee_q(filters.tickets.assignee, user=user, field="agent"),
    )
    items = []
    for cb in rows:
        in_progress = cb.status == CallbackStatus.IN_PROGRESS
        items.append(
            InboxItem(
                kind=Kind.CALLBACK,
                reference=cb.number,
                title=cb.get_topic_display(),
                customer=cb.requester.email,
                status=cb.get_status_display(),
                urgency=_CALLBACK_URGENCY[CallbackUrgency(cb.urgency)],
                urgency_label=cb.get_urgency_display(),
                state=LIVE if in_progress else _WINDOW_TO_STATE[window_state(cb, now=now)],
                due=cb.window_start,
                since=cb.created_at,
                assignee=cb.agent.email if cb.agent else "",
                url=reverse("support:agent_callback", args=[cb.number]),
            )
        )
    return items


def unified_inbox(*, user: User, filters: UnifiedFilters, now: datetime) -> list[InboxItem]:
    """Open tickets, chats and callbacks for staff, the most pressing first."""
    kinds = (filters.kind,) if filters.kind in Kind.ALL else Kind.ALL
    items: list[InboxItem] = []
    if Kind.TICKET in kinds:
        items += _ticket_items(user=user, filters=filters.tickets, now=now)
    if not filters.ticket_only:
        if Kind.CHAT in kinds:
            items += _chat_items(user=user, filters=filters, now=now)
        if Kind.CALLBACK in kinds:
            items += _callback_items(user=user, filters=filters, now=now)
    items.sort(key=InboxItem.sort_key)
    return items


@dataclass(frozen=True)
class QueueLengths:
    chats_waiting: int
    oldest_chat_since: datetime | None
    chats_live: int
    callbacks_waiting: int
    callbacks_urgent: int
    callbacks_late: int
    tickets_unassigned: int
    tickets_new: int


def queue_lengths(*, now: datetime) -> QueueLengths:
    waiting = chat_queue(now=now)
    chats = chat_counts()
    callbacks = callback_counts(now=now)
    tickets = Ticket.objects.filter(
        status__in=ACTIVE_STATUSES, merged_into__isnull=True, confirmed_at__isnull=False
    ).aggregate(
        unassigned=Count("id", filter=Q(assignee__isnull=True)),
        new=Count("id", filter=Q(status="new")),
    )
    return QueueLengths(
        chats_waiting=len(waiting),
        oldest_chat_since=min((q.waiting_since for q in waiting), default=None),
        chats_live=chats.active,
        callbacks_waiting=callbacks.waiting,
        callbacks_urgent=callbacks.urgent,
        callbacks_late=callbacks.overdue,
        tickets_unassigned=tickets["unassigned"],
        tickets_new=tickets["new"],
    )


@dataclass(frozen=True)
class AgentLoad:
    agent: User
    tickets: int
    tickets_late: int
    chats: int
    callbacks: int

    @property
    def total(self) -> int:
        return self.tickets + self.chats + self.callbacks


def agents_load(*, now: datetime) -> list[AgentLoad]:
    """Per support-staff member: open tickets assigned (and how many are late), chats in
    progress and callbacks being called. Heaviest first."""
    staff = [u for u in staff_members() if u.role in (Role.AGENT, Role.SUPERVISOR)]
    active = Ticket.objects.filter(
        status__in=ACTIVE_STATUSES, merged_into__isnull=True, assignee__isnull=False
    )
    tickets = Counter(dict(active.values_list("assignee").annotate(n=Count("id"))))
    late = Counter(
        dict(
            active.filter(
                Q(first_responded_at__isnull=True, first_response_due__lte=now)
                | Q(
                    first_responded_at__isnull=False,
                    sla_paused_at__isnull=True,
                    resolution_due__lte=now,
                )
            )
            .values_list("assignee")
            .annotate(n=Count("id"))
        )
    )
    chats = Counter(
        dict(
            ChatSession.objects.filter(status=ChatStatus.ACTIVE)
            .values_list("agent")
            .annotate(n=Count("id"))
        )
    )
    callbacks = Counter(
        dict(
            CallbackRequest.objects.filter(status=CallbackStatus.IN_PROGRESS)
            .values_list("agent")
            .annotate(n=Count("id"))
        )
    )
    loads = [
        AgentLoad(
            agent=u,
            tickets=tickets[u.pk],
            tickets_late=late[u.pk],
            chats=chats[u.pk],
            callbacks=callbacks[u.pk],
        )
        for u in staff
    ]
    loads.sort(key=lambda load: (-load.total, load.agent.email))
    return loads


def sla_state_labels() -> list[tuple[str, str]]:
    return [
        (SlaState.OK.value, _("On time")),
        (SlaState.AT_RISK.value, _("At risk")),
        (SlaState.BREACHED.value, _("Breached")),
        (SlaState.PAUSED.value, _("Paused")),
    ]

"""Ticket reads with their access rules.

Customers reach only their own tickets (anything else is "not found", never "forbidden",
so ticket numbers cannot be probed); a guest reaches the tickets confirmed in this browser
session; agents, supervisors and operators reach every ticket. Internal notes are never
returned for a customer.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from okpay.identity.models import SUPPORT_STAFF_ROLES, User
from okpay.support.errors_tickets import AttachmentNotFound, TicketNotFound
from okpay.support.models import (
    ACTIVE_STATUSES,
    CannedReply,
    MessageKind,
    Ticket,
    TicketAttachment,
    TicketMessage,
    TicketStatus,
)
from okpay.support.services.sla import SlaState, sla_state
from okpay.support.services.tickets import is_support_staff
from okpay.wallets.models import Transaction


def ticket_list_for_customer(*, user: User) -> list[Ticket]:
    return list(
        Ticket.objects.filter(requester=user, merged_into__isnull=True).order_by(
            "-updated_at", "-id"
        )
    )


def ticket_for_customer(
    *, user: User | None, number: str, guest_ids: Collection[int] = ()
) -> Ticket:
    """The ticket ``number`` if ``user`` asked it (or this guest session confirmed it)."""
    rows = Ticket.objects.filter(number=number)
    if user is not None and user.is_authenticated:
        ticket = rows.filter(requester=user).first()
    else:
        ticket = None
    if ticket is None and guest_ids:
        ticket = rows.filter(pk__in=list(guest_ids), requester__isnull=True).first()
    if ticket is None:
        raise TicketNotFound(field="number")
    return ticket


def ticket_for_staff(*, user: User, number: str) -> Ticket:
    if not is_support_staff(user):
        raise TicketNotFound(field="number")
    ticket = Ticket.objects.filter(number=number).select_related("requester", "assignee").first()
    if ticket is None:
        raise TicketNotFound(field="number")
    return ticket


def messages_for_customer(ticket: Ticket) -> list[TicketMessage]:
    return list(
        TicketMessage.objects.filter(ticket=ticket, kind=MessageKind.PUBLIC)
        .select_related("author")
        .prefetch_related("attachments")
    )


def messages_for_staff(ticket: Ticket) -> list[TicketMessage]:
    return list(
        TicketMessage.objects.filter(ticket=ticket)
        .select_related("author")
        .prefetch_related("attachments")
    )


def attachment_get(
    *, user: User | None, ticket: Ticket, attachment_id: int, staff: bool
) -> TicketAttachment:
    """An attachment of ``ticket`` (already authorized); a customer never gets one that
    belongs to an internal note."""
    rows = TicketAttachment.objects.filter(ticket=ticket, pk=attachment_id)
    if not staff:
        rows = rows.exclude(message__kind=MessageKind.INTERNAL)
    attachment = rows.first()
    if attachment is None:
        raise AttachmentNotFound()
    return attachment


@dataclass(frozen=True)
class InboxFilters:
    status: str = ""
    category: str = ""
    priority: str = ""
    assignee: str = ""  # "", "me", "none" or a user id
    sla: str = ""  # an SlaState value
    q: str = ""


@dataclass(frozen=True)
class InboxRow:
    ticket: Ticket
    sla: SlaState


def inbox(*, user: User, filters: InboxFilters, now: datetime, limit: int = 200) -> list[InboxRow]:
    """Confirmed, unmerged tickets for staff, the most urgent SLA first."""
    rows: QuerySet[Ticket] = Ticket.objects.filter(
        confirmed_at__isnull=False, merged_into__isnull=True
    ).select_related("assignee", "requester")
    if filters.status == "active" or not filters.status:
        rows = rows.filter(status__in=ACTIVE_STATUSES)
    elif filters.status != "all":
        rows = rows.filter(status=filters.status)
    if filters.category:
        rows = rows.filter(category=filters.category)
    if filters.priority:
        rows = rows.filter(priority=filters.priority)
    if filters.assignee == "me":
        rows = rows.filter(assignee=user)
    elif filters.assignee == "none":
        rows = rows.filter(assignee__isnull=True)
    elif filters.assignee.isdigit():
        rows = rows.filter(assignee_id=int(filters.assignee))
    if filters.q:
        q = filters.q.strip()
        rows = rows.filter(
            Q(number__iexact=q) | Q(subject__icontains=q) | Q(requester_email__icontains=q)
        )
    result = [InboxRow(ticket=t, sla=sla_state(t, now=now)) for t in rows[:limit]]
    if filters.sla:
        result = [r for r in result if r.sla == filters.sla]
    order = {SlaState.BREACHED: 0, SlaState.AT_RISK: 1, SlaState.OK: 2}
    far = datetime.max.replace(tzinfo=now.tzinfo)
    result.sort(
        key=lambda r: (
            order.get(r.sla, 3),
            r.ticket.first_response_due
            if r.ticket.first_responded_at is None and r.ticket.first_response_due
            else r.ticket.resolution_due or far,
        )
    )
    return result


def staff_members() -> list[User]:
    return list(User.objects.filter(role__in=SUPPORT_STAFF_ROLES, is_active=True).order_by("email"))


def mask_account(value: str) -> str:
    """Keep the last four characters of an account number, IBAN or card number."""
    compact = "".join(value.split())
    if len(compact) <= 4:
        return "•" * len(compact)
    return "•••• " + compact[-4:]


@dataclass(frozen=True)
class TransactionLine:
    reference: str
    type: str
    status: str
    amount_minor: int
    currency: str
    created_at: datetime
    failure_code: str
    recipient_account: str  # masked


def _line(txn: Transaction) -> TransactionLine:
    recipient = txn.recipient or {}
    account = str(
        recipient.get("iban") or recipient.get("account_number") or recipient.get("account") or ""
    )
    return TransactionLine(
        reference=txn.reference,
        type=txn.get_type_display(),
        status=txn.get_status_display(),
        amount_minor=txn.amount_minor,
        currency=txn.currency,
        created_at=txn.created_at,
        failure_code=txn.failure_code,
        recipient_account=mask_account(account) if account else "",
    )


@dataclass(frozen=True)
class CustomerContext:
    user: User | None
    linked: list[TransactionLine]
    recent: list[TransactionLine]
    open_tickets: list[Ticket]


def customer_context(*, ticket: Ticket) -> CustomerContext:
    """What an agent sees beside a ticket; account numbers are masked."""
    linked = [_line(t) for t in ticket.transactions.order_by("-created_at")]
    recent: list[TransactionLine] = []
    user = ticket.requester
    if user is not None:
        recent = [
            _line(t)
            for t in Transaction.objects.filter(user=user).order_by("-created_at", "-id")[:10]
        ]
    others = Ticket.objects.filter(
        requester_email=ticket.requester_email,
        status__in=ACTIVE_STATUSES,
        merged_into__isnull=True,
    ).exclude(pk=ticket.pk)
    return CustomerContext(user=user, linked=linked, recent=recent, open_tickets=list(others[:20]))


def canned_replies(*, category: str = "") -> list[CannedReply]:
    rows = CannedReply.objects.filter(active=True)
    if category:
        rows = rows.filter(Q(category=category) | Q(category=""))
    return list(rows)


def sla_board(*, now: datetime) -> dict[str, int]:
    """Open tickets by SLA state, for the supervisor board."""
    counts = {state.value: 0 for state in (SlaState.OK, SlaState.AT_RISK, SlaState.BREACHED)}
    for ticket in Ticket.objects.filter(
        status__in=ACTIVE_STATUSES, merged_into__isnull=True, confirmed_at__isnull=False
    ):
        state = sla_state(ticket, now=now)
        if state.value in counts:
            counts[state.value] += 1
    return counts


def ticket_counts_by_status() -> dict[str, int]:
    rows = Ticket.objects.filter(merged_into__isnull=True).values("status").annotate(n=Count("id"))
    counts = {s.value: 0 for s in TicketStatus}
    for row in rows:
        counts[row["status"]] = row["n"]
    return counts

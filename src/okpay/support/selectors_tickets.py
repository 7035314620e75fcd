"""Ticket reads with their access rules.

Customers reach only their own tickets (anything else is "not found", never "forbidden",
so ticket numbers cannot be probed); a guest reaches the tickets confirmed in this browser
session; agents, supervisors and operators reach every ticket. Internal notes are never
returned for a customer.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils.translation import gettext as _

from okpay.identity.models import SUPPORT_STAFF_ROLES, Role, User
from okpay.support.errors_tickets import (
    AttachmentNotFound,
    StaffOnly,
    TicketFilterInvalid,
    TicketNotFound,
)
from okpay.support.models import (
    ACTIVE_STATUSES,
    CannedReply,
    MessageKind,
    SlaBreach,
    SlaTarget,
    Ticket,
    TicketAttachment,
    TicketCategory,
    TicketMessage,
    TicketPriority,
    TicketStatus,
    Via,
)
from okpay.support.services.sla import SlaState
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


def assignee_q(value: str, *, user: User, field: str = "assignee") -> Q:
    """The filter for an assignee choice of the desk's lists: ``"me"``, ``"none"``, a user
    id, or anything else (no filter). ``field`` names the assignee's foreign key."""
    if value == "me":
        return Q(**{field: user})
    if value == "none":
        return Q(**{f"{field}__isnull": True})
    if value.isdigit():
        return Q(**{f"{field}_id": int(value)})
    return Q()


def inbox(*, user: User, filters: InboxFilters, now: datetime, limit: int = 200) -> list[InboxRow]:
    """Confirmed, unmerged tickets for staff, the most urgent SLA first: the order of the
    tickets list (``ticket_page``), filtered and sorted by the database before the limit."""
    rows = with_sla(
        Ticket.objects.filter(confirmed_at__isnull=False, merged_into__isnull=True), now=now
    ).select_related("assignee", "requester")
    if filters.status == "active" or not filters.status:
        rows = rows.filter(status__in=ACTIVE_STATUSES)
    elif filters.status != "all":
        rows = rows.filter(status=filters.status)
    if filters.category:
        rows = rows.filter(category=filters.category)
    if filters.priority:
        rows = rows.filter(priority=filters.priority)
    rows = rows.filter(assignee_q(filters.assignee, user=user))
    if filters.sla:
        rows = rows.filter(Q(sla=filters.sla))
    if filters.q:
        q = filters.q.strip()
        rows = rows.filter(
            Q(number__iexact=q) | Q(subject__icontains=q) | Q(requester_email__icontains=q)
        )
    rows = rows.order_by("sla_rank", F("sla_due").asc(nulls_last=True), "-id")
    return [InboxRow(ticket=t, sla=SlaState(t.sla)) for t in rows[:limit]]  # type: ignore[attr-defined]


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


def transaction_line(txn: Transaction) -> TransactionLine:
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
    linked = [transaction_line(t) for t in ticket.transactions.order_by("-created_at")]
    recent: list[TransactionLine] = []
    user = ticket.requester
    if user is not None:
        recent = [
            transaction_line(t)
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


def _open_tickets_with_sla(now: datetime) -> QuerySet[Ticket]:
    """The desk's open tickets (confirmed, unmerged), annotated by ``with_sla``."""
    return with_sla(
        Ticket.objects.filter(
            status__in=ACTIVE_STATUSES, merged_into__isnull=True, confirmed_at__isnull=False
        ),
        now=now,
    )


def sla_board(*, now: datetime) -> dict[str, int]:
    """Open tickets by SLA state (on time, at risk, breached, paused), in one query."""
    counts = {state.value: 0 for state in BOARD_SLA_STATES}
    for row in _open_tickets_with_sla(now).values(*SLA_FIELD).annotate(n=Count("id")).order_by():
        if row["sla"] in counts:
            counts[row["sla"]] = row["n"]
    return counts


def ticket_counts_by_status() -> dict[str, int]:
    rows = Ticket.objects.filter(merged_into__isnull=True).values("status").annotate(n=Count("id"))
    counts = {s.value: 0 for s in TicketStatus}
    for row in rows:
        counts[row["status"]] = row["n"]
    return counts


# --- The tickets list in the database (the API's list) ---------------------------------------

# Annotations of ``with_sla`` (named through variables: the type checker knows model fields).
CURSOR_FIELDS = ("id", "sla_rank", "sla_due", "updated_at")
SLA_FIELD = ("sla",)
BOARD_SLA_STATES = (SlaState.OK, SlaState.AT_RISK, SlaState.BREACHED, SlaState.PAUSED)
SUPERVISOR_ROLES = frozenset({Role.SUPERVISOR, Role.OPERATOR})


def with_sla(rows: QuerySet[Ticket], *, now: datetime) -> QuerySet[Ticket]:
    """``rows`` annotated with ``sla_due`` (the due time of the target being worked on now;
    NULL when done or paused), ``sla`` (the ``SlaState`` value, computed by the database
    exactly as ``sla_state`` computes it in Python) and ``sla_rank`` (0 with a due time,
    1 paused, 2 done or without a target)."""
    working = Q(status__in=ACTIVE_STATUSES, merged_into__isnull=True, sla_paused_at__isnull=True)
    done = Q(status__in=(TicketStatus.SOLVED, TicketStatus.CLOSED))
    warn = now + timedelta(hours=settings.OKPAY_SLA_WARN_HOURS)
    return (
        rows.annotate(
            sla_due=Case(
                When(
                    working & Q(first_responded_at__isnull=True, first_response_due__isnull=False),
                    then=F("first_response_due"),
                ),
                When(working, then=F("resolution_due")),
                default=Value(None, output_field=DateTimeField()),
                output_field=DateTimeField(),
            )
        )
        .annotate(
            sla=Case(
                When(
                    done
                    & Q(
                        resolution_due__isnull=False,
                        solved_at__isnull=False,
                        solved_at__lte=F("resolution_due"),
                    ),
                    then=Value(SlaState.MET.value),
                ),
                When(done & Q(resolution_due__isnull=False), then=Value(SlaState.BREACHED.value)),
                When(done, then=Value(SlaState.NONE.value)),
                When(
                    Q(sla_paused_at__isnull=False, merged_into__isnull=True),
                    then=Value(SlaState.PAUSED.value),
                ),
                When(sla_due__isnull=True, then=Value(SlaState.NONE.value)),
                When(sla_due__lte=now, then=Value(SlaState.BREACHED.value)),
                When(sla_due__lte=warn, then=Value(SlaState.AT_RISK.value)),
                default=Value(SlaState.OK.value),
                output_field=CharField(),
            )
        )
        .annotate(
            # For the staff order: a due time first, then paused, then done (or no target).
            sla_rank=Case(
                When(sla_due__isnull=False, then=Value(0)),
                When(sla=SlaState.PAUSED.value, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
    )


@dataclass(frozen=True)
class TicketListFilters:
    """Filters of the tickets list. Customers may filter by status only."""

    status: str = ""  # "active", "all" or a status; default: staff "active", customers "all"
    category: str = ""
    priority: str = ""
    assignee: str = ""  # "me", "none" or a user id
    sla: str = ""  # an SlaState value
    via: str = ""


STAFF_ONLY_FILTERS = ("category", "priority", "assignee", "sla", "via")


@dataclass(frozen=True)
class TicketPage:
    tickets: list[Ticket]
    has_more: bool
    next_cursor: str | None  # the last ticket number of this page when there is more


def _check_filters(filters: TicketListFilters, *, staff: bool) -> None:
    allowed = {
        "status": {"", "active", "all", *TicketStatus.values},
        "category": {"", *TicketCategory.values},
        "priority": {"", *TicketPriority.values},
        "sla": {"", *(state.value for state in SlaState)},
        "via": {"", *Via.values},
    }
    for name, values in allowed.items():
        if getattr(filters, name) not in values:
            raise TicketFilterInvalid(field=name)
    assignee = filters.assignee
    if assignee not in ("", "me", "none") and not (assignee.isdigit() and len(assignee) < 12):
        raise TicketFilterInvalid(field="assignee")
    if not staff:
        for name in STAFF_ONLY_FILTERS:
            if getattr(filters, name):
                raise StaffOnly(field=name)


def ticket_page(
    *,
    user: User,
    filters: TicketListFilters,
    now: datetime,
    limit: int,
    starting_after: str = "",
) -> TicketPage:
    """One page of the tickets ``user`` may list, filtered and paged by the database.

    Staff: the desk's confirmed, unmerged tickets, the most urgent SLA due time first
    (breached, then at risk, then on time), then the paused ones and last the finished ones,
    each of these newest first.
    Customers: their own tickets, the latest activity first. ``starting_after`` is the last
    ticket number of the previous page; it must be a ticket the user can list, else
    ``TicketFilterInvalid`` for the field ``starting_after``.
    """
    staff = is_support_staff(user)
    _check_filters(filters, staff=staff)
    base: QuerySet[Ticket]
    if staff:
        base = with_sla(
            Ticket.objects.filter(confirmed_at__isnull=False, merged_into__isnull=True), now=now
        )
    else:
        base = with_sla(Ticket.objects.filter(requester=user, merged_into__isnull=True), now=now)
    rows = base
    status = filters.status or ("active" if staff else "all")
    if status == "active":
        rows = rows.filter(status__in=ACTIVE_STATUSES)
    elif status != "all":
        rows = rows.filter(status=status)
    if filters.category:
        rows = rows.filter(category=filters.category)
    if filters.priority:
        rows = rows.filter(priority=filters.priority)
    if filters.via:
        rows = rows.filter(via=filters.via)
    rows = rows.filter(assignee_q(filters.assignee, user=user))
    if filters.sla:
        rows = rows.filter(Q(sla=filters.sla))
    if starting_after:
        cursor = base.filter(number=starting_after).values(*CURSOR_FIELDS).first()
        if cursor is None:
            raise TicketFilterInvalid(
                _("The cursor does not name one of the listed tickets."), field="starting_after"
            )
        if staff:
            rank, due = cursor["sla_rank"], cursor["sla_due"]
            same_rank = (
                Q(sla_due__gt=due) | Q(sla_due=due, id__lt=cursor["id"])
                if due is not None
                else Q(id__lt=cursor["id"])
            )
            rows = rows.filter(Q(sla_rank__gt=rank) | (Q(sla_rank=rank) & same_rank))
        else:
            rows = rows.filter(
                Q(updated_at__lt=cursor["updated_at"])
                | Q(updated_at=cursor["updated_at"], id__lt=cursor["id"])
            )
    if staff:
        rows = rows.order_by("sla_rank", F("sla_due").asc(nulls_last=True), "-id")
    else:
        rows = rows.order_by("-updated_at", "-id")
    found = list(
        rows.select_related("assignee", "requester").prefetch_related("transactions")[: limit + 1]
    )
    items, has_more = found[:limit], len(found) > limit
    return TicketPage(
        tickets=items, has_more=has_more, next_cursor=items[-1].number if has_more else None
    )


def staff_member(*, user_id: int) -> User | None:
    """The active support staff member with this id, or None."""
    return User.objects.filter(pk=user_id, role__in=SUPPORT_STAFF_ROLES, is_active=True).first()


def is_supervisor(user: User | None) -> bool:
    """A supervisor or operator: they see the whole desk's board."""
    return is_support_staff(user) and user is not None and user.role in SUPERVISOR_ROLES


@dataclass(frozen=True)
class BreachLine:
    ticket: str
    subject: str
    target: str
    due_at: datetime
    recorded_at: datetime


@dataclass(frozen=True)
class BoardSummary:
    """The supervisor board: open tickets by SLA state and priority, all by status, and
    the SLA breaches recorded since ``breaches_since``."""

    sla: dict[str, int]
    status: dict[str, int]
    priority: dict[str, int]
    breaches: dict[str, int]
    breaches_since: datetime
    recent_breaches: list[BreachLine]
    generated_at: datetime


def board_summary(*, now: datetime, days: int = 7) -> BoardSummary:
    """Counts for the supervisor board, each one query in the database."""
    open_rows = _open_tickets_with_sla(now)
    priority = {p.value: 0 for p in TicketPriority}
    for row in open_rows.values("priority").annotate(n=Count("id")).order_by():
        priority[row["priority"]] = row["n"]
    since = now - timedelta(days=days)
    recorded = SlaBreach.objects.filter(recorded_at__gte=since)
    breaches = {t.value: 0 for t in SlaTarget}
    for row in recorded.values("target").annotate(n=Count("id")).order_by():
        breaches[row["target"]] = row["n"]
    recent = [
        BreachLine(
            ticket=b.ticket.number,
            subject=b.ticket.subject,
            target=b.target,
            due_at=b.due_at,
            recorded_at=b.recorded_at,
        )
        for b in recorded.select_related("ticket").order_by("-recorded_at", "-id")[:20]
    ]
    return BoardSummary(
        sla=sla_board(now=now),
        status=ticket_counts_by_status(),
        priority=priority,
        breaches=breaches,
        breaches_since=since,
        recent_breaches=recent,
        generated_at=now,
    )

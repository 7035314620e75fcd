"""The tickets API: a customer's own tickets, the whole desk for staff.

Mounted at /api/v1/tickets. Authentication as for the wallets API: a personal API token
(``Authorization: Bearer``) or the signed-in session (writes then send ``X-CSRFToken``).
A customer reaches only their own tickets (anything else is 404 ``ticket_not_found``) and
never sees internal notes; agents, supervisors and operators reach every ticket, see the
notes and may write them (``"internal": true``). Lists use cursor pagination: ``limit``
(1–100) and ``starting_after`` (the last ticket number of a page).

The agent actions (assign, change, link a transaction, merge, canned replies, the
customer's context) are for staff: a customer gets 404 ``ticket_not_found`` for another's
ticket and 403 ``permission_denied`` for their own. The board is for supervisors and
operators only (agents get 403 too).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from okpay.errors import NotFound, PermissionDenied
from okpay.identity.api import CUSTOMER_AUTH, api_user
from okpay.identity.models import User
from okpay.support.errors_tickets import (
    AssigneeInvalid,
    StaffOnly,
    SupervisorOnly,
    TicketNotFound,
)
from okpay.support.models import Ticket, Via
from okpay.support.schemas_tickets import (
    AssignIn,
    BoardOut,
    CannedReplyListOut,
    CannedReplyOut,
    CustomerContextOut,
    LinkTransactionIn,
    MergeIn,
    RatingIn,
    ReplyIn,
    TicketCreateIn,
    TicketDetailOut,
    TicketFilters,
    TicketListOut,
    TicketOut,
    TicketUpdateIn,
)
from okpay.support.selectors_tickets import (
    TicketListFilters,
    board_summary,
    canned_replies,
    customer_context,
    is_supervisor,
    messages_for_customer,
    messages_for_staff,
    staff_member,
    ticket_for_customer,
    ticket_for_staff,
    ticket_page,
)
from okpay.support.services.tickets import (
    is_support_staff,
    ticket_create,
    ticket_merge,
    ticket_rate,
    ticket_reply,
    ticket_transaction_link,
    ticket_update,
    ticket_view_record,
)
from okpay.wallets.schemas import ErrorOut
from okpay.wallets.selectors import transaction_get

router = Router(tags=["tickets"], auth=CUSTOMER_AUTH)

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _ticket(user: User, number: str) -> Ticket:
    """The ticket as its requester or a member of staff may reach it."""
    if is_support_staff(user):
        return ticket_for_staff(user=user, number=number)
    return ticket_for_customer(user=user, number=number)


def _staff_ticket(user: User, number: str) -> Ticket:
    """The ticket for an agent action: 404 unless the user may read it, then 403 unless
    the user is staff."""
    ticket = _ticket(user, number)
    if not is_support_staff(user):
        raise StaffOnly()
    return ticket


def _staff(user: User) -> User:
    if not is_support_staff(user):
        raise StaffOnly()
    return user


@router.get(
    "",
    response={200: TicketListOut, **ERRORS},
    summary="List my tickets (staff: the desk's tickets, most urgent SLA first)",
    description=(
        "Customers list their own tickets, the latest activity first, and may filter by "
        "`status`. Staff list the desk's confirmed tickets (default: the active ones), the "
        "one whose SLA target is due first on top (paused and finished tickets last), and "
        "may filter by every field; a customer using a staff-only filter gets 403 "
        "`permission_denied`, an unknown filter value 400 `filter_invalid`."
    ),
)
def tickets_list(request: HttpRequest, filters: Query[TicketFilters]) -> TicketListOut:
    user = api_user(request)
    staff = is_support_staff(user)
    now = timezone.now()
    page = ticket_page(
        user=user,
        filters=TicketListFilters(
            status=filters.status,
            category=filters.category,
            priority=filters.priority,
            assignee=filters.assignee,
            sla=filters.sla,
            via=filters.via,
        ),
        now=now,
        limit=filters.limit,
        starting_after=filters.starting_after,
    )
    return TicketListOut(
        data=[TicketOut.of(t, staff=staff, now=now) for t in page.tickets],
        has_more=page.has_more,
        next_cursor=page.next_cursor,
    )


@router.get(
    "/canned-replies",
    response={200: CannedReplyListOut, **ERRORS},
    summary="Canned replies (staff)",
    description="The active canned replies; with `category`, those for it and the general ones.",
)
def canned_replies_list(request: HttpRequest, category: str = "") -> CannedReplyListOut:
    _staff(api_user(request))
    return CannedReplyListOut(
        data=[CannedReplyOut.of(c) for c in canned_replies(category=category[:32])]
    )


@router.get(
    "/board",
    response={200: BoardOut, **ERRORS},
    summary="The supervisor board (supervisors and operators)",
    description=(
        "Open tickets by SLA state and by priority, all tickets by status, and the SLA "
        "breaches recorded in the last 7 days. Agents and customers get 403."
    ),
)
def board(request: HttpRequest) -> BoardOut:
    user = api_user(request)
    if not is_supervisor(user):
        raise SupervisorOnly()
    return BoardOut.of(board_summary(now=timezone.now()))


@router.post("", response={201: TicketDetailOut, **ERRORS}, summary="Open a ticket")
def ticket_open(request: HttpRequest, payload: TicketCreateIn) -> Status:
    user = api_user(request)
    transactions = []
    if payload.transaction:
        try:
            transactions.append(transaction_get(user=user, reference=payload.transaction))
        except NotFound as exc:
            raise NotFound(exc.message, field="transaction") from exc
    ticket = ticket_create(
        requester=user,
        subject=payload.subject,
        body=payload.body,
        category=payload.category,
        via=Via.API,
        transactions=transactions,
    )
    return Status(201, TicketDetailOut.of_thread(ticket, messages_for_customer(ticket)))


@router.get(
    "/{number}",
    response={200: TicketDetailOut, **ERRORS},
    summary="One ticket with its messages (internal notes for staff only)",
)
def ticket_get(request: HttpRequest, number: str) -> TicketDetailOut:
    user = api_user(request)
    ticket = _ticket(user, number)
    if is_support_staff(user):
        ticket_view_record(ticket=ticket, viewer=user)
        return TicketDetailOut.of_thread(ticket, messages_for_staff(ticket), staff=True)
    return TicketDetailOut.of_thread(ticket, messages_for_customer(ticket))


@router.post(
    "/{number}/replies",
    response={201: TicketDetailOut, **ERRORS},
    summary="Reply to a ticket (staff may add an internal note)",
)
def ticket_reply_add(request: HttpRequest, number: str, payload: ReplyIn) -> Status:
    user = api_user(request)
    ticket = _ticket(user, number)
    staff = is_support_staff(user)
    if payload.internal and not staff:
        raise PermissionDenied(_("Only support staff can write internal notes."), field="internal")
    ticket_reply(
        ticket=ticket, author=user, body=payload.body, internal=payload.internal, via=Via.API
    )
    messages = messages_for_staff(ticket) if staff else messages_for_customer(ticket)
    return Status(201, TicketDetailOut.of_thread(ticket, messages, staff=staff))


@router.post(
    "/{number}/rating",
    response={200: TicketOut, **ERRORS},
    summary="Rate the answer to my solved ticket (1–5), once",
)
def ticket_rating(request: HttpRequest, number: str, payload: RatingIn) -> TicketOut:
    user = api_user(request)
    ticket = ticket_for_customer(user=user, number=number)
    rated = ticket_rate(ticket=ticket, user=user, rating=payload.rating, comment=payload.comment)
    return TicketOut.of(rated)


@router.patch(
    "/{number}",
    response={200: TicketOut, **ERRORS},
    summary="Change a ticket's status, priority, category or team (staff)",
    description=(
        "Only the fields sent change; each change is recorded in the ticket's history. "
        "Solving e-mails the customer a rating request; waiting for the customer and on "
        "hold pause the SLA timers."
    ),
)
def ticket_change(request: HttpRequest, number: str, payload: TicketUpdateIn) -> TicketOut:
    user = api_user(request)
    ticket = _staff_ticket(user, number)
    changes = payload.model_dump(exclude_none=True)
    if changes:
        ticket = ticket_update(ticket=ticket, actor=user, **changes)
    return TicketOut.of(ticket, staff=True)


@router.post(
    "/{number}/assign",
    response={200: TicketOut, **ERRORS},
    summary="Assign a ticket to a member of staff, or unassign it (staff)",
)
def ticket_assign(request: HttpRequest, number: str, payload: AssignIn) -> TicketOut:
    user = api_user(request)
    ticket = _staff_ticket(user, number)
    assignee = None
    if payload.assignee_id is not None:
        assignee = staff_member(user_id=payload.assignee_id)
        if assignee is None:
            raise AssigneeInvalid(field="assignee_id")
    updated = ticket_update(ticket=ticket, actor=user, assignee=assignee)
    return TicketOut.of(updated, staff=True)


@router.post(
    "/{number}/transactions",
    response={200: TicketOut, **ERRORS},
    summary="Link one of the requester's transactions to a ticket (staff)",
    description="Linking a transaction that is already linked changes nothing.",
)
def ticket_link_transaction(
    request: HttpRequest, number: str, payload: LinkTransactionIn
) -> TicketOut:
    user = api_user(request)
    ticket = _staff_ticket(user, number)
    linked = ticket_transaction_link(ticket=ticket, actor=user, reference=payload.reference)
    return TicketOut.of(linked, staff=True)


@router.post(
    "/{number}/merge",
    response={200: TicketOut, **ERRORS},
    summary="Merge a duplicate ticket into another of the same customer (staff)",
    description=(
        "The messages, attachments and linked transactions move to `target`; this ticket is "
        "closed and points to it. Answers with the target ticket."
    ),
)
def ticket_merge_into(request: HttpRequest, number: str, payload: MergeIn) -> TicketOut:
    user = api_user(request)
    source = _staff_ticket(user, number)
    try:
        target = ticket_for_staff(user=user, number=payload.target.strip().upper())
    except TicketNotFound as exc:
        raise TicketNotFound(exc.message, field="target") from exc
    merged = ticket_merge(source=source, target=target, actor=user)
    return TicketOut.of(merged, staff=True)


@router.get(
    "/{number}/context",
    response={200: CustomerContextOut, **ERRORS},
    summary="The customer's context of a ticket: account, transactions, open tickets (staff)",
    description=(
        "Account numbers are masked. Every call is recorded in the audit log as a view of "
        "the customer's data."
    ),
)
def ticket_customer_context(request: HttpRequest, number: str) -> CustomerContextOut:
    user = api_user(request)
    ticket = _staff_ticket(user, number)
    ticket_view_record(ticket=ticket, viewer=user, what="context")
    return CustomerContextOut.of(ticket, customer_context(ticket=ticket))

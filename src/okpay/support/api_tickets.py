"""The tickets API: a customer's own tickets, the whole desk for staff.

Mounted at /api/v1/tickets. Authentication as for the wallets API: a personal API token
(``Authorization: Bearer``) or the signed-in session (writes then send ``X-CSRFToken``).
A customer reaches only their own tickets (anything else is 404 ``ticket_not_found``) and
never sees internal notes; agents, supervisors and operators reach every ticket, see the
notes and may write them (``"internal": true``). Lists use cursor pagination: ``limit``
(1–100) and ``starting_after`` (the last ticket number of a page).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from okpay.errors import InvalidInput, NotFound, PermissionDenied, Unauthenticated
from okpay.identity.api import CUSTOMER_AUTH
from okpay.identity.models import ApiToken, User
from okpay.support.models import Ticket, Via
from okpay.support.schemas_tickets import (
    RatingIn,
    ReplyIn,
    TicketCreateIn,
    TicketDetailOut,
    TicketFilters,
    TicketListOut,
    TicketOut,
)
from okpay.support.selectors_tickets import (
    InboxFilters,
    inbox,
    messages_for_customer,
    messages_for_staff,
    ticket_for_customer,
    ticket_for_staff,
    ticket_list_for_customer,
)
from okpay.support.services.tickets import (
    is_support_staff,
    ticket_create,
    ticket_rate,
    ticket_reply,
    ticket_view_record,
)
from okpay.wallets.schemas import ErrorOut
from okpay.wallets.selectors import transaction_get

router = Router(tags=["tickets"], auth=CUSTOMER_AUTH)

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _user(request: HttpRequest) -> User:
    auth = request.auth  # type: ignore[attr-defined]
    if isinstance(auth, ApiToken) and auth.user is not None:
        return auth.user
    if isinstance(auth, User):
        return auth
    raise Unauthenticated()


def _ticket(user: User, number: str) -> Ticket:
    """The ticket as its requester or a member of staff may reach it."""
    if is_support_staff(user):
        return ticket_for_staff(user=user, number=number)
    return ticket_for_customer(user=user, number=number)


def _page(tickets: list[Ticket], *, limit: int, starting_after: str) -> TicketListOut:
    start = 0
    if starting_after:
        numbers = [t.number for t in tickets]
        if starting_after not in numbers:
            raise InvalidInput(
                _("The cursor does not name one of the listed tickets."), field="starting_after"
            )
        start = numbers.index(starting_after) + 1
    items = tickets[start : start + limit]
    has_more = start + limit < len(tickets)
    return TicketListOut(
        data=[TicketOut.of(t) for t in items],
        has_more=has_more,
        next_cursor=items[-1].number if has_more and items else None,
    )


@router.get(
    "",
    response={200: TicketListOut, **ERRORS},
    summary="List my tickets (staff: the desk's tickets, most urgent SLA first)",
)
def tickets_list(request: HttpRequest, filters: Query[TicketFilters]) -> TicketListOut:
    user = _user(request)
    if is_support_staff(user):
        rows = inbox(
            user=user,
            filters=InboxFilters(
                status=filters.status,
                category=filters.category,
                priority=filters.priority,
                assignee=filters.assignee,
            ),
            now=timezone.now(),
            limit=1000,
        )
        tickets = [row.ticket for row in rows]
    else:
        tickets = ticket_list_for_customer(user=user)
    return _page(tickets, limit=filters.limit, starting_after=filters.starting_after)


@router.post("", response={201: TicketDetailOut, **ERRORS}, summary="Open a ticket")
def ticket_open(request: HttpRequest, payload: TicketCreateIn) -> Status:
    user = _user(request)
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
    user = _user(request)
    ticket = _ticket(user, number)
    if is_support_staff(user):
        ticket_view_record(ticket=ticket, viewer=user)
        return TicketDetailOut.of_thread(ticket, messages_for_staff(ticket))
    return TicketDetailOut.of_thread(ticket, messages_for_customer(ticket))


@router.post(
    "/{number}/replies",
    response={201: TicketDetailOut, **ERRORS},
    summary="Reply to a ticket (staff may add an internal note)",
)
def ticket_reply_add(request: HttpRequest, number: str, payload: ReplyIn) -> Status:
    user = _user(request)
    ticket = _ticket(user, number)
    staff = is_support_staff(user)
    if payload.internal and not staff:
        raise PermissionDenied(_("Only support staff can write internal notes."), field="internal")
    ticket_reply(
        ticket=ticket, author=user, body=payload.body, internal=payload.internal, via=Via.API
    )
    messages = messages_for_staff(ticket) if staff else messages_for_customer(ticket)
    return Status(201, TicketDetailOut.of_thread(ticket, messages))


@router.post(
    "/{number}/rating",
    response={200: TicketOut, **ERRORS},
    summary="Rate the answer to my solved ticket (1–5), once",
)
def ticket_rating(request: HttpRequest, number: str, payload: RatingIn) -> TicketOut:
    user = _user(request)
    ticket = ticket_for_customer(user=user, number=number)
    rated = ticket_rate(ticket=ticket, user=user, rating=payload.rating, comment=payload.comment)
    return TicketOut.of(rated)

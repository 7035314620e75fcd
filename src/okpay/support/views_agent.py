"""The agent workspace: inbox, ticket page with the customer's context, actions, SLA board.

Only agents, supervisors and operators get in; anyone else gets "not found". Every view of
a customer's ticket and context writes an audit row.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from okpay.errors import OkpayError
from okpay.identity.models import User
from okpay.support.errors_tickets import TicketNotFound
from okpay.support.models import (
    TicketCategory,
    TicketEvent,
    TicketPriority,
    TicketStatus,
    TicketTeam,
)
from okpay.support.selectors_inbox import (
    Kind,
    UnifiedFilters,
    agents_load,
    queue_lengths,
    sla_state_labels,
    unified_inbox,
)
from okpay.support.selectors_tickets import (
    InboxFilters,
    canned_replies,
    customer_context,
    is_supervisor,
    messages_for_staff,
    sla_board,
    staff_member,
    staff_members,
    ticket_for_staff,
)
from okpay.support.services.sla import SlaState, sla_state
from okpay.support.services.tickets import (
    is_support_staff,
    ticket_merge,
    ticket_reply,
    ticket_transaction_link,
    ticket_update,
    ticket_view_record,
)
from okpay.support.views import current_language
from okpay.support.views_tickets import uploads_from


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_support_staff(request.user):
            raise Http404(_("Nothing was found here. Check the address or reference."))
        return view(request, *args, **kwargs)

    return wrapper


def _agent(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _ticket(request: HttpRequest, number: str) -> Any:
    try:
        return ticket_for_staff(user=_agent(request), number=number)
    except TicketNotFound as exc:
        raise Http404(str(exc.message)) from exc


@staff_required
@require_GET
def agent_inbox(request: HttpRequest) -> HttpResponse:
    """The one inbox: tickets, chats and callbacks, the most pressing first.

    With ``?partial=1`` only the rows are rendered: the page's script fetches them again
    whenever the agents' socket reports a change (new chat, typing, SLA warning…).
    """
    kind = request.GET.get("kind", "")
    filters = UnifiedFilters(
        kind=kind if kind in Kind.ALL else "",
        tickets=InboxFilters(
            status=request.GET.get("status", ""),
            category=request.GET.get("category", ""),
            priority=request.GET.get("priority", ""),
            assignee=request.GET.get("assignee", ""),
            sla=request.GET.get("sla", ""),
            q=request.GET.get("q", "")[:100],
        ),
    )
    now = timezone.now()
    context = {
        "items": unified_inbox(user=_agent(request), filters=filters, now=now),
        "now": now,
    }
    if request.GET.get("partial") == "1":
        return render(request, "support/agent/_inbox_rows.html", context)
    return render(
        request,
        "support/agent/inbox.html",
        {
            **context,
            "filters": filters,
            "queues": queue_lengths(now=now),
            "kinds": [
                (Kind.TICKET, _("Tickets")),
                (Kind.CHAT, _("Chats")),
                (Kind.CALLBACK, _("Callbacks")),
            ],
            "statuses": TicketStatus.choices,
            "categories": TicketCategory.choices,
            "priorities": TicketPriority.choices,
            "sla_states": sla_state_labels(),
            "staff": staff_members(),
        },
    )


@staff_required
@require_GET
def agent_ticket(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    ticket_view_record(ticket=ticket, viewer=_agent(request), what="ticket_and_context")
    return render(
        request,
        "support/agent/ticket.html",
        {
            "ticket": ticket,
            "thread": messages_for_staff(ticket),
            "events": list(TicketEvent.objects.filter(ticket=ticket).select_related("actor")),
            "context": customer_context(ticket=ticket),
            "sla": sla_state(ticket, now=timezone.now()),
            "canned": canned_replies(category=ticket.category),
            "lang": current_language(),
            "staff": staff_members(),
            "statuses": TicketStatus.choices,
            "categories": TicketCategory.choices,
            "priorities": TicketPriority.choices,
            "teams": TicketTeam.choices,
        },
    )


@staff_required
@require_POST
def agent_reply(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    internal = request.POST.get("kind") == "internal"
    status = request.POST.get("status") or None
    try:
        ticket_reply(
            ticket=ticket,
            author=_agent(request),
            body=request.POST.get("body", ""),
            internal=internal,
            status=status if status in TicketStatus.values else None,
            uploads=uploads_from(request),
        )
    except OkpayError as exc:
        flash.error(request, str(exc.message))
    else:
        flash.success(request, _("Internal note added.") if internal else _("Reply sent."))
    return redirect("support:agent_ticket", number=ticket.number)


@staff_required
@require_POST
def agent_update(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    assignee_raw = request.POST.get("assignee")
    assignee: Any
    if assignee_raw is None:
        assignee = ticket.assignee
    elif assignee_raw == "me":
        assignee = _agent(request)
    elif assignee_raw.isdigit():
        assignee = staff_member(user_id=int(assignee_raw))
    else:
        assignee = None
    try:
        ticket_update(
            ticket=ticket,
            actor=_agent(request),
            status=request.POST.get("status") or None,
            priority=request.POST.get("priority") or None,
            category=request.POST.get("category") or None,
            team=request.POST.get("team") or None,
            assignee=assignee,
        )
    except ValueError:
        flash.error(
            request, _("Some of the details entered are not valid. Check them and try again.")
        )
    else:
        flash.success(request, _("Ticket updated."))
    return redirect("support:agent_ticket", number=ticket.number)


@staff_required
@require_POST
def agent_link(request: HttpRequest, number: str) -> HttpResponse:
    """Link one of the requester's transactions to the ticket, by its reference."""
    ticket = _ticket(request, number)
    reference = request.POST.get("reference", "")[:32]
    try:
        ticket_transaction_link(ticket=ticket, actor=_agent(request), reference=reference)
    except OkpayError as exc:
        flash.error(request, str(exc.message))
    else:
        flash.success(request, _("Transaction %(r)s linked.") % {"r": reference.strip()})
    return redirect("support:agent_ticket", number=ticket.number)


@staff_required
@require_POST
def agent_merge(request: HttpRequest, number: str) -> HttpResponse:
    source = _ticket(request, number)
    target_number = request.POST.get("target", "").strip().upper()
    try:
        target = ticket_for_staff(user=_agent(request), number=target_number)
        ticket_merge(source=source, target=target, actor=_agent(request))
    except OkpayError as exc:
        flash.error(request, str(exc.message))
        return redirect("support:agent_ticket", number=source.number)
    flash.success(request, _("Merged into %(n)s.") % {"n": target.number})
    return redirect("support:agent_ticket", number=target.number)


def supervisor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    @staff_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_supervisor(_agent(request)):
            raise Http404(_("Nothing was found here. Check the address or reference."))
        return view(request, *args, **kwargs)

    return wrapper


@supervisor_required
@require_GET
def agent_board(request: HttpRequest) -> HttpResponse:
    """The supervisor's view: tickets by SLA state (chart), queue lengths, agents' load."""
    now = timezone.now()
    counts = sla_board(now=now)
    total = max(sum(counts.values()), 1)
    labels = dict(sla_state_labels())
    loads = agents_load(now=now)
    heaviest = max((load.total for load in loads), default=0) or 1
    return render(
        request,
        "support/agent/board.html",
        {
            "bars": [
                (key, labels[key], counts[key], round(100 * counts[key] / total))
                for key in (
                    SlaState.OK.value,
                    SlaState.AT_RISK.value,
                    SlaState.BREACHED.value,
                    SlaState.PAUSED.value,
                )
            ],
            "queues": queue_lengths(now=now),
            "now": now,
            "loads": [(load, round(100 * load.total / heaviest)) for load in loads],
        },
    )

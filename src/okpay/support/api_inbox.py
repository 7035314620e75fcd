"""The one inbox as JSON, mounted at /api/v1/inbox: what the agent pages show.

``GET /api/v1/inbox`` lists open tickets, chats and callback requests in the order the
inbox page shows them (late or waiting first, then due now, then the rest; more urgent
first), with the page's filters. ``GET /api/v1/inbox/queues`` gives the queue lengths, and
``GET /api/v1/inbox/load`` each agent's load (supervisors and operators only). Support staff
only: customers get 403 ``permission_denied``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema

from okpay.identity.api import CUSTOMER_AUTH, api_user
from okpay.identity.models import User
from okpay.identity.services import is_support_staff
from okpay.support.errors_tickets import StaffOnly, SupervisorOnly
from okpay.support.selectors_inbox import (
    AgentLoad,
    Kind,
    UnifiedFilters,
    agents_load,
    queue_lengths,
    unified_inbox,
)
from okpay.support.selectors_tickets import InboxFilters, is_supervisor
from okpay.wallets.schemas import ErrorOut

router = Router(tags=["inbox"], auth=CUSTOMER_AUTH)
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut}


class InboxQuery(Schema):
    kind: Literal["", "ticket", "chat", "callback"] = ""
    assignee: str = ""  # "", "me", "none" or a user id
    category: str = ""
    status: str = ""
    priority: str = ""
    sla: str = ""
    q: str = ""


class InboxItemOut(Schema):
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


class InboxOut(Schema):
    data: list[InboxItemOut]


class QueuesOut(Schema):
    chats_waiting: int
    oldest_chat_since: datetime | None
    chats_live: int
    callbacks_waiting: int
    callbacks_urgent: int
    callbacks_late: int
    tickets_unassigned: int
    tickets_new: int


class AgentLoadOut(Schema):
    agent_id: int
    email: str
    role: str
    tickets: int
    tickets_late: int
    chats: int
    callbacks: int
    total: int

    @staticmethod
    def of(load: AgentLoad) -> AgentLoadOut:
        return AgentLoadOut(
            agent_id=load.agent.pk,
            email=load.agent.email,
            role=load.agent.role,
            tickets=load.tickets,
            tickets_late=load.tickets_late,
            chats=load.chats,
            callbacks=load.callbacks,
            total=load.total,
        )


class LoadOut(Schema):
    queues: QueuesOut
    agents: list[AgentLoadOut]


def _staff(request: HttpRequest) -> User:
    user = api_user(request)
    if not is_support_staff(user):
        raise StaffOnly()
    return user


@router.get(
    "",
    response={200: InboxOut, **ERRORS},
    summary="The one inbox: tickets, chats and callbacks, the most pressing first",
)
def inbox_list(request: HttpRequest, filters: Query[InboxQuery]) -> InboxOut:
    user = _staff(request)
    unified = UnifiedFilters(
        kind=filters.kind if filters.kind in Kind.ALL else "",
        tickets=InboxFilters(
            status=filters.status,
            category=filters.category,
            priority=filters.priority,
            assignee=filters.assignee,
            sla=filters.sla,
            q=filters.q[:100],
        ),
    )
    items = unified_inbox(user=user, filters=unified, now=timezone.now())
    return InboxOut(data=[InboxItemOut.model_validate(item) for item in items])


@router.get("/queues", response={200: QueuesOut, **ERRORS}, summary="Queue lengths (support staff)")
def inbox_queues(request: HttpRequest) -> QueuesOut:
    _staff(request)
    return QueuesOut.model_validate(queue_lengths(now=timezone.now()))


@router.get(
    "/load",
    response={200: LoadOut, **ERRORS},
    summary="Queue lengths and each agent's load (supervisors and operators)",
)
def inbox_load(request: HttpRequest) -> LoadOut:
    user = api_user(request)
    if not is_supervisor(user):
        raise SupervisorOnly()
    now = timezone.now()
    return LoadOut(
        queues=QueuesOut.model_validate(queue_lengths(now=now)),
        agents=[AgentLoadOut.of(load) for load in agents_load(now=now)],
    )

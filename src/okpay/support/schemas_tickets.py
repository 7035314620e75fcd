"""Request and response bodies of the tickets API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.utils import timezone
from ninja import Field, Schema
from pydantic import ConfigDict

from okpay.support.models import CannedReply, Ticket, TicketMessage
from okpay.support.selectors_tickets import BoardSummary, CustomerContext, TransactionLine
from okpay.support.services.sla import sla_state

Category = Literal[
    "account",
    "payment_failed",
    "topup_delayed",
    "fees",
    "international_transfer",
    "security",
    "other",
]
Status = Literal["new", "open", "pending_customer", "on_hold", "solved", "closed"]
Priority = Literal["low", "normal", "high", "urgent"]
Team = Literal["general", "payments", "security"]
SlaStateName = Literal["ok", "at_risk", "breached", "paused", "met", "none"]


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class TicketFilters(Schema):
    status: str = Field(
        "",
        description="A status, `active` or `all` (default: `active` for staff, `all` for "
        "customers)",
    )
    category: str = Field("", description="Staff only: a ticket category")
    priority: str = Field("", description="Staff only: `low`, `normal`, `high` or `urgent`")
    assignee: str = Field("", description="Staff only: `me`, `none` or a user id")
    sla: str = Field(
        "", description="Staff only: `ok`, `at_risk`, `breached`, `paused`, `met` or `none`"
    )
    via: str = Field("", description="Staff only: `web`, `email`, `chat`, `callback` or `api`")
    limit: int = Field(20, ge=1, le=100)
    starting_after: str = Field("", description="The last ticket number of the previous page")


class TicketCreateIn(In):
    subject: str = Field(min_length=1, max_length=200)
    category: Category
    body: str = Field("", max_length=20_000, description="Required: the message text")
    transaction: str = Field("", max_length=64, description="A reference of your transaction")


class ReplyIn(In):
    body: str = Field("", max_length=20_000, description="Required: the message text")
    internal: bool = Field(False, description="Staff only: a note the customer never sees")


class RatingIn(In):
    rating: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=2000)


class TicketOut(Schema):
    number: str
    subject: str
    category: str
    priority: str
    status: str
    via: str
    assignee: str | None = Field(description="The assigned agent's display name")
    transactions: list[str] = Field(description="References of the linked transactions")
    first_response_due: datetime | None
    csat_rating: int | None
    can_rate: bool
    created_at: datetime
    updated_at: datetime
    team: str | None = Field(None, description="Staff only: the team working the ticket")
    resolution_due: datetime | None = Field(
        None, description="Staff only: when the resolution target is due"
    )
    sla_state: SlaStateName | None = Field(
        None,
        description="Staff only: `ok`, `at_risk` (due within the warning hours), `breached`, "
        "`paused` (waiting for the customer or on hold: the timers stand still), `met` or "
        "`none`",
    )
    sla_paused_at: datetime | None = Field(
        None, description="Staff only: since when the SLA timers are paused"
    )

    @staticmethod
    def of(t: Ticket, *, staff: bool = False, now: datetime | None = None) -> TicketOut:
        """The ticket as its requester sees it; ``staff`` adds the desk's SLA fields."""
        return TicketOut(
            number=t.number,
            subject=t.subject,
            category=t.category,
            priority=t.priority,
            status=t.status,
            via=t.via,
            assignee=t.assignee.display_name if t.assignee else None,
            transactions=[txn.reference for txn in t.transactions.all()],
            first_response_due=t.first_response_due,
            csat_rating=t.csat_rating,
            can_rate=t.can_rate,
            created_at=t.created_at,
            updated_at=t.updated_at,
            team=t.team if staff else None,
            resolution_due=t.resolution_due if staff else None,
            sla_state=sla_state(t, now=now or timezone.now()).value if staff else None,
            sla_paused_at=t.sla_paused_at if staff else None,
        )


class TicketListOut(Schema):
    data: list[TicketOut]
    has_more: bool
    next_cursor: str | None = Field(description="Pass as `starting_after` for the next page")


class MessageOut(Schema):
    id: int
    kind: str = Field(description="`public`, or `internal` (staff only)")
    from_staff: bool
    author: str
    body: str
    via: str
    attachments: list[str] = Field(description="File names")
    created_at: datetime

    @staticmethod
    def of(m: TicketMessage) -> MessageOut:
        author = (m.author.display_name if m.author else "") or m.author_email
        return MessageOut(
            id=m.pk,
            kind=m.kind,
            from_staff=m.from_staff,
            author=author,
            body=m.body,
            via=m.via,
            attachments=[a.filename for a in m.attachments.all()],
            created_at=m.created_at,
        )


class TicketDetailOut(TicketOut):
    messages: list[MessageOut]

    @staticmethod
    def of_thread(
        t: Ticket, messages: list[TicketMessage], *, staff: bool = False
    ) -> TicketDetailOut:
        return TicketDetailOut(
            **TicketOut.of(t, staff=staff).model_dump(),
            messages=[MessageOut.of(m) for m in messages],
        )


# --- Agent actions --------------------------------------------------------------------------


class AssignIn(In):
    assignee_id: int | None = Field(
        description="The id of an active agent, supervisor or operator; `null` unassigns"
    )


class TicketUpdateIn(In):
    status: Status | None = Field(None, description="The new status")
    priority: Priority | None = Field(None, description="The new priority")
    category: Category | None = Field(None, description="The new category")
    team: Team | None = Field(None, description="The new team")


class LinkTransactionIn(In):
    reference: str = Field(
        min_length=1, max_length=64, description="A reference of the requester's transaction"
    )


class MergeIn(In):
    target: str = Field(
        min_length=1,
        max_length=16,
        description="The number of the ticket to merge this duplicate into, e.g. `T-000123`",
    )


class CannedReplyOut(Schema):
    id: int
    title: str
    category: str = Field(description="The category it is meant for; empty for any")
    body_zh: str
    body_en: str

    @staticmethod
    def of(c: CannedReply) -> CannedReplyOut:
        return CannedReplyOut(
            id=c.pk, title=c.title, category=c.category, body_zh=c.body_zh, body_en=c.body_en
        )


class CannedReplyListOut(Schema):
    data: list[CannedReplyOut]


class TransactionLineOut(Schema):
    reference: str
    type: str = Field(description="The transaction type, in the reader's language")
    status: str = Field(description="The status, in the reader's language")
    amount_minor: int = Field(description="The amount in minor units of `currency`")
    currency: str
    created_at: datetime
    failure_code: str
    recipient_account: str = Field(description="The recipient's account, masked: `•••• 1234`")

    @staticmethod
    def of(line: TransactionLine) -> TransactionLineOut:
        return TransactionLineOut(
            reference=line.reference,
            type=str(line.type),
            status=str(line.status),
            amount_minor=line.amount_minor,
            currency=line.currency,
            created_at=line.created_at,
            failure_code=line.failure_code,
            recipient_account=line.recipient_account,
        )


class CustomerOut(Schema):
    id: int
    display_name: str
    email: str
    country: str
    joined: datetime
    email_verified: bool


class OpenTicketOut(Schema):
    number: str
    subject: str
    status: str


class CustomerContextOut(Schema):
    ticket: str
    requester_email: str
    customer: CustomerOut | None = Field(description="`null` for a guest (no OKpay account)")
    linked_transactions: list[TransactionLineOut]
    recent_transactions: list[TransactionLineOut] = Field(description="The latest 10")
    open_tickets: list[OpenTicketOut] = Field(description="Other open tickets of this address")

    @staticmethod
    def of(ticket: Ticket, context: CustomerContext) -> CustomerContextOut:
        user = context.user
        return CustomerContextOut(
            ticket=ticket.number,
            requester_email=ticket.requester_email,
            customer=CustomerOut(
                id=user.pk,
                display_name=user.display_name,
                email=user.email,
                country=user.country,
                joined=user.date_joined,
                email_verified=user.email_verified_at is not None,
            )
            if user is not None
            else None,
            linked_transactions=[TransactionLineOut.of(x) for x in context.linked],
            recent_transactions=[TransactionLineOut.of(x) for x in context.recent],
            open_tickets=[
                OpenTicketOut(number=t.number, subject=t.subject, status=t.status)
                for t in context.open_tickets
            ],
        )


class SlaCountsOut(Schema):
    ok: int
    at_risk: int
    breached: int
    paused: int


class StatusCountsOut(Schema):
    new: int
    open: int
    pending_customer: int
    on_hold: int
    solved: int
    closed: int


class PriorityCountsOut(Schema):
    low: int
    normal: int
    high: int
    urgent: int


class BreachCountsOut(Schema):
    first_response: int
    resolution: int


class BreachOut(Schema):
    ticket: str
    subject: str
    target: Literal["first_response", "resolution"]
    due_at: datetime
    recorded_at: datetime


class BoardOut(Schema):
    sla: SlaCountsOut = Field(description="Open tickets by SLA state")
    status: StatusCountsOut = Field(description="All tickets (not merged) by status")
    priority: PriorityCountsOut = Field(description="Open tickets by priority")
    breaches: BreachCountsOut = Field(description="SLA breaches recorded since `breaches_since`")
    breaches_since: datetime
    recent_breaches: list[BreachOut] = Field(description="The latest 20 of those breaches")
    generated_at: datetime

    @staticmethod
    def of(board: BoardSummary) -> BoardOut:
        return BoardOut(
            sla=SlaCountsOut(**board.sla),
            status=StatusCountsOut(**board.status),
            priority=PriorityCountsOut(**board.priority),
            breaches=BreachCountsOut(**board.breaches),
            breaches_since=board.breaches_since,
            recent_breaches=[
                BreachOut(
                    ticket=b.ticket,
                    subject=b.subject,
                    target=b.target,  # type: ignore[arg-type]
                    due_at=b.due_at,
                    recorded_at=b.recorded_at,
                )
                for b in board.recent_breaches
            ],
            generated_at=board.generated_at,
        )

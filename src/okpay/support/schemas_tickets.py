"""Request and response bodies of the tickets API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from okpay.support.models import Ticket, TicketMessage

Category = Literal[
    "account",
    "payment_failed",
    "topup_delayed",
    "fees",
    "international_transfer",
    "security",
    "other",
]


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class TicketFilters(Schema):
    status: str = Field("", description="Staff only: a status, `active` (default) or `all`")
    category: str = Field("", description="Staff only")
    priority: str = Field("", description="Staff only")
    assignee: str = Field("", description="Staff only: `me`, `none` or a user id")
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

    @staticmethod
    def of(t: Ticket) -> TicketOut:
        return TicketOut(
            number=t.number,
            subject=t.subject,
            category=t.category,
            priority=t.priority,
            status=t.status,
            via=t.via,
            assignee=t.assignee.display_name if t.assignee else None,
            transactions=list(t.transactions.values_list("reference", flat=True)),
            first_response_due=t.first_response_due,
            csat_rating=t.csat_rating,
            can_rate=t.can_rate,
            created_at=t.created_at,
            updated_at=t.updated_at,
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
    def of_thread(t: Ticket, messages: list[TicketMessage]) -> TicketDetailOut:
        return TicketDetailOut(
            **TicketOut.of(t).model_dump(),
            messages=[MessageOut.of(m) for m in messages],
        )

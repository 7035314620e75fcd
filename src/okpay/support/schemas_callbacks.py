"""Request and response bodies of the callbacks API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from okpay.identity.models import User
from okpay.support.models import CallbackRequest
from okpay.support.selectors_callbacks import phone_for_viewer, window_state
from okpay.support.services.callbacks import urgency_name

Topic = Literal[
    "security",
    "account_locked",
    "large_transfer",
    "payment_failed",
    "topup_delayed",
    "international_transfer",
    "fees",
    "other",
]
Outcome = Literal["resolved", "follow_up", "no_answer", "wrong_number"]


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class CallbackCreateIn(In):
    phone: str = Field(
        max_length=40, description="E.164 (+8613812345678) or a Chinese national number"
    )
    window_start: datetime = Field(
        description="Call from (ISO 8601); without an offset it is read in your time zone"
    )
    window_end: datetime = Field(
        description="Call until: at least 30 minutes after the start, within 14 days"
    )
    topic: Topic
    transaction: str = Field("", max_length=64, description="A reference of your transaction")
    note: str = Field("", max_length=2000, description="Card, ID and IBAN numbers are masked")


class CompleteIn(In):
    outcome: Outcome = Field(
        description="`no_answer` before the 3rd attempt puts the request back in the queue"
    )
    note: str = Field("", max_length=5000, description="Internal notes; masked before storing")


class VerifyIn(In):
    code: str = Field(min_length=1, max_length=20, description="The 6 digits the caller reads")


class CallbackFilters(Schema):
    limit: int = Field(20, ge=1, le=100)
    starting_after: str = Field("", description="The last number of the previous page")


class CallbackOut(Schema):
    number: str
    status: str = Field(description="`requested`, `in_progress`, `completed` or `cancelled`")
    topic: str
    urgency: str = Field(description="`urgent`, `large_amount` or `normal`")
    phone: str = Field(
        description="In full for its customer and the agent who claimed it, masked otherwise"
    )
    window_start: datetime
    window_end: datetime
    window_state: str = Field(description="`upcoming`, `due`, `overdue`, or `closed`")
    transaction: str | None = Field(description="The linked transaction's reference")
    note: str
    attempts: int
    outcome: str | None = Field(description="Set when completed")
    agent: str | None = Field(description="The agent's display name")
    ticket: str | None = Field(description="The ticket that records the call")
    created_at: datetime
    claimed_at: datetime | None
    completed_at: datetime | None

    @staticmethod
    def of(c: CallbackRequest, *, viewer: User) -> CallbackOut:
        return CallbackOut(
            number=c.number,
            status=c.status,
            topic=c.topic,
            urgency=urgency_name(c.urgency),
            phone=phone_for_viewer(c, viewer),
            window_start=c.window_start,
            window_end=c.window_end,
            window_state=window_state(c).value,
            transaction=c.transaction.reference if c.transaction else None,
            note=c.note,
            attempts=c.attempts,
            outcome=c.outcome or None,
            agent=(c.agent.display_name or c.agent.email) if c.agent else None,
            ticket=c.ticket.number if c.ticket else None,
            created_at=c.created_at,
            claimed_at=c.claimed_at,
            completed_at=c.completed_at,
        )


class CallbackListOut(Schema):
    data: list[CallbackOut]
    has_more: bool
    next_cursor: str | None = Field(description="Pass as `starting_after` for the next page")


class VerifiedOut(Schema):
    user_id: int
    display_name: str
    email_masked: str
    phone_masked: str
    verified_at: datetime

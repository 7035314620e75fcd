"""Request and response bodies of the live-chat API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from okpay.support.schemas_tickets import Category


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class ChatStartIn(In):
    topic: Category = Field(description="What the question is about (a ticket category)")
    body: str = Field(max_length=2000, description="The first message")
    transaction: str = Field("", max_length=64, description="A reference of your transaction")


class ChatMessageIn(In):
    body: str = Field(max_length=2000)


class ChatReadIn(In):
    message_id: int = Field(ge=1, description="The last message you have seen")


class ChatMessageOut(Schema):
    id: int
    sender: Literal["customer", "agent", "system"]
    author: str = Field(description="The agent's display name, the customer's name or OKpay")
    body: str = Field(description="Masked: card, ID and account numbers, codes and passwords")
    created_at: datetime


class ChatOut(Schema):
    id: str = Field(description="The chat's public id")
    status: Literal["queued", "active", "ended", "missed"] = Field(
        description="`queued` (waiting for an agent), `active`, `ended`, or `missed` (nobody "
        "could take it: it became a ticket)"
    )
    topic: str
    topic_label: str
    transaction: str | None
    agent_name: str | None
    queue_position: int | None = Field(description="1 = next; only while queued")
    customer_read_id: int = Field(description="The last message the customer has seen")
    agent_read_id: int = Field(description="The last message the agent has seen")
    verified: bool = Field(description="The agent checked the customer's verification code")
    ticket: str | None = Field(description="The ticket the conversation is saved in")
    ticket_url: str | None
    ticket_due: datetime | None = Field(description="When to expect the answer on the ticket")
    created_at: datetime
    ended_at: datetime | None


class ChatDetailOut(Schema):
    chat: ChatOut
    messages: list[ChatMessageOut]


class ChatMessagesOut(Schema):
    data: list[ChatMessageOut]


class QueuedChatOut(Schema):
    chat: ChatOut
    customer: str = Field(description="The customer's display name (or masked e-mail)")
    waiting_since: datetime
    waiting_seconds: int
    preview: str = Field(description="The start of the customer's first message (masked)")


class ChatQueueOut(Schema):
    data: list[QueuedChatOut]

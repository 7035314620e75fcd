"""The interface every payment rail implements (the sandbox now, real rails later).

A rail is asked once when an operation starts (``deposit``, ``withdrawal``, ``payout``)
and then polled with ``status`` until it answers with a final state. Answers are plain
frozen dataclasses; a rail never touches the ledger or the transaction rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol


class RailState(StrEnum):
    PROCESSING = "processing"  # accepted; ask again later
    COMPLETED = "completed"  # the money arrived / left
    REJECTED = "rejected"  # refused; nothing moved
    RETURNED = "returned"  # paid out, then sent back by the receiving bank


@dataclass(frozen=True, slots=True)
class RailRequest:
    reference: str
    amount_minor: int
    currency: str
    now: datetime
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RailAnswer:
    state: RailState
    rail_reference: str = ""
    code: str = ""  # the rail's own reason, e.g. "card_declined"
    eta: datetime | None = None


@dataclass(frozen=True, slots=True)
class RailOperation:
    """What ``status`` needs to find an operation again."""

    kind: str  # deposit / withdrawal / payout
    reference: str
    rail_reference: str
    amount_minor: int
    currency: str
    started_at: datetime
    eta: datetime | None


class Rail(Protocol):
    name: str

    def deposit(self, *, request: RailRequest) -> RailAnswer: ...

    def withdrawal(self, *, request: RailRequest) -> RailAnswer: ...

    def payout(self, *, request: RailRequest) -> RailAnswer: ...

    def status(self, *, operation: RailOperation, now: datetime) -> RailAnswer: ...

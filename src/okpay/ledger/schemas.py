"""Request and response shapes of the ledger's JSON API.

Inputs are strict: unknown fields are refused, amounts and timeouts must be JSON integers
(``1.5``, ``"100"`` and ``true`` are refused), ids are 1 to 64 characters. Those checks
answer 400 ``invalid_request`` for the whole request. Everything the ledger itself judges
(a negative or zero amount, an unknown flag or currency, a missing account …) is reported per
item in ``results`` with the ledger's result code, exactly as the service returns it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.conf import settings
from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from okpay.ledger.models import ID_MAX_LENGTH
from okpay.ledger.types import AccountFlag, AccountSpec, TransferFlag, TransferSpec

MAX_BATCH: int = settings.OKPAY_LEDGER_MAX_BATCH

RequiredId = Annotated[StrictStr, Field(min_length=1, max_length=ID_MAX_LENGTH)]
OptionalId = Annotated[StrictStr, Field(max_length=ID_MAX_LENGTH)]
Amount = Annotated[
    StrictInt,
    Field(
        description="Integer count of minor units. A negative amount is refused per transfer "
        "with amount_must_not_be_negative, one above 2^63 − 1 with an overflows_* code.",
    ),
]
Metadata = Annotated[dict[str, Any], Field(default_factory=dict)]


class StrictInput(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- Errors (the body of every 4xx/5xx answer of the API) ----------------------------------


class ErrorDetail(Schema):
    code: str = Field(description="Stable machine-readable code, e.g. not_found.")
    message: str = Field(description="What happened and what to do next.")
    field: str | None = Field(description="The input at fault, dotted (transfers.0.amount).")
    details: dict[str, Any] | None = Field(
        None, description="Extra facts about some errors (e.g. the batch limit)."
    )


class ErrorResponse(Schema):
    error: ErrorDetail


# --- Accounts ------------------------------------------------------------------------------


class AccountIn(StrictInput):
    id: RequiredId
    currency: StrictStr
    code: StrictStr
    flags: list[StrictStr] = Field(
        default_factory=list,
        description="Any of: " + ", ".join(f.value for f in AccountFlag),
    )
    metadata: Metadata

    def to_spec(self) -> AccountSpec:
        return AccountSpec(
            id=self.id,
            currency=self.currency,
            code=self.code,
            flags=frozenset(self.flags),
            metadata=self.metadata,
        )


class AccountsCreateIn(StrictInput):
    accounts: list[AccountIn] = Field(min_length=1, description=f"1 to {MAX_BATCH} accounts.")


class AccountOut(Schema):
    id: str
    currency: str
    code: str
    flags: list[str]
    debits_pending: int
    debits_posted: int
    credits_pending: int
    credits_posted: int
    balance: int = Field(description="credits_posted − debits_posted.")
    metadata: dict[str, Any]
    created_at: datetime


# --- Transfers -----------------------------------------------------------------------------


class TransferIn(StrictInput):
    id: RequiredId
    debit_account_id: OptionalId = ""
    credit_account_id: OptionalId = ""
    amount: Amount = 0
    currency: StrictStr = ""
    code: StrictStr = ""
    flags: list[StrictStr] = Field(
        default_factory=list,
        description="Any of: " + ", ".join(f.value for f in TransferFlag),
    )
    pending_id: OptionalId | None = None
    timeout_seconds: StrictInt = Field(
        0, description="Pending transfers only: seconds until the hold expires (0 = never)."
    )
    metadata: Metadata

    def to_spec(self) -> TransferSpec:
        return TransferSpec(
            id=self.id,
            debit_account_id=self.debit_account_id,
            credit_account_id=self.credit_account_id,
            amount=self.amount,
            currency=self.currency,
            code=self.code,
            flags=frozenset(self.flags),
            pending_id=self.pending_id,
            timeout_seconds=self.timeout_seconds,
            metadata=self.metadata,
        )


class TransfersCreateIn(StrictInput):
    transfers: list[TransferIn] = Field(
        min_length=1,
        description=f"1 to {MAX_BATCH} transfers; more is refused with batch_too_large.",
    )


class TransferOut(Schema):
    id: str
    debit_account_id: str
    credit_account_id: str
    amount: int
    currency: str
    code: str
    flags: list[str]
    pending_id: str | None
    timeout_seconds: int
    metadata: dict[str, Any]
    created_at: datetime
    pending_status: str | None = Field(
        None,
        description="For a pending transfer: pending, posted, voided or expired; else null.",
    )


class TransferPageOut(Schema):
    data: list[TransferOut]
    has_more: bool
    next_cursor: str | None = Field(description="Pass as starting_after for the next page.")


# --- Batch results -------------------------------------------------------------------------


class ItemResult(Schema):
    id: str
    status: str = Field(description="created, exists, or the ledger's reason for refusing it.")


class BatchResultsOut(Schema):
    results: list[ItemResult]

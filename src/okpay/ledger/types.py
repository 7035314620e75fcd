"""Inputs and results of the ledger's services (frozen dataclasses, TigerBeetle's names)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class AccountFlag(StrEnum):
    LINKED = "linked"
    DEBITS_MUST_NOT_EXCEED_CREDITS = "debits_must_not_exceed_credits"
    CREDITS_MUST_NOT_EXCEED_DEBITS = "credits_must_not_exceed_debits"


class TransferFlag(StrEnum):
    LINKED = "linked"
    PENDING = "pending"
    POST_PENDING_TRANSFER = "post_pending_transfer"
    VOID_PENDING_TRANSFER = "void_pending_transfer"


class CreateAccountResult(StrEnum):
    CREATED = "created"
    EXISTS = "exists"
    EXISTS_WITH_DIFFERENT_FIELDS = "exists_with_different_fields"
    LINKED_EVENT_FAILED = "linked_event_failed"
    LINKED_EVENT_CHAIN_OPEN = "linked_event_chain_open"
    ID_MUST_NOT_BE_EMPTY = "id_must_not_be_empty"
    ID_TOO_LONG = "id_too_long"
    FLAGS_ARE_MUTUALLY_EXCLUSIVE = "flags_are_mutually_exclusive"
    UNKNOWN_FLAG = "unknown_flag"
    CURRENCY_NOT_SUPPORTED = "currency_not_supported"
    CODE_MUST_NOT_BE_EMPTY = "code_must_not_be_empty"
    CODE_TOO_LONG = "code_too_long"


class CreateTransferResult(StrEnum):
    CREATED = "created"
    EXISTS = "exists"
    EXISTS_WITH_DIFFERENT_FIELDS = "exists_with_different_fields"
    LINKED_EVENT_FAILED = "linked_event_failed"
    LINKED_EVENT_CHAIN_OPEN = "linked_event_chain_open"
    ID_MUST_NOT_BE_EMPTY = "id_must_not_be_empty"
    ID_TOO_LONG = "id_too_long"
    UNKNOWN_FLAG = "unknown_flag"
    FLAGS_ARE_MUTUALLY_EXCLUSIVE = "flags_are_mutually_exclusive"
    DEBIT_ACCOUNT_ID_MUST_NOT_BE_EMPTY = "debit_account_id_must_not_be_empty"
    CREDIT_ACCOUNT_ID_MUST_NOT_BE_EMPTY = "credit_account_id_must_not_be_empty"
    ACCOUNTS_MUST_BE_DIFFERENT = "accounts_must_be_different"
    PENDING_ID_MUST_BE_EMPTY = "pending_id_must_be_empty"
    PENDING_ID_REQUIRED = "pending_id_required"
    PENDING_ID_MUST_BE_DIFFERENT = "pending_id_must_be_different"
    TIMEOUT_RESERVED_FOR_PENDING_TRANSFER = "timeout_reserved_for_pending_transfer"
    CURRENCY_NOT_SUPPORTED = "currency_not_supported"
    CODE_MUST_NOT_BE_EMPTY = "code_must_not_be_empty"
    CODE_TOO_LONG = "code_too_long"
    AMOUNT_MUST_NOT_BE_ZERO = "amount_must_not_be_zero"
    AMOUNT_MUST_NOT_BE_NEGATIVE = "amount_must_not_be_negative"
    DEBIT_ACCOUNT_NOT_FOUND = "debit_account_not_found"
    CREDIT_ACCOUNT_NOT_FOUND = "credit_account_not_found"
    CURRENCY_MISMATCH = "currency_mismatch"
    PENDING_TRANSFER_NOT_FOUND = "pending_transfer_not_found"
    PENDING_TRANSFER_NOT_PENDING = "pending_transfer_not_pending"
    PENDING_TRANSFER_HAS_DIFFERENT_DEBIT_ACCOUNT_ID = (
        "pending_transfer_has_different_debit_account_id"
    )
    PENDING_TRANSFER_HAS_DIFFERENT_CREDIT_ACCOUNT_ID = (
        "pending_transfer_has_different_credit_account_id"
    )
    PENDING_TRANSFER_HAS_DIFFERENT_CURRENCY = "pending_transfer_has_different_currency"
    PENDING_TRANSFER_HAS_DIFFERENT_CODE = "pending_transfer_has_different_code"
    EXCEEDS_PENDING_TRANSFER_AMOUNT = "exceeds_pending_transfer_amount"
    PENDING_TRANSFER_HAS_DIFFERENT_AMOUNT = "pending_transfer_has_different_amount"
    PENDING_TRANSFER_ALREADY_POSTED = "pending_transfer_already_posted"
    PENDING_TRANSFER_ALREADY_VOIDED = "pending_transfer_already_voided"
    PENDING_TRANSFER_EXPIRED = "pending_transfer_expired"
    OVERFLOWS_DEBITS_PENDING = "overflows_debits_pending"
    OVERFLOWS_CREDITS_PENDING = "overflows_credits_pending"
    OVERFLOWS_DEBITS_POSTED = "overflows_debits_posted"
    OVERFLOWS_CREDITS_POSTED = "overflows_credits_posted"
    OVERFLOWS_DEBITS = "overflows_debits"
    OVERFLOWS_CREDITS = "overflows_credits"
    OVERFLOWS_TIMEOUT = "overflows_timeout"
    EXCEEDS_CREDITS = "exceeds_credits"
    EXCEEDS_DEBITS = "exceeds_debits"


@dataclass(frozen=True, slots=True)
class AccountSpec:
    """What a client asks for when it opens an account."""

    id: str
    currency: str
    code: str
    flags: frozenset[str] = frozenset()
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TransferSpec:
    """One transfer as a client submits it.

    For ``post_pending_transfer`` and ``void_pending_transfer`` the accounts, currency and
    code may be left empty (they are taken from the pending transfer) and ``amount`` may be
    0: a post of 0 posts the full pending amount, a void always releases the full amount.
    """

    id: str
    debit_account_id: str = ""
    credit_account_id: str = ""
    amount: int = 0
    currency: str = ""
    code: str = ""
    flags: frozenset[str] = frozenset()
    pending_id: str | None = None
    timeout_seconds: int = 0
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AccountResult:
    id: str
    status: CreateAccountResult

    @property
    def ok(self) -> bool:
        return self.status in (CreateAccountResult.CREATED, CreateAccountResult.EXISTS)


@dataclass(frozen=True, slots=True)
class TransferResult:
    id: str
    status: CreateTransferResult

    @property
    def ok(self) -> bool:
        return self.status in (CreateTransferResult.CREATED, CreateTransferResult.EXISTS)

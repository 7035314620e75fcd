"""Request and response bodies of the wallets API. Amounts are integers in minor units."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from okpay.wallets.models import Payee, Quote, Transaction
from okpay.wallets.selectors import PriceEstimate, TransactionDetail, WalletBalance

Amount = int


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class ErrorBody(Schema):
    code: str
    message: str
    field: str | None = None
    details: dict[str, Any] | None = None


class ErrorOut(Schema):
    error: ErrorBody


class WalletOut(Schema):
    currency: str
    balance: int = Field(description="Posted balance, minor units")
    available: int = Field(description="What can be spent now: posted minus outgoing holds")
    pending_incoming: int
    pending_outgoing: int

    @staticmethod
    def of(b: WalletBalance) -> WalletOut:
        return WalletOut(
            currency=b.currency,
            balance=b.posted_minor,
            available=b.available_minor,
            pending_incoming=b.pending_incoming_minor,
            pending_outgoing=b.pending_outgoing_minor,
        )


class WalletListOut(Schema):
    data: list[WalletOut]


class WalletOpenIn(In):
    currency: str = Field(min_length=3, max_length=3)


class StatusChangeOut(Schema):
    status: str
    at: datetime
    reason: str


class FailureOut(Schema):
    code: str
    title: str
    explanation: str
    next_steps: list[str]


class TransactionOut(Schema):
    reference: str
    type: str
    status: str
    amount: int
    currency: str
    fee: int
    fee_currency: str
    fx_rate: Decimal | None
    receive_amount: int | None
    receive_currency: str
    funding_source: str
    recipient: dict[str, str]
    failure_code: str | None
    eta: datetime | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def of(t: Transaction) -> TransactionOut:
        return TransactionOut(
            reference=t.reference,
            type=t.type,
            status=t.status,
            amount=t.amount_minor,
            currency=t.currency,
            fee=t.fee_minor,
            fee_currency=t.fee_currency or t.currency,
            fx_rate=t.fx_rate,
            receive_amount=t.receive_amount_minor,
            receive_currency=t.receive_currency,
            funding_source=t.funding_source,
            recipient={k: str(v) for k, v in (t.recipient or {}).items()},
            failure_code=t.failure_code or None,
            eta=t.eta,
            created_at=t.created_at,
            updated_at=t.updated_at,
        )


class TransactionDetailOut(TransactionOut):
    status_history: list[StatusChangeOut]
    failure: FailureOut | None

    @staticmethod
    def of_detail(d: TransactionDetail) -> TransactionDetailOut:
        base = TransactionOut.of(d.transaction).model_dump()
        failure = None
        if d.failure is not None:
            failure = FailureOut(
                code=d.failure.code,
                title=d.failure.title,
                explanation=d.failure.explanation,
                next_steps=[text for _code, text in d.failure.next_steps],
            )
        return TransactionDetailOut(
            **base,
            status_history=[
                StatusChangeOut(status=c.to_status, at=c.at, reason=c.reason) for c in d.history
            ],
            failure=failure,
        )


class TransactionListOut(Schema):
    data: list[TransactionOut]
    has_more: bool
    next_cursor: str | None = Field(description="Pass as `starting_after` for the next page")


class QuoteIn(In):
    operation: Literal["p2p_send", "international_transfer", "conversion"]
    send_currency: str = Field(min_length=3, max_length=3)
    receive_currency: str = Field(min_length=3, max_length=3)
    amount: Amount = Field(description="Minor units of the side named by `amount_side`")
    amount_side: Literal["send", "receive"] = "send"
    to_country: str = Field("", max_length=2)


class QuoteOut(Schema):
    id: int
    operation: str
    send_currency: str
    send_amount: int
    receive_currency: str
    receive_amount: int
    fee: int
    fee_currency: str
    total_debit: int = Field(description="send_amount + fee, in send_currency")
    mid_rate: Decimal
    rate: Decimal = Field(description="The customer's rate (after spread)")
    spread_bps: int
    rate_source: str
    rate_as_of: datetime | None
    expires_at: datetime

    @staticmethod
    def of(q: Quote) -> QuoteOut:
        return QuoteOut(
            id=q.pk,
            operation=q.operation,
            send_currency=q.send_currency,
            send_amount=q.send_amount_minor,
            receive_currency=q.receive_currency,
            receive_amount=q.receive_amount_minor,
            fee=q.fee_minor,
            fee_currency=q.fee_currency,
            total_debit=q.total_debit_minor,
            mid_rate=q.mid_rate,
            rate=q.customer_rate,
            spread_bps=q.spread_bps,
            rate_source=q.rate_source,
            rate_as_of=q.rate_as_of,
            expires_at=q.expires_at,
        )


class DepositIn(In):
    amount: Amount
    currency: str = Field(min_length=3, max_length=3)
    funding_source: Literal["bank_transfer", "card"]


class WithdrawalIn(In):
    payee_id: int
    amount: Amount


class TransferIn(In):
    recipient: str = Field(max_length=254, description="E-mail address or phone number")
    amount: Amount
    currency: str = Field(min_length=3, max_length=3)
    receive_currency: str = Field("", max_length=3)
    quote_id: int | None = None
    note: str = Field("", max_length=140)


class InternationalTransferIn(In):
    quote_id: int
    payee_id: int | None = None
    name: str = Field("", max_length=140)
    address: str = Field("", max_length=255)
    bank_country: str = Field("", max_length=2)
    iban: str = Field("", max_length=42)
    account_number: str = Field("", max_length=40)
    bic: str = Field("", max_length=11)


class ConversionIn(In):
    from_currency: str = Field(min_length=3, max_length=3)
    to_currency: str = Field(min_length=3, max_length=3)
    amount: Amount = 0
    quote_id: int | None = None


class PayeeIn(In):
    kind: Literal["own_bank_account", "international"]
    name: str = Field(max_length=140)
    bank_country: str = Field(max_length=2)
    currency: str = Field(min_length=3, max_length=3)
    iban: str = Field("", max_length=42)
    account_number: str = Field("", max_length=40)
    bic: str = Field("", max_length=11)
    address: str = Field("", max_length=255)
    label: str = Field("", max_length=100)


class PayeeOut(Schema):
    id: int
    kind: str
    label: str
    name: str
    address: str
    bank_country: str
    currency: str
    iban: str
    account_number: str
    bic: str
    created_at: datetime

    @staticmethod
    def of(p: Payee) -> PayeeOut:
        return PayeeOut(
            id=p.pk,
            kind=p.kind,
            label=p.label,
            name=p.name,
            address=p.address,
            bank_country=p.bank_country,
            currency=p.currency,
            iban=p.iban,
            account_number=p.account_number,
            bic=p.bic,
            created_at=p.created_at,
        )


class PayeeListOut(Schema):
    data: list[PayeeOut]


class FeeCalculateIn(In):
    transaction_type: Literal[
        "deposit", "withdrawal", "p2p_send", "international_transfer", "conversion"
    ]
    send_currency: str = Field(min_length=3, max_length=3)
    receive_currency: str = Field("", max_length=3)
    amount: Amount
    amount_side: Literal["send", "receive"] = "send"
    funding_source: Literal["", "bank_transfer", "card", "wallet"] = ""
    from_country: str = Field("", max_length=2)
    to_country: str = Field("", max_length=2)


class PriceOut(Schema):
    transaction_type: str
    send_currency: str
    send_amount: int
    receive_currency: str
    receive_amount: int
    fee: int
    fee_included: bool = Field(description="True for top-ups: the fee is taken from the amount")
    total_debit: int
    mid_rate: Decimal | None
    rate: Decimal | None
    rate_as_of: datetime | None

    @staticmethod
    def of(p: PriceEstimate) -> PriceOut:
        return PriceOut(
            transaction_type=p.transaction_type,
            send_currency=p.send_currency,
            send_amount=p.send_amount_minor,
            receive_currency=p.receive_currency,
            receive_amount=p.receive_amount_minor,
            fee=p.fee_minor,
            fee_included=p.fee_included,
            total_debit=p.total_debit_minor,
            mid_rate=p.mid_rate,
            rate=p.customer_rate,
            rate_as_of=p.rate_as_of,
        )


class FeeRuleOut(Schema):
    transaction_type: str
    funding_source: str
    from_country: str
    to_country: str
    currency: str
    amount_from: int
    amount_to: int | None
    percent: Decimal
    fixed: int
    minimum: int | None
    maximum: int | None
    name: str


class FeeScheduleOut(Schema):
    data: list[FeeRuleOut]

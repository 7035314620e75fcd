"""The customer's money API: wallets, transactions, quotes, payments, payees, fees.

Mounted at /api/v1. Authentication: a personal API token (``Authorization: Bearer``) or the
signed-in session (then writes send the CSRF token as ``X-CSRFToken``). A customer only
ever sees their own wallets, transactions, quotes and payees; anything else is 404.

Every money POST (deposits, withdrawals, transfers, international transfers, conversions,
quotes) accepts an ``Idempotency-Key`` header: the same key with the same body answers the
first response again (same status, same body, header ``Idempotent-Replayed: true``); the
same key with another body, or while the first request still runs, answers 409
``idempotency_error``. Keys are kept 24 hours. Lists are newest first with cursor
pagination: ``limit`` (1–100) and ``starting_after`` (the last reference of a page).
Large payments and adding a payee need a recent step-up (``POST /api/v1/auth/step-up``);
without it the answer is 403 ``step_up_required``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Header, Query, Router, Schema, Status
from ninja.security import SessionAuth

from okpay.identity.api import PersonalTokenAuth, api_user
from okpay.identity.models import ApiToken
from okpay.identity.services import step_up_holder_for_session, step_up_holder_for_token
from okpay.wallets import selectors, services
from okpay.wallets.idempotency import Outcome, idempotent_call
from okpay.wallets.schemas import (
    ConversionIn,
    DepositIn,
    ErrorOut,
    FeeCalculateIn,
    FeeRuleOut,
    FeeScheduleOut,
    InternationalTransferIn,
    PayeeIn,
    PayeeListOut,
    PayeeOut,
    PriceOut,
    QuoteIn,
    QuoteOut,
    TransactionDetailOut,
    TransactionListOut,
    TransactionOut,
    TransferIn,
    WalletListOut,
    WalletOpenIn,
    WalletOut,
    WithdrawalIn,
)

CUSTOMER_AUTH = [PersonalTokenAuth(), SessionAuth()]
router = Router(tags=["wallets"], auth=CUSTOMER_AUTH)

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
KEY_DOC = "Any unique string (≤ 255 characters); see the idempotency rules above."


def _holder(request: HttpRequest) -> str:
    auth = request.auth  # type: ignore[attr-defined]
    if isinstance(auth, ApiToken):
        return step_up_holder_for_token(auth)
    return step_up_holder_for_session(request.session.session_key)


def _money_post(
    request: HttpRequest, endpoint: str, payload: Schema, run: Callable[[], Outcome]
) -> HttpResponse:
    return idempotent_call(
        request=request,
        user=api_user(request),
        endpoint=endpoint,
        payload=payload.model_dump(mode="json"),
        run=run,
    )


def _txn(status: int, txn: Any) -> Outcome:
    return status, TransactionOut.of(txn).model_dump(mode="json")


# --- wallets ---------------------------------------------------------------------------------


@router.get("/wallets", response={200: WalletListOut, 401: ErrorOut}, summary="List my wallets")
def wallets_list(request: HttpRequest) -> WalletListOut:
    balances = selectors.wallet_balances(user=api_user(request))
    return WalletListOut(data=[WalletOut.of(b) for b in balances])


@router.post("/wallets", response={201: WalletOut, **ERRORS}, summary="Open a wallet")
def wallet_open(request: HttpRequest, payload: WalletOpenIn) -> Status:
    user = api_user(request)
    currency = payload.currency.upper()
    services.wallet_open(user=user, currency=currency)
    (balance,) = [b for b in selectors.wallet_balances(user=user) if b.currency == currency]
    return Status(201, WalletOut.of(balance))


@router.get("/wallets/{currency}", response={200: WalletOut, **ERRORS}, summary="One wallet")
def wallet_get(request: HttpRequest, currency: str) -> WalletOut:
    for balance in selectors.wallet_balances(user=api_user(request)):
        if balance.currency == currency.upper():
            return WalletOut.of(balance)
    from okpay.errors import NotFound

    raise NotFound(field="currency")


# --- transactions ----------------------------------------------------------------------------


class TransactionFilters(Schema):
    type: str = ""
    status: str = ""
    currency: str = ""
    created_from: datetime | None = None
    created_to: datetime | None = None
    search: str = ""
    limit: int = 20
    starting_after: str = ""


@router.get(
    "/transactions",
    response={200: TransactionListOut, **ERRORS},
    summary="List my transactions (newest first, cursor pagination)",
)
def transactions_list(
    request: HttpRequest, filters: Query[TransactionFilters]
) -> TransactionListOut:
    page = selectors.transactions_list(
        user=api_user(request),
        type=filters.type,
        status=filters.status,
        currency=filters.currency.upper(),
        created_from=filters.created_from,
        created_to=filters.created_to,
        search=filters.search,
        limit=filters.limit,
        starting_after=filters.starting_after,
    )
    return TransactionListOut(
        data=[TransactionOut.of(t) for t in page.items],
        has_more=page.has_more,
        next_cursor=page.next_cursor,
    )


@router.get(
    "/transactions/{reference}",
    response={200: TransactionDetailOut, **ERRORS},
    summary="One transaction with its status history and failure advice",
)
def transaction_get(request: HttpRequest, reference: str) -> TransactionDetailOut:
    detail = selectors.transaction_detail(user=api_user(request), reference=reference)
    return TransactionDetailOut.of_detail(detail)


# --- quotes and payments ---------------------------------------------------------------------


@router.post(
    "/quotes",
    response={201: QuoteOut, **ERRORS},
    summary="Quote a payment: fee, rate and the amount received, locked for 30 seconds",
)
def quote_create(
    request: HttpRequest,
    payload: QuoteIn,
    idempotency_key: str = Header("", alias="Idempotency-Key", description=KEY_DOC),
) -> HttpResponse:
    def run() -> Outcome:
        quote = services.quote_create(
            user=api_user(request),
            operation=payload.operation,
            send_currency=payload.send_currency.upper(),
            receive_currency=payload.receive_currency.upper(),
            amount_minor=payload.amount,
            amount_side=payload.amount_side,
            to_country=payload.to_country.upper(),
        )
        return 201, QuoteOut.of(quote).model_dump(mode="json")

    return _money_post(request, "quotes", payload, run)


@router.post(
    "/deposits",
    response={201: TransactionOut, **ERRORS},
    summary="Top up a wallet by bank transfer (pending until it arrives) or card",
)
def deposit_create(
    request: HttpRequest,
    payload: DepositIn,
    idempotency_key: str = Header("", alias="Idempotency-Key", description=KEY_DOC),
) -> HttpResponse:
    def run() -> Outcome:
        txn = services.deposit_create(
            user=api_user(request),
            amount_minor=payload.amount,
            currency=payload.currency.upper(),
            funding_source=payload.funding_source,
        )
        return _txn(201, txn)

    return _money_post(request, "deposits", payload, run)


@router.post(
    "/withdrawals",
    response={201: TransactionOut, **ERRORS},
    summary="Withdraw to one of my saved bank accounts",
)
def withdrawal_create(
    request: HttpRequest,
    payload: WithdrawalIn,
    idempotency_key: str = Header("", alias="Idempotency-Key", description=KEY_DOC),
) -> HttpResponse:
    def run() -> Outcome:
        txn = services.withdrawal_create(
            user=api_user(request),
            holder=_holder(request),
            payee_id=payload.payee_id,
            amount_minor=payload.amount,
        )
        return _txn(201, txn)

    return _money_post(request, "withdrawals", payload, run)


@router.post(
    "/transfers",
    response={201: TransactionOut, **ERRORS},
    summary="Send money to another OKpay user (e-mail or phone)",
)
def transfer_create(
    request: HttpRequest,
    payload: TransferIn,
    idempotency_key: str = Header("", alias="Idempotency-Key", description=KEY_DOC),
) -> HttpResponse:
    def run() -> Outcome:
        txn = services.p2p_send(
            user=api_user(request),
            holder=_holder(request),
            recipient=payload.recipient,
            amount_minor=payload.amount,
            currency=payload.currency.upper(),
            receive_currency=payload.receive_currency.upper(),
            quote_id=payload.quote_id,
            note=payload.note,
        )
        return _txn(201, txn)

    return _money_post(request, "transfers", payload, run)


@router.post(
    "/international-transfers",
    response={201: TransactionOut, **ERRORS},
    summary="Pay a bank account abroad at a quote's rate and fee",
)
def international_transfer_create(
    request: HttpRequest,
    payload: InternationalTransferIn,
    idempotency_key: str = Header("", alias="Idempotency-Key", description=KEY_DOC),
) -> HttpResponse:
    def run() -> Outcome:
        txn = services.international_transfer_create(
            user=api_user(request),
            holder=_holder(request),
            quote_id=payload.quote_id,
            payee_id=payload.payee_id,
            name=payload.name,
            address=payload.address,
            bank_country=payload.bank_country,
            iban=payload.iban,
            account_number=payload.account_number,
            bic=payload.bic,
        )
        return _txn(201, txn)

    return _money_post(request, "international-transfers", payload, run)


@router.post(
    "/conversions",
    response={201: TransactionOut, **ERRORS},
    summary="Convert between my own wallets",
)
def conversion_create(
    request: HttpRequest,
    payload: ConversionIn,
    idempotency_key: str = Header("", alias="Idempotency-Key", description=KEY_DOC),
) -> HttpResponse:
    def run() -> Outcome:
        txn = services.conversion_create(
            user=api_user(request),
            from_currency=payload.from_currency.upper(),
            to_currency=payload.to_currency.upper(),
            amount_minor=payload.amount,
            quote_id=payload.quote_id,
        )
        return _txn(201, txn)

    return _money_post(request, "conversions", payload, run)


# --- payees ----------------------------------------------------------------------------------


@router.get("/payees", response={200: PayeeListOut, 401: ErrorOut}, summary="My saved payees")
def payees_list(request: HttpRequest) -> PayeeListOut:
    rows = selectors.payees_list(user=api_user(request))
    return PayeeListOut(data=[PayeeOut.of(p) for p in rows])


@router.post("/payees", response={201: PayeeOut, **ERRORS}, summary="Save a payee (step-up)")
def payee_add(request: HttpRequest, payload: PayeeIn) -> Status:
    payee = services.payee_add(
        user=api_user(request),
        holder=_holder(request),
        kind=payload.kind,
        name=payload.name,
        bank_country=payload.bank_country,
        currency=payload.currency.upper(),
        iban=payload.iban,
        account_number=payload.account_number,
        bic=payload.bic,
        address=payload.address,
        label=payload.label,
    )
    return Status(201, PayeeOut.of(payee))


@router.delete("/payees/{payee_id}", response={204: None, **ERRORS}, summary="Remove a payee")
def payee_remove(request: HttpRequest, payee_id: int) -> Status:
    services.payee_remove(user=api_user(request), payee_id=payee_id)
    return Status(204, None)


# --- fees (public) ---------------------------------------------------------------------------

fees_router = Router(tags=["fees"])


@fees_router.get("/fees", response={200: FeeScheduleOut}, auth=None, summary="The fee schedule")
def fee_schedule(request: HttpRequest) -> FeeScheduleOut:
    from okpay.fees.selectors import fee_schedule_public

    return FeeScheduleOut(
        data=[
            FeeRuleOut(
                transaction_type=r.transaction_type,
                funding_source=r.funding_source,
                from_country=r.from_country,
                to_country=r.to_country,
                currency=r.currency,
                amount_from=r.amount_from_minor,
                amount_to=r.amount_to_minor,
                percent=r.percent,
                fixed=r.fixed_minor,
                minimum=r.minimum_minor,
                maximum=r.maximum_minor,
                name=r.name,
            )
            for r in fee_schedule_public()
        ]
    )


@fees_router.post(
    "/fees/calculate",
    response={200: PriceOut, 400: ErrorOut},
    auth=None,
    summary="What a payment would cost now (fee, rate, amount received); nothing is stored",
)
def fee_calculate(request: HttpRequest, payload: FeeCalculateIn) -> PriceOut:
    estimate = selectors.price_estimate(
        transaction_type=payload.transaction_type,
        send_currency=payload.send_currency.upper(),
        receive_currency=(payload.receive_currency or payload.send_currency).upper(),
        amount_minor=payload.amount,
        amount_side=payload.amount_side,
        funding_source=payload.funding_source,
        from_country=payload.from_country.upper(),
        to_country=payload.to_country.upper(),
    )
    return PriceOut.of(estimate)
